/**
 * The Gemini video capability (Veo): POST :predictLongRunning starts an operation, GET /v1beta/{name}
 * reports it, and a finished operation names download links for its videos.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type {
  MediaCallOptions,
  VideoCapability,
  VideoOperation,
  VideoRequest,
  VideoStatus,
} from '../media-spec.js';
import { videoPollInterval } from '../video-settings.js';
import type { ProviderSettings } from '../spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { API_VERSION, callGemini } from './gemini-http.js';
import { modelMethodPath } from './gemini-media-http.js';
import { downloadVeoVideo } from './gemini-video-download.js';
import { veoRequestToWire } from './gemini-video-request.js';
import { veoSamples, veoStatusFromOperation, type VeoOperation } from './gemini-video-status.js';

/** `models/{model}/operations/{id}`: checked, since it becomes a path on a call that carries our key. */
const OPERATION_NAME = /^models\/[A-Za-z0-9._-]+\/operations\/[A-Za-z0-9._-]+$/;

export function createGeminiVideo(settings: ProviderSettings): VideoCapability {
  const provider = settings.id;

  function operation(name: string, options: MediaCallOptions): Promise<VeoOperation> {
    if (!OPERATION_NAME.test(name)) {
      throw new InvalidRequestError(`'${name}' is not a Veo operation name.`, 'operation_id');
    }
    return callGemini<VeoOperation>(settings, { method: 'GET', path: `/${API_VERSION}/${name}` }, options);
  }

  return {
    supports: { textToVideo: true, firstFrame: true, lastFrame: true, referenceImages: true },
    pollIntervalMs: videoPollInterval(settings),

    async start(request: VideoRequest, options: MediaCallOptions): Promise<VideoOperation> {
      const { body, warnings } = veoRequestToWire(request);
      const answer = await callGemini<VeoOperation>(
        settings,
        { method: 'POST', path: modelMethodPath(request.model, 'predictLongRunning'), body },
        options,
      );
      if (!answer.name) throw invalidResponseError(provider, 'an operation name', JSON.stringify(answer));
      const started: VideoOperation = { operationId: answer.name };
      if (warnings.length > 0) started.warnings = warnings;
      return started;
    },

    async status(operationId: string, options: MediaCallOptions): Promise<VideoStatus> {
      return veoStatusFromOperation(await operation(operationId, options));
    },

    async download(operationId: string, index: number, options: MediaCallOptions) {
      const finished = await operation(operationId, options);
      const uri = veoSamples(finished)[index]?.video?.uri;
      if (!uri) {
        throw new InvalidRequestError(
          `Operation ${operationId} has no finished video at index ${index}.`,
          'index',
        );
      }
      return downloadVeoVideo(settings, uri, options);
    },
  };
}

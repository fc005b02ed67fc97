/**
 * The OpenAI video capability (Videos API, Sora): POST /videos starts a job, GET /videos/{id} reports it,
 * GET /videos/{id}/content streams the MP4, DELETE /videos/{id} is the closest thing to a cancel.
 */
import { InvalidRequestError } from '../../errors/index.js';
import { readJson } from '../http/upstream-client.js';
import type {
  MediaCallOptions,
  VideoCapability,
  VideoOperation,
  VideoRequest,
  VideoStatus,
} from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { asRecord, stringOr } from './openai-chat-response.js';
import { callOpenAI } from './openai-http.js';
import { contentTypeOf } from './openai-media-http.js';
import { videoRequestToForm } from './openai-video-request.js';
import { videoPollInterval } from '../video-settings.js';
import { videoStatusFromWire } from './openai-video-status.js';

export function createOpenAIVideo(settings: ProviderSettings): VideoCapability {
  const provider = settings.id;
  const pollIntervalMs = videoPollInterval(settings);
  const videoPath = (operationId: string) => `/videos/${encodeURIComponent(operationId)}`;

  return {
    supports: { textToVideo: true, firstFrame: true, lastFrame: false, referenceImages: false },
    pollIntervalMs,

    async start(request: VideoRequest, options: MediaCallOptions): Promise<VideoOperation> {
      const { form, warnings } = videoRequestToForm(request);
      const response = await callOpenAI(settings, { method: 'POST', path: '/videos', body: form }, options);
      const body = await readJson<unknown>(provider, response, options.signal);
      const operationId = stringOr(asRecord(body)?.['id'], '');
      if (operationId === '') throw invalidResponseError(provider, 'a video id', body);
      const operation: VideoOperation = { operationId };
      if (warnings.length > 0) operation.warnings = warnings;
      return operation;
    },

    async status(operationId: string, options: MediaCallOptions): Promise<VideoStatus> {
      const response = await callOpenAI(settings, { method: 'GET', path: videoPath(operationId) }, options);
      // Progress travels in the status itself; the poller decides how to report it.
      return videoStatusFromWire(await readJson<unknown>(provider, response, options.signal));
    },

    async download(operationId: string, index: number, options: MediaCallOptions) {
      if (index !== 0)
        throw new InvalidRequestError('An OpenAI video operation makes one video (index 0).', 'index');
      const response = await callOpenAI(
        settings,
        { method: 'GET', path: `${videoPath(operationId)}/content` },
        options,
      );
      return { body: response.body, mediaType: contentTypeOf(response) ?? 'video/mp4' };
    },

    async cancel(operationId: string, options: MediaCallOptions): Promise<void> {
      const response = await callOpenAI(
        settings,
        { method: 'DELETE', path: videoPath(operationId) },
        options,
      );
      response.body.resume();
    },
  };
}

/**
 * Veo's long-running operation `{name, done, response:{generateVideoResponse:{generatedSamples}}, error}` →
 * VideoStatus. A finished operation whose videos were all filtered is a content-policy failure.
 */
import type { VideoStatus } from '../media-spec.js';

export interface VeoOperation {
  name?: string;
  done?: boolean;
  error?: { code?: number; message?: string };
  response?: {
    generateVideoResponse?: {
      generatedSamples?: Array<{ video?: { uri?: string; mimeType?: string } }>;
      raiMediaFilteredCount?: number;
      raiMediaFilteredReasons?: string[];
    };
  };
}

/** google.rpc.Code values that blame the request rather than the service. */
const CLIENT_CODES = new Set([3, 5, 9, 11]); // INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE

export function veoStatusFromOperation(operation: VeoOperation): VideoStatus {
  if (!operation.done) return { status: 'pending', message: 'Veo is generating the video' };
  if (operation.error) {
    const code = operation.error.code ?? 2;
    return {
      status: 'failed',
      message: operation.error.message || `Veo failed (code ${code}).`,
      kind: CLIENT_CODES.has(code) ? 'invalid_request' : 'upstream',
    };
  }
  const answer = operation.response?.generateVideoResponse;
  const samples = veoSamples(operation);
  if (samples.length === 0) {
    const reasons = answer?.raiMediaFilteredReasons ?? [];
    return {
      status: 'failed',
      message: reasons.length > 0 ? reasons.join(' ') : 'Veo returned no video.',
      kind: reasons.length > 0 || (answer?.raiMediaFilteredCount ?? 0) > 0 ? 'content_policy' : 'upstream',
    };
  }
  return {
    status: 'completed',
    videos: samples.map((sample, index) => ({ index, mediaType: sample.video?.mimeType ?? 'video/mp4' })),
    metadata: {
      operation: operation.name,
      ...(answer?.raiMediaFilteredCount && { filteredCount: answer.raiMediaFilteredCount }),
    },
  };
}

export function veoSamples(operation: VeoOperation) {
  return (operation.response?.generateVideoResponse?.generatedSamples ?? []).filter(
    (sample) => sample.video?.uri,
  );
}

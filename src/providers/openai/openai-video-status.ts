/**
 * OpenAI's video object `{id, object:"video", status, progress, seconds, size, error}` → VideoStatus.
 */
import type { VideoStatus } from '../media-spec.js';
import { asRecord, stringOr } from './openai-chat-response.js';

export function videoStatusFromWire(body: unknown): VideoStatus {
  const video = asRecord(body) ?? {};
  const status = video['status'];
  if (status === 'completed') {
    const seconds = Number(video['seconds']);
    const size = /^(\d+)x(\d+)$/.exec(stringOr(video['size'], ''));
    return {
      status: 'completed',
      videos: [
        {
          index: 0,
          mediaType: 'video/mp4',
          ...(Number.isFinite(seconds) && seconds > 0 && { seconds }),
          ...(size && { size: { width: Number(size[1]), height: Number(size[2]) } }),
        },
      ],
      ...(Number.isFinite(seconds) && seconds > 0 && { usage: { seconds } }),
      metadata: { model: stringOr(video['model'], ''), videoId: stringOr(video['id'], '') },
    };
  }
  if (status === 'failed') {
    const error = asRecord(video['error']);
    const code = stringOr(error?.['code'], '');
    return {
      status: 'failed',
      message: stringOr(error?.['message'], 'OpenAI reported the video generation as failed.'),
      kind: failureKind(code),
    };
  }
  const progress = typeof video['progress'] === 'number' ? video['progress'] : undefined;
  return {
    status: 'pending',
    ...(progress !== undefined && { fraction: Math.min(1, Math.max(0, progress / 100)) }),
    message: status === 'queued' ? 'queued' : 'in progress',
  };
}

function failureKind(code: string): 'content_policy' | 'invalid_request' | 'upstream' {
  if (/moderation|policy|safety/i.test(code)) return 'content_policy';
  if (/invalid/i.test(code)) return 'invalid_request';
  return 'upstream';
}

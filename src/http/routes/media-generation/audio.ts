/**
 * OpenAI's audio endpoints over any speech or transcription provider:
 * POST /v1/audio/speech (JSON → audio bytes) and POST /v1/audio/transcriptions (multipart → json, text,
 * verbose_json, srt or vtt).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { InvalidRequestError } from '../../../errors/index.js';
import type { MediaService } from '../../../gateway/media-service.js';
import type { TranscriptionResult } from '../../../providers/media-spec.js';
import { clientGoneSignal } from '../../chat-reply.js';
import { readMultipartForm } from '../../multipart-form.js';
import { parseBody } from '../../validation.js';

const speechFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
const speechMimeTypes: Record<(typeof speechFormats)[number], string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/L16',
};

const speechSchema = z.looseObject({
  model: z.string().min(1),
  input: z.string().min(1).max(4_096),
  voice: z.union([
    z.string().min(1).max(64),
    z.looseObject({ id: z.string().min(1) }).transform((voice) => voice.id),
  ]),
  response_format: z.enum(speechFormats).default('mp3'),
  speed: z.number().min(0.25).max(4).optional(),
  instructions: z.string().max(4_096).optional(),
});

const transcriptionSchema = z.looseObject({
  model: z.string().min(1),
  language: z.string().min(2).max(16).optional(),
  prompt: z.string().max(4_096).optional(),
  temperature: z.coerce.number().min(0).max(1).optional(),
  response_format: z.enum(['json', 'text', 'verbose_json', 'srt', 'vtt']).default('json'),
});

export function registerAudio(
  app: FastifyInstance,
  media: MediaService,
  options: { maxUploadBytes: number },
): void {
  app.post('/v1/audio/speech', async (request, reply) => {
    const body = parseBody(speechSchema, request.body);
    const routed = await media.synthesizeSpeech(
      {
        model: body.model,
        input: body.input,
        voice: body.voice,
        format: body.response_format,
        speed: body.speed,
        instructions: body.instructions,
      },
      { apiKeyId: request.principal.keyId, signal: clientGoneSignal(reply) },
    );
    reply.header('x-atelier-provider', routed.provider);
    return reply
      .type(routed.value.mediaType || speechMimeTypes[body.response_format])
      .send(routed.value.audio);
  });

  void app.register(async (scope) => {
    await scope.register(multipart);
    scope.post('/v1/audio/transcriptions', async (request, reply) => {
      if (!request.isMultipart())
        throw new InvalidRequestError('POST /v1/audio/transcriptions takes a multipart/form-data body.');
      const form = await readMultipartForm(request, Math.min(options.maxUploadBytes, 100 * 1024 * 1024));
      const body = parseBody(transcriptionSchema, form.fields);
      const file = form.files.find((candidate) => candidate.field === 'file');
      if (!file) throw new InvalidRequestError("Add the audio as the 'file' field.", 'file');
      const routed = await media.transcribe(
        {
          model: body.model,
          audio: { data: file.data, mediaType: file.mimeType, filename: file.filename },
          language: body.language,
          prompt: body.prompt,
          temperature: body.temperature,
        },
        { apiKeyId: request.principal.keyId, signal: clientGoneSignal(reply) },
      );
      reply.header('x-atelier-provider', routed.provider);
      const result = routed.value;
      switch (body.response_format) {
        case 'text':
          return reply.type('text/plain; charset=utf-8').send(result.text);
        case 'srt':
          return reply.type('application/x-subrip; charset=utf-8').send(toSubtitles(result, 'srt'));
        case 'vtt':
          return reply.type('text/vtt; charset=utf-8').send(toSubtitles(result, 'vtt'));
        case 'verbose_json':
          return {
            task: 'transcribe',
            language: result.language ?? body.language ?? null,
            duration: result.durationSeconds ?? null,
            text: result.text,
            segments: (result.segments ?? []).map((segment, id) => ({
              id,
              start: segment.start,
              end: segment.end,
              text: segment.text,
            })),
          };
        default:
          return { text: result.text };
      }
    });
  });
}

/** SRT or WebVTT cues from the segments (or one cue for the whole text when there are none). */
export function toSubtitles(result: TranscriptionResult, format: 'srt' | 'vtt'): string {
  const segments = result.segments?.length
    ? result.segments
    : [
        {
          start: 0,
          end: result.durationSeconds ?? Math.max(1, result.text.split(/\s+/).length / 2.5),
          text: result.text,
        },
      ];
  const stamp = (seconds: number) => {
    const milliseconds = Math.round(seconds * 1000);
    const hours = Math.floor(milliseconds / 3_600_000);
    const minutes = Math.floor((milliseconds % 3_600_000) / 60_000);
    const secs = Math.floor((milliseconds % 60_000) / 1000);
    const rest = milliseconds % 1000;
    const pad = (value: number, width = 2) => String(value).padStart(width, '0');
    return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${format === 'srt' ? ',' : '.'}${pad(rest, 3)}`;
  };
  const cues = segments.map(
    (segment, index) =>
      `${format === 'srt' ? `${index + 1}\n` : ''}${stamp(segment.start)} --> ${stamp(segment.end)}\n${segment.text.trim()}\n`,
  );
  return `${format === 'vtt' ? 'WEBVTT\n\n' : ''}${cues.join('\n')}`;
}

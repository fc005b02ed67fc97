/**
 * The media endpoints of the fake OpenAI API, in OpenAI's wire formats:
 *   POST /v1/images/generations (JSON) and /v1/images/edits (multipart) → data[].b64_json real images
 *   POST /v1/videos (multipart or JSON) → a video object that moves queued → in_progress → completed over
 *        successive GET /v1/videos/{id}; GET /v1/videos/{id}/content → a real MP4; DELETE /v1/videos/{id}
 *   POST /v1/audio/speech → real audio in the asked format
 *   POST /v1/audio/transcriptions (multipart) → json / verbose_json / text
 * A prompt containing "forbidden" is refused (images: 400 content_policy_violation; videos: the job
 * fails with moderation_blocked). The fake answers only b64_json for images: it has no blob host for URLs.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FakeContext } from './fake-server.js';
import {
  fakeAudio,
  fakeImage,
  fakeMp4,
  type FakeAudioFormat,
  type FakeImageFormat,
} from './fake-media-bytes.js';
import { fieldValue, isMultipart, parseMultipart, type MultipartBody } from './fake-multipart.js';
import { countWords } from './fake-behaviour.js';
import { sendError } from './openai-upstream.js';

type Json = Record<string, unknown>;

/** A request body read as flat fields, whether it came as JSON or as multipart. */
interface Fields {
  get(name: string): string | undefined;
  number(name: string): number | undefined;
  files(...names: string[]): MultipartBody['files'];
  has(name: string): boolean;
}

function readFields(context: FakeContext): Fields | undefined {
  const { request } = context;
  const multipart = isMultipart(request.headers['content-type'])
    ? parseMultipart(request.body, request.headers['content-type'])
    : undefined;
  if (multipart) {
    return {
      get: (name) => fieldValue(multipart, name),
      number: (name) => numberOf(fieldValue(multipart, name)),
      files: (...names) => multipart.files.filter((file) => names.includes(file.name)),
      has: (name) => multipart.fields.some((field) => field.name === name),
    };
  }
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const json = body as Json;
  return {
    get: (name) => (json[name] === undefined ? undefined : String(json[name])),
    number: (name) => numberOf(json[name]),
    files: () => [],
    has: (name) => name in json,
  };
}

function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : Number.NaN;
}

const invalid = (response: ServerResponse, param: string, message: string, code = 'invalid_value') =>
  sendError(response, 400, { message, type: 'invalid_request_error', param, code });

const missing = (response: ServerResponse, param: string) =>
  invalid(response, param, `Missing required parameter: '${param}'.`, 'missing_required_parameter');

const unparsable = (response: ServerResponse) =>
  invalid(response, '', 'We could not parse the body of your request.', 'invalid_body');

export interface OpenAIMediaState {
  videos: Map<string, FakeVideo>;
}

export function createOpenAIMediaState(): OpenAIMediaState {
  return { videos: new Map() };
}

/** Answers the request when it is for a media endpoint; false otherwise. */
export async function handleOpenAIMedia(context: FakeContext, state: OpenAIMediaState): Promise<boolean> {
  const { method, path } = context.request;
  if (method === 'POST' && path === '/v1/images/generations') await sendImages(context, false);
  else if (method === 'POST' && path === '/v1/images/edits') await sendImages(context, true);
  else if (method === 'POST' && path === '/v1/videos') createVideo(context, state);
  else if (path.startsWith('/v1/videos/')) await videoResource(context, state);
  else if (method === 'POST' && path === '/v1/audio/speech') await sendSpeech(context);
  else if (method === 'POST' && path === '/v1/audio/transcriptions') sendTranscription(context);
  else return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------

/** Output tokens gpt-image-1 bills for a square image at each quality. */
const outputTokensByQuality: Record<string, number> = { low: 272, medium: 1056, high: 4160, auto: 1056 };
const IMAGE_TOKENS_PER_INPUT = 194;

async function sendImages(context: FakeContext, editing: boolean): Promise<void> {
  const { response } = context;
  const fields = readFields(context);
  if (!fields) return unparsable(response);
  const prompt = fields.get('prompt');
  if (!prompt) return missing(response, 'prompt');
  const model = fields.get('model') ?? 'dall-e-2';
  const gptImage = !model.startsWith('dall-e');
  for (const name of gptImage ? ['response_format', 'style'] : ['background', 'output_format']) {
    if (fields.has(name))
      return invalid(response, name, `Unknown parameter: '${name}'.`, 'unknown_parameter');
  }
  if (!gptImage && fields.get('response_format') !== 'b64_json') {
    return invalid(response, 'response_format', 'This fake serves response_format=b64_json only.');
  }
  const count = fields.number('n') ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > (model === 'dall-e-3' ? 1 : 10)) {
    return invalid(response, 'n', `Invalid 'n': ${fields.get('n')} is out of range for ${model}.`);
  }
  const sizeText = fields.get('size') ?? 'auto';
  const size = sizeText === 'auto' ? [1024, 1024] : /^(\d+)x(\d+)$/.exec(sizeText)?.slice(1).map(Number);
  if (!size || size.some((side) => side < 16 || side > 4096)) {
    return invalid(
      response,
      'size',
      `Invalid value: '${sizeText}'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.`,
    );
  }
  const format = (fields.get('output_format') ?? 'png') as FakeImageFormat;
  if (!['png', 'jpeg', 'webp'].includes(format))
    return invalid(response, 'output_format', `Invalid value: '${format}'.`);
  const images = fields.files('image', 'image[]');
  if (editing && images.length === 0) return missing(response, 'image');
  if (/forbidden/i.test(prompt)) {
    return sendError(response, 400, {
      message:
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      type: 'image_generation_user_error',
      param: null,
      code: 'content_policy_violation',
    });
  }
  const data: Json[] = [];
  for (let index = 0; index < count; index++) {
    const bytes = await fakeImage(prompt, size[0]!, size[1]!, format);
    const entry: Json = { b64_json: bytes.toString('base64') };
    if (model === 'dall-e-3') entry['revised_prompt'] = `A detailed rendering of ${prompt}`;
    data.push(entry);
  }
  const body: Json = { created: Math.floor(Date.now() / 1000), data };
  if (gptImage) {
    const quality = fields.get('quality') ?? 'auto';
    const textTokens = countWords(prompt);
    const imageTokens = images.length * IMAGE_TOKENS_PER_INPUT;
    const outputTokens = (outputTokensByQuality[quality] ?? 1056) * count;
    Object.assign(body, {
      background: fields.get('background') ?? 'opaque',
      output_format: format,
      quality: quality === 'auto' ? 'medium' : quality,
      size: `${size[0]}x${size[1]}`,
      usage: {
        input_tokens: textTokens + imageTokens,
        input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
        output_tokens: outputTokens,
        total_tokens: textTokens + imageTokens + outputTokens,
      },
    });
  }
  sendJson(response, body);
}

function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------------
// Videos (Sora)
// ---------------------------------------------------------------------------------------------------

interface FakeVideo {
  object: Json;
  polls: number;
  forbidden: boolean;
}

const VIDEO_SECONDS = ['4', '8', '12'];
const VIDEO_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];

function createVideo(context: FakeContext, state: OpenAIMediaState): void {
  const { response } = context;
  const fields = readFields(context);
  if (!fields) return unparsable(response);
  const prompt = fields.get('prompt');
  if (!prompt) return missing(response, 'prompt');
  const seconds = fields.get('seconds') ?? '4';
  if (!VIDEO_SECONDS.includes(seconds)) {
    return invalid(
      response,
      'seconds',
      `Invalid value: '${seconds}'. Supported values are: '4', '8', and '12'.`,
    );
  }
  const size = fields.get('size') ?? '720x1280';
  if (!VIDEO_SIZES.includes(size)) {
    return invalid(
      response,
      'size',
      `Invalid value: '${size}'. Supported values are: ${VIDEO_SIZES.map((value) => `'${value}'`).join(', ')}.`,
    );
  }
  const id = `video_${randomBytes(16).toString('hex')}`;
  const object: Json = {
    id,
    object: 'video',
    created_at: Math.floor(Date.now() / 1000),
    completed_at: null,
    expires_at: null,
    error: null,
    model: fields.get('model') ?? 'sora-2',
    progress: 0,
    prompt,
    remixed_from_video_id: null,
    seconds,
    size,
    status: 'queued',
  };
  state.videos.set(id, { object, polls: 0, forbidden: /forbidden/i.test(prompt) });
  sendJson(response, object);
}

/** Each status read moves the job on: in_progress 33 %, then 66 %, then completed (or failed). */
function advance(video: FakeVideo): void {
  if (video.object['status'] === 'completed' || video.object['status'] === 'failed') return;
  video.polls++;
  if (video.forbidden && video.polls >= 2) {
    Object.assign(video.object, {
      status: 'failed',
      error: { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' },
    });
  } else if (video.polls >= 3) {
    const now = Math.floor(Date.now() / 1000);
    Object.assign(video.object, {
      status: 'completed',
      progress: 100,
      completed_at: now,
      expires_at: now + 3600,
    });
  } else {
    Object.assign(video.object, { status: 'in_progress', progress: video.polls * 33 });
  }
}

async function videoResource(context: FakeContext, state: OpenAIMediaState): Promise<void> {
  const { request, response } = context;
  const match = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(request.path);
  const id = match ? decodeURIComponent(match[1]!) : '';
  const video = state.videos.get(id);
  if (!match || !video) {
    return sendError(response, 404, {
      message: `Video with id '${id}' not found.`,
      type: 'invalid_request_error',
      param: null,
      code: 'video_not_found',
    });
  }
  if (match[2] && request.method === 'GET') {
    if (video.object['status'] !== 'completed') {
      return invalid(
        response,
        'video_id',
        'Video is not ready yet, wait for it to complete.',
        'video_not_ready',
      );
    }
    const bytes = await fakeMp4();
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
    response.end(bytes);
    return;
  }
  if (!match[2] && request.method === 'GET') {
    advance(video);
    return sendJson(response, video.object);
  }
  if (!match[2] && request.method === 'DELETE') {
    state.videos.delete(id);
    return sendJson(response, { id, object: 'video.deleted', deleted: true });
  }
  invalid(response, '', `Invalid URL (${request.method} ${request.path})`, 'invalid_url');
}

// ---------------------------------------------------------------------------------------------------
// Audio
// ---------------------------------------------------------------------------------------------------

const SPEECH_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'onyx',
  'nova',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
];

const speechContentTypes: Record<FakeAudioFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

async function sendSpeech(context: FakeContext): Promise<void> {
  const { response } = context;
  const fields = readFields(context);
  if (!fields) return unparsable(response);
  for (const name of ['model', 'input', 'voice']) if (!fields.get(name)) return missing(response, name);
  const voice = fields.get('voice')!;
  if (!SPEECH_VOICES.includes(voice)) return invalid(response, 'voice', `Invalid value: '${voice}'.`);
  const format = (fields.get('response_format') ?? 'mp3') as FakeAudioFormat;
  const contentType = speechContentTypes[format];
  if (!contentType) return invalid(response, 'response_format', `Invalid value: '${format}'.`);
  const speed = fields.number('speed');
  if (speed !== undefined && !(speed >= 0.25 && speed <= 4)) {
    return invalid(response, 'speed', `Invalid 'speed': ${speed} is not between 0.25 and 4.`);
  }
  const audio = await fakeAudio(format);
  response.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked' });
  response.end(audio);
}

const TRANSCRIBABLE = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
const languageNames: Record<string, string> = { en: 'english', fr: 'french', de: 'german', es: 'spanish' };

/**
 * The kit keeps request bodies as text, so the fake cannot measure the upload: it reports one second,
 * the length of every clip the fakes make.
 */
const TRANSCRIBED_SECONDS = 1;

function sendTranscription(context: FakeContext): void {
  const { response } = context;
  const fields = readFields(context);
  if (!fields || !isMultipart(context.request.headers['content-type'])) return unparsable(response);
  const [file] = fields.files('file');
  if (!file) return missing(response, 'file');
  const model = fields.get('model');
  if (!model) return missing(response, 'model');
  const extension = file.filename.split('.').pop()?.toLowerCase() ?? '';
  if (!TRANSCRIBABLE.includes(extension)) {
    return invalid(
      response,
      'file',
      `Invalid file format. Supported formats: ${JSON.stringify(TRANSCRIBABLE)}`,
    );
  }
  const format = fields.get('response_format') ?? 'json';
  const whisper = model.startsWith('whisper');
  if (format === 'verbose_json' && !whisper) {
    return invalid(
      response,
      'response_format',
      `response_format 'verbose_json' is not compatible with model '${model}'. Use 'json' or 'text' instead.`,
      'unsupported_value',
    );
  }
  const text = `Fake transcript of ${file.filename}${fields.get('prompt') ? ` (prompted: ${fields.get('prompt')})` : ''}`;
  if (format === 'text') {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`${text}\n`);
    return;
  }
  const usage = whisper
    ? { type: 'duration', seconds: TRANSCRIBED_SECONDS }
    : {
        type: 'tokens',
        input_tokens: 50,
        input_token_details: { text_tokens: 0, audio_tokens: 50 },
        output_tokens: countWords(text),
        total_tokens: 50 + countWords(text),
      };
  if (format !== 'verbose_json') return sendJson(response, { text, usage });
  const language = fields.get('language');
  sendJson(response, {
    task: 'transcribe',
    language: language ? (languageNames[language] ?? language) : 'english',
    duration: TRANSCRIBED_SECONDS,
    text,
    segments: [
      {
        id: 0,
        seek: 0,
        start: 0,
        end: TRANSCRIBED_SECONDS,
        text: ` ${text}`,
        tokens: [50364, 50414],
        temperature: fields.number('temperature') ?? 0,
        avg_logprob: -0.21,
        compression_ratio: 1.1,
        no_speech_prob: 0.01,
      },
    ],
    usage,
  });
}

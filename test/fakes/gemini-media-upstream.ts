/**
 * The media side of the fake Generative Language API, in Google's wire formats:
 *   POST /v1beta/models/{gemini-*-image*}:generateContent  → image inlineData parts (edits: images in)
 *   POST /v1beta/models/{*-tts}:generateContent            → audio/L16;codec=pcm;rate=24000 inlineData
 *   POST /v1beta/models/{other}:generateContent with audio inlineData → a transcript
 *   POST /v1beta/models/{imagen-*}:predict                 → predictions[].bytesBase64Encoded
 *   POST /v1beta/models/{veo-*}:predictLongRunning         → {name: models/…/operations/…}
 *   GET  /v1beta/models/{veo-*}/operations/{id}            → not done twice, then done with a download URI
 *   GET  /v1beta/files/{id}:download?alt=media             → 302 to a signed URL on /fake-storage/ (no key)
 * A prompt containing "forbidden" is refused: IMAGE_SAFETY for images, no predictions for Imagen, a
 * RAI-filtered operation for Veo; "unlucky" makes a Veo operation end in an internal error.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { countWords } from './fake-behaviour.js';
import { fakeAudio, fakeImage, fakeMp4 } from './fake-media-bytes.js';
import type { FakeContext } from './fake-server.js';
import { field, isRecord, sendError, TOP_LEVEL_FIELDS } from './gemini-upstream.js';

type Json = Record<string, unknown>;

class BadRequest extends Error {}

export interface GeminiMediaState {
  operations: Map<string, { polls: number; prompt: string; samples: number }>;
  files: Set<string>;
}

export function createGeminiMediaState(): GeminiMediaState {
  return { operations: new Map(), files: new Set() };
}

/** Signed storage URLs carry no key, so they are answered before the kit's key check. */
export async function handleFakeStorage(context: FakeContext, state: GeminiMediaState): Promise<boolean> {
  const match = /^\/fake-storage\/([^/]+)\.mp4$/.exec(context.request.path);
  if (!match) return false;
  const { response } = context;
  if (!state.files.has(match[1]!) || !context.request.query.get('signature')) {
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end('AccessDenied');
    return true;
  }
  const bytes = await fakeMp4();
  response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
  response.end(bytes);
  return true;
}

/** Answers media requests (after the key and fault checks); false for everything else. */
export async function handleGeminiMedia(context: FakeContext, state: GeminiMediaState): Promise<boolean> {
  const { request, response } = context;
  const method = /^\/v1beta\/models\/([^/:]+):(generateContent|predict|predictLongRunning)$/.exec(
    request.path,
  );
  const operation = /^\/v1beta\/(models\/[^/:]+\/operations\/[^/:]+)$/.exec(request.path);
  const download = /^\/v1beta\/files\/([^/:]+):download$/.exec(request.path);
  try {
    if (method && request.method === 'POST') {
      const model = decodeURIComponent(method[1]!);
      if (method[2] === 'predict') await predictImages(context, model);
      else if (method[2] === 'predictLongRunning') startVideo(context, model, state);
      else return await generateMedia(context, model);
    } else if (operation && request.method === 'GET') {
      pollVideo(context, operation[1]!, state);
    } else if (download && request.method === 'GET') {
      redirectDownload(context, download[1]!, state);
    } else {
      return false;
    }
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    sendError(response, 400, 'INVALID_ARGUMENT', error.message);
  }
  return true;
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body, null, 2));
}

function notFound(response: ServerResponse, model: string, method: string): void {
  sendError(
    response,
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version v1beta, or is not supported for ${method}.`,
  );
}

function oneOf(value: unknown, allowed: readonly string[], name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new BadRequest(
      `Invalid value at '${name}' (${JSON.stringify(value)}): expected one of ${allowed.join(', ')}.`,
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// generateContent: images, speech, transcription
// ---------------------------------------------------------------------------------------------------

interface MediaTurn {
  prompt: string;
  images: number;
  audio: Array<{ mimeType: string; data: Buffer }>;
  config: Json;
}

function readTurn(body: unknown): MediaTurn {
  if (!isRecord(body)) throw new BadRequest('Invalid JSON payload received.');
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_FIELDS.has(key))
      throw new BadRequest(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  }
  const contents = field(body, 'contents');
  if (!Array.isArray(contents) || contents.length === 0)
    throw new BadRequest('* GenerateContentRequest.contents: contents is not specified\n');
  const turn: MediaTurn = { prompt: '', images: 0, audio: [], config: {} };
  const texts: string[] = [];
  for (const content of contents) {
    const parts = isRecord(content) ? content.parts : undefined;
    if (!Array.isArray(parts) || parts.length === 0)
      throw new BadRequest('* GenerateContentRequest.contents.parts: contents.parts must not be empty.\n');
    for (const part of parts) {
      if (!isRecord(part)) throw new BadRequest('* GenerateContentRequest.contents.parts: invalid part');
      const inline = field(part, 'inlineData');
      if (typeof part.text === 'string') texts.push(part.text);
      else if (isRecord(inline)) {
        const mimeType = String(field(inline, 'mimeType') ?? '');
        if (typeof inline.data !== 'string' || !mimeType)
          throw new BadRequest('inlineData needs mimeType and data.');
        if (mimeType.startsWith('image/')) turn.images++;
        if (mimeType.startsWith('audio/'))
          turn.audio.push({ mimeType, data: Buffer.from(inline.data, 'base64') });
      }
    }
  }
  turn.prompt = texts.join('\n');
  const config = field(body, 'generationConfig');
  if (config !== undefined && !isRecord(config)) throw new BadRequest('Invalid generationConfig.');
  turn.config = config ?? {};
  return turn;
}

const isImageModel = (model: string) => /-image/.test(model);
const isSpeechModel = (model: string) => /-tts$/.test(model);

async function generateMedia(context: FakeContext, model: string): Promise<boolean> {
  if (!isImageModel(model) && !isSpeechModel(model) && !hasAudio(context.request.body)) return false;
  const turn = readTurn(context.request.body);
  const modalities = field(turn.config, 'responseModalities');
  const asked = Array.isArray(modalities) ? modalities.map(String) : undefined;
  if (isSpeechModel(model)) {
    if (asked?.join() !== 'AUDIO') {
      throw new BadRequest(
        `The requested combination of response modalities (${asked?.join(', ') ?? 'TEXT'}) is not supported by the model. Supported combinations: AUDIO.`,
      );
    }
    await sendSpeech(context.response, turn, model);
  } else if (isImageModel(model)) {
    if (asked && !asked.includes('IMAGE'))
      throw new BadRequest('An image model needs IMAGE among responseModalities.');
    await sendGeneratedImage(context.response, turn, model);
  } else {
    sendTranscript(context.response, turn, model);
  }
  return true;
}

function hasAudio(body: unknown): boolean {
  if (!isRecord(body) || !Array.isArray(body.contents)) return false;
  return body.contents.some(
    (content) =>
      isRecord(content) &&
      Array.isArray(content.parts) &&
      content.parts.some((part) => {
        const inline = isRecord(part) ? field(part, 'inlineData') : undefined;
        return isRecord(inline) && String(field(inline, 'mimeType') ?? '').startsWith('audio/');
      }),
  );
}

function answer(model: string, parts: Json[], finishReason: string, usageMetadata: Json): Json {
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId: randomBytes(16).toString('base64url'),
  };
}

/** The sizes Gemini image models render for each ratio. */
const GEMINI_IMAGE_SIZES: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};
const IMAGE_OUTPUT_TOKENS = 1290;
const TOKENS_PER_INPUT_IMAGE = 258;

async function sendGeneratedImage(response: ServerResponse, turn: MediaTurn, model: string): Promise<void> {
  const imageConfig = field(turn.config, 'imageConfig');
  const ratio =
    oneOf(
      isRecord(imageConfig) ? field(imageConfig, 'aspectRatio') : undefined,
      Object.keys(GEMINI_IMAGE_SIZES),
      'generation_config.image_config.aspect_ratio',
    ) ?? '1:1';
  const promptTokens = countWords(turn.prompt) + turn.images * TOKENS_PER_INPUT_IMAGE;
  if (/forbidden/i.test(turn.prompt)) {
    return sendJson(response, {
      candidates: [{ finishReason: 'IMAGE_SAFETY', index: 0 }],
      usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
      modelVersion: model,
    });
  }
  const [width, height] = GEMINI_IMAGE_SIZES[ratio]!;
  const image = await fakeImage(turn.prompt, width, height);
  sendJson(
    response,
    answer(
      model,
      [
        { text: `Here is ${turn.images > 0 ? 'the edited image' : 'your image'}.` },
        { inlineData: { mimeType: 'image/png', data: image.toString('base64') } },
      ],
      'STOP',
      {
        promptTokenCount: promptTokens,
        candidatesTokenCount: IMAGE_OUTPUT_TOKENS,
        totalTokenCount: promptTokens + IMAGE_OUTPUT_TOKENS,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: countWords(turn.prompt) },
          ...(turn.images > 0
            ? [{ modality: 'IMAGE', tokenCount: turn.images * TOKENS_PER_INPUT_IMAGE }]
            : []),
        ],
        candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: IMAGE_OUTPUT_TOKENS }],
      },
    ),
  );
}

export const GEMINI_TTS_VOICES = [
  'Zephyr',
  'Puck',
  'Charon',
  'Kore',
  'Fenrir',
  'Leda',
  'Orus',
  'Aoede',
  'Callirrhoe',
  'Autonoe',
  'Enceladus',
  'Iapetus',
  'Umbriel',
  'Algieba',
  'Despina',
  'Erinome',
  'Algenib',
  'Rasalgethi',
  'Laomedeia',
  'Achernar',
  'Alnilam',
  'Schedar',
  'Gacrux',
  'Pulcherrima',
  'Achird',
  'Zubenelgenubi',
  'Vindemiatrix',
  'Sadachbia',
  'Sadaltager',
  'Sulafat',
];
/** Gemini counts 25 tokens per second of generated audio. */
const AUDIO_TOKENS_PER_SECOND = 25;

async function sendSpeech(response: ServerResponse, turn: MediaTurn, model: string): Promise<void> {
  const speechConfig = field(turn.config, 'speechConfig');
  const voiceConfig = isRecord(speechConfig) ? field(speechConfig, 'voiceConfig') : undefined;
  const prebuilt = isRecord(voiceConfig) ? field(voiceConfig, 'prebuiltVoiceConfig') : undefined;
  oneOf(
    isRecord(prebuilt) ? field(prebuilt, 'voiceName') : undefined,
    GEMINI_TTS_VOICES,
    'generation_config.speech_config.voice_config.prebuilt_voice_config.voice_name',
  );
  const pcm = await fakeAudio('pcm');
  const promptTokens = countWords(turn.prompt);
  sendJson(
    response,
    answer(
      model,
      [{ inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data: pcm.toString('base64') } }],
      'STOP',
      {
        promptTokenCount: promptTokens,
        candidatesTokenCount: AUDIO_TOKENS_PER_SECOND,
        totalTokenCount: promptTokens + AUDIO_TOKENS_PER_SECOND,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
        candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: AUDIO_TOKENS_PER_SECOND }],
      },
    ),
  );
}

/** Seconds of a PCM WAV from its header, or undefined for anything else. */
function wavSeconds(data: Buffer): number | undefined {
  if (data.length < 44 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  const byteRate = data.readUInt32LE(28);
  let offset = 12;
  while (offset + 8 <= data.length) {
    const size = data.readUInt32LE(offset + 4);
    if (data.toString('ascii', offset, offset + 4) === 'data')
      return byteRate > 0 ? size / byteRate : undefined;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

/** Gemini counts 32 tokens per second of audio input. */
const AUDIO_INPUT_TOKENS_PER_SECOND = 32;

function sendTranscript(response: ServerResponse, turn: MediaTurn, model: string): void {
  const clips = turn.audio.map((clip) => {
    const seconds = wavSeconds(clip.data);
    return {
      clip,
      seconds,
      label:
        seconds === undefined
          ? `${clip.data.length} bytes of ${clip.mimeType}`
          : `${seconds.toFixed(2)} s of ${clip.mimeType}`,
    };
  });
  const text = `Fake transcript of ${clips.map((entry) => entry.label).join(' and ')}`;
  const audioTokens = Math.round(
    clips.reduce((sum, entry) => sum + (entry.seconds ?? 1), 0) * AUDIO_INPUT_TOKENS_PER_SECOND,
  );
  const promptTokens = countWords(turn.prompt) + audioTokens;
  sendJson(
    response,
    answer(model, [{ text }], 'STOP', {
      promptTokenCount: promptTokens,
      candidatesTokenCount: countWords(text),
      totalTokenCount: promptTokens + countWords(text),
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: countWords(turn.prompt) },
        { modality: 'AUDIO', tokenCount: audioTokens },
      ],
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Imagen
// ---------------------------------------------------------------------------------------------------

const IMAGEN_SIZES: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '3:4': [896, 1280],
  '4:3': [1280, 896],
  '9:16': [768, 1408],
  '16:9': [1408, 768],
};
const PERSON_GENERATION = ['dont_allow', 'allow_adult', 'allow_all'];

function predictBody(body: unknown): { instance: Json; parameters: Json } {
  if (!isRecord(body) || !Array.isArray(body.instances) || !isRecord(body.instances[0])) {
    throw new BadRequest('instances must be a non-empty list.');
  }
  const instance = body.instances[0];
  if (typeof instance.prompt !== 'string' || instance.prompt === '')
    throw new BadRequest('instances[0].prompt is required.');
  const parameters = body.parameters ?? {};
  if (!isRecord(parameters)) throw new BadRequest('parameters must be an object.');
  return { instance, parameters };
}

async function predictImages(context: FakeContext, model: string): Promise<void> {
  const { response } = context;
  if (!model.startsWith('imagen-')) return notFound(response, model, 'predict');
  const { instance, parameters } = predictBody(context.request.body);
  const count = parameters.sampleCount ?? 4;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4) {
    throw new BadRequest('parameters.sampleCount must be an integer from 1 to 4.');
  }
  const ratio = oneOf(parameters.aspectRatio, Object.keys(IMAGEN_SIZES), 'parameters.aspectRatio') ?? '1:1';
  oneOf(parameters.personGeneration, PERSON_GENERATION, 'parameters.personGeneration');
  const prompt = instance.prompt as string;
  // Imagen drops filtered images without a word; a fully filtered call answers an empty object.
  if (/forbidden/i.test(prompt)) return sendJson(response, {});
  const [width, height] = IMAGEN_SIZES[ratio]!;
  const image = await fakeImage(prompt, width, height);
  sendJson(response, {
    predictions: Array.from({ length: count }, () => ({
      bytesBase64Encoded: image.toString('base64'),
      mimeType: 'image/png',
    })),
  });
}

// ---------------------------------------------------------------------------------------------------
// Veo
// ---------------------------------------------------------------------------------------------------

function checkInlineImage(value: unknown, name: string): void {
  if (value === undefined) return;
  if (
    !isRecord(value) ||
    typeof value.bytesBase64Encoded !== 'string' ||
    typeof value.mimeType !== 'string'
  ) {
    throw new BadRequest(`${name} needs bytesBase64Encoded and mimeType.`);
  }
}

function startVideo(context: FakeContext, model: string, state: GeminiMediaState): void {
  const { response } = context;
  if (!model.startsWith('veo-')) return notFound(response, model, 'predictLongRunning');
  const { instance, parameters } = predictBody(context.request.body);
  checkInlineImage(instance.image, 'instances[0].image');
  checkInlineImage(instance.lastFrame, 'instances[0].lastFrame');
  if (instance.lastFrame !== undefined && instance.image === undefined)
    throw new BadRequest('lastFrame requires image.');
  const references = instance.referenceImages ?? [];
  if (!Array.isArray(references) || references.length > 3)
    throw new BadRequest('referenceImages takes up to 3 images.');
  references.forEach((reference: unknown, index) => {
    if (!isRecord(reference)) throw new BadRequest(`referenceImages[${index}] must be an object.`);
    checkInlineImage(reference.image, `referenceImages[${index}].image`);
    oneOf(reference.referenceType, ['asset', 'style'], `referenceImages[${index}].referenceType`);
  });
  oneOf(parameters.aspectRatio, ['16:9', '9:16'], 'parameters.aspectRatio');
  oneOf(parameters.resolution, ['720p', '1080p'], 'parameters.resolution');
  oneOf(parameters.personGeneration, PERSON_GENERATION, 'parameters.personGeneration');
  const duration = parameters.durationSeconds;
  if (
    duration !== undefined &&
    (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 4 || duration > 8)
  ) {
    throw new BadRequest('parameters.durationSeconds must be a whole number from 4 to 8.');
  }
  const name = `models/${model}/operations/${randomBytes(8).toString('hex')}`;
  const samples = typeof parameters.sampleCount === 'number' ? parameters.sampleCount : 1;
  state.operations.set(name, { polls: 0, prompt: instance.prompt as string, samples });
  sendJson(response, { name });
}

function pollVideo(context: FakeContext, name: string, state: GeminiMediaState): void {
  const { request, response } = context;
  const operation = state.operations.get(name);
  if (!operation) return sendError(response, 404, 'NOT_FOUND', `Operation ${name} not found.`);
  operation.polls++;
  if (operation.polls < 3) return sendJson(response, { name });
  if (/unlucky/i.test(operation.prompt)) {
    return sendJson(response, {
      name,
      done: true,
      error: { code: 13, message: 'Video generation failed due to an internal error.' },
    });
  }
  const type = 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';
  if (/forbidden/i.test(operation.prompt)) {
    return sendJson(response, {
      name,
      done: true,
      response: {
        '@type': type,
        generateVideoResponse: {
          raiMediaFilteredCount: 1,
          raiMediaFilteredReasons: [
            "We can't create videos from this prompt: it may violate our policies. You will not be charged.",
          ],
        },
      },
    });
  }
  const generatedSamples = Array.from({ length: operation.samples }, (_, index) => {
    const fileId = `${name.split('/').at(-1)}${index}`;
    state.files.add(fileId);
    return { video: { uri: `http://${request.headers.host}/v1beta/files/${fileId}:download?alt=media` } };
  });
  sendJson(response, {
    name,
    done: true,
    response: { '@type': type, generateVideoResponse: { generatedSamples } },
  });
}

function redirectDownload(context: FakeContext, fileId: string, state: GeminiMediaState): void {
  const { request, response } = context;
  if (!state.files.has(fileId))
    return sendError(response, 404, 'NOT_FOUND', `File files/${fileId} not found.`);
  if (request.query.get('alt') !== 'media')
    return sendJson(response, { name: `files/${fileId}`, mimeType: 'video/mp4' });
  response.writeHead(302, {
    location: `http://${request.headers.host}/fake-storage/${fileId}.mp4?signature=${randomBytes(8).toString('hex')}`,
  });
  response.end();
}

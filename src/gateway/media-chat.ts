/**
 * Image and video models through the chat endpoints, for chat clients that know nothing of jobs: the last
 * user turn's text is the prompt and its images are the inputs; progress is streamed as reasoning
 * (`delta.reasoning_content` for OpenAI clients) and the answer is the link to the result. Video runs as a
 * durable `video.generate` job, so the work survives the client hanging up.
 */
import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors/index.js';
import type { JobService } from '../jobs/job-service.js';
import type { MediaLibrary, StoredOutput } from '../jobs/media-library.js';
import type { BinaryInput } from '../providers/media-spec.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, ImageSource } from '../providers/spec.js';
import type { ChatCall } from './chat-service.js';
import type { MediaService } from './media-service.js';
import { toAbortSignal, type CancelSignal } from '../providers/cancel-signal.js';

export type MediaKind = 'image' | 'video';

export interface MediaChatDependencies {
  media: MediaService;
  jobs: JobService;
  library: MediaLibrary;
  /** Bytes behind an image URL in a message (our own file links, data: URLs, or a guarded download). */
  fetchImage: (
    source: Extract<ImageSource, { kind: 'url' }>,
    apiKeyId: string | null,
    signal: CancelSignal,
  ) => Promise<BinaryInput>;
}

export class MediaChat {
  constructor(private readonly dependencies: MediaChatDependencies) {}

  /** Events of a media "chat" answer; the caller encodes them in the client's protocol. */
  async *run(
    kind: MediaKind,
    call: ChatCall,
    request: ChatRequest,
    baseUrl: string,
  ): AsyncGenerator<ChatStreamEvent> {
    const { prompt, images } = lastUserTurn(request);
    if (!prompt)
      throw new InvalidRequestError('The last user message needs text: it is the prompt.', 'messages');
    const apiKeyId = call.principal.keyId;
    yield { type: 'start', id: `chatcmpl-${randomBytes(12).toString('base64url')}`, model: request.model };
    const inputs: BinaryInput[] = [];
    for (const image of images) {
      inputs.push(
        image.kind === 'base64'
          ? { data: Buffer.from(image.data, 'base64'), mediaType: image.mediaType }
          : await this.dependencies.fetchImage(image, apiKeyId, call.signal),
      );
    }
    let files: StoredOutput[];
    if (kind === 'image') {
      yield {
        type: 'reasoning-delta',
        text: `Generating ${inputs.length ? 'an edit of your image' : 'an image'} with ${request.model}…\n`,
      };
      const routed = await this.dependencies.media.generateImages(
        { model: request.model, prompt, inputImages: inputs.length ? inputs : undefined },
        { apiKeyId, signal: call.signal },
      );
      files = [];
      for (const [index, image] of routed.value.images.entries()) {
        files.push(
          await this.dependencies.library.store({
            body: image.data,
            filename: `image-${index + 1}.${image.mediaType.split('/')[1] ?? 'png'}`,
            jobId: null,
            apiKeyId,
            metadata: { prompt, model: request.model, provider: routed.provider, ...routed.value.metadata },
          }),
        );
      }
    } else {
      const uploads = await Promise.all(
        inputs.map((input, index) =>
          this.dependencies.library.storeUpload({ ...input, filename: `frame-${index + 1}`, apiKeyId }),
        ),
      );
      const { job } = await this.dependencies.jobs.create({
        type: 'video.generate',
        apiKeyId,
        input: {
          model: request.model,
          prompt,
          first_frame_file_id: uploads[0]?.id,
          last_frame_file_id: uploads[1]?.id,
        },
      });
      yield { type: 'reasoning-delta', text: `Video job ${job.id} queued.\n` };
      const messages: string[] = [];
      let wake: () => void = () => undefined;
      const waiting = this.dependencies.jobs.waitForEnd(job.id, toAbortSignal(call.signal), (event) => {
        if (event.type === 'job.progress')
          messages.push(
            `Generating… ${event.data.progress}%${event.data.message ? ` (${String(event.data.message)})` : ''}\n`,
          );
        if (event.type === 'job.started') messages.push('Started.\n');
        if (event.type === 'job.retrying') messages.push('Retrying after a transient failure…\n');
        wake();
      });
      let ended = false;
      // Both outcomes end the loop; the rejection itself is rethrown by the `await waiting` below. (A
      // `finally` here would make a second promise that rejects with nobody to handle it.)
      const end = () => {
        ended = true;
        wake();
      };
      waiting.then(end, end);
      while (!ended || messages.length) {
        if (messages.length) {
          yield { type: 'reasoning-delta', text: messages.shift()! };
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const done = await waiting;
      if (done.status !== 'succeeded') {
        const error = done.error ? (JSON.parse(done.error) as { message: string }) : { message: done.status };
        yield { type: 'text-delta', text: `The video could not be made: ${error.message}` };
        yield { type: 'finish', finishReason: 'error', usage: { inputTokens: 0, outputTokens: 0 } };
        return;
      }
      files = (JSON.parse(done.output!) as { files: StoredOutput[] }).files;
    }
    const links = files.map((file, index) =>
      kind === 'image'
        ? `![image ${index + 1}](${baseUrl}${file.url})`
        : `[video ${index + 1}](${baseUrl}${file.url})`,
    );
    yield { type: 'text-delta', text: links.join('\n') };
    yield { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } };
  }

  /** The whole answer at once, for non-streaming calls. */
  async collect(kind: MediaKind, call: ChatCall, request: ChatRequest, baseUrl: string): Promise<ChatResult> {
    let id = '';
    let reasoning = '';
    let text = '';
    let finishReason: ChatResult['finishReason'] = 'stop';
    for await (const event of this.run(kind, call, request, baseUrl)) {
      if (event.type === 'start') id = event.id;
      else if (event.type === 'reasoning-delta') reasoning += event.text;
      else if (event.type === 'text-delta') text += event.text;
      else if (event.type === 'finish') finishReason = event.finishReason;
    }
    return {
      id,
      model: request.model,
      content: [
        ...(reasoning ? [{ type: 'reasoning' as const, text: reasoning }] : []),
        { type: 'text', text },
      ],
      finishReason,
      usage: { inputTokens: 0, outputTokens: 0 },
    };
  }
}

function lastUserTurn(request: ChatRequest): { prompt: string; images: ImageSource[] } {
  const message = [...request.messages].reverse().find((candidate) => candidate.role === 'user');
  if (!message || message.role !== 'user') return { prompt: '', images: [] };
  const prompt = message.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n')
    .trim();
  const images = message.content.filter((part) => part.type === 'image').map((part) => part.source);
  return { prompt, images };
}

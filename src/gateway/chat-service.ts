/**
 * One chat call from any client protocol to any provider:
 * decode and validate → resolve the model's route targets → run attempts with failover → answer.
 * When the provider speaks the client's protocol the upstream bytes are relayed untouched (usage is
 * observed on the way); otherwise canonical results and events are encoded into the client's protocol.
 * A stream is committed to a provider only once its first chunk has arrived, so everything before the
 * first byte can still fail over; nothing is held back after that.
 */
import { performance } from 'node:perf_hooks';
import { Readable, type Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { GatewayConfiguration } from '../config/index.js';
import {
  ClientClosedError,
  connectionError,
  ProviderError,
  toAtelierError,
  type AtelierError,
} from '../errors/index.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  ClientProtocol,
  DecodeContext,
  StreamEncoder,
  UsageObserver,
} from '../protocols/client-protocol.js';
import { wantsStreamUsage } from '../protocols/openai/index.js';
import { readText } from '../providers/http/upstream-client.js';
import type { ChatRequest, ChatStreamEvent, Usage } from '../providers/spec.js';
import type { Principal } from '../security/api-keys.js';
import { runWithFailover, type AttemptContext } from './failover.js';
import type { Outcome } from './credential-pool.js';
import type { MediaChat, MediaKind } from './media-chat.js';
import type { ModelCatalog, RouteTarget } from './model-catalog.js';
import { awaitFirstBytes, relayStream } from './relay-stream.js';
import { modelKind } from './model-kind.js';
import type { UsageRecorder } from './usage-recorder.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export interface ChatCall {
  protocol: ClientProtocol;
  body: unknown;
  context: DecodeContext;
  principal: Principal;
  /** Aborted when the client goes away. */
  signal: CancelSignal;
  /** Where clients reach this server, for links in answers (media results). */
  baseUrl: string;
}

export interface RouteInfo {
  provider: string;
  model: string;
  attempts: number;
}

export type ChatResponse =
  | { kind: 'json'; body: unknown; route: RouteInfo }
  | { kind: 'stream'; contentType: string; body: Readable; route: RouteInfo }
  /** A same-protocol stream: the caller writes the head, then hands over the response to relay into. */
  | { kind: 'relay'; contentType: string; route: RouteInfo; relayTo(destination: Writable): void };

type Prepared =
  | { kind: 'json'; body: unknown; usage: Usage | undefined }
  | {
      kind: 'relay';
      contentType: string;
      /** The upstream body, with bytes waiting: nothing has been read from it yet. */
      upstream: Readable;
      observer: UsageObserver;
      failure: (error: AtelierError) => string;
    }
  | {
      kind: 'stream';
      contentType: string;
      first: string | Buffer;
      rest: AsyncIterator<string | Buffer>;
      usage: () => Usage | undefined;
      /** Text to close a stream that ended normally: nothing for a relay (the upstream's own ending passed through). */
      ending: () => string;
      /** Text to close a stream that failed after bytes were sent, in the client's protocol. */
      failure: (error: AtelierError) => string;
    };

export interface ChatServiceDependencies {
  catalog: ModelCatalog;
  usage: UsageRecorder;
  metrics: Metrics;
  logger: Logger;
  gateway: Readonly<GatewayConfiguration>;
  /** Serves image and video models through chat; without it they are a 400. */
  mediaChat?: MediaChat;
}

export class ChatService {
  constructor(private readonly dependencies: ChatServiceDependencies) {}

  async handle(call: ChatCall): Promise<ChatResponse> {
    const started = performance.now();
    const request = call.protocol.decodeRequest(call.body, call.context);
    const requestedModel = request.model;
    const record = (status: number, details: Partial<UsageDetails> = {}) =>
      this.record(call, request, started, status, details);
    let result;
    try {
      const targets = this.dependencies.catalog.resolve(requestedModel);
      const media = this.dependencies.mediaChat && mediaKind(targets);
      if (media) return this.media(media, call, request, started);
      result = await runWithFailover(
        requestedModel,
        targets,
        (attempt) => this.attempt(call, request, attempt),
        {
          capability: 'chat',
          maxAttempts: this.dependencies.gateway.max_attempts,
          queueTimeoutMs: this.dependencies.gateway.queue_timeout_ms,
          signal: call.signal,
          onFailure: (target, credentialId, error) => {
            this.dependencies.metrics.upstreamAttempts.inc({
              provider: target.provider.id,
              outcome: 'failure',
            });
            this.dependencies.logger.warn(
              { provider: target.provider.id, credential: credentialId, err: toAtelierError(error).message },
              'upstream attempt failed',
            );
          },
        },
      );
    } catch (error) {
      const failure = call.signal.aborted ? new ClientClosedError() : toAtelierError(error);
      record(failure.status, { errorKind: failure.kind });
      throw failure;
    }
    const { value: prepared, target, lease, attempts } = result;
    this.dependencies.metrics.upstreamAttempts.inc({ provider: target.provider.id, outcome: 'success' });
    const route: RouteInfo = { provider: target.provider.id, model: target.upstreamModel, attempts };
    // Every field from the start, filled in as the answer ends: one hidden class for all of them (decision 0005).
    const details: Partial<UsageDetails> = {
      providerId: target.provider.id,
      upstreamModel: target.upstreamModel,
      credentialId: lease.credential.id,
      attempts,
      usage: undefined,
      errorKind: undefined,
    };
    if (prepared.kind === 'json') {
      lease.release('success');
      details.usage = prepared.usage;
      record(200, details);
      return { kind: 'json', body: prepared.body, route };
    }
    const signal = call.signal;
    if (prepared.kind === 'relay') {
      const relayTo = (destination: Writable) =>
        relayStream({
          upstream: prepared.upstream,
          destination,
          observer: prepared.observer,
          provider: target.provider.id,
          signal,
          failureText: prepared.failure,
          onEnd: (end) => {
            const failure = end.kind === 'failed' ? end.error : undefined;
            lease.release(
              end.kind === 'completed' ? 'success' : failure instanceof ProviderError ? failure : 'neutral',
            );
            details.usage = prepared.observer.result();
            if (end.kind === 'client-closed') details.errorKind = 'client_closed';
            else if (failure) details.errorKind = failure.kind;
            record(
              end.kind === 'completed' ? 200 : end.kind === 'client-closed' ? 499 : failure!.status,
              details,
            );
          },
        });
      return { kind: 'relay', contentType: prepared.contentType, route, relayTo };
    }
    const body = translatedChunks(prepared, signal, (outcome, status, errorKind) => {
      lease.release(outcome);
      details.usage = prepared.usage();
      details.errorKind = errorKind;
      record(status, details);
    });
    return {
      kind: 'stream',
      contentType: prepared.contentType,
      body: Readable.from(body, { objectMode: false }),
      route,
    };
  }

  /** An image or video model asked for through chat (see media-chat.ts). */
  private async media(
    kind: MediaKind,
    call: ChatCall,
    request: ChatRequest,
    started: number,
  ): Promise<ChatResponse> {
    const mediaChat = this.dependencies.mediaChat!;
    const route: RouteInfo = { provider: 'media', model: request.model, attempts: 1 };
    const encodeContext = { model: request.model };
    if (!request.stream) {
      const result = await mediaChat.collect(kind, call, request, call.baseUrl);
      return { kind: 'json', body: call.protocol.encodeResult(result, encodeContext), route };
    }
    const encoder = call.protocol.createStreamEncoder(encodeContext);
    const events = mediaChat.run(kind, call, request, call.baseUrl);
    const chunks = mediaChunks(events, encoder, call.signal, (status, errorKind) =>
      this.record(call, request, started, status, { errorKind }),
    );
    return {
      kind: 'stream',
      contentType: encoder.contentType,
      body: Readable.from(chunks, { objectMode: false }),
      route,
    };
  }

  private async attempt(call: ChatCall, request: ChatRequest, attempt: AttemptContext): Promise<Prepared> {
    const { target, credential, signal } = attempt;
    const chat = target.provider.adapter.chat!;
    const options = { credential, signal };
    const encodeContext = {
      model: request.model,
      includeUsage: call.protocol.name === 'openai' && wantsStreamUsage(call.body),
    };
    if (chat.relay && chat.protocol === call.protocol.name) {
      const body = call.body as Record<string, unknown>;
      const response = await chat.relay(
        {
          // Gemini names the model in the path; the others in the body, rewritten only for an alias.
          body:
            call.protocol.name === 'gemini' || body['model'] === target.upstreamModel
              ? body
              : { ...body, model: target.upstreamModel },
          stream: request.stream,
          model: target.upstreamModel,
        },
        options,
      );
      if (!request.stream) {
        const text = await readText(response.body, 256 * 1024 * 1024).catch((error: unknown) => {
          throw connectionError(target.provider.id, error);
        });
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw connectionError(
            target.provider.id,
            new Error('upstream sent a body that is not JSON', { cause: error }),
          );
        }
        // The bytes go back as they came; parsing is only for validation and usage.
        return { kind: 'json', body: text, usage: call.protocol.usageFromBody(parsed) };
      }
      await awaitFirstBytes(response.body, target.provider.id, signal);
      return {
        kind: 'relay',
        contentType: response.contentType || 'text/event-stream',
        upstream: response.body,
        observer: call.protocol.createStreamUsageObserver(),
        failure: (error) => call.protocol.createStreamEncoder(encodeContext).error(error),
      };
    }
    const upstreamRequest: ChatRequest = { ...request, model: target.upstreamModel };
    if (!request.stream) {
      const result = await chat.generate(upstreamRequest, options);
      return { kind: 'json', body: call.protocol.encodeResult(result, encodeContext), usage: result.usage };
    }
    const events = await chat.stream(upstreamRequest, options);
    const encoder = call.protocol.createStreamEncoder(encodeContext);
    let usage: Usage | undefined;
    const track = (event: ChatStreamEvent) => {
      if (event.type === 'usage' || event.type === 'finish') usage = event.usage;
    };
    const iterator = encoded(events, encoder, track)[Symbol.asyncIterator]();
    const first = await firstChunk(iterator, target.provider.id);
    return {
      kind: 'stream',
      contentType: encoder.contentType,
      first,
      rest: iterator,
      usage: () => usage,
      ending: () => encoder.end(),
      failure: (error) => encoder.error(error),
    };
  }

  private record(
    call: ChatCall,
    request: ChatRequest,
    started: number,
    status: number,
    details: Partial<UsageDetails>,
  ) {
    const latency = performance.now() - started;
    const usage = details.usage;
    this.dependencies.metrics.requests.inc({
      protocol: call.protocol.name,
      // Only routable names become label values: a client inventing model names must not grow the series.
      model: details.providerId ? request.model : '(unrouted)',
      status: String(status),
    });
    this.dependencies.metrics.requestDuration.observe(
      { protocol: call.protocol.name, stream: String(request.stream) },
      latency / 1000,
    );
    if (usage && details.providerId) {
      this.dependencies.metrics.tokens.inc(
        { provider: details.providerId, direction: 'input' },
        usage.inputTokens,
      );
      this.dependencies.metrics.tokens.inc(
        { provider: details.providerId, direction: 'output' },
        usage.outputTokens,
      );
    }
    this.dependencies.usage.record({
      created_at: Date.now(),
      api_key_id: call.principal.keyId,
      protocol: call.protocol.name,
      requested_model: request.model,
      provider_id: details.providerId ?? null,
      upstream_model: details.upstreamModel ?? null,
      credential_id: details.credentialId ?? null,
      status,
      error_kind: details.errorKind ?? null,
      stream: request.stream ? 1 : 0,
      attempts: details.attempts ?? 0,
      latency_ms: Math.round(latency),
      input_tokens: usage?.inputTokens ?? 0,
      output_tokens: usage?.outputTokens ?? 0,
    });
  }
}

interface UsageDetails {
  providerId: string;
  upstreamModel: string;
  credentialId: string;
  attempts: number;
  usage: Usage | undefined;
  errorKind: string | undefined;
}

/** The first target decides: a chat model is chatted with; an image or video model makes media. */
function mediaKind(targets: RouteTarget[]): MediaKind | undefined {
  const kind = modelKind(targets[0]!.provider, targets[0]!.upstreamModel);
  return kind === 'chat' ? undefined : kind;
}

async function firstChunk(
  iterator: AsyncIterator<string | Buffer>,
  provider: string,
): Promise<string | Buffer> {
  for (;;) {
    const next = await iterator.next();
    if (next.done)
      throw connectionError(provider, new Error('upstream closed the stream before sending anything'));
    if (next.value.length > 0) return next.value;
  }
}

async function* encoded(
  events: AsyncIterable<ChatStreamEvent>,
  encoder: StreamEncoder,
  track: (event: ChatStreamEvent) => void,
): AsyncGenerator<string> {
  for await (const event of events) {
    track(event);
    const text = encoder.encode(event);
    if (text) yield text;
  }
}

// The stream generators below are module-level on purpose: a generator function declared inside a request's
// code is a new function each time, with its own prototype and hidden class (decision 0005).

type TranslatedStream = Extract<Prepared, { kind: 'stream' }>;

/**
 * A translated stream's text for the client. If the upstream fails after the first byte, it ends with the
 * protocol's error event; if the client leaves, the upstream is stopped. `onEnd` hears how it ended.
 */
async function* translatedChunks(
  stream: TranslatedStream,
  signal: CancelSignal,
  onEnd: (outcome: Outcome, status: number, errorKind: string | undefined) => void,
): AsyncGenerator<string | Buffer> {
  let outcome: Outcome = 'success';
  let status = 200;
  let errorKind: string | undefined;
  let completed = false;
  try {
    yield stream.first;
    for (;;) {
      const next = await stream.rest.next();
      if (next.done) break;
      yield next.value;
    }
    const tail = stream.ending();
    if (tail) yield tail;
    completed = true;
  } catch (error) {
    if (signal.aborted) {
      outcome = 'neutral';
      status = 499;
      errorKind = 'client_closed';
      return;
    }
    const failure = toAtelierError(error);
    outcome = error instanceof ProviderError ? error : 'neutral';
    status = failure.status;
    errorKind = failure.kind;
    yield stream.failure(failure);
  } finally {
    if (!completed && status === 200) {
      // The client went away (the generator was closed early): stop the upstream too.
      outcome = 'neutral';
      status = 499;
      errorKind = 'client_closed';
      void stream.rest.return?.();
    }
    onEnd(outcome, status, errorKind);
  }
}

/** Media-through-chat events in the client's protocol, ending with its error event if the work fails. */
async function* mediaChunks(
  events: AsyncIterable<ChatStreamEvent>,
  encoder: StreamEncoder,
  signal: CancelSignal,
  record: (status: number, errorKind?: string) => void,
): AsyncGenerator<string> {
  try {
    for await (const event of events) {
      const text = encoder.encode(event);
      if (text) yield text;
    }
    const tail = encoder.end();
    if (tail) yield tail;
    record(200);
  } catch (error) {
    const failure = toAtelierError(error);
    record(failure.status, failure.kind);
    if (!signal.aborted) yield encoder.error(failure);
  }
}

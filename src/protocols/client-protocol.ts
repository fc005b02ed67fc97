/**
 * What a client-facing protocol (OpenAI, Anthropic, Gemini) provides to the chat service: decoding
 * its requests into the canonical model, encoding canonical results and stream events back, rendering
 * errors in its envelope, and observing usage in a same-protocol relayed stream without rebuilding it.
 */
import type { AtelierError } from '../errors/index.js';
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ClientProtocolName,
  Usage,
} from '../providers/spec.js';

export interface DecodeContext {
  /** Gemini carries the model in the path. */
  model?: string;
  /** Gemini chooses streaming by method (streamGenerateContent), the others by a body field. */
  stream?: boolean;
}

export interface EncodeContext {
  /** The model name the client asked for (an alias stays an alias in the answer). */
  model: string;
  /** OpenAI: include a usage chunk at the end of a stream (stream_options.include_usage). */
  includeUsage?: boolean;
}

export interface StreamEncoder {
  /** Stream content type, e.g. text/event-stream. */
  readonly contentType: string;
  /** Text to write for one canonical event (may be empty). */
  encode(event: ChatStreamEvent): string;
  /** Text to write when the upstream stream ended normally (e.g. OpenAI's `data: [DONE]`). */
  end(): string;
  /** Text to write when the stream fails after bytes have been sent. */
  error(error: AtelierError): string;
}

export interface RenderedError {
  status: number;
  body: unknown;
}

/** Watches relayed bytes and reports the usage the upstream announced. */
export interface UsageObserver {
  push(chunk: Buffer): void;
  /** Usage seen so far; call after the stream ended. */
  result(): Usage | undefined;
}

export interface ClientProtocol {
  readonly name: ClientProtocolName;
  /** Throws InvalidRequestError naming the bad field. `model` in the result is the client's model name. */
  decodeRequest(body: unknown, context: DecodeContext): ChatRequest;
  encodeResult(result: ChatResult, context: EncodeContext): unknown;
  createStreamEncoder(context: EncodeContext): StreamEncoder;
  renderError(error: AtelierError): RenderedError;
  /** Usage from a relayed non-streaming JSON answer. */
  usageFromBody(body: unknown): Usage | undefined;
  /** Usage from a relayed same-protocol stream, watched as its bytes pass. */
  createStreamUsageObserver(): UsageObserver;
}

/**
 * The versioned contract between the gateway and provider adapters, and the canonical (protocol-neutral)
 * chat model that every client protocol decodes into and every provider encodes from.
 *
 * Changing a shape here is a breaking change for every adapter: bump CHAT_SPECIFICATION_VERSION.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CancelSignal } from './cancel-signal.js';
import type {
  ImageCapability,
  SpeechCapability,
  TranscriptionCapability,
  VideoCapability,
} from './media-spec.js';

export const CHAT_SPECIFICATION_VERSION = 'v1' as const;

/** Wire protocols that Atelier speaks to clients (openai, anthropic, gemini) or to providers (all four). */
export type WireProtocol = 'openai' | 'anthropic' | 'gemini' | 'ollama';
export type ClientProtocolName = Exclude<WireProtocol, 'ollama'>;

export type ProviderType = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'comfyui' | 'draft';

// ---------------------------------------------------------------------------------------------------
// Canonical request
// ---------------------------------------------------------------------------------------------------

export type ImageSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image';
  source: ImageSource;
}
export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** JSON-encoded arguments object, exactly as the model produced it. */
  arguments: string;
}
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Anthropic's thinking signature; other vendors ignore it. */
  signature?: string;
}
export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Gemini addresses results by function name; decoders fill it from the matching tool call. */
  toolName: string;
  /** Text content of the result (JSON text when the tool returned structured data). */
  content: string;
  isError?: boolean;
}

export type UserContentPart = TextPart | ImagePart;
export type AssistantContentPart = TextPart | ToolCallPart | ReasoningPart;

export type ChatMessage =
  | { role: 'user'; content: UserContentPart[] }
  | { role: 'assistant'; content: AssistantContentPart[] }
  | { role: 'tool'; content: ToolResultPart[] };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type ToolChoice =
  { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  { type: 'text' } | { type: 'json'; schema?: Record<string, unknown>; name?: string };

export interface ChatRequest {
  /** The upstream model id; the gateway sets it from the route it chose. */
  model: string;
  /** System instructions, joined when a protocol allows several. */
  system?: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseFormat?: ResponseFormat;
  /** Number of choices; only OpenAI-protocol providers honour n > 1. */
  candidateCount?: number;
  user?: string;
  stream: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Canonical response and stream events
// ---------------------------------------------------------------------------------------------------

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/**
 * Token counts as OpenAI counts them: `inputTokens` includes cached prompt tokens (Anthropic reports those
 * apart, adapters add them in) and `outputTokens` includes reasoning tokens.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

export interface ChatResult {
  id: string;
  model: string;
  content: AssistantContentPart[];
  finishReason: FinishReason;
  /** The stop sequence that ended generation, when the vendor reports it. */
  stopSequence?: string;
  usage: Usage;
  /** Settings the provider could not honour; never a reason to fail. */
  warnings?: string[];
}

export type ChatStreamEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; signature?: string }
  /** `index` numbers tool calls within this response from 0. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string; usage: Usage };

// ---------------------------------------------------------------------------------------------------
// Provider contract
// ---------------------------------------------------------------------------------------------------

/** A credential as the adapter sees it: decrypted, for the duration of one call only. */
export interface CallCredential {
  id: string;
  /** An API key, or an OAuth access token when `scheme` is 'oauth' (sent as Authorization: Bearer). */
  apiKey: string;
  scheme?: 'api-key' | 'oauth';
}

export interface CallOptions {
  credential: CallCredential;
  signal: CancelSignal;
}

export interface RelayRequest {
  /** The client's body with only `model` rewritten; the adapter must not re-shape it. */
  body: Record<string, unknown>;
  stream: boolean;
  /** Gemini puts the model and the method in the path; others ignore these. */
  model: string;
}

/**
 * An upstream response relayed byte for byte. Adapters resolve it only for 2xx answers; error statuses
 * are thrown as ProviderError so the gateway can fail over.
 */
export interface RelayResponse {
  status: number;
  contentType: string;
  body: Readable;
}

export interface ChatCapability {
  readonly specificationVersion: typeof CHAT_SPECIFICATION_VERSION;
  /** The protocol this adapter speaks upstream; equal to the client's protocol means relay. */
  readonly protocol: WireProtocol;
  generate(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  /**
   * Resolves once the upstream accepted the call (2xx headers); throws ProviderError otherwise, so the
   * gateway can retry before anything reaches the client.
   */
  stream(request: ChatRequest, options: CallOptions): Promise<AsyncIterable<ChatStreamEvent>>;
  /** Same-protocol pass-through. Absent when the adapter has no client protocol twin (ollama). */
  relay?(request: RelayRequest, options: CallOptions): Promise<RelayResponse>;
}

export interface ProviderSettings {
  id: string;
  baseURL: string;
  /** Files a provider needs beside its base URL (ComfyUI workflow files, the draft provider's scratch dir). */
  dataDir?: string;
  /** Vendor-specific settings from the config file (`[providers.options]`), validated by the adapter. */
  options?: Record<string, unknown>;
  /** Pooled keep-alive dispatcher (with the provider's proxy, when it has one). */
  dispatcher: Dispatcher;
  /** Time to wait for response headers, and the longest silence inside a stream. */
  timeoutMs: number;
  headers?: Record<string, string>;
}

export interface Provider {
  readonly specificationVersion: typeof CHAT_SPECIFICATION_VERSION;
  readonly id: string;
  readonly type: ProviderType;
  readonly chat?: ChatCapability;
  readonly image?: ImageCapability;
  readonly video?: VideoCapability;
  readonly speech?: SpeechCapability;
  readonly transcription?: TranscriptionCapability;
  /** Models the upstream reports, when the vendor can list them. */
  listModels?(options: CallOptions): Promise<string[]>;
}

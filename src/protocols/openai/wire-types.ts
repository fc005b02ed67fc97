/**
 * The OpenAI Chat Completions response shapes as they travel on the wire, shared by the client codec
 * (which writes them) and the OpenAI provider (which reads them). Request shapes live in the zod schema.
 */

export type WireFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
}

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireAssistantMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: WireToolCall[];
  /** Not part of OpenAI's API; DeepSeek, vLLM and others put chain-of-thought here. */
  reasoning_content?: string | null;
}

export interface WireChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: WireAssistantMessage;
    logprobs: unknown;
    finish_reason: WireFinishReason | null;
  }>;
  usage?: WireUsage | null;
  system_fingerprint?: string | null;
}

export interface WireToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface WireDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string | null;
  tool_calls?: WireToolCallDelta[];
}

export interface WireChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: WireDelta;
    logprobs?: unknown;
    finish_reason: WireFinishReason | null;
  }>;
  usage?: WireUsage | null;
}

export interface WireErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

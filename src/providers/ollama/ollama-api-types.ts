/**
 * Ollama's native chat API (POST /api/chat, GET /api/tags) as Atelier sends and reads it.
 * Request shapes are plain types (we build them); response shapes are loose zod schemas (we must not
 * trust them), keeping only the fields Atelier uses: Ollama adds timing fields we ignore.
 */
import * as z from 'zod';

export type OllamaRole = 'system' | 'user' | 'assistant' | 'tool';

export interface OllamaToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: OllamaRole;
  content: string;
  /** The model's earlier reasoning, sent back so thinking models keep their context. */
  thinking?: string;
  /** Raw base64 image data (no data-URL prefix); Ollama cannot fetch URLs. */
  images?: string[];
  tool_calls?: OllamaToolCall[];
  /** Ollama pairs tool results with calls by function name, not by id. */
  tool_name?: string;
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  tools?: OllamaTool[];
  /** Ollama streams unless told otherwise, so this is always sent. */
  stream: boolean;
  /** 'json' for any JSON, or a JSON schema for structured output. */
  format?: 'json' | Record<string, unknown>;
  options?: OllamaOptions;
}

const toolCallSchema = z.looseObject({
  function: z.looseObject({
    name: z.string(),
    // Ollama sends an object; a string is tolerated in case a proxy re-encoded it.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  }),
});

const responseMessageSchema = z.looseObject({
  role: z.string().nullish(),
  content: z.string().nullish(),
  thinking: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
});

/** One non-streaming answer, or one NDJSON line of a stream (the last one has done:true and counts). */
export const ollamaChatChunkSchema = z.looseObject({
  model: z.string().nullish(),
  created_at: z.string().nullish(),
  message: responseMessageSchema.nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
  error: z.unknown().optional(),
});

export type OllamaChatChunk = z.infer<typeof ollamaChatChunkSchema>;
export type OllamaResponseToolCall = z.infer<typeof toolCallSchema>;

export const ollamaTagsSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string() })).nullish(),
});

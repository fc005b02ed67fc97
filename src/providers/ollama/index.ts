export { createOllamaProvider } from './ollama-provider.js';
export { toOllamaChatBody } from './ollama-chat-request.js';
export { parseOllamaError } from './ollama-errors.js';
export type { OllamaChatBody, OllamaMessage, OllamaOptions } from './ollama-api-types.js';

export { createGeminiProvider } from './gemini-provider.js';
export type { GeminiChatOptions } from './gemini-chat.js';
export { classifyGeminiError } from './gemini-errors.js';
export { toGeminiRequest } from './gemini-request.js';

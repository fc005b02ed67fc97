export { createAnthropicProvider } from './anthropic-provider.js';
export { encodeChatRequest, defaultMaxTokens } from './anthropic-chat-request.js';
export { parseAnthropicError } from './anthropic-errors.js';

export { createOpenAIProvider } from './openai-provider.js';
export { parseOpenAIError } from './openai-errors.js';
export { chatRequestToWire, requestFieldTable } from './openai-chat-request.js';

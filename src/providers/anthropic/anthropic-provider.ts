/** createAnthropicProvider: the Anthropic Messages API behind Atelier's Provider contract. */
import {
  CHAT_SPECIFICATION_VERSION,
  type CallOptions,
  type Provider,
  type ProviderSettings,
} from '../spec.js';
import { createAnthropicChat } from './anthropic-chat.js';
import { listAnthropicModels } from './anthropic-models.js';

/** `settings.baseURL` is the host root (https://api.anthropic.com); paths carry /v1. */
export function createAnthropicProvider(settings: ProviderSettings): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'anthropic',
    chat: createAnthropicChat(settings),
    listModels: (options: CallOptions) => listAnthropicModels(settings, options),
  };
}

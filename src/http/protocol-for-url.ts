/** Which client protocol's error envelope a URL answers in. */
import { anthropicClientProtocol } from '../protocols/anthropic/index.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import { geminiClientProtocol } from '../protocols/gemini/index.js';
import { openaiClientProtocol } from '../protocols/openai/index.js';

export function protocolForUrl(url: string): ClientProtocol {
  if (url.startsWith('/v1/messages')) return anthropicClientProtocol;
  if (url.startsWith('/v1beta/')) return geminiClientProtocol;
  return openaiClientProtocol;
}

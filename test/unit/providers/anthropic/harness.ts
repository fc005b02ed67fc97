/** Shared set-up for the Anthropic provider tests: a fake upstream and provider settings pointing at it. */
import { Agent } from 'undici';
import type { CallOptions, ChatStreamEvent, ProviderSettings } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';

export function settingsFor(fake: FakeUpstream, timeoutMs = 5_000): ProviderSettings {
  return {
    id: 'anthropic-test',
    baseURL: fake.url,
    dispatcher: new Agent({ keepAliveTimeout: 10_000 }),
    timeoutMs,
  };
}

export function callOptions(apiKey = 'sk-ant-good', scheme?: 'api-key' | 'oauth'): CallOptions {
  return {
    credential: { id: 'credential-1', apiKey, ...(scheme && { scheme }) },
    signal: new AbortController().signal,
  };
}

export async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export function textOf(events: ChatStreamEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

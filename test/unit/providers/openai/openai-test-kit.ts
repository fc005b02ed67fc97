import { Agent } from 'undici';
import { createOpenAIProvider } from '../../../../src/providers/openai/index.js';
import type { CallOptions, ChatRequest, ChatStreamEvent, Provider } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';

export function openAIProviderFor(
  fake: FakeUpstream,
  timeoutMs = 5_000,
): { provider: Provider; dispatcher: Agent } {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const provider = createOpenAIProvider({
    id: 'openai-test',
    baseURL: `${fake.url}/v1`,
    dispatcher,
    timeoutMs,
  });
  return { provider, dispatcher };
}

export function callOptions(apiKey = 'sk-good'): CallOptions {
  return { credential: { id: `credential-${apiKey}`, apiKey }, signal: new AbortController().signal };
}

export function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
    stream: false,
    ...overrides,
  };
}

export async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** Collect until the iterator throws; returns what was yielded before, and the error. */
export async function collectUntilError(
  events: AsyncIterable<ChatStreamEvent>,
): Promise<{ events: ChatStreamEvent[]; error: unknown }> {
  const out: ChatStreamEvent[] = [];
  try {
    for await (const event of events) out.push(event);
  } catch (error) {
    return { events: out, error };
  }
  return { events: out, error: undefined };
}

export function textOf(events: ChatStreamEvent[]): string {
  return events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('');
}

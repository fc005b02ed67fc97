/**
 * Reads usage out of a relayed Anthropic stream without rebuilding it. Only the data lines of
 * `message_start` (input tokens) and `message_delta` (output tokens, and newer totals) are parsed.
 */
import type { UsageObserver } from '../client-protocol.js';
import { observeStreamUsage } from '../relay-usage.js';
import { usageFromAnthropic } from './usage.js';
import type { AnthropicUsage } from './wire-types.js';

/** Counts message_delta may restate; its totals are cumulative, so they replace, never add. */
const deltaCounts = [
  'output_tokens',
  'input_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
] as const;

export function createStreamUsageObserver(): UsageObserver {
  let usage: Partial<AnthropicUsage> | undefined;
  return observeStreamUsage({
    mayCarryUsage: (_data, event) => event === 'message_start' || event === 'message_delta',
    read(payload, event) {
      if (event === 'message_start') {
        const started = (payload as { message?: { usage?: unknown } }).message?.usage;
        if (isObject(started)) usage = { ...(started as Partial<AnthropicUsage>) };
        return;
      }
      const delta = payload['usage'];
      if (!isObject(delta)) return;
      const merged: Partial<AnthropicUsage> = { ...usage };
      for (const key of deltaCounts) {
        const value = delta[key];
        if (typeof value === 'number') merged[key] = value;
      }
      usage = merged;
    },
    usage: () => (usage === undefined ? undefined : usageFromAnthropic(usage)),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads usage out of a relayed Anthropic stream without rebuilding it. Only data lines that mention
 * `"usage"` are parsed, and only `message_start` (input tokens) and `message_delta` (output tokens, and
 * newer totals) are read.
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
    // message_start carries it inside `message`, message_delta at the top; both data objects name their type.
    marker: '"usage"',
    read(payload) {
      if (payload['type'] === 'message_start') {
        const started = (payload as { message?: { usage?: unknown } }).message?.usage;
        if (isObject(started)) usage = { ...(started as Partial<AnthropicUsage>) };
        return;
      }
      if (payload['type'] !== 'message_delta') return;
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

/**
 * Usage from a relayed OpenAI answer without rebuilding it. In a stream only lines that carry a usage
 * object are parsed; the last one wins.
 */
import type { Usage } from '../../providers/spec.js';
import type { UsageObserver } from '../client-protocol.js';
import { observeStreamUsage } from '../relay-usage.js';
import { isRecord, usageFromWire } from './usage.js';

/** Matches `"usage":{` with any spacing; `"usage":null` (every chunk when include_usage) does not match. */
const usageObjectPattern = /"usage"\s*:\s*\{/;

export function usageFromOpenAIBody(body: unknown): Usage | undefined {
  return isRecord(body) ? usageFromWire(body['usage']) : undefined;
}

export function createOpenAIStreamUsageObserver(): UsageObserver {
  let usage: Usage | undefined;
  return observeStreamUsage({
    marker: '"usage"',
    mayCarryUsage: (data) => usageObjectPattern.test(data),
    read(payload) {
      usage = usageFromOpenAIBody(payload) ?? usage;
    },
    usage: () => usage,
  });
}

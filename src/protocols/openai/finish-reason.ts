import type { FinishReason } from '../../providers/spec.js';
import type { WireFinishReason } from './wire-types.js';

/**
 * OpenAI has no finish reason for "error" or "other"; clients treat `stop` as a normal end. A turn that
 * produced tool calls must say `tool_calls` whatever the upstream reported (Gemini reports STOP), because
 * OpenAI clients decide on it whether to run tools.
 */
export function finishReasonToWire(reason: FinishReason, hasToolCalls: boolean): WireFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

const fromWire: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

export function finishReasonFromWire(reason: unknown): FinishReason {
  return typeof reason === 'string' ? (fromWire[reason] ?? 'other') : 'other';
}

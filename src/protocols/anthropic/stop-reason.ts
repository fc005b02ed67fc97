/** Anthropic's stop_reason ⇄ the canonical finish reason, in both directions. */
import type { FinishReason } from '../../providers/spec.js';
import type { AnthropicStopReason } from './wire-types.js';

const finishReasonByStopReason: Record<AnthropicStopReason, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  // A paused server-tool turn needs the client to continue it: not a normal stop.
  pause_turn: 'other',
};

export function finishReasonFromStopReason(stopReason: string | null | undefined): FinishReason {
  if (!stopReason) return 'other';
  return finishReasonByStopReason[stopReason as AnthropicStopReason] ?? 'other';
}

const stopReasonByFinishReason: Record<FinishReason, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  // Anthropic has no reason for these; end_turn is what its clients handle without surprise.
  error: 'end_turn',
  other: 'end_turn',
};

export function stopReasonFromFinishReason(reason: FinishReason, stopSequence?: string): AnthropicStopReason {
  if (reason === 'stop' && stopSequence !== undefined) return 'stop_sequence';
  return stopReasonByFinishReason[reason];
}

/**
 * Where a prompt that has no history yet stands in GET /queue: running, waiting behind others, or gone
 * (deleted, or the server restarted and forgot it). Queue items are [number, prompt_id, prompt, …].
 */
import type { CallOptions, ProviderSettings } from '../spec.js';
import { readQueue } from './comfyui-client.js';

export type QueuePosition = { state: 'running' } | { state: 'pending'; ahead: number } | { state: 'missing' };

export async function queuePosition(
  settings: ProviderSettings,
  promptId: string,
  options: CallOptions,
): Promise<QueuePosition> {
  const queue = await readQueue(settings, options);
  const running = queue.queue_running ?? [];
  if (running.some((item) => item[1] === promptId)) return { state: 'running' };
  const pending = queue.queue_pending ?? [];
  const ours = pending.find((item) => item[1] === promptId);
  if (!ours) return { state: 'missing' };
  const number = Number(ours[0]);
  // ComfyUI runs the lowest number first; the list itself is a heap, not in order.
  const before = pending.filter((item) => Number(item[0]) < number).length;
  return { state: 'pending', ahead: running.length + before };
}

/**
 * Stop a prompt: interrupt it only when it is the one running (older servers interrupt whatever runs,
 * which may be someone else's work), and delete it from the pending queue.
 */
import type { CallOptions, ProviderSettings } from '../spec.js';
import { deleteQueued, interruptPrompt } from './comfyui-client.js';
import { queuePosition } from './comfyui-queue.js';

export async function cancelPrompt(
  settings: ProviderSettings,
  promptId: string,
  options: CallOptions,
): Promise<void> {
  const position = await queuePosition(settings, promptId, options);
  if (position.state === 'running') await interruptPrompt(settings, promptId, options);
  // Deleting a prompt that is not pending is a no-op, so it is always sent.
  await deleteQueued(settings, promptId, options);
}

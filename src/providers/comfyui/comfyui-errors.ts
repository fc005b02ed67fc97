/**
 * ComfyUI failures. A rejected workflow answers 400 with `{"error": {type, message, details},
 * "node_errors": {<node id>: {class_type, errors: [{message, details}]}}}`; everything else is plain text
 * (aiohttp's "500 Internal Server Error") or a proxy's page.
 */
import { ProviderError, providerErrorFromStatus } from '../../errors/index.js';

interface NodeErrorBody {
  class_type?: unknown;
  errors?: Array<{ message?: unknown; details?: unknown }>;
}

export function parseComfyUIError(provider: string) {
  return (input: { status: number; text: string; retryAfterMs: number | undefined }): ProviderError => {
    const summary = summariseRejection(input.text);
    return providerErrorFromStatus({
      provider,
      status: input.status,
      message: summary ?? (input.text.trim().slice(0, 500) || `ComfyUI answered HTTP ${input.status}.`),
      code: summary && input.status === 400 ? 'workflow_rejected' : undefined,
      retryAfterMs: input.retryAfterMs,
      upstreamBody: input.text,
    });
  };
}

/** "Prompt outputs failed validation: node 6 (CLIPTextEncode): Required input is missing: text" */
function summariseRejection(text: string): string | undefined {
  let body: { error?: { message?: unknown; details?: unknown } | string; node_errors?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || body.error === undefined) return undefined;
  const error = body.error;
  const head =
    typeof error === 'string'
      ? error
      : [error.message, error.details].filter((part) => typeof part === 'string' && part !== '').join(': ');
  const nodes = Object.entries(
    body.node_errors && typeof body.node_errors === 'object' ? body.node_errors : {},
  ).map(([id, value]) => {
    const node = value as NodeErrorBody;
    const problems = (node.errors ?? []).map((problem) =>
      [problem.message, problem.details].filter((part) => typeof part === 'string' && part !== '').join(': '),
    );
    return `node ${id} (${String(node.class_type ?? 'unknown')}): ${problems.join('; ')}`;
  });
  return [head || 'ComfyUI rejected the workflow', ...nodes].join('; ');
}

/** The workflow ran and failed inside ComfyUI (a node raised, or someone interrupted it). */
export function comfyUIExecutionError(
  provider: string,
  detail: { message: string; interrupted: boolean },
): ProviderError {
  return new ProviderError(`ComfyUI failed to run the workflow: ${detail.message}`, {
    status: 502,
    kind: 'upstream',
    code: detail.interrupted ? 'execution_interrupted' : 'execution_error',
    provider,
    // Another server may have the model file or memory this one lacked; an interruption was deliberate.
    retryable: !detail.interrupted,
    credentialEffect: 'none',
  });
}

export function comfyUIMalformedResponse(provider: string, detail: string): ProviderError {
  return new ProviderError(`ComfyUI sent a response Atelier cannot read: ${detail}`, {
    status: 502,
    kind: 'upstream',
    code: 'upstream_malformed_response',
    provider,
    retryable: true,
    credentialEffect: 'failure',
  });
}

/** Neither history nor the queue knows the prompt: it was deleted, or the server restarted. */
export function comfyUIPromptLost(provider: string, promptId: string): ProviderError {
  return new ProviderError(
    `ComfyUI no longer knows prompt ${promptId}: it was removed from the queue or the server restarted.`,
    {
      status: 502,
      kind: 'upstream',
      code: 'prompt_lost',
      provider,
      retryable: true,
      credentialEffect: 'none',
    },
  );
}

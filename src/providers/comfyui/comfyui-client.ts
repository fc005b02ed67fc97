/**
 * ComfyUI's HTTP endpoints as typed calls. ComfyUI itself has no keys; a non-empty credential is sent as
 * a bearer token for servers behind an authenticating proxy.
 */
import type { Readable } from 'node:stream';
import type * as z from 'zod';
import {
  readJson,
  sendUpstream,
  upstreamFailure,
  type UpstreamRequest,
  type UpstreamResponse,
} from '../http/upstream-client.js';
import type { CallCredential, CallOptions, ProviderSettings } from '../spec.js';
import {
  historySchema,
  promptAcceptedSchema,
  queueSchema,
  type ComfyUIQueue,
  type HistoryEntry,
  type OutputFile,
} from './comfyui-api-types.js';
import { comfyUIMalformedResponse, parseComfyUIError } from './comfyui-errors.js';
import { mediaTypeOf } from './comfyui-outputs.js';
import type { WorkflowGraph } from './comfyui-workflow.js';

export function comfyUIHeaders(credential: CallCredential): Record<string, string> {
  return credential.apiKey === '' ? {} : { authorization: `Bearer ${credential.apiKey}` };
}

async function call(
  settings: ProviderSettings,
  request: Omit<UpstreamRequest, 'signal' | 'headers'>,
  options: CallOptions,
): Promise<UpstreamResponse> {
  const response = await sendUpstream(settings, {
    ...request,
    headers: comfyUIHeaders(options.credential),
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, parseComfyUIError(settings.id));
  }
  return response;
}

async function callJson<Schema extends z.ZodType>(
  settings: ProviderSettings,
  request: Omit<UpstreamRequest, 'signal' | 'headers'>,
  schema: Schema,
  options: CallOptions,
): Promise<z.infer<Schema>> {
  const response = await call(settings, request, options);
  const parsed = schema.safeParse(await readJson<unknown>(settings.id, response, options.signal));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw comfyUIMalformedResponse(
      settings.id,
      `${request.path}: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected shape'}`,
    );
  }
  return parsed.data;
}

/** Drain a body we have no use for, so the pooled connection can be reused. */
async function discard(response: UpstreamResponse): Promise<void> {
  for await (const _chunk of response.body) {
    // nothing to keep
  }
}

export async function submitPrompt(
  settings: ProviderSettings,
  input: { graph: WorkflowGraph; clientId: string; extraData: Record<string, unknown> },
  options: CallOptions,
): Promise<{ promptId: string; number?: number }> {
  const accepted = await callJson(
    settings,
    {
      method: 'POST',
      path: '/prompt',
      body: { prompt: input.graph, client_id: input.clientId, extra_data: input.extraData },
    },
    promptAcceptedSchema,
    options,
  );
  return { promptId: accepted.prompt_id, ...(accepted.number == null ? {} : { number: accepted.number }) };
}

/** The finished (or failed) run, or undefined while ComfyUI has not recorded it yet. */
export async function readHistory(
  settings: ProviderSettings,
  promptId: string,
  options: CallOptions,
): Promise<HistoryEntry | undefined> {
  const history = await callJson(
    settings,
    { path: `/history/${encodeURIComponent(promptId)}` },
    historySchema,
    options,
  );
  return history[promptId];
}

export function readQueue(settings: ProviderSettings, options: CallOptions): Promise<ComfyUIQueue> {
  return callJson(settings, { path: '/queue' }, queueSchema, options);
}

export async function viewFile(
  settings: ProviderSettings,
  file: OutputFile,
  options: CallOptions,
): Promise<{ body: Readable; mediaType: string }> {
  const response = await call(
    settings,
    {
      path: '/view',
      query: { filename: file.filename, subfolder: file.subfolder ?? '', type: file.type ?? 'output' },
    },
    options,
  );
  const header = response.headers['content-type'];
  const contentType = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim();
  // aiohttp guesses from the extension and falls back to octet-stream; our own guess is as good.
  const mediaType =
    contentType && contentType !== 'application/octet-stream' ? contentType : mediaTypeOf(file);
  return { body: response.body, mediaType };
}

export async function readFileBytes(
  settings: ProviderSettings,
  file: OutputFile,
  options: CallOptions,
): Promise<{ data: Buffer; mediaType: string }> {
  const { body, mediaType } = await viewFile(settings, file, options);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return { data: Buffer.concat(chunks), mediaType };
}

/** Stop the running prompt; newer servers take the prompt id and ignore a mismatch, older ones ignore it. */
export async function interruptPrompt(
  settings: ProviderSettings,
  promptId: string,
  options: CallOptions,
): Promise<void> {
  await discard(
    await call(settings, { method: 'POST', path: '/interrupt', body: { prompt_id: promptId } }, options),
  );
}

export async function deleteQueued(
  settings: ProviderSettings,
  promptId: string,
  options: CallOptions,
): Promise<void> {
  await discard(
    await call(settings, { method: 'POST', path: '/queue', body: { delete: [promptId] } }, options),
  );
}

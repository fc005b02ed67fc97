/**
 * ComfyUI's event stream, `ws://host/ws?clientId=<id>`: progress for the prompts submitted with that
 * client id. It is opened before the prompt is submitted so no event is missed, buffers until the prompt
 * id is known, and says when the run ended — or that the socket was lost, so the caller falls back to
 * polling /history. Binary frames (sampler previews) are ignored.
 */
import WebSocket, { type RawData } from 'ws';
import { joinUrl } from '../http/upstream-client.js';
import type { CallCredential, ProviderSettings } from '../spec.js';
import { socketDataSchema, socketMessageSchema, type SocketData } from './comfyui-api-types.js';
import { comfyUIHeaders } from './comfyui-client.js';

const terminalEvents = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

export interface RunSocket {
  /** 'ended' when the socket saw the run finish (successfully or not), 'lost' when the socket went away. */
  readonly ended: Promise<'ended' | 'lost'>;
  /** Start following this prompt (events that arrived before are replayed). */
  follow(promptId: string, observe: (type: string, data: SocketData) => void): void;
  close(): void;
}

export function socketUrl(baseURL: string, clientId: string): string {
  return joinUrl(baseURL, '/ws', { clientId }).replace(/^http/, 'ws');
}

/** The open socket, or undefined when ComfyUI (or a proxy in front) does not accept WebSockets. */
export function openRunSocket(
  settings: ProviderSettings,
  clientId: string,
  credential: CallCredential,
): Promise<RunSocket | undefined> {
  const socket = new WebSocket(socketUrl(settings.baseURL, clientId), {
    headers: { ...settings.headers, ...comfyUIHeaders(credential) },
    handshakeTimeout: settings.timeoutMs,
  });
  const early: Array<{ type: string; data: SocketData }> = [];
  let promptId: string | undefined;
  let observer: ((type: string, data: SocketData) => void) | undefined;
  let settle: (outcome: 'ended' | 'lost') => void = () => undefined;
  const ended = new Promise<'ended' | 'lost'>((resolve) => (settle = resolve));

  const handle = (type: string, data: SocketData) => {
    if (data.prompt_id !== promptId) return;
    observer?.(type, data);
    // Servers before execution_success ended a run with `executing` for node null.
    if (terminalEvents.has(type) || (type === 'executing' && data.node === null)) {
      settle('ended');
      socket.close();
    }
  };

  socket.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) return;
    const message = parseMessage(raw);
    if (!message) return;
    if (promptId === undefined) early.push(message);
    else handle(message.type, message.data);
  });
  socket.on('close', () => settle('lost'));

  return new Promise((resolve) => {
    socket.once('open', () =>
      resolve({
        ended,
        follow(id, observe) {
          promptId = id;
          observer = observe;
          for (const message of early.splice(0)) handle(message.type, message.data);
        },
        close: () => socket.close(),
      }),
    );
    // Also after opening: a socket error must end the wait, never crash the process.
    socket.on('error', () => {
      settle('lost');
      resolve(undefined);
    });
  });
}

function parseMessage(raw: RawData): { type: string; data: SocketData } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    return undefined;
  }
  const message = socketMessageSchema.safeParse(value);
  if (!message.success) return undefined;
  const data = socketDataSchema.safeParse(message.data.data ?? {});
  return data.success ? { type: message.data.type, data: data.data } : undefined;
}

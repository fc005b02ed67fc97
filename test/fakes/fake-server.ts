/**
 * The shared skeleton of every fake upstream: a real HTTP server on loopback that records each request,
 * applies the transport-level faults (reset, slow) and hands the rest to the vendor's handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultForKey, sleep, type Fault } from './faults.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeUpstream {
  /** http://127.0.0.1:<port> (no trailing slash, no /v1). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeContext {
  request: RecordedRequest;
  response: ServerResponse;
  /** The fault chosen by the credential; `reset` and `slow` are already applied. */
  fault: Fault;
}

export async function startFakeServer(
  keyOf: (request: IncomingMessage, url: URL) => string | undefined,
  handle: (context: FakeContext) => void | Promise<void>,
): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text: a handler may want to reject it
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    };
    requests.push(recorded);
    let fault = faultForKey(keyOf(request, url));
    if (fault.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault.kind === 'slow') {
      await sleep(fault.delayMs);
      fault = { kind: 'none' };
    }
    try {
      await handle({ request: recorded, response, fault });
    } catch (error) {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
      }
      response.end(String(error));
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Write part of a response, then destroy the socket: a stream cut halfway. */
export function cutAfter(response: ServerResponse, text: string): void {
  response.write(text);
  setTimeout(() => response.socket?.destroy(), 20);
}

/**
 * A webhook receiver for tests: a real HTTP server on loopback that verifies every request with the
 * `standardwebhooks` library (the way a customer's receiver would), records it, and answers as scripted.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** The secrets (by position in `secrets()`) that verified the signature. */
  verifiedBy: number[];
  receivedAt: number;
}

/** How to answer the n-th request (0-based) of a given webhook-id. */
export type Answer = (request: ReceivedWebhook, attempt: number, response: ServerResponse) => void;

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Received requests per webhook-id, in order. */
  byId(id: string): ReceivedWebhook[];
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const accept: Answer = (_request, _attempt, response) => {
  response.writeHead(204).end();
};

export async function startReceiver(options: {
  secrets: () => string[];
  answer?: Answer;
}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answer = options.answer ?? accept;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = request.headers;
    const verifiedBy = options.secrets().flatMap((secret, index) => {
      try {
        new Webhook(secret).verify(body, {
          'webhook-id': String(headers['webhook-id']),
          'webhook-timestamp': String(headers['webhook-timestamp']),
          'webhook-signature': String(headers['webhook-signature']),
        });
        return [index];
      } catch {
        return [];
      }
    });
    const entry: ReceivedWebhook = {
      path: new URL(request.url ?? '/', 'http://receiver').pathname,
      headers,
      body,
      payload: JSON.parse(body) as ReceivedWebhook['payload'],
      verifiedBy,
      receivedAt: Date.now(),
    };
    received.push(entry);
    if (verifiedBy.length === 0) {
      response.writeHead(401).end('bad signature');
      return;
    }
    const attempt =
      received.filter((other) => other.headers['webhook-id'] === headers['webhook-id']).length - 1;
    answer(entry, attempt, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    byId: (id) => received.filter((entry) => entry.headers['webhook-id'] === id),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * relayStream writes an upstream's bytes into Node's response: chunks that arrive in one turn of the event
 * loop leave in one socket write (with the chunked terminator when the stream ends), and a chunk that
 * arrives alone is sent at once, not held back for the next; chunks gathered when the upstream fails still
 * reach the client, before the protocol's error event.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { relayStream, type RelayEnd } from '../../../src/gateway/relay-stream.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server whose one route relays `upstream()`; counts the writes that reach the socket. */
async function relayServer(upstream: () => Readable) {
  const state = { socketWrites: 0, end: undefined as RelayEnd | undefined };
  const server = http.createServer((_request, response) => {
    const socket = response.socket as Socket & { _writeGeneric: (...args: unknown[]) => unknown };
    const writeGeneric = socket._writeGeneric.bind(socket);
    socket._writeGeneric = (...args: unknown[]) => {
      state.socketWrites++;
      return writeGeneric(...args);
    };
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    relayStream({
      upstream: upstream(),
      destination: response,
      observer: { push: () => undefined, result: () => undefined },
      provider: 'fake',
      signal: new AbortController().signal,
      failureText: () => 'data: {"error":true}\n\n',
      onEnd: (end) => (state.end = end),
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, state };
}

describe('relayStream', () => {
  it('sends the head, every chunk of one turn and the terminator in one socket write', async () => {
    const { url, state } = await relayServer(() =>
      Readable.from(
        ['data: 1\n\n', 'data: 2\n\n', 'data: [DONE]\n\n'].map((text) => Buffer.from(text)),
        {
          objectMode: false,
        },
      ),
    );
    const text = await (await fetch(url)).text();
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: [DONE]\n\n');
    expect(state.end).toEqual({ kind: 'completed' });
    // Readable.from yields one chunk per turn of the microtask queue, all inside one event-loop turn.
    expect(state.socketWrites).toBe(1);
  });

  it('sends a chunk at once when the next one is still to come', async () => {
    const upstream = new Readable({ read() {} });
    const { url } = await relayServer(() => upstream);
    // Node sends the head with the first body bytes, so the answer starts once the first chunk is relayed.
    const answer = fetch(url);
    upstream.push(Buffer.from('data: first\n\n'));
    const reader = (await answer).body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('data: first\n\n');
    upstream.push(Buffer.from('data: second\n\n'));
    upstream.push(null);
    const second = await reader.read();
    expect(Buffer.from(second.value!).toString()).toBe('data: second\n\n');
    expect((await reader.read()).done).toBe(true);
  });
  it('sends the chunks gathered before an upstream failure, then the protocol error event', async () => {
    const { url, state } = await relayServer(() => {
      const upstream = new Readable({ read() {} });
      // Once the relay is flowing: two chunks and a failure in one turn, so the chunks are still gathered.
      setImmediate(() => {
        upstream.push(Buffer.from('data: 1\n\n'));
        upstream.push(Buffer.from('data: 2\n\n'));
        upstream.destroy(new Error('connection reset'));
      });
      return upstream;
    });
    const text = await (await fetch(url)).text();
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: {"error":true}\n\n');
    expect(state.end).toMatchObject({ kind: 'failed' });
    expect(state.socketWrites).toBeLessThanOrEqual(2);
  });
});

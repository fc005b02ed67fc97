import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientDisconnect, toAbortSignal } from '../../../src/providers/cancel-signal.js';

describe('ClientDisconnect', () => {
  it('aborts once, keeps the first reason and calls each listener once', () => {
    const disconnect = new ClientDisconnect();
    const persistent = vi.fn();
    const onlyOnce = vi.fn();
    disconnect.addEventListener('abort', persistent);
    disconnect.addEventListener('abort', onlyOnce, { once: true });
    expect(disconnect.aborted).toBe(false);
    expect(() => disconnect.throwIfAborted()).not.toThrow();

    const first = new Error('client closed the connection');
    disconnect.abort(first);
    disconnect.abort(new Error('again'));

    expect(disconnect.aborted).toBe(true);
    expect(disconnect.reason).toBe(first);
    expect(persistent).toHaveBeenCalledTimes(1);
    expect(onlyOnce).toHaveBeenCalledTimes(1);
    expect(() => disconnect.throwIfAborted()).toThrow(first);
  });

  it('forgets removed listeners, including once listeners', () => {
    const disconnect = new ClientDisconnect();
    const removed = vi.fn();
    const removedOnce = vi.fn();
    const kept = vi.fn();
    disconnect.addEventListener('abort', removed);
    disconnect.addEventListener('abort', removedOnce, { once: true });
    disconnect.addEventListener('abort', kept);
    disconnect.removeEventListener('abort', removed);
    disconnect.removeEventListener('abort', removedOnce);
    disconnect.abort(new Error('gone'));
    expect(removed).not.toHaveBeenCalled();
    expect(removedOnce).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });

  it('gives one real AbortSignal that follows it, made when asked for', () => {
    const disconnect = new ClientDisconnect();
    const signal = toAbortSignal(disconnect);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(toAbortSignal(disconnect)).toBe(signal);
    expect(signal.aborted).toBe(false);
    const reason = new Error('gone');
    disconnect.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    // Usable where only a real AbortSignal is accepted.
    expect(AbortSignal.any([signal]).aborted).toBe(true);
  });

  it('gives an aborted AbortSignal when asked after the abort', () => {
    const disconnect = new ClientDisconnect();
    const reason = new Error('gone');
    disconnect.abort(reason);
    const signal = toAbortSignal(disconnect);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('passes a real AbortSignal through unchanged', () => {
    const controller = new AbortController();
    expect(toAbortSignal(controller.signal)).toBe(controller.signal);
  });

  describe('with undici', () => {
    let server: Server | undefined;
    afterEach(async () => {
      if (!server) return;
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    });

    it('stops a request in flight, and the upstream sees its connection close', async () => {
      let upstreamClosed = false;
      server = createServer((incoming, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: first\n\n');
        incoming.socket.once('close', () => (upstreamClosed = true));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;

      const disconnect = new ClientDisconnect();
      const response = await request(`http://127.0.0.1:${port}/`, { signal: disconnect });
      const reading = (async () => {
        for await (const chunk of response.body) void chunk;
      })();
      const reason = new Error('client closed the connection');
      disconnect.abort(reason);
      await expect(reading).rejects.toThrow();
      for (let waited = 0; !upstreamClosed && waited < 2_000; waited += 10) await delay(10);
      expect(upstreamClosed).toBe(true);
      // undici took its listener off again: nothing stays attached to the request's signal.
      expect(disconnect.listenerCount('abort')).toBe(0);
    });

    it('does not start a request whose client is already gone', async () => {
      const disconnect = new ClientDisconnect();
      disconnect.abort(new Error('client closed the connection'));
      await expect(request('http://127.0.0.1:9/', { signal: disconnect })).rejects.toThrow();
    });
  });
});

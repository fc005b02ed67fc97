/**
 * The same-protocol streaming hot path in plain Node streams: upstream bytes go straight into the client's
 * response as they arrive (a usage observer watches them on the way), with backpressure, and without an
 * intermediate stream or a layer of async iteration per chunk. A failure after the first byte ends the
 * stream with the protocol's error event; a client that leaves stops the upstream.
 */
import type { Readable, Writable } from 'node:stream';
import { connectionError, toAtelierError, type AtelierError } from '../errors/index.js';
import type { UsageObserver } from '../protocols/client-protocol.js';
import { toTransportError } from '../providers/http/upstream-client.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export type RelayEnd =
  { kind: 'completed' } | { kind: 'client-closed' } | { kind: 'failed'; error: AtelierError };

/** Resolves once the upstream has bytes to give (without taking them); rejects if it ends or fails first. */
export function awaitFirstBytes(body: Readable, provider: string, signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      body.off('readable', onReadable);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onReadable = () => {
      if (body.readableLength === 0) return;
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(connectionError(provider, new Error('upstream closed the stream before sending anything')));
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(toTransportError(provider, error, signal));
    };
    body.on('readable', onReadable);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

/**
 * Relay the upstream's bytes into the client's response as they come: no intermediate stream, one write
 * per turn of the event loop, the upstream paused while the client is slow.
 */
export function relayStream(options: {
  upstream: Readable;
  destination: Writable;
  observer: UsageObserver;
  provider: string;
  signal: CancelSignal;
  /** The protocol's error event, written when the upstream fails mid-stream. */
  failureText: (error: AtelierError) => string;
  onEnd: (end: RelayEnd) => void;
}): void {
  const { upstream, destination, observer } = options;
  let settled = false;
  const settle = (end: RelayEnd) => {
    if (settled) return;
    settled = true;
    options.onEnd(end);
  };
  if (destination.destroyed) {
    settle({ kind: 'client-closed' });
    upstream.destroy();
    return;
  }
  // Chunks that arrive in one turn of the event loop are gathered and leave as one write after the turn (or
  // with end(), so the last chunks and the chunked encoding's terminator share a syscall). One write per
  // turn, not one per chunk: Node's chunked encoding would buffer three pieces for every write.
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  let flushScheduled = false;
  const takeGathered = (): Buffer | undefined => {
    if (gathered.length === 0) return undefined;
    const data = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
    return data;
  };
  const flush = () => {
    flushScheduled = false;
    if (settled) return;
    const data = takeGathered();
    if (data && !destination.write(data)) upstream.pause();
  };
  upstream.on('data', (chunk: Buffer) => {
    observer.push(chunk);
    gathered.push(chunk);
    gatheredBytes += chunk.length;
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  destination.on('drain', () => upstream.resume());
  upstream.once('end', () => {
    settle({ kind: 'completed' });
    const data = takeGathered();
    if (data) destination.end(data);
    else destination.end();
  });
  upstream.once('error', (error: unknown) => {
    if (options.signal.aborted || destination.destroyed) {
      settle({ kind: 'client-closed' });
      return;
    }
    const failure = toAtelierError(toTransportError(options.provider, error, options.signal));
    settle({ kind: 'failed', error: failure });
    const data = takeGathered();
    if (data) destination.write(data);
    destination.end(options.failureText(failure));
  });
  destination.once('close', () => {
    if (settled) return;
    settle({ kind: 'client-closed' });
    upstream.destroy();
  });
  // A 'readable' listener (awaitFirstBytes) leaves the stream paused: let the buffered bytes flow.
  upstream.resume();
}

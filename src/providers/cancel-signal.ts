/**
 * The cancellation signal a provider call takes (`CallOptions.signal`): an AbortSignal, or a ClientDisconnect.
 *
 * Every chat request carries one, to stop the upstream call when its client goes away. In Node 20 each new
 * AbortSignal gives V8 three new hidden classes (Node sets the object's prototype after constructing it, which
 * takes its map out of V8's transition tree), so one per request cost about 3 µs and old-generation garbage
 * that had to be marked and compacted (docs/decisions/0005-hidden-classes-on-the-request-path.md).
 */
import { EventEmitter } from 'node:events';

/**
 * Fires once when a client disconnects before its answer is complete. It has the part of AbortSignal's
 * surface that this code, undici and Node's stream and timer helpers use (`aborted`, `reason`,
 * add/removeEventListener, `throwIfAborted`); `toAbortSignal` gives code that needs a real AbortSignal one.
 */
export class ClientDisconnect extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private follower: AbortController | undefined = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void {
    if (options?.once) this.once(type, listener);
    else this.on(type, listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    this.off(type, listener);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** A real AbortSignal that aborts with this one, made on first use. */
  toAbortSignal(): AbortSignal {
    if (!this.follower) {
      const follower = new AbortController();
      if (this.aborted) follower.abort(this.reason);
      else this.once('abort', () => follower.abort(this.reason));
      this.follower = follower;
    }
    return this.follower.signal;
  }
}

export type CancelSignal = AbortSignal | ClientDisconnect;

/** For APIs that only take an AbortSignal (AbortSignal.any, fetch, child processes). */
export function toAbortSignal(signal: CancelSignal): AbortSignal {
  return signal instanceof ClientDisconnect ? signal.toAbortSignal() : signal;
}

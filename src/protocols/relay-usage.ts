/**
 * Usage accounting for a same-protocol relayed stream, shared by every client protocol. The bytes are
 * relayed untouched; this only looks for a marker (such as `"usage"`) in them, and decodes and parses
 * just the lines that hold it. A chunk without the marker costs one byte search and no allocation, so a
 * long stream is watched almost for free.
 *
 * Every upstream we relay writes one JSON document per `data:` line, so multi-line data fields are not
 * joined here.
 */
import type { UsageObserver } from './client-protocol.js';
import type { Usage } from '../providers/spec.js';

/** What a protocol contributes: which lines to parse, what to take from them, and the total. */
export interface StreamUsageReader {
  /** Text that every line carrying usage contains; lines without it are never decoded. */
  marker: string;
  /** A finer test on a line's data text that holds the marker; only passing lines are parsed. */
  mayCarryUsage?(data: string): boolean;
  /** Called with each parsed JSON object from a line that passed. */
  read(payload: Record<string, unknown>): void;
  /** The usage seen so far. */
  usage(): Usage | undefined;
}

const newline = 0x0a;

export function observeStreamUsage(reader: StreamUsageReader): UsageObserver {
  const marker = Buffer.from(reader.marker);
  /** The unfinished last line of what came so far, in pieces (joined only if it holds the marker). */
  let pending: Buffer[] = [];
  let pendingHasMarker = false;
  /** The last `marker.length - 1` bytes of the pending line, to find a marker cut between chunks. */
  let pendingTail = Buffer.alloc(0);

  const line = (bytes: Buffer, start: number, end: number) => {
    if (end > start && bytes[end - 1] === 0x0d) end--;
    if (end - start < 5 || bytes.toString('latin1', start, start + 5) !== 'data:') return;
    const data = bytes.toString('utf8', start + 5, end);
    if (reader.mayCarryUsage && !reader.mayCarryUsage(data)) return;
    const payload = parseObject(data);
    if (payload) reader.read(payload);
  };

  const markerAcrossBoundary = (chunk: Buffer) =>
    pendingTail.length > 0 &&
    Buffer.concat([pendingTail, chunk.subarray(0, marker.length - 1)]).includes(marker);

  const keepPending = (piece: Buffer, hasMarker: boolean) => {
    pending.push(piece);
    pendingHasMarker ||= hasMarker;
    const joined = pendingTail.length > 0 ? Buffer.concat([pendingTail, piece]) : piece;
    pendingTail = Buffer.from(joined.subarray(Math.max(0, joined.length - marker.length + 1)));
  };

  const clearPending = () => {
    pending = [];
    pendingHasMarker = false;
    pendingTail = Buffer.alloc(0);
  };

  const finishPending = (chunk: Buffer, end: number) => {
    const head = chunk.subarray(0, end);
    if (pendingHasMarker || markerAcrossBoundary(head) || head.includes(marker)) {
      const whole = Buffer.concat([...pending, head]);
      line(whole, 0, whole.length);
    }
    clearPending();
  };

  return {
    push(chunk) {
      let start = 0;
      if (pending.length > 0) {
        const end = chunk.indexOf(newline);
        if (end === -1) {
          keepPending(chunk, markerAcrossBoundary(chunk) || chunk.includes(marker));
          return;
        }
        finishPending(chunk, end);
        start = end + 1;
      }
      let found = chunk.indexOf(marker, start);
      while (found !== -1) {
        const lineStart = chunk.lastIndexOf(newline, found) + 1;
        const lineEnd = chunk.indexOf(newline, found);
        if (lineEnd === -1) break;
        line(chunk, Math.max(lineStart, start), lineEnd);
        start = lineEnd + 1;
        found = chunk.indexOf(marker, start);
      }
      const lastNewline = chunk.lastIndexOf(newline);
      const restStart = Math.max(start, lastNewline + 1);
      if (restStart < chunk.length) {
        const rest = chunk.subarray(restStart);
        keepPending(rest, rest.includes(marker));
      }
    },
    result() {
      if (pending.length > 0) {
        if (pendingHasMarker) {
          const whole = Buffer.concat(pending);
          line(whole, 0, whole.length);
        }
        clearPending();
      }
      return reader.usage();
    },
  };
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    // A line that only mentions usage in its text, or a cut-off line, is not ours to account.
    return undefined;
  }
}

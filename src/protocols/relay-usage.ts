/**
 * Usage accounting for a same-protocol relayed stream, shared by every client protocol. The bytes are
 * relayed untouched; this only scans them for complete `data:` lines (remembering the `event:` name in
 * force) and parses JSON only for the few lines a cheap test says can carry usage, so a long stream costs
 * a newline search and a substring test per line.
 *
 * Every upstream we relay writes one JSON document per `data:` line, so multi-line data fields are not
 * joined here.
 */
import { StringDecoder } from 'node:string_decoder';
import type { UsageObserver } from './client-protocol.js';
import type { Usage } from '../providers/spec.js';

/** What a protocol contributes: which lines to parse, what to take from them, and the total. */
export interface StreamUsageReader {
  /** A cheap test on the raw data text (and the current event name); only passing lines are parsed. */
  mayCarryUsage(data: string, event: string): boolean;
  /** Called with each parsed JSON object from a line that passed the test. */
  read(payload: Record<string, unknown>, event: string): void;
  /** The usage seen so far. */
  usage(): Usage | undefined;
}

export function observeStreamUsage(reader: StreamUsageReader): UsageObserver {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let event = '';

  const line = (text: string) => {
    if (text === '') {
      event = '';
    } else if (text.startsWith('event:')) {
      event = text.slice(6).trim();
    } else if (text.startsWith('data:')) {
      const data = text.slice(5);
      if (!reader.mayCarryUsage(data, event)) return;
      const payload = parseObject(data);
      if (payload) reader.read(payload, event);
    }
  };

  return {
    push(chunk) {
      const text = partial + decoder.write(chunk);
      let start = 0;
      let newline = text.indexOf('\n');
      while (newline !== -1) {
        const end = text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        line(text.slice(start, end));
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      partial = text.slice(start);
    },
    result() {
      const rest = partial + decoder.end();
      partial = '';
      if (rest !== '') line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
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

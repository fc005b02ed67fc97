/**
 * Server-sent events: encoding for what we send, incremental decoding for what upstreams send.
 * The decoder follows the WHATWG event-stream rules (CRLF/LF/CR line ends, multi-line data, comments).
 */

export interface ServerSentEvent {
  event?: string;
  data: string;
  id?: string;
}

export function encodeServerSentEvent(message: ServerSentEvent): string {
  let out = '';
  if (message.id !== undefined) out += `id: ${message.id}\n`;
  if (message.event !== undefined) out += `event: ${message.event}\n`;
  for (const line of message.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** Incremental decoder: push text chunks, receive completed events. */
export class ServerSentEventDecoder {
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];
  private id: string | undefined;

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const char = this.buffer.charCodeAt(index);
      if (char !== 10 && char !== 13) continue;
      // A CR at the very end may be the first half of CRLF: wait for more input.
      if (char === 13 && index === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, index);
      if (char === 13 && this.buffer.charCodeAt(index + 1) === 10) index++;
      start = index + 1;
      const completed = this.line(line);
      if (completed) events.push(completed);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Flush a final event that was not followed by a blank line. */
  end(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    if (this.buffer.length > 0) {
      const completed = this.line(this.buffer);
      if (completed) events.push(completed);
      this.buffer = '';
    }
    const last = this.line('');
    if (last) events.push(last);
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      if (this.data.length === 0 && this.event === undefined) return undefined;
      const message: ServerSentEvent = { data: this.data.join('\n') };
      if (this.event !== undefined) message.event = this.event;
      if (this.id !== undefined) message.id = this.id;
      this.data = [];
      this.event = undefined;
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    return undefined;
  }
}

/** Decode a byte stream (e.g. an undici response body) into server-sent events. */
export async function* decodeServerSentEvents(
  body: AsyncIterable<Buffer | string>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new ServerSentEventDecoder();
  const text = new TextDecoder();
  for await (const chunk of body) {
    const piece = typeof chunk === 'string' ? chunk : text.decode(chunk, { stream: true });
    yield* decoder.push(piece);
  }
  yield* decoder.end();
}

/** Decode newline-delimited JSON (Ollama's streaming format, Gemini's array-less fallbacks). */
export async function* decodeJsonLines(body: AsyncIterable<Buffer | string>): AsyncGenerator<unknown> {
  const text = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : text.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line);
      newline = buffer.indexOf('\n');
    }
  }
  const rest = buffer.trim();
  if (rest) yield JSON.parse(rest);
}

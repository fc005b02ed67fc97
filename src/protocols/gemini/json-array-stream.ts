/**
 * Gemini's other streaming framing: `:streamGenerateContent` without `?alt=sse` answers one JSON array whose
 * elements (GenerateContentResponse objects, or an `{"error": …}` when the stream fails) arrive as they are
 * made. Atelier speaks SSE inside; this turns its `data:` events into array elements as they pass, without
 * parsing the JSON they carry.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export const jsonArrayContentType = 'application/json; charset=UTF-8';

const dataPrefix = 'data:';

/** SSE in (`data: {…}` lines, any chunking, LF or CRLF), a JSON array out: `[{…},\r\n{…}]`. */
export class SseToJsonArray extends Transform {
  /** Keeps a character cut between two chunks until its last byte arrives. */
  private readonly decoder = new StringDecoder('utf8');
  /** The unfinished last line of what came so far. */
  private pending = '';
  private elements = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.pending = text;
      done();
      return;
    }
    this.pending = text.slice(lastNewline + 1);
    const out = this.elementsOf(text.slice(0, lastNewline));
    done(null, out.length > 0 ? out : undefined);
  }

  override _flush(done: TransformCallback): void {
    const out = this.elementsOf(this.pending + this.decoder.end());
    this.pending = '';
    done(null, `${this.elements === 0 ? '[' : ''}${out}]`);
  }

  /** The array text for the complete lines in `lines`: one element per `data:` line. */
  private elementsOf(lines: string): string {
    let out = '';
    for (let line of lines.split('\n')) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (!line.startsWith(dataPrefix)) continue;
      const data = line.slice(dataPrefix.length).trim();
      if (data.length === 0) continue;
      out += (this.elements === 0 ? '[' : ',\r\n') + data;
      this.elements++;
    }
    return out;
  }
}

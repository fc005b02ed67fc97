/**
 * Reads usage out of a relayed Anthropic answer without rebuilding it. For streams only the data lines
 * of `message_start` (input tokens) and `message_delta` (output tokens, and newer totals) are parsed;
 * every other line is skipped after finding its end.
 */
import { StringDecoder } from 'node:string_decoder';
import type { UsageObserver } from '../client-protocol.js';
import type { Usage } from '../../providers/spec.js';
import { usageFromAnthropic, usageFromBody } from './usage.js';
import type { AnthropicMessageDeltaUsage, AnthropicUsage } from './wire-types.js';

/** A non-streaming body larger than this is not worth buffering just to count tokens. */
const bodyLimitBytes = 16 * 1024 * 1024;

export function createUsageObserver(stream: boolean): UsageObserver {
  return stream ? new StreamUsageObserver() : new BodyUsageObserver();
}

class BodyUsageObserver implements UsageObserver {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= bodyLimitBytes) this.chunks.push(chunk);
    else this.chunks = [];
  }

  result(): Usage | undefined {
    if (this.size > bodyLimitBytes || this.chunks.length === 0) return undefined;
    try {
      return usageFromBody(JSON.parse(Buffer.concat(this.chunks).toString('utf8')));
    } catch {
      return undefined;
    }
  }
}

class StreamUsageObserver implements UsageObserver {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private event = '';
  private usage: Partial<AnthropicUsage> | undefined;

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      this.line(
        text.charCodeAt(newline - 1) === 13 ? text.slice(start, newline - 1) : text.slice(start, newline),
      );
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.partial = text.slice(start);
  }

  result(): Usage | undefined {
    if (this.partial !== '') {
      this.line(this.partial);
      this.partial = '';
    }
    return this.usage === undefined ? undefined : usageFromAnthropic(this.usage);
  }

  private line(line: string): void {
    if (line === '') {
      this.event = '';
    } else if (line.startsWith('event:')) {
      this.event = line.slice(6).trim();
    } else if (
      line.startsWith('data:') &&
      (this.event === 'message_start' || this.event === 'message_delta')
    ) {
      this.data(line.slice(5));
    }
  }

  private data(json: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(json);
    } catch {
      return;
    }
    if (typeof payload !== 'object' || payload === null) return;
    if (this.event === 'message_start') {
      const usage = (payload as { message?: { usage?: Partial<AnthropicUsage> } }).message?.usage;
      if (usage && typeof usage === 'object') this.usage = { ...usage };
      return;
    }
    const delta = (payload as { usage?: Partial<AnthropicMessageDeltaUsage> }).usage;
    if (!delta || typeof delta !== 'object') return;
    // message_delta totals are cumulative: overwrite what message_start said, never add.
    const merged: Partial<AnthropicUsage> = { ...this.usage };
    for (const key of [
      'output_tokens',
      'input_tokens',
      'cache_read_input_tokens',
      'cache_creation_input_tokens',
    ] as const) {
      const value = delta[key];
      if (typeof value === 'number') merged[key] = value;
    }
    this.usage = merged;
  }
}

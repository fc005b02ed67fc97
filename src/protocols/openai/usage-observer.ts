/**
 * Usage from a relayed OpenAI answer without rebuilding it: non-streaming bodies are parsed once at the
 * end; streams are scanned line by line and only lines that carry a usage object are parsed, so a long
 * stream costs a substring test per line.
 */
import type { Usage } from '../../providers/spec.js';
import type { UsageObserver } from '../client-protocol.js';
import { isRecord, usageFromWire } from './usage.js';

/** Beyond this a non-streaming body is not worth holding on to for accounting. */
const maximumBufferedBody = 32 * 1024 * 1024;

/** Matches `"usage":{` with any spacing; `"usage":null` (every chunk when include_usage) does not match. */
const usageObjectPattern = /"usage"\s*:\s*\{/;

export function usageFromOpenAIBody(body: unknown): Usage | undefined {
  return isRecord(body) ? usageFromWire(body['usage']) : undefined;
}

export function createOpenAIUsageObserver(stream: boolean): UsageObserver {
  return stream ? new StreamUsageObserver() : new BodyUsageObserver();
}

class BodyUsageObserver implements UsageObserver {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= maximumBufferedBody) this.chunks.push(chunk);
    else this.chunks = [];
  }

  result(): Usage | undefined {
    if (this.size > maximumBufferedBody || this.chunks.length === 0) return undefined;
    try {
      return usageFromOpenAIBody(JSON.parse(Buffer.concat(this.chunks).toString('utf8')));
    } catch {
      return undefined;
    }
  }
}

class StreamUsageObserver implements UsageObserver {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private usage: Usage | undefined;

  push(chunk: Buffer): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.line(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  result(): Usage | undefined {
    if (this.pending !== '') {
      this.line(this.pending);
      this.pending = '';
    }
    return this.usage;
  }

  private line(line: string): void {
    if (!line.startsWith('data:') || !usageObjectPattern.test(line)) return;
    try {
      const usage = usageFromOpenAIBody(JSON.parse(line.slice(5)));
      if (usage) this.usage = usage;
    } catch {
      // A line that merely mentions usage in its text is not ours to account.
    }
  }
}

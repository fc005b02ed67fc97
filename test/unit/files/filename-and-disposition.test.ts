import { describe, expect, it } from 'vitest';
import { normalizeFilename } from '../../../src/files/filename.js';
import { contentDisposition } from '../../../src/http/routes/files/content-disposition.js';

describe('normalizeFilename', () => {
  it('keeps the last path segment without control characters', () => {
    expect(normalizeFilename('C:\\Users\\me\\photo.png')).toBe('photo.png');
    expect(normalizeFilename('../../etc/passwd')).toBe('passwd');
    expect(normalizeFilename('bad\r\nname\u0000.txt')).toBe('badname.txt');
  });

  it('falls back when nothing usable is left, and bounds the length', () => {
    expect(normalizeFilename(undefined)).toBe('file');
    expect(normalizeFilename('dir/')).toBe('file');
    expect(normalizeFilename('..')).toBe('file');
    expect(Array.from(normalizeFilename('é'.repeat(400)))).toHaveLength(255);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact name RFC 5987-encoded', () => {
    expect(contentDisposition('report.pdf')).toBe(
      `inline; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(contentDisposition('été "quoted" 100%.png', 'attachment')).toBe(
      `attachment; filename="_t_ _quoted_ 100_.png"; filename*=UTF-8''%C3%A9t%C3%A9%20%22quoted%22%20100%25.png`,
    );
    expect(contentDisposition("it's (a) *test*.txt")).toBe(
      `inline; filename="it's (a) *test*.txt"; filename*=UTF-8''it%27s%20%28a%29%20%2Atest%2A.txt`,
    );
  });

  it('cannot be broken out of by a filename', () => {
    const header = contentDisposition('a\\"; filename="evil.html');
    expect(header.startsWith('inline; filename="a__; filename=_evil.html"; ')).toBe(true);
  });
});

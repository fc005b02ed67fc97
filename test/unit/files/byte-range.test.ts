import { describe, expect, it } from 'vitest';
import { decideRange } from '../../../src/files/byte-range.js';

describe('decideRange', () => {
  it('serves the whole file without a usable header', () => {
    for (const header of [
      undefined,
      '',
      'items=0-5',
      'bytes=',
      'bytes=-',
      'bytes=abc',
      'bytes=5-2',
      'bytes=0-1,4-5',
    ])
      expect(decideRange(header, 100)).toEqual({ kind: 'full' });
  });

  it('serves a closed range, clamped to the end', () => {
    expect(decideRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(decideRange('bytes=50-50', 100)).toEqual({ kind: 'partial', start: 50, end: 50 });
    expect(decideRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
  });

  it('serves an open range to the end', () => {
    expect(decideRange('bytes=40-', 100)).toEqual({ kind: 'partial', start: 40, end: 99 });
  });

  it('serves a suffix, the whole file when the suffix is longer', () => {
    expect(decideRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('refuses ranges past the end, empty suffixes and ranges of an empty file', () => {
    expect(decideRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

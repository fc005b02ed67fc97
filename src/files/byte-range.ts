/**
 * The `Range` request header (RFC 9110 §14) against an object of known size. One range is served as asked;
 * a header this does not understand (another unit, bad syntax, several ranges) means the whole object, as
 * the RFC allows a server to do.
 */
export type RangeDecision =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const singleRange = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/;

export function decideRange(header: string | undefined, size: number): RangeDecision {
  const match = header === undefined ? null : singleRange.exec(header);
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // A suffix: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

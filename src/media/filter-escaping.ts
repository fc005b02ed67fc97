/**
 * Escaping for FFmpeg's two-level filter syntax, so that a value (overlay text, a style, a path) can only
 * ever be a value — never close a quote, start another option, or add a filter such as `movie=`.
 *
 * FFmpeg reads a filter graph twice: the graph parser splits on `[ ] , ;` and unescapes, then the filter's
 * option parser splits on `:` and unescapes again. Both treat `\` as "next character is literal" and `'`
 * as a quote, and both trim unescaped surrounding whitespace. So a value is escaped for the option level
 * first, then that result is escaped for the graph level.
 */

const OPTION_SPECIALS = /[\\':\s]/gu;
const GRAPH_SPECIALS = /[\\'[\],;\s]/gu;

/** Escape a value for a filter's option parser (`key=value:key=value`). */
export function escapeOptionLevel(value: string): string {
  return value.replace(OPTION_SPECIALS, (character) => `\\${character}`);
}

/** Escape an option string for the filter-graph parser (`filter=args,filter;[label]…`). */
export function escapeGraphLevel(value: string): string {
  return value.replace(GRAPH_SPECIALS, (character) => `\\${character}`);
}

/** A literal option value, safe to splice into a filter graph as `name=<value>`. */
export function filterValue(value: string | number): string {
  return escapeGraphLevel(escapeOptionLevel(String(value)));
}

export type FilterOptionValue = string | number | boolean;

/**
 * One filter with typed options: `filter('scale', { w: 320, h: -2 })` → `scale=w=320:h=-2`.
 * Every value is escaped, so options can never carry extra filters.
 */
export function filter(name: string, options: Record<string, FilterOptionValue | undefined> = {}): string {
  if (!/^[a-z0-9_]+$/u.test(name)) throw new Error(`Not a filter name: ${name}`);
  const pairs = Object.entries(options)
    .filter((entry): entry is [string, FilterOptionValue] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${filterValue(typeof value === 'boolean' ? (value ? 1 : 0) : value)}`);
  return pairs.length === 0 ? name : `${name}=${pairs.join(':')}`;
}

/** `[in]f1,f2[out]` — labels are ours (generated), never user text. */
export function chain(inputs: string[], filters: string[], outputs: string[]): string {
  const label = (name: string): string => {
    if (!/^[A-Za-z0-9_:.]+$/u.test(name)) throw new Error(`Not a stream label: ${name}`);
    return `[${name}]`;
  };
  return `${inputs.map(label).join('')}${filters.join(',')}${outputs.map(label).join('')}`;
}

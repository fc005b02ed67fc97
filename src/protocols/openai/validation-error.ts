/**
 * Turns a zod failure into one InvalidRequestError that names the deepest offending field, the way
 * OpenAI's own 400s do (`param: "messages[2].content[0].type"`).
 */
import type * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

type Issue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

export function invalidRequestFromZod(error: z.ZodError): InvalidRequestError {
  const first = error.issues[0];
  if (!first) return new InvalidRequestError('Invalid request body.');
  const { issue, path } = deepestIssue(first, first.path);
  const field = formatPath(path);
  if (field === '') return new InvalidRequestError(`Invalid request body: ${issue.message}.`);
  // Needs the parse to run with `reportInput: true`; then an absent field reads as OpenAI words it.
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) {
    return new InvalidRequestError(`Missing required parameter: '${field}'.`, field);
  }
  return new InvalidRequestError(`Invalid value for '${field}': ${issue.message}.`, field);
}

/**
 * A union reports "Invalid input" at its own path with one issue list per branch. The branch whose
 * failure lies deepest is the one the client meant (an array of parts, not a string), so report that.
 */
function deepestIssue(issue: Issue, path: PathSegment[]): { issue: Issue; path: PathSegment[] } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PathSegment[] } | undefined;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (!inner) continue;
    const candidate = deepestIssue(inner, [...path, ...inner.path]);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  // Every branch rejected the value's type outright: the union's own message says it best.
  if (!best || best.path.length === path.length) return { issue: unionTypeIssue(issue), path };
  return best;
}

function unionTypeIssue(issue: Issue & { code: 'invalid_union' }): Issue {
  const expected = issue.errors
    .map((branch) => branch[0])
    .filter((inner): inner is Issue => inner !== undefined && inner.code === 'invalid_type')
    .map((inner) => (inner as Issue & { expected: string }).expected);
  if (expected.length !== issue.errors.length) return issue.errors[0]?.[0] ?? issue;
  return { ...issue, message: `expected ${[...new Set(expected)].join(' or ')}` };
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

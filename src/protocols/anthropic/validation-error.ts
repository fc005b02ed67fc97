/**
 * Turns the first zod issue into an InvalidRequestError whose message starts with the field path in the
 * style clients read (`messages[2].content[0].type: …`), descending into unions to the branch that got
 * furthest, so a typo deep inside a block is reported there and not as "invalid input" on its parent.
 */
import type * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

type Path = ReadonlyArray<PropertyKey>;

export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

interface Located {
  path: Path;
  message: string;
}

function locate(issue: z.core.$ZodIssue, prefix: Path, input: unknown): Located {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    if (issue.errors.length === 0) {
      // A discriminated union whose tag matched no option.
      const received = valueAt(input, path);
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map(String) : [];
      const expected =
        options.length > 0 ? `; expected one of ${options.map((option) => `'${option}'`).join(', ')}` : '';
      return { path, message: `unsupported value ${JSON.stringify(received) ?? 'undefined'}${expected}` };
    }
    const branches = issue.errors
      .map((branch) => branch[0])
      .filter((first): first is z.core.$ZodIssue => first !== undefined)
      .map((first) => locate(first, path, input));
    const deepest = branches.reduce<Located | undefined>(
      (best, candidate) =>
        best === undefined || candidate.path.length > best.path.length ? candidate : best,
      undefined,
    );
    if (deepest && deepest.path.length > path.length) return deepest;
    const expected = issue.errors
      .map((branch) => branch[0])
      .flatMap((first) => (first?.code === 'invalid_type' ? [first.expected] : []));
    if (expected.length > 0) {
      return {
        path,
        message: `expected ${expected.join(' or ')}, received ${describeValue(valueAt(input, path))}`,
      };
    }
    return deepest ?? { path, message: issue.message };
  }
  if (issue.code === 'invalid_type' && valueAt(input, path) === undefined)
    return { path, message: 'Field required' };
  return { path, message: issue.message };
}

export function invalidRequestFromZod(error: z.ZodError, input: unknown): InvalidRequestError {
  const first = error.issues[0];
  if (!first) return new InvalidRequestError('Invalid request body.');
  if (first.path.length === 0 && first.code === 'invalid_type') {
    return new InvalidRequestError(`Request body must be a JSON object, received ${describeValue(input)}.`);
  }
  const { path, message } = locate(first, [], input);
  const field = formatPath(path);
  return new InvalidRequestError(field === '' ? message : `${field}: ${message}`, field || undefined);
}

/**
 * Google's REST surface parses proto JSON, which accepts both `inline_data` and `inlineData`; the
 * official curl samples use snake_case. Bodies are brought to lowerCamel before validation, except
 * inside free-form values (function arguments and results, schemas), whose keys belong to the client.
 */

const FREE_FORM_KEYS = new Set([
  'args',
  'response',
  'parameters',
  'parametersJsonSchema',
  'responseSchema',
  'responseJsonSchema',
  'metadata',
  'labels',
]);

/** Request bodies are shallow; anything nested deeper is left for the schema to judge. */
const MAXIMUM_DEPTH = 16;

function toCamelCase(key: string): string {
  return key.includes('_')
    ? key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase())
    : key;
}

export function camelCaseKeys(value: unknown, depth = 0): unknown {
  if (depth > MAXIMUM_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => camelCaseKeys(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [rawKey, item] of Object.entries(value)) {
    const key = toCamelCase(rawKey);
    // When both spellings appear, the lowerCamel one wins.
    if (key !== rawKey && Object.hasOwn(value, key)) continue;
    out[key] = FREE_FORM_KEYS.has(key) ? item : camelCaseKeys(item, depth + 1);
  }
  return out;
}

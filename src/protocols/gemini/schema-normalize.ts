/**
 * Gemini's `parameters` and `responseSchema` use an OpenAPI 3.0 subset: uppercase type names
 * (OBJECT, STRING), `nullable`, and int64 limits that proto JSON may spell as strings. The canonical
 * tool definition holds JSON Schema, so these are rewritten; `parametersJsonSchema` is already JSON Schema.
 */

const NESTED_SCHEMA_KEYS = new Set(['items']);
const SCHEMA_LIST_KEYS = new Set(['anyOf']);
const SCHEMA_MAP_KEYS = new Set(['properties']);
/** int64 fields in the proto: the REST API accepts them as JSON strings. */
const INTEGER_KEYS = new Set([
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
]);
/** Gemini-only hints without a JSON Schema meaning. */
const DROPPED_KEYS = new Set(['nullable', 'propertyOrdering']);

/** Proto JSON also accepts snake_case field names; these are the schema ones worth knowing. */
const SNAKE_CASE_ALIASES: Record<string, string> = {
  any_of: 'anyOf',
  min_items: 'minItems',
  max_items: 'maxItems',
  min_length: 'minLength',
  max_length: 'maxLength',
  min_properties: 'minProperties',
  max_properties: 'maxProperties',
  property_ordering: 'propertyOrdering',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function openApiToJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(schema)) {
    const key = SNAKE_CASE_ALIASES[rawKey] ?? rawKey;
    if (DROPPED_KEYS.has(key)) continue;
    if (key === 'type' && typeof value === 'string') {
      if (value.toUpperCase() !== 'TYPE_UNSPECIFIED') out.type = value.toLowerCase();
    } else if (NESTED_SCHEMA_KEYS.has(key) && isRecord(value)) {
      out[key] = openApiToJsonSchema(value);
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map((item) => (isRecord(item) ? openApiToJsonSchema(item) : item));
    } else if (SCHEMA_MAP_KEYS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, item]) => [
          name,
          isRecord(item) ? openApiToJsonSchema(item) : item,
        ]),
      );
    } else if (INTEGER_KEYS.has(key) && typeof value === 'string' && /^\d+$/.test(value)) {
      out[key] = Number(value);
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}

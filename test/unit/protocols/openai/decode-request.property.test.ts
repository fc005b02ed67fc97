import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtelierError } from '../../../../src/errors/index.js';
import { openaiClientProtocol } from '../../../../src/protocols/openai/index.js';

function decodeOrError(body: unknown): unknown {
  try {
    return openaiClientProtocol.decodeRequest(body, {});
  } catch (error) {
    return error;
  }
}

/** Bodies that look like chat requests, so the fuzzing reaches past the top-level checks. */
const nearlyValidBody = fc.record(
  {
    model: fc.oneof(fc.string(), fc.jsonValue()),
    messages: fc.array(
      fc.record(
        {
          role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 7),
          content: fc.oneof(
            fc.string(),
            fc.constant(null),
            fc.array(
              fc.record({
                type: fc.constantFrom('text', 'image_url', 'refusal', 'audio'),
                text: fc.jsonValue(),
                image_url: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) }), fc.jsonValue()),
              }),
            ),
          ),
          tool_calls: fc.jsonValue(),
          tool_call_id: fc.oneof(fc.string(), fc.jsonValue()),
        },
        { requiredKeys: ['role'] },
      ),
    ),
    tools: fc.jsonValue(),
    tool_choice: fc.jsonValue(),
    stop: fc.jsonValue(),
    temperature: fc.jsonValue(),
    response_format: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('openai decodeRequest with arbitrary input', () => {
  it('throws nothing but AtelierError for any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearlyValidBody), (body) => {
        const outcome = decodeOrError(body);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(AtelierError);
      }),
      { numRuns: 2000 },
    );
  });
});

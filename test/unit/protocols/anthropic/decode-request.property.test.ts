import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtelierError } from '../../../../src/errors/index.js';
import { anthropicClientProtocol } from '../../../../src/protocols/anthropic/index.js';

function decodeOutcome(body: unknown): 'ok' | 'atelier-error' | 'other' {
  try {
    anthropicClientProtocol.decodeRequest(body, {});
    return 'ok';
  } catch (error) {
    return error instanceof AtelierError && error.status === 400 ? 'atelier-error' : 'other';
  }
}

const block = fc.oneof(
  fc.record({
    type: fc.constantFrom('text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'x'),
    text: fc.anything(),
  }),
  fc.record({ type: fc.constant('tool_result'), tool_use_id: fc.string(), content: fc.anything() }),
  fc.record({ type: fc.constant('tool_use'), id: fc.string(), name: fc.string(), input: fc.anything() }),
  fc.record({
    type: fc.constant('image'),
    source: fc.record({ type: fc.constantFrom('base64', 'url'), url: fc.anything() }),
  }),
  fc.anything(),
);

/** Bodies shaped almost like a Messages request, so the fuzzing reaches deep into the mapping. */
const nearlyValid = fc.record(
  {
    model: fc.oneof(fc.string(), fc.anything()),
    max_tokens: fc.oneof(fc.integer(), fc.anything()),
    system: fc.anything(),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom('user', 'assistant', 'tool'),
        content: fc.oneof(fc.string(), fc.array(block, { maxLength: 4 })),
      }),
      { maxLength: 4 },
    ),
    tools: fc.anything(),
    tool_choice: fc.oneof(
      fc.record({ type: fc.constantFrom('auto', 'any', 'tool', 'none'), name: fc.anything() }),
      fc.anything(),
    ),
  },
  { requiredKeys: ['messages'] },
);

describe('anthropic decodeRequest never fails with anything but a 400 AtelierError', () => {
  it('for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        expect(decodeOutcome(body)).not.toBe('other');
      }),
      { numRuns: 500 },
    );
  });

  it('for nearly valid request bodies', () => {
    fc.assert(
      fc.property(nearlyValid, (body) => {
        expect(decodeOutcome(body)).not.toBe('other');
      }),
      { numRuns: 1000 },
    );
  });
});

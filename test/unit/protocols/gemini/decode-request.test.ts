import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AtelierError, InvalidRequestError } from '../../../../src/errors/index.js';
import { geminiClientProtocol } from '../../../../src/protocols/gemini/index.js';

const decode = (body: unknown, context = { model: 'gemini-2.5-flash', stream: false }) =>
  geminiClientProtocol.decodeRequest(body, context);

function decodeError(body: unknown, context = { model: 'gemini-2.5-flash' }): InvalidRequestError {
  try {
    geminiClientProtocol.decodeRequest(body, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected decodeRequest to throw');
}

describe('gemini decodeRequest', () => {
  it('takes the model from the path and streaming from the method', () => {
    const request = decode(
      { contents: [{ parts: [{ text: 'Hello' }] }] },
      { model: 'models/gemini-2.5-pro', stream: true },
    );
    expect(request).toEqual({
      model: 'gemini-2.5-pro',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('requires a model in the path', () => {
    const error = decodeError({ contents: [{ parts: [{ text: 'hi' }] }] }, {} as { model: string });
    expect(error.param).toBe('model');
  });

  it('maps the system instruction, images and generation config', () => {
    const request = decode({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'What is in these?' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        candidateCount: 1,
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: 0.3,
        thinkingConfig: { thinkingBudget: 0 },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    });
    expect(request.system).toBe('Be brief.\nAnswer in French.');
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
    expect(request).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 256,
      stopSequences: ['END'],
      candidateCount: 1,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
    });
  });

  it('accepts the snake_case spelling of the REST samples', () => {
    const request = decode({
      system_instruction: { parts: [{ text: 'sys' }] },
      contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/webp', data: 'AAAA' } }] }],
      generation_config: { max_output_tokens: 12, stop_sequences: ['x'] },
      tools: [
        {
          function_declarations: [
            { name: 'f', parameters: { type: 'OBJECT', properties: { snake_key: { type: 'STRING' } } } },
          ],
        },
      ],
    });
    expect(request.system).toBe('sys');
    expect(request.messages[0]!.content[0]).toEqual({
      type: 'image',
      source: { kind: 'base64', mediaType: 'image/webp', data: 'AAAA' },
    });
    expect(request.maxOutputTokens).toBe(12);
    expect(request.stopSequences).toEqual(['x']);
    // Keys inside schemas belong to the client and keep their spelling.
    expect(request.tools![0]!.parameters).toEqual({
      type: 'object',
      properties: { snake_key: { type: 'string' } },
    });
  });

  it('normalises uppercase OpenAPI schemas to JSON Schema and keeps parametersJsonSchema as is', () => {
    const request = decode({
      contents: [{ parts: [{ text: 'weather?' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city',
              parameters: {
                type: 'OBJECT',
                properties: {
                  location: { type: 'STRING', description: 'City' },
                  days: { type: 'INTEGER', nullable: true },
                  tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['a', 'b'] }, maxItems: '3' },
                },
                required: ['location'],
                propertyOrdering: ['location', 'days'],
              },
            },
            { name: 'now' },
            { name: 'raw', parametersJsonSchema: { type: 'object', additionalProperties: false } },
          ],
        },
      ],
    });
    expect(request.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'City' },
            days: { type: ['integer', 'null'] },
            tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 3 },
          },
          required: ['location'],
        },
      },
      { name: 'now', parameters: { type: 'object', properties: {} } },
      { name: 'raw', parameters: { type: 'object', additionalProperties: false } },
    ]);
  });

  it('gives id-less function calls stable ids and matches function responses by name in order', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'model',
          parts: [
            { text: 'Checking.' },
            { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
            { functionCall: { name: 'get_weather', args: { location: 'Rome' } } },
            { functionCall: { name: 'get_time', args: {}, id: 'given-id' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', id: 'given-id', response: { output: '12:00' } } },
            { functionResponse: { name: 'get_weather', response: { result: 'sunny' } } },
            { functionResponse: { name: 'get_weather', response: { temperature: 21, unit: 'C' } } },
          ],
        },
      ],
    };
    const first = decode(body);
    expect(first.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Rome"}' },
          { type: 'tool-call', id: 'given-id', name: 'get_time', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'given-id', toolName: 'get_time', content: '12:00' },
          { type: 'tool-result', toolCallId: 'call_0', toolName: 'get_weather', content: 'sunny' },
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'get_weather',
            content: '{"temperature":21,"unit":"C"}',
          },
        ],
      },
    ]);
    // Stable: decoding the same conversation again yields the same ids.
    expect(decode(body).messages).toEqual(first.messages);
  });

  it('splits a user turn holding function responses and text into a tool message then a user message', () => {
    const request = decode({
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
        {
          role: 'function',
          parts: [
            { functionResponse: { name: 'lookup', response: { error: 'not found' } } },
            { text: 'Try again' },
          ],
        },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_0',
            toolName: 'lookup',
            content: 'not found',
            isError: true,
          },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Try again' }] },
    ]);
  });

  it('keeps thoughts of model turns as reasoning with their signature', () => {
    const request = decode({
      contents: [
        { parts: [{ text: 'hi' }] },
        {
          role: 'model',
          parts: [{ text: 'thinking…', thought: true, thoughtSignature: 'c2ln' }, { text: 'Hello' }],
        },
        { parts: [{ text: 'again' }] },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking…', signature: 'c2ln' },
        { type: 'text', text: 'Hello' },
      ],
    });
  });

  it.each([
    ['AUTO', [], { type: 'auto' }, ['a', 'b']],
    ['NONE', [], { type: 'none' }, ['a', 'b']],
    ['ANY', [], { type: 'required' }, ['a', 'b']],
    ['ANY', ['b'], { type: 'tool', name: 'b' }, ['a', 'b']],
    ['ANY', ['a', 'b'], { type: 'required' }, ['a', 'b']],
    ['VALIDATED', [], { type: 'auto' }, ['a', 'b']],
  ])('maps functionCallingConfig mode %s with %j', (mode, allowed, choice, names) => {
    const request = decode({
      contents: [{ parts: [{ text: 'x' }] }],
      tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }],
      toolConfig: { functionCallingConfig: { mode, allowedFunctionNames: allowed } },
    });
    expect(request.toolChoice).toEqual(choice);
    expect(request.tools!.map((tool) => tool.name)).toEqual(names);
  });

  it('maps JSON response formats', () => {
    const withSchema = decode({
      contents: [{ parts: [{ text: 'x' }] }],
      generationConfig: {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { n: { type: 'NUMBER' } } },
      },
    });
    expect(withSchema.responseFormat).toEqual({
      type: 'json',
      schema: { type: 'object', properties: { n: { type: 'number' } } },
    });
    const jsonSchema = decode({
      contents: [{ parts: [{ text: 'x' }] }],
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'array' } },
    });
    expect(jsonSchema.responseFormat).toEqual({ type: 'json', schema: { type: 'array' } });
  });

  it.each([
    [null, undefined],
    [[], undefined],
    [{}, 'contents'],
    [{ contents: [] }, 'contents'],
    [{ contents: [{ parts: [{ text: 5 }] }] }, 'contents[0].parts[0].text'],
    [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'contents[0].role'],
    [{ contents: [{ parts: [] }] }, 'contents[0].parts'],
    [
      { contents: [{ parts: [{ inlineData: { mimeType: 'application/pdf', data: 'AA' } }] }] },
      'contents[0].parts[0].inlineData.mimeType',
    ],
    [{ contents: [{ parts: [{ executableCode: { code: 'x' } }] }] }, 'contents[0].parts[0]'],
    [{ contents: [{ parts: [{ text: 'x' }] }], tools: [{ googleSearch: {} }] }, 'tools[0].googleSearch'],
    [{ contents: [{ parts: [{ text: 'x' }] }], tools: [{ codeExecution: {} }] }, 'tools[0].codeExecution'],
    [
      { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { maxOutputTokens: 'many' } },
      'generationConfig.maxOutputTokens',
    ],
    [
      {
        contents: [{ parts: [{ text: 'x' }] }],
        tools: [{ functionDeclarations: [{ name: 'a' }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['zz'] } },
      },
      'toolConfig.functionCallingConfig.allowedFunctionNames[0]',
    ],
    [
      {
        contents: [{ parts: [{ text: 'x' }] }],
        systemInstruction: { parts: [{ inlineData: { mimeType: 'image/png', data: 'A' } }] },
      },
      'systemInstruction.parts[0]',
    ],
  ])('rejects %j naming %s', (body, param) => {
    const error = decodeError(body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    if (param) expect(error.message).toContain(param);
  });

  it('names the unsupported tool kind in the message', () => {
    expect(
      decodeError({ contents: [{ parts: [{ text: 'x' }] }], tools: [{ googleSearch: {} }] }).message,
    ).toMatch(/googleSearch/);
  });

  it('never throws anything but an AtelierError, whatever JSON arrives', () => {
    const contexts = fc.record({
      model: fc.option(fc.string(), { nil: undefined }),
      stream: fc.option(fc.boolean(), { nil: undefined }),
    });
    const shaped = fc.record(
      {
        contents: fc.array(
          fc.record(
            {
              role: fc.jsonValue(),
              parts: fc.array(
                fc.dictionary(
                  fc.constantFrom(
                    'text',
                    'inlineData',
                    'fileData',
                    'functionCall',
                    'functionResponse',
                    'thought',
                    'x',
                  ),
                  fc.jsonValue(),
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        tools: fc.jsonValue(),
        toolConfig: fc.jsonValue(),
        generationConfig: fc.jsonValue(),
        systemInstruction: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), contexts, (body, context) => {
        try {
          geminiClientProtocol.decodeRequest(body, context);
        } catch (error) {
          if (!(error instanceof AtelierError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('answers a deeply nested body with a 400, not a crash', () => {
    let nested: unknown = 'x';
    for (let depth = 0; depth < 20_000; depth++) nested = [nested];
    expect(() =>
      decode({ contents: [{ parts: [{ text: 'x', extra: nested }] }], generationConfig: nested }),
    ).toThrow(AtelierError);
  });
});

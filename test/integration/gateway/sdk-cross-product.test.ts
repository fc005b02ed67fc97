/**
 * The official SDKs, pointed at Atelier, against every provider type: chat, streaming and a tool-call round
 * trip for each (client protocol × provider) pair. Same-protocol pairs are relayed; the others translated.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, providerModels, startHarness, type Harness } from '../../support/gateway-harness.js';

const models = Object.entries(providerModels) as Array<[keyof typeof providerModels, string]>;
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

describe.each(models)('OpenAI SDK → %s', (providerId, model) => {
  const client = () => new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });
  const messages = [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'hello there' },
  ];

  it('chats', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model, messages, max_tokens: 50 })
      .withResponse();
    expect(response.headers.get('x-atelier-provider')).toBe(providerId);
    expect(data.choices[0]!.message.content).toBe('Echo: hello there');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBe(3);
  });

  it('streams', async () => {
    const stream = await client().chat.completions.create({
      model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Echo: hello there');
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(3);
  });

  it('calls tools and takes their results', async () => {
    const tools = [{ type: 'function' as const, function: weatherTool }];
    const ask = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];
    const first = await client().chat.completions.create({ model, messages: ask, tools });
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });

    const streamed = await client().chat.completions.create({ model, messages: ask, tools, stream: true });
    let name = '';
    let argumentsText = '';
    for await (const chunk of streamed) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        argumentsText += delta.function?.arguments ?? '';
      }
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(argumentsText)).toEqual({ location: 'Paris' });

    const second = await client().chat.completions.create({
      model,
      tools,
      messages: [
        ...ask,
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: 'sunny' },
      ],
    });
    expect(second.choices[0]!.message.content).toContain('Tool get_weather said:');
    expect(second.choices[0]!.message.content).toContain('sunny');
  });
});

describe.each(models)('Anthropic SDK → %s', (providerId, model) => {
  const client = () => new Anthropic({ apiKey: adminKey, baseURL: harness.url, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'hello there' }];

  it('chats', async () => {
    const { data, response } = await client()
      .messages.create({ model, max_tokens: 50, system: 'Be brief.', messages })
      .withResponse();
    expect(response.headers.get('x-atelier-provider')).toBe(providerId);
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Echo: hello there' });
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBe(3);
  });

  it('streams', async () => {
    const stream = client().messages.stream({ model, max_tokens: 50, system: 'Be brief.', messages });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe('Echo: hello there');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(3);
  });

  it('calls tools and takes their results', async () => {
    const tools = [
      {
        name: weatherTool.name,
        description: weatherTool.description,
        input_schema: weatherTool.parameters as Anthropic.Tool.InputSchema,
      },
    ];
    const ask = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];
    const first = await client().messages.create({ model, max_tokens: 100, tools, messages: ask });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: 'get_weather', input: { location: 'Paris' } });

    const streamed = await client()
      .messages.stream({ model, max_tokens: 100, tools, messages: ask })
      .finalMessage();
    expect(streamed.content.find((block) => block.type === 'tool_use')).toMatchObject({
      name: 'get_weather',
      input: { location: 'Paris' },
    });

    const second = await client().messages.create({
      model,
      max_tokens: 100,
      tools,
      messages: [
        ...ask,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
      ],
    });
    const text = second.content.find((block) => block.type === 'text') as Anthropic.TextBlock;
    expect(text.text).toContain('Tool get_weather said:');
    expect(text.text).toContain('sunny');
  });
});

describe.each(models)('Google GenAI SDK → %s', (providerId, model) => {
  const client = () => new GoogleGenAI({ apiKey: adminKey, httpOptions: { baseUrl: harness.url } });

  it('chats', async () => {
    const response = await client().models.generateContent({
      model,
      contents: 'hello there',
      config: { systemInstruction: 'Be brief.' },
    });
    expect(response.text).toBe('Echo: hello there');
    expect(response.candidates![0]!.finishReason).toBe('STOP');
    expect(response.usageMetadata!.candidatesTokenCount).toBe(3);
    expect(providerId).toBeTruthy();
  });

  it('streams', async () => {
    const stream = await client().models.generateContentStream({ model, contents: 'hello there' });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
    }
    expect(text).toBe('Echo: hello there');
    expect(chunks).toBeGreaterThan(1);
  });

  it('calls tools and takes their results', async () => {
    const config = {
      tools: [
        {
          functionDeclarations: [
            {
              name: weatherTool.name,
              description: weatherTool.description,
              parametersJsonSchema: weatherTool.parameters,
            },
          ],
        },
      ],
    };
    const ask = { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] };
    const first = await client().models.generateContent({ model, contents: [ask], config });
    const call = first.functionCalls![0]!;
    expect(call).toMatchObject({ name: 'get_weather', args: { location: 'Paris' } });

    const stream = await client().models.generateContentStream({ model, contents: [ask], config });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls[0]).toMatchObject({ name: 'get_weather', args: { location: 'Paris' } });

    const second = await client().models.generateContent({
      model,
      config,
      contents: [
        ask,
        { role: 'model', parts: [{ functionCall: call }] },
        {
          role: 'user',
          parts: [{ functionResponse: { id: call.id, name: 'get_weather', response: { result: 'sunny' } } }],
        },
      ],
    });
    expect(second.text).toContain('Tool get_weather said:');
    expect(second.text).toContain('sunny');
  });
});

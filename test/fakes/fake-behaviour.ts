/**
 * What every fake upstream "model" answers, whatever wire protocol it speaks, so tests across the
 * client × provider cross product can assert the same content:
 * - the last message is a tool result  → text "Tool <name> said: <content>"
 * - tools are offered and the last user text mentions "weather" → a call of the first tool with
 *   arguments {"location":"Paris"}
 * - otherwise → text "Echo: <last user text>"
 * Usage: input tokens = words in all prompt text, output tokens = words in the answer.
 */
export interface FakeTurnInput {
  lastUserText: string;
  toolNames: string[];
  /** Present when the last message carries a tool result. */
  lastToolResult?: { name: string; content: string };
  promptText: string;
  /** Images seen in the prompt (counted, so tests can check that images reached the upstream). */
  imageCount: number;
}

export type FakeTurnOutput =
  | { kind: 'text'; text: string; inputTokens: number; outputTokens: number }
  | { kind: 'tool-call'; name: string; arguments: string; inputTokens: number; outputTokens: number };

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

export function fakeTurn(input: FakeTurnInput): FakeTurnOutput {
  const inputTokens = Math.max(1, countWords(input.promptText));
  if (input.lastToolResult) {
    const text = `Tool ${input.lastToolResult.name} said: ${input.lastToolResult.content}`;
    return { kind: 'text', text, inputTokens, outputTokens: countWords(text) };
  }
  if (input.toolNames.length > 0 && /weather/i.test(input.lastUserText)) {
    return {
      kind: 'tool-call',
      name: input.toolNames[0]!,
      arguments: JSON.stringify({ location: 'Paris' }),
      inputTokens,
      outputTokens: 5,
    };
  }
  const suffix = input.imageCount > 0 ? ` [images: ${input.imageCount}]` : '';
  const text = `Echo: ${input.lastUserText}${suffix}`;
  return { kind: 'text', text, inputTokens, outputTokens: countWords(text) };
}

/** Split text into stream pieces of a few characters, so streams have many events. */
export function streamPieces(text: string, size = 4): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/**
 * Gemini carries tool results as a JSON object (`functionResponse.response`); the canonical model
 * carries text. Google documents `output` and `error` keys and otherwise treats the whole object as
 * the output; Atelier wraps plain text as `{result}`. These two functions are inverse for what the
 * gateway itself produces, so a result survives a Gemini → canonical → Gemini trip.
 */

const TEXT_KEYS = ['result', 'output', 'content'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toolResultFromResponse(response: Record<string, unknown> | null | undefined): {
  content: string;
  isError: boolean;
} {
  if (!response) return { content: '', isError: false };
  const keys = Object.keys(response);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const value = response[key];
    if (key === 'error')
      return { content: typeof value === 'string' ? value : JSON.stringify(value), isError: true };
    if (TEXT_KEYS.includes(key) && typeof value === 'string') return { content: value, isError: false };
    if (key === 'result') return { content: JSON.stringify(value), isError: false };
  }
  return { content: JSON.stringify(response), isError: false };
}

export function responseFromToolResult(content: string, isError = false): Record<string, unknown> {
  let parsed: unknown = content;
  try {
    parsed = JSON.parse(content);
  } catch {
    // Plain text stays text.
  }
  if (isError) return { error: parsed };
  return isRecord(parsed) ? parsed : { result: parsed };
}

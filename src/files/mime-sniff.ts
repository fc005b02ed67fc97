/**
 * The stored type of a file comes from its bytes, never from what the client claimed: magic numbers first
 * (file-type), then a few text formats told apart by content, then plain text, else opaque bytes. HTML is
 * never recognised as such: it is stored as text/plain, so an upload cannot become a page on our origin.
 */
import type { ContentObservation } from './content-sniffer.js';

const srtCue = /^\d+[ \t]*\r?\n\d{2}:\d{2}:\d{2}[,.]\d{3}[ \t]+-->[ \t]+\d{2}:\d{2}:\d{2}[,.]\d{3}/;
const closingBracket: Record<string, number> = { '{': 0x7d, '[': 0x5d };

export async function sniffMimeType(observation: ContentObservation): Promise<string> {
  if (observation.bytes === 0) return 'application/octet-stream';
  // file-type and its tokenizers are loaded with the first file stored, not when the server starts.
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(observation.head);
  if (detected) return detected.mime;
  if (!observation.text) return 'application/octet-stream';
  const text = observation.head.toString('utf8').replace(/^\uFEFF/, '');
  if (/^WEBVTT(?:[ \t]|\r?\n|$)/.test(text)) return 'text/vtt';
  if (srtCue.test(text.trimStart())) return 'application/x-subrip';
  if (looksLikeJson(text, observation)) return 'application/json';
  return 'text/plain';
}

function looksLikeJson(text: string, observation: ContentObservation): boolean {
  const trimmed = text.trimStart();
  const closing = closingBracket[trimmed[0] ?? ''];
  if (closing === undefined || observation.lastSignificantByte !== closing) return false;
  // When the whole file was seen, be sure; a longer one that opens and closes like JSON is taken as JSON.
  if (observation.bytes > observation.head.length) return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

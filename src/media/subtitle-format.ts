/**
 * User subtitle files (SRT, WebVTT, ASS/SSA) are parsed into plain cues and rewritten as a clean SRT
 * that we own. Styling tags, ASS override blocks, embedded fonts and pictures are dropped on the way, so
 * nothing from the user's file reaches libass except the words and their times.
 */
import { InvalidRequestError } from '../errors/index.js';

export interface Cue {
  start: number;
  end: number;
  text: string;
}

const MAX_CUES = 20_000;
const MAX_CUE_TEXT = 1_000;

export type SubtitleSyntax = 'srt' | 'vtt' | 'ass';

export function detectSubtitleSyntax(content: string): SubtitleSyntax {
  const head = content.replace(/^\uFEFF/u, '').trimStart();
  if (head.startsWith('WEBVTT')) return 'vtt';
  if (/^\[Script Info\]/imu.test(head) || /^Dialogue:/mu.test(content)) return 'ass';
  return 'srt';
}

/** `01:02:03,456`, `02:03.456`, or ASS `1:02:03.45` → seconds. */
export function parseTimestamp(text: string): number | undefined {
  const match = /^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/u.exec(text.trim());
  if (!match) return undefined;
  const [, hours = '0', minutes = '0', secondsText = '0', fraction = '0'] = match;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(secondsText) + Number(`0.${fraction}`);
}

/** Plain words: no markup, no override blocks, no control characters. */
export function cleanCueText(text: string): string {
  return text
    .replace(/\{[^}]*\}/gu, '')
    .replace(/<[^>]*>/gu, '')
    .replace(/\\[Nn]/gu, '\n')
    .replace(/\\h/gu, ' ')
    .replace(/[{}\\]/gu, '')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/gu, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')
    .slice(0, MAX_CUE_TEXT);
}

function parseTimedBlocks(content: string): Cue[] {
  const cues: Cue[] = [];
  for (const block of content.replace(/\r\n?/gu, '\n').split(/\n{2,}/u)) {
    const lines = block.split('\n');
    const timingIndex = lines.findIndex((line) => line.includes('-->'));
    if (timingIndex < 0) continue;
    const [startText = '', rest = ''] = (lines[timingIndex] as string).split('-->');
    const start = parseTimestamp(startText);
    const end = parseTimestamp(rest.trim().split(/\s+/u)[0] ?? '');
    const text = cleanCueText(lines.slice(timingIndex + 1).join('\n'));
    if (start !== undefined && end !== undefined && end > start && text !== '')
      cues.push({ start, end, text });
  }
  return cues;
}

function parseAss(content: string): Cue[] {
  const cues: Cue[] = [];
  let fields: string[] = [
    'layer',
    'start',
    'end',
    'style',
    'name',
    'marginl',
    'marginr',
    'marginv',
    'effect',
    'text',
  ];
  let inEvents = false;
  for (const rawLine of content.replace(/\r\n?/gu, '\n').split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('[')) inEvents = line.toLowerCase() === '[events]';
    else if (inEvents && line.toLowerCase().startsWith('format:')) {
      fields = line
        .slice(7)
        .split(',')
        .map((field) => field.trim().toLowerCase());
    } else if (inEvents && line.startsWith('Dialogue:')) {
      const values = line.slice(9).split(',');
      // The text is the last field and may itself contain commas.
      const text = values.slice(fields.length - 1).join(',');
      const value = (name: string) => values[fields.indexOf(name)]?.trim() ?? '';
      const start = parseTimestamp(value('start'));
      const end = parseTimestamp(value('end'));
      const cleaned = cleanCueText(text);
      if (start !== undefined && end !== undefined && end > start && cleaned !== '')
        cues.push({ start, end, text: cleaned });
    }
  }
  return cues;
}

export function parseSubtitles(content: string, param: string): Cue[] {
  const syntax = detectSubtitleSyntax(content);
  const cues = syntax === 'ass' ? parseAss(content) : parseTimedBlocks(content);
  if (cues.length === 0)
    throw new InvalidRequestError(
      'No subtitle cues could be read from this file.',
      param,
      'invalid_subtitles',
    );
  if (cues.length > MAX_CUES)
    throw new InvalidRequestError(`More than ${MAX_CUES} subtitle cues.`, param, 'invalid_subtitles');
  return cues.sort((left, right) => left.start - right.start);
}

function srtTime(seconds: number): string {
  const milliseconds = Math.round(seconds * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(milliseconds / 3_600_000))}:${pad(Math.floor(milliseconds / 60_000) % 60)}:${pad(
    Math.floor(milliseconds / 1000) % 60,
  )},${pad(milliseconds % 1000, 3)}`;
}

export function writeSrt(cues: Cue[]): string {
  return cues
    .map((cue, index) => `${index + 1}\n${srtTime(cue.start)} --> ${srtTime(cue.end)}\n${cue.text}\n`)
    .join('\n');
}

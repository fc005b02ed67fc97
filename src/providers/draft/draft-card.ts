/**
 * The draft card: a diagonal gradient whose two colours come from a hash of what was asked, the prompt
 * wrapped in the middle and the word DRAFT, drawn with sharp through an SVG overlay. Same input, same bytes.
 */
import { createHash } from 'node:crypto';
import type { Sharp } from 'sharp';
import { escapeXml, wrapText } from './draft-text.js';

export interface CardInput {
  prompt: string;
  seed: number;
  /** Tells apart the images of one request. */
  index: number;
  width: number;
  height: number;
  /** A picture to show instead of the gradient (image-to-video's first frame). */
  background?: Buffer;
}

export function hashOf(...parts: Array<string | number>): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** A 32-bit seed from the prompt, for requests that bring none, so a draft stays reproducible. */
export function seedFromPrompt(prompt: string): number {
  return hashOf('seed', prompt).readUInt32BE(0);
}

function colour(hue: number, saturation: number, lightness: number): [number, number, number] {
  // HSL → RGB keeps the colours lively and never too dark for white text.
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const sector = hue / 60;
  const second = chroma * (1 - Math.abs((sector % 2) - 1));
  const arrangements: Array<[number, number, number]> = [
    [chroma, second, 0],
    [second, chroma, 0],
    [0, chroma, second],
    [0, second, chroma],
    [second, 0, chroma],
    [chroma, 0, second],
  ];
  const [r, g, b] = arrangements[Math.min(5, Math.floor(sector))]!;
  const offset = lightness - chroma / 2;
  return [r, g, b].map((value) => Math.round((value + offset) * 255)) as [number, number, number];
}

function gradient(input: CardInput): Buffer {
  const hash = hashOf('colours', input.prompt, input.seed, input.index);
  const from = colour((hash.readUInt16BE(0) / 65536) * 360, 0.55, 0.45);
  const to = colour((hash.readUInt16BE(2) / 65536) * 360, 0.6, 0.3);
  const { width, height } = input;
  const pixels = Buffer.alloc(width * height * 3);
  const span = width + height - 2 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x + y) / span;
      const offset = (y * width + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        pixels[offset + channel] = Math.round(from[channel]! + (to[channel]! - from[channel]!) * t);
      }
    }
  }
  return pixels;
}

function overlay(input: CardInput): Buffer {
  const { width, height } = input;
  const fontSize = Math.max(8, Math.round(Math.min(width, height) / 16));
  const lineHeight = Math.round(fontSize * 1.3);
  const columns = Math.max(4, Math.floor((width * 0.84) / (fontSize * 0.56)));
  const maxLines = Math.max(1, Math.floor((height * 0.6) / lineHeight));
  const lines = wrapText(input.prompt, columns, maxLines);
  const top = height / 2 - ((lines.length - 1) * lineHeight) / 2;
  const label = Math.max(8, Math.round(fontSize * 1.1));
  const text = lines
    .map(
      (line, number) =>
        `<tspan x="50%" y="${Math.round(top + number * lineHeight)}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="0" y="0" width="${width}" height="${height}" fill="black" fill-opacity="0.18"/>` +
      `<text font-family="DejaVu Sans, Arial, sans-serif" font-size="${fontSize}" fill="white" ` +
      `text-anchor="middle" dominant-baseline="middle">${text}</text>` +
      `<text x="${Math.round(label * 0.8)}" y="${Math.round(label * 1.5)}" font-family="DejaVu Sans, Arial, sans-serif" ` +
      `font-weight="bold" font-size="${label}" fill="white" fill-opacity="0.85" letter-spacing="${Math.round(label / 6)}">DRAFT</text>` +
      `</svg>`,
  );
}

/**
 * The card as a sharp pipeline; the caller picks the output format. sharp (libvips, ~20 MB resident) is
 * loaded on first use, so a gateway without a draft provider in use never pays for it.
 */
export async function renderCard(input: CardInput): Promise<Sharp> {
  const { default: sharp } = await import('sharp');
  const base = input.background
    ? sharp(input.background).rotate().resize(input.width, input.height, { fit: 'cover' }).removeAlpha()
    : sharp(gradient(input), { raw: { width: input.width, height: input.height, channels: 3 } });
  return base.composite([{ input: overlay(input), top: 0, left: 0 }]);
}

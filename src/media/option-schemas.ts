/** Typed building blocks shared by the operations' option schemas. */
import * as z from 'zod';

export const seconds = z.number().finite().min(0).max(86_400);
export const positiveSeconds = z.number().finite().gt(0).max(86_400);
/** Even sizes: most encoders refuse odd dimensions with 4:2:0 chroma. */
export const dimension = z.number().int().min(16).max(8192);
export const frameRate = z.number().gt(0).max(120);
export const bitrate = z
  .union([z.number().int().min(8_000).max(200_000_000), z.string().regex(/^\d{1,6}(\.\d{1,3})?[kKmM]?$/u)])
  .transform((value) => String(value));
/** `#rrggbb` or `#rrggbbaa`; turned into FFmpeg/ASS colours by the builders. */
export const hexColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/u, 'a colour like #ffcc00 or #ffcc0080');
/** Font family names as fontconfig knows them; nothing else gets through. */
export const fontName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$/u, 'a font family name');
export const position = z.enum([
  'top-left',
  'top',
  'top-right',
  'left',
  'center',
  'right',
  'bottom-left',
  'bottom',
  'bottom-right',
]);
export type Position = z.infer<typeof position>;

/** User text for overlays: any characters (escaping or a text file keeps them inert), bounded length. */
export const overlayText = z.string().min(1).max(2000);

export const RESOLUTIONS = {
  '2160p': 2160,
  '1440p': 1440,
  '1080p': 1080,
  '720p': 720,
  '480p': 480,
  '360p': 360,
  '240p': 240,
} as const;
export const resolution = z.enum(
  Object.keys(RESOLUTIONS) as [keyof typeof RESOLUTIONS, ...Array<keyof typeof RESOLUTIONS>],
);

/** `#rrggbb[aa]` → FFmpeg colour syntax `0xRRGGBB[@alpha]`. */
export function ffmpegColor(hex: string): string {
  const rgb = hex.slice(1, 7).toUpperCase();
  const alpha = hex.length === 9 ? Number.parseInt(hex.slice(7, 9), 16) / 255 : undefined;
  return alpha === undefined ? `0x${rgb}` : `0x${rgb}@${alpha.toFixed(3)}`;
}

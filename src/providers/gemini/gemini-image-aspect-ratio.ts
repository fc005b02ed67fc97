/**
 * Google's image and video models take an aspect ratio, not a size: a requested size becomes the nearest
 * ratio the model offers, with a warning when that changes the shape.
 */
import type { Size } from '../media-spec.js';

/** Gemini image models (generateContent imageConfig.aspectRatio). */
export const GEMINI_IMAGE_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
/** Imagen (predict parameters.aspectRatio). */
export const IMAGEN_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'];
/** Veo (predictLongRunning parameters.aspectRatio). */
export const VEO_RATIOS = ['16:9', '9:16'];

function ratioValue(ratio: string): number {
  const [width = 1, height = 1] = ratio.split(':').map(Number);
  return width / height;
}

export function nearestAspectRatio(size: Size, offered: readonly string[], warnings: string[]): string {
  const wanted = Math.log(size.width / size.height);
  let best = offered[0]!;
  for (const ratio of offered) {
    if (Math.abs(Math.log(ratioValue(ratio)) - wanted) < Math.abs(Math.log(ratioValue(best)) - wanted))
      best = ratio;
  }
  if (Math.abs(Math.log(ratioValue(best)) - wanted) > 0.01) {
    warnings.push(`${size.width}x${size.height} is not offered; the nearest aspect ratio ${best} was used.`);
  }
  return best;
}

/** What a draft can be asked for; anything beyond is a clear 400 naming the field. */
import { InvalidRequestError } from '../../errors/index.js';
import type { Size } from '../media-spec.js';

export const maxDimension = 4096;

export function checkSize(size: Size | undefined, fallback: Size, even = false): Size {
  const chosen = size ?? fallback;
  for (const [name, value] of Object.entries(chosen)) {
    if (!Number.isInteger(value) || value < 16 || value > maxDimension) {
      throw new InvalidRequestError(`size.${name} must be an integer from 16 to ${maxDimension}.`, 'size');
    }
  }
  // H.264 in yuv420p needs even dimensions.
  return even ? { width: chosen.width & ~1, height: chosen.height & ~1 } : chosen;
}

export function checkRange(
  value: number | undefined,
  fallback: number,
  field: string,
  min: number,
  max: number,
) {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min || chosen > max) {
    throw new InvalidRequestError(`${field} must be from ${min} to ${max}.`, field);
  }
  return chosen;
}

/**
 * Blob keys are chosen by Atelier, never by users, but a key still becomes a file path (fs) or an object
 * name (s3): anything that could climb out of the store's root or collide with its scratch space is refused.
 */
import { InvalidRequestError } from '../../errors/index.js';

// Segments may not start with a dot: that rules out `.`, `..` and the fs store's own `.tmp` directory.
const segmentPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const maximumKeyLength = 512;

export function assertValidBlobKey(key: string): void {
  const valid =
    key.length > 0 &&
    key.length <= maximumKeyLength &&
    key.split('/').every((segment) => segmentPattern.test(segment));
  if (!valid)
    throw new InvalidRequestError(`Invalid blob key '${key.slice(0, 80)}'.`, 'key', 'invalid_blob_key');
}

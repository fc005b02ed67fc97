/** The errors every blob store driver throws, so callers see the same failure whatever the driver. */
import { AtelierError, NotFoundError } from '../../errors/index.js';

export function payloadTooLargeError(maxBytes: number): AtelierError {
  return new AtelierError(`The upload is larger than the limit of ${maxBytes} bytes.`, {
    status: 413,
    kind: 'payload_too_large',
    code: 'payload_too_large',
    retryable: false,
  });
}

export function missingBlobError(key: string): NotFoundError {
  return new NotFoundError(`No blob stored under '${key}'.`, 'blob_not_found');
}

/** The range starts at or past the end of the object (HTTP 416). */
export function rangeNotSatisfiableError(key: string): AtelierError {
  return new AtelierError(`The requested range is outside the blob '${key}'.`, {
    status: 416,
    kind: 'invalid_request',
    code: 'range_not_satisfiable',
    retryable: false,
  });
}

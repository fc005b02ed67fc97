import { randomBytes } from 'node:crypto';

/** The clock and id source the encoders use, injected so tests can check exact output. */
export interface EncoderEnvironment {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A fresh `chatcmpl-…` id, for results whose upstream gave none. */
  newId(): string;
}

export const systemEnvironment: EncoderEnvironment = {
  now: () => Date.now(),
  newId: () => `chatcmpl-${randomBytes(12).toString('base64url')}`,
};

export function unixSeconds(environment: EncoderEnvironment): number {
  return Math.floor(environment.now() / 1000);
}

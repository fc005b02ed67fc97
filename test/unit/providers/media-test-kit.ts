/** Helpers every vendor's media tests share (the vendor kits re-export them beside their own). */
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { ProviderError } from '../../../src/errors/index.js';
import type { FakeUpstream, RecordedRequest } from '../../fakes/fake-server.js';

export function lastRequest(fake: FakeUpstream): RecordedRequest {
  return fake.requests.at(-1)!;
}

export async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

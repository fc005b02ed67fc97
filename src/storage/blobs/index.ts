export type { BlobStore, ByteRange, StoredBlob } from './blob-store.js';
export { missingBlobError, payloadTooLargeError, rangeNotSatisfiableError } from './blob-errors.js';
export { FsBlobStore } from './fs-blob-store.js';
export type { S3BlobStoreOptions } from './s3-blob-store.js';
export {
  blobStoreConfigFromUrl,
  createBlobStore,
  createBlobStoreFromUrl,
  type BlobStoreConfig,
} from './create-blob-store.js';

export { decideRange, type RangeDecision } from './byte-range.js';
export { normalizeFilename } from './filename.js';
export {
  FileService,
  type CommitFileInput,
  type CreateFileInput,
  type FileAccess,
  type FileObject,
  type StagedFile,
  type StageFileInput,
} from './file-service.js';

export { createDraftProvider, type DraftDependencies } from './draft-provider.js';
export { draftOptionsSchema, type DraftOptions } from './draft-options.js';

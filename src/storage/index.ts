export { openDatabase, type Database, type OpenedDatabase } from './database.js';
export { startAgeRetentionSweep, startRoundedRetentionSweep } from './retention-sweep.js';
export { ApiKeyRepository, type ApiKeyRecord } from './repositories/api-key-repository.js';
export {
  CredentialStateRepository,
  type CredentialStateRecord,
} from './repositories/credential-state-repository.js';
export {
  ProviderRepository,
  type CredentialRecord,
  type ProviderRecord,
} from './repositories/provider-repository.js';
export {
  UsageRepository,
  type UsageGrouping,
  type UsageRecord,
  type UsageSummaryRow,
} from './repositories/usage-repository.js';
export {
  JobRepository,
  type JobEventRow,
  type JobListFilter,
  type JobRow,
} from './repositories/job-repository.js';
export type { JobStatus } from './schema.js';

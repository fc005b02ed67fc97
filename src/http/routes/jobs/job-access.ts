/** Jobs belong to the API key that created them; admin keys see every job. */
import { NotFoundError } from '../../../errors/index.js';
import type { JobService } from '../../../jobs/job-service.js';
import type { Principal } from '../../../security/api-keys.js';
import type { JobRow } from '../../../storage/index.js';

export function canSee(principal: Principal, job: Pick<JobRow, 'api_key_id'>): boolean {
  return principal.role === 'admin' || job.api_key_id === principal.keyId;
}

export async function visibleJob(jobs: JobService, principal: Principal, id: string): Promise<JobRow> {
  const job = await jobs.get(id);
  if (!canSee(principal, job)) throw new NotFoundError(`No job with id '${id}'.`, 'job_not_found', 'id');
  return job;
}

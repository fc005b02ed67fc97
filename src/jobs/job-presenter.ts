/** A job as the API shows it (DESIGN.md's contract): times in unix seconds, progress in percent. */
import type { JobRow } from '../storage/index.js';

export interface JobView {
  id: string;
  object: 'job';
  type: string;
  status: JobRow['status'];
  progress: number;
  progress_message: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  attempts: number;
  max_attempts: number;
  input: unknown;
  output: unknown;
  error: unknown;
}

const seconds = (milliseconds: number | null) =>
  milliseconds === null ? null : Math.floor(milliseconds / 1000);

export function presentJob(job: JobRow): JobView {
  return {
    id: job.id,
    object: 'job',
    type: job.type,
    status: job.status,
    progress: Math.round(job.progress * 1000) / 10,
    progress_message: job.progress_message,
    created_at: seconds(job.created_at)!,
    started_at: seconds(job.started_at),
    finished_at: seconds(job.finished_at),
    attempts: job.attempts,
    max_attempts: job.max_attempts,
    input: JSON.parse(job.input),
    output: job.output === null ? null : JSON.parse(job.output),
    // A retry in progress keeps the last error visible while the job is queued again.
    error: job.error === null ? null : JSON.parse(job.error),
  };
}

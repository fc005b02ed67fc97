/** A job row as clients see it (DESIGN.md): progress in percent, times in unix seconds, JSON parsed. */
import type { JobRow } from '../storage/index.js';

export interface PresentedJob {
  id: string;
  object: 'job';
  type: string;
  status: JobRow['status'];
  progress: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  input: unknown;
  output: unknown;
  error: unknown;
}

function unixSeconds(milliseconds: number | null): number | null {
  return milliseconds === null ? null : Math.floor(milliseconds / 1000);
}

function parsed(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export function presentJob(job: JobRow): PresentedJob {
  return {
    id: job.id,
    object: 'job',
    type: job.type,
    status: job.status,
    progress: Math.round(job.progress * 1000) / 10,
    created_at: Math.floor(job.created_at / 1000),
    started_at: unixSeconds(job.started_at),
    finished_at: unixSeconds(job.finished_at),
    input: parsed(job.input),
    output: parsed(job.output),
    error: parsed(job.error),
  };
}

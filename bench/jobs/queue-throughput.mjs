/**
 * Jobs per second through one queue driver and database: M `media.probe` jobs (the cheapest job type
 * Atelier has — one ffprobe of a tiny uploaded file each) created as fast as possible, timed from the first
 * creation to the last job's finish as recorded in the database. Also ffprobe alone, for comparison.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FormData, Pool } from 'undici';
import {
  countLogProblems,
  log,
  median,
  round,
  sampler,
  sleep,
  startAtelier,
  summarize,
} from './lib/harness.mjs';

/** The arguments Atelier's probe uses (src/media/probe.ts + src/media/media-input.ts), for the comparison. */
export function ffprobeArgs(file) {
  return [
    '-hide_banner',
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    '-protocol_whitelist',
    'file,pipe',
    '-format_whitelist',
    'mov,matroska,avi,flv,mpegts,mp3,aac,wav,ogg,flac,gif,image2,png_pipe,jpeg_pipe,webp_pipe,bmp_pipe',
    '-i',
    file,
  ];
}

function runProcess(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** ffprobe run directly `count` times with `parallel` at once: runs per second. */
export async function measureFfprobe(file, count, parallel) {
  let next = 0;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < count) await runProcess('ffprobe', ffprobeArgs(file));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return { count, parallel, seconds: round(seconds, 2), perSecond: round(count / seconds, 1) };
}

async function uploadFile(pool, headers, file, type) {
  const form = new FormData();
  form.append('purpose', 'media');
  form.append('file', new Blob([readFileSync(file)], { type }), path.basename(file));
  const upload = await pool.request({ path: '/v1/files', method: 'POST', headers, body: form });
  const body = await upload.body.json();
  if (upload.statusCode >= 300)
    throw new Error(`upload failed: ${upload.statusCode} ${JSON.stringify(body)}`);
  return body.id;
}

/**
 * One Atelier per driver/database; two passes of `jobs` media.probe jobs each: on the tiny MP4 (one
 * ffprobe per job), then on a text playlist the job refuses before any process runs — the queue alone.
 */
export async function runQueueThroughput({
  name,
  database,
  redis,
  jobs,
  tinyFile,
  playlistFile,
  tempDir,
  logDir,
}) {
  log(`queue throughput [${name}]: ${jobs} media.probe jobs per pass`);
  const atelier = await startAtelier({ name: `atelier-probe-${name}`, tempDir, logDir, database, redis });
  const pool = new Pool(atelier.baseUrl, { connections: 64 });
  try {
    const mediaId = await uploadFile(pool, atelier.headers, tinyFile, 'video/mp4');
    const playlistId = await uploadFile(pool, atelier.headers, playlistFile, 'text/plain');
    const create = async (fileId) => {
      const response = await pool.request({
        path: '/v1/media/probe',
        method: 'POST',
        headers: { ...atelier.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ input: { file_id: fileId } }),
      });
      const body = await response.body.json();
      if (response.statusCode !== 202)
        throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body).slice(0, 200)}`);
      return body.id;
    };
    const finishedCount = async () =>
      Number(
        (
          await atelier.sql(
            "select count(*) as n from jobs where type = 'media.probe' and status in ('succeeded', 'failed', 'canceled')",
          )
        )[0].n,
      );
    // Warm-up: the toolkit is probed on first use; ten jobs through end to end.
    for (let index = 0; index < 10; index++) await create(mediaId);
    while ((await finishedCount()) < 10) await sleep(100);

    const pass = async (fileId) => {
      const before = await finishedCount();
      const samples = sampler({ atelier: atelier.child.pid, loadgen: process.pid }, 1000);
      const startedAt = Date.now();
      const errors = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next++ < jobs) await create(fileId).catch((error) => errors.push(error.message));
        }),
      );
      const createdAt = Date.now();
      const deadline = Date.now() + 600_000;
      while ((await finishedCount()) < before + jobs - errors.length && Date.now() < deadline)
        await sleep(200);
      const sampled = samples.stop();
      const rows = await atelier.sql(
        `select status, error, created_at, started_at, finished_at from jobs where type = 'media.probe' and created_at >= ${startedAt}`,
      );
      const done = rows.filter((row) => row.finished_at !== null);
      const seconds = (Math.max(...done.map((row) => Number(row.finished_at))) - startedAt) / 1000;
      const result = {
        created: rows.length,
        createErrors: errors.length,
        createErrorSample: errors.slice(0, 3),
        succeeded: rows.filter((row) => row.status === 'succeeded').length,
        failed: rows.filter((row) => row.status === 'failed').length,
        failureSample: rows.find((row) => row.status === 'failed')?.error ?? null,
        createPerSecond: round(rows.length / ((createdAt - startedAt) / 1000), 0),
        seconds: round(seconds, 2),
        jobsPerSecond: round(done.length / seconds, 1),
        endToEndMs: summarize(done.map((row) => Number(row.finished_at) - Number(row.created_at))),
        runMs: median(done.map((row) => Number(row.finished_at) - Number(row.started_at))),
        cpuPercent: sampled.cpuPercent,
        rssMaxMb: sampled.maxRss.atelier,
      };
      log(`[${name}] ${done.length} finished in ${seconds.toFixed(1)} s → ${result.jobsPerSecond} jobs/s`);
      return result;
    };
    const withFfprobe = await pass(mediaId);
    const refused = await pass(playlistId);
    return {
      name,
      database,
      driver: redis ? 'bullmq' : 'embedded',
      jobs,
      probeConcurrency: 8,
      withFfprobe,
      refused,
      logProblems: countLogProblems(atelier.child.output()),
    };
  } finally {
    await pool.destroy().catch(() => undefined);
    await atelier.stop();
  }
}

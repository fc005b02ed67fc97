/**
 * Jobs per second through one queue driver and database: M `media.probe` jobs (the cheapest job type
 * Atelier has — one ffprobe of a tiny uploaded file each) created as fast as possible, timed from the first
 * creation to the last job's finish as recorded in the database. Also ffprobe alone, for comparison.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FormData, Pool } from 'undici';
import { log, median, round, sampler, sleep, startAtelier, summarize } from './lib/harness.mjs';

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

export async function runQueueThroughput({ name, database, redis, jobs, probeConcurrency, tinyFile, tempDir, logDir }) {
  log(`queue throughput [${name}]: ${jobs} media.probe jobs`);
  const atelier = await startAtelier({
    name: `atelier-probe-${name}`,
    tempDir,
    logDir,
    database,
    redis,
    jobsLines: probeConcurrency ? ['[jobs.types."media.probe"]', `concurrency = ${probeConcurrency}`] : [],
  });
  const pool = new Pool(atelier.baseUrl, { connections: 64 });
  const result = { name, database, driver: redis ? 'bullmq' : 'embedded', jobs, probeConcurrency: probeConcurrency ?? 8 };
  try {
    const form = new FormData();
    form.append('purpose', 'media');
    form.append('file', new Blob([readFileSync(tinyFile)], { type: 'video/mp4' }), path.basename(tinyFile));
    const upload = await pool.request({ path: '/v1/files', method: 'POST', headers: atelier.headers, body: form });
    const file = await upload.body.json();
    if (upload.statusCode !== 200 && upload.statusCode !== 201)
      throw new Error(`upload failed: ${upload.statusCode} ${JSON.stringify(file)}`);
    const create = async () => {
      const response = await pool.request({
        path: '/v1/media/probe',
        method: 'POST',
        headers: { ...atelier.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ input: { file_id: file.id } }),
      });
      const body = await response.body.json();
      if (response.statusCode !== 202) throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body).slice(0, 200)}`);
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
    const warm = 10;
    for (let index = 0; index < warm; index++) await create();
    while ((await finishedCount()) < warm) await sleep(100);

    const samples = sampler({ atelier: atelier.child.pid, loadgen: process.pid }, 1000);
    const startedAt = Date.now();
    const errors = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next++ < jobs) await create().catch((error) => errors.push(error.message));
      }),
    );
    const createdAt = Date.now();
    const deadline = Date.now() + 600_000;
    while ((await finishedCount()) < warm + jobs - errors.length && Date.now() < deadline) await sleep(200);
    const sampled = samples.stop();
    const rows = await atelier.sql(
      `select status, created_at, started_at, finished_at from jobs where type = 'media.probe' and created_at >= ${startedAt}`,
    );
    const finished = rows.filter((row) => row.finished_at !== null).map((row) => Number(row.finished_at));
    const lastFinished = Math.max(...finished);
    const seconds = (lastFinished - startedAt) / 1000;
    result.created = rows.length;
    result.createErrors = errors.length;
    result.createErrorSample = errors.slice(0, 3);
    result.succeeded = rows.filter((row) => row.status === 'succeeded').length;
    result.failed = rows.filter((row) => row.status === 'failed').length;
    result.createPerSecond = round(rows.length / ((createdAt - startedAt) / 1000), 0);
    result.seconds = round(seconds, 2);
    result.jobsPerSecond = round(result.succeeded / seconds, 1);
    result.endToEndMs = summarize(rows.filter((row) => row.finished_at !== null).map((row) => Number(row.finished_at) - Number(row.created_at)));
    result.runMs = median(rows.filter((row) => row.finished_at !== null).map((row) => Number(row.finished_at) - Number(row.started_at)));
    result.cpuPercent = sampled.cpuPercent;
    result.rssMaxMb = sampled.maxRss.atelier;
    log(`[${name}] ${result.succeeded} succeeded in ${seconds.toFixed(1)} s → ${result.jobsPerSecond} jobs/s`);
    return result;
  } finally {
    await pool.destroy().catch(() => undefined);
    await atelier.stop();
  }
}

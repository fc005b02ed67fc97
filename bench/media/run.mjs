#!/usr/bin/env node
/**
 * Media benchmark (issue 4): Atelier's overhead on a transcode against the same FFmpeg command run
 * directly (target: under 5 %), and throughput with 1, 2 and 4 jobs at once against as many parallel
 * direct FFmpeg processes.
 *
 *   npm run build && node bench/media/run.mjs    full run: 1080p 20 s input, 5 + 5 timed runs (~7 min)
 *   node bench/media/run.mjs --quick             smoke run: 1080p 5 s input, 2 + 2 runs
 *   --runs N --seconds S --no-readme
 *
 * The direct command is the one Atelier itself ran: its argv is read from /proc while Atelier's first
 * (warm-up) job runs, and replayed with our own input and output paths.
 * Writes bench/media/results/latest.md and latest.json, and (full runs) the media section of bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FormData, Pool } from 'undici';
import {
  benchDir,
  countLogProblems,
  log,
  machineLine,
  median,
  round,
  startAtelier,
  stopAll,
  table,
  updateReadme,
  writeResults,
} from '../jobs/lib/harness.mjs';
import { makeTestClip } from '../lib/test-clip.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
  },
});
const quick = options.quick;
const runs = Number(options.runs ?? (quick ? 2 : 5));
const inputSeconds = Number(options.seconds ?? (quick ? 5 : 20));
const levels = quick ? [1, 2] : [1, 2, 4];
const batch = quick ? 2 : 4; // jobs per throughput level
const transcodeOptions = { format: 'mp4', video_codec: 'h264', resolution: '720p' };
const resultsDir = path.join(benchDir, 'media', 'results');

function makeInput(directory) {
  return makeTestClip(path.join(directory, 'input-1080p.mp4'), {
    size: '1920x1080',
    rate: 30,
    seconds: inputSeconds,
    audio: { sampleRate: 48000 },
    preset: 'veryfast',
  });
}

/** Child processes of Atelier's main thread that are FFmpeg: pid → {argv, firstSeen, lastSeen}. */
function watchChildren(pid) {
  const seen = new Map();
  const timer = setInterval(() => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      return;
    }
    const now = Date.now();
    for (const child of children) {
      const entry = seen.get(child);
      if (entry?.tool) {
        entry.lastSeen = now;
        continue;
      }
      try {
        // Read again until the child has exec'd: between fork and exec it still shows Node's argv.
        const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const tool = ['ffmpeg', 'ffprobe'].includes(path.basename(argv[0] ?? ''))
          ? path.basename(argv[0])
          : undefined;
        if (entry) Object.assign(entry, { argv, tool, lastSeen: now });
        else seen.set(child, { argv, tool, firstSeen: now, lastSeen: now });
      } catch {
        // gone already
      }
    }
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return [...seen.values()].filter((entry) => entry.tool);
    },
  };
}

/** Follows a job's SSE stream until it ends; resolves with the terminal event's type and data. */
async function waitForJob(pool, headers, jobId) {
  const response = await pool.request({
    path: `/v1/jobs/${jobId}/events`,
    method: 'GET',
    headers,
    bodyTimeout: 0,
  });
  response.body.setEncoding('utf8');
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += chunk;
    const match = /event: (job\.(?:succeeded|failed|canceled))\ndata: (.*)\n/.exec(buffer);
    if (match) {
      response.body.destroy();
      return { type: match[1], data: JSON.parse(match[2]) };
    }
  }
  throw new Error(`the event stream of ${jobId} ended without a terminal event`);
}

async function atelierTranscode(atelier, pool, fileId) {
  const startedAt = performance.now();
  const response = await pool.request({
    path: '/v1/media/transcode',
    method: 'POST',
    headers: { ...atelier.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ input: { file_id: fileId }, options: transcodeOptions }),
  });
  const job = await response.body.json();
  if (response.statusCode !== 202)
    throw new Error(`transcode refused: ${response.statusCode} ${JSON.stringify(job)}`);
  const end = await waitForJob(pool, atelier.headers, job.id);
  const wallMs = performance.now() - startedAt;
  if (end.type !== 'job.succeeded')
    throw new Error(`transcode ${end.type}: ${JSON.stringify(end.data).slice(0, 500)}`);
  return { jobId: job.id, wallMs, output: end.data.output };
}

function runFfmpeg(argv) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume(); // -progress pipe:1, read like Atelier reads it
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve({ wallMs: performance.now() - startedAt })
        : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });
}

/** Atelier's FFmpeg argv with our input and a fresh output path in place of its work-directory paths. */
function directCommand(captured, input, output) {
  const argv = [...captured];
  const inputIndex = argv.indexOf('-i') + 1;
  argv[inputIndex] = input;
  argv[argv.length - 1] = output;
  return argv;
}

async function inParallel(count, parallel, work) {
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return performance.now() - startedAt;
}

function render(report) {
  const lines = [];
  lines.push(
    `### Media results — ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (quick run)' : ''}`,
  );
  lines.push('');
  lines.push(`${report.machine}; run took ${report.seconds} s.`);
  lines.push('');
  lines.push(
    `Input: ${report.input.description}. Operation: \`POST /v1/media/transcode\` with \`${JSON.stringify(transcodeOptions)}\` ` +
      '(embedded driver, SQLite, files on the local blob store); Atelier time is from sending the POST to receiving ' +
      "`job.succeeded` on the job's SSE stream. Direct: the same FFmpeg argv Atelier ran, read from /proc, with our paths:",
  );
  lines.push('');
  lines.push('```');
  lines.push(report.command.join(' '));
  lines.push('```');
  lines.push('');
  const overhead = report.overhead;
  lines.push(
    table(
      ['', 'runs', 'median s', 'min s', 'max s'],
      [
        [
          'Atelier (POST → job.succeeded)',
          overhead.atelier.length,
          round(overhead.atelierMedianMs / 1000, 2),
          round(Math.min(...overhead.atelier) / 1000, 2),
          round(Math.max(...overhead.atelier) / 1000, 2),
        ],
        [
          'FFmpeg inside Atelier (process seen in /proc)',
          overhead.ffmpegInside.length,
          round(median(overhead.ffmpegInside) / 1000, 2),
          round(Math.min(...overhead.ffmpegInside) / 1000, 2),
          round(Math.max(...overhead.ffmpegInside) / 1000, 2),
        ],
        [
          'FFmpeg direct',
          overhead.direct.length,
          round(overhead.directMedianMs / 1000, 2),
          round(Math.min(...overhead.direct) / 1000, 2),
          round(Math.max(...overhead.direct) / 1000, 2),
        ],
      ],
    ),
  );
  lines.push('');
  lines.push(
    `**Overhead: ${overhead.percent} %** (${round((overhead.atelierMedianMs - overhead.directMedianMs) / 1000, 2)} s on the median) — ` +
      `target under 5 %: **${overhead.percent < 5 ? 'met' : 'not met'}**. Outside FFmpeg, Atelier spends a median ` +
      `${round(median(overhead.outside) / 1000, 2)} s per job (queue pick-up, ffprobe of the input and of the output, copying the output into ` +
      'the blob store, job events; the input is read in place from the blob store).',
  );
  lines.push('');
  lines.push(
    `**Throughput** — ${report.batch} transcodes per level, that many at once at most (\`[media] concurrency = 4\` so Atelier can run 4; its default is 2):`,
  );
  lines.push('');
  lines.push(
    table(
      ['jobs at once', 'Atelier jobs/min', 'direct FFmpeg jobs/min', 'Atelier / direct'],
      report.throughput.map((level) => [
        level.parallel,
        level.atelierPerMinute,
        level.directPerMinute,
        `${round((level.atelierPerMinute / level.directPerMinute) * 100, 1)} %`,
      ]),
    ),
  );
  lines.push('');
  if (report.logProblems.length) {
    lines.push('Atelier log, warn and above:');
    for (const [line, count] of report.logProblems) lines.push(`- ${count}× \`${line}\``);
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-media-'));
  const logDir = path.join(tempDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const outDir = path.join(tempDir, 'direct');
  mkdirSync(outDir);
  log(`making a 1080p ${inputSeconds} s input`);
  const input = makeInput(tempDir);
  const atelier = await startAtelier({
    name: 'atelier-media',
    tempDir,
    logDir,
    configLines: ['[media]', 'concurrency = 4'],
  });
  const pool = new Pool(atelier.baseUrl, { connections: 16 });
  const report = { startedAt: startedAt.toISOString(), quick, runs, batch, transcodeOptions };
  try {
    const form = new FormData();
    form.append('purpose', 'media');
    form.append('file', new Blob([readFileSync(input)], { type: 'video/mp4' }), 'input-1080p.mp4');
    const upload = await pool.request({
      path: '/v1/files',
      method: 'POST',
      headers: atelier.headers,
      body: form,
    });
    const file = await upload.body.json();
    if (upload.statusCode >= 300) throw new Error(`upload failed: ${JSON.stringify(file)}`);
    report.input = {
      bytes: statSync(input).size,
      description: `1920×1080 30 fps testsrc2 + 440 Hz sine, ${inputSeconds} s, H.264/AAC, ${round(statSync(input).size / 2 ** 20, 1)} MB`,
    };

    // Warm-up: one Atelier job, whose FFmpeg argv becomes the direct command.
    log('warm-up job (captures the FFmpeg command)');
    const watch = watchChildren(atelier.child.pid);
    const warm = await atelierTranscode(atelier, pool, file.id);
    const spawned = watch.stop();
    const ffmpegRun = spawned.find(
      (entry) => entry.tool === 'ffmpeg' && entry.argv.includes('-i') && entry.argv.includes('-map'),
    );
    if (!ffmpegRun)
      throw new Error(
        `did not see Atelier's FFmpeg run; saw ${JSON.stringify(spawned.map((entry) => entry.argv[0]))}`,
      );
    report.capturedArgv = ffmpegRun.argv;
    report.warmUpChildProcesses = spawned.map((entry) => entry.argv.slice(0, 12).join(' '));
    report.warmOutput = warm.output;
    const command = (index) => directCommand(ffmpegRun.argv, input, path.join(outDir, `out-${index}.mp4`));
    report.command = command(0).map((arg) => (/[\s[\];,]/.test(arg) ? `'${arg}'` : arg));
    await runFfmpeg(command(0));

    // Overhead: interleaved, so drifting background load hits both sides alike.
    const overhead = { atelier: [], direct: [], ffmpegInside: [], outside: [] };
    for (let index = 0; index < runs; index++) {
      const watchRun = watchChildren(atelier.child.pid);
      const run = await atelierTranscode(atelier, pool, file.id);
      const processes = watchRun.stop().filter((entry) => entry.tool === 'ffmpeg');
      const inside = processes.reduce((sum, entry) => sum + (entry.lastSeen - entry.firstSeen), 0);
      overhead.atelier.push(run.wallMs);
      overhead.ffmpegInside.push(inside);
      overhead.outside.push(run.wallMs - inside);
      const direct = await runFfmpeg(command(index + 1));
      overhead.direct.push(direct.wallMs);
      log(
        `run ${index + 1}/${runs}: atelier ${(run.wallMs / 1000).toFixed(2)} s (ffmpeg ~${(inside / 1000).toFixed(2)} s), direct ${(direct.wallMs / 1000).toFixed(2)} s`,
      );
    }
    overhead.atelierMedianMs = median(overhead.atelier);
    overhead.directMedianMs = median(overhead.direct);
    overhead.percent = round(
      ((overhead.atelierMedianMs - overhead.directMedianMs) / overhead.directMedianMs) * 100,
      1,
    );
    report.overhead = overhead;

    report.throughput = [];
    for (const parallel of levels) {
      const atelierMs = await inParallel(batch, parallel, () => atelierTranscode(atelier, pool, file.id));
      const directMs = await inParallel(batch, parallel, (index) => runFfmpeg(command(100 + index)));
      const level = {
        parallel,
        jobs: batch,
        atelierSeconds: round(atelierMs / 1000, 2),
        directSeconds: round(directMs / 1000, 2),
        atelierPerMinute: round((batch / atelierMs) * 60_000, 2),
        directPerMinute: round((batch / directMs) * 60_000, 2),
      };
      report.throughput.push(level);
      log(`${parallel} at once: atelier ${level.atelierPerMinute}/min, direct ${level.directPerMinute}/min`);
    }
    report.logProblems = countLogProblems(atelier.child.output());
  } finally {
    await pool.destroy().catch(() => undefined);
    await stopAll();
  }
  report.seconds = round((Date.now() - startedAt.getTime()) / 1000, 0);
  report.loadBefore = loadBefore;
  report.loadAfter = os.loadavg();
  report.machine = machineLine(loadBefore, report.loadAfter);
  const markdown = render(report);
  console.log(markdown);
  writeResults(resultsDir, `${markdown}\n`, report, report.quick ? 'latest-quick' : 'latest');
  if (!quick && !options['no-readme'] && updateReadme('media-results', markdown))
    log('updated the media results in bench/README.md');
  for (const entry of readdirSync(outDir)) rmSync(path.join(outDir, entry), { force: true });
  rmSync(tempDir, { recursive: true, force: true });
}

main().catch(async (error) => {
  log(`failed: ${error.stack ?? error}`);
  await stopAll();
  process.exit(1);
});

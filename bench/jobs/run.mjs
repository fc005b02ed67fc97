#!/usr/bin/env node
/**
 * Jobs benchmark (issue 3): many video jobs in flight against a slow fake with SSE followers — memory,
 * CPU and event latency — per queue driver; then jobs per second through each driver and database.
 *
 *   npm run build && node bench/jobs/run.mjs     full run: 10,000 jobs / 1,000 followers, 1,000 probe jobs per pass (~10 min)
 *   node bench/jobs/run.mjs --quick              smoke run: 1,000 jobs / 100 followers, 200 probe jobs
 *   node bench/jobs/run.mjs --only video         or --only throughput
 *   --jobs N --followers N --seconds S --probe-jobs M --no-readme
 *   node bench/jobs/run.mjs --rerender        the report again from results/latest.json
 *
 * Writes bench/jobs/results/latest.md and latest.json, and (full runs) the jobs results section of
 * bench/README.md. Needs PostgreSQL and Redis on 127.0.0.1 for their cases (skipped loudly otherwise).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchDir,
  log,
  machineLine,
  round,
  servicesAvailable,
  stopAll,
  table,
  updateReadme,
  writeResults,
} from './lib/harness.mjs';
import { measureFfprobe, runQueueThroughput } from './queue-throughput.mjs';
import { runVideoInFlight } from './video-in-flight.mjs';
import { makeTestClip } from '../lib/test-clip.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    jobs: { type: 'string' },
    followers: { type: 'string' },
    seconds: { type: 'string' },
    'probe-jobs': { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
    rerender: { type: 'boolean', default: false },
  },
});
const quick = options.quick;
const videoJobs = Number(options.jobs ?? (quick ? 1000 : 10_000));
const followers = Number(options.followers ?? (quick ? 100 : 1000));
const fakeSeconds = Number(options.seconds ?? (quick ? 10 : 30));
const probeJobs = Number(options['probe-jobs'] ?? (quick ? 200 : 1000));
const resultsDir = path.join(benchDir, 'jobs', 'results');

function makeTinyFile(directory) {
  return makeTestClip(path.join(directory, 'tiny.mp4'), { size: '64x36', rate: 10, seconds: 1, audio: {} });
}

const ms = (summary, key) => (summary?.[key] === undefined ? undefined : Math.round(summary[key]));
const pair = (summary) => (summary?.count ? `${ms(summary, 'p50')} / ${ms(summary, 'p99')}` : '–');

function rssOverTime(result) {
  // One point about every 10 s from the watch loop (which samples every 2 s).
  const points = [];
  let nextT = 0;
  for (const [index, point] of (result.progress ?? []).entries()) {
    if (point.t >= nextT) {
      // The first point's poll rate is an average over the creation phase: not shown.
      const polls = index === 0 ? '' : `, ${point.pollsPerSecond} polls/s`;
      points.push(
        `${Math.round(point.t)} s: ${point.rssMb} MB (${point.running ?? 0} running, ${point.succeeded ?? 0} done${polls})`,
      );
      nextT = point.t + 10;
    }
  }
  return points.join('; ');
}

function render(report) {
  const lines = [];
  lines.push(
    `### Jobs results — ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (quick run)' : ''}`,
  );
  lines.push('');
  lines.push(`${report.machine}; run took ${report.seconds} s.`);
  lines.push('');
  if (report.video.length) {
    const first = report.video[0];
    lines.push(
      `**Video jobs in flight** — ${first.jobs.toLocaleString('en')} \`video.generate\` jobs created with \`POST /v1/videos\` (64 requests in flight), ` +
        `${first.followers.toLocaleString('en')} of them followed on \`GET /v1/jobs/{id}/events\` (one SSE connection each, opened as the job is created). ` +
        `The fake OpenAI Videos API keeps each video \`in_progress\` for ${first.fakeSeconds} s; Atelier polls every 1 s ` +
        '(`video_poll_interval_ms = 1000`), `[jobs.types."video.generate"] concurrency` = the job count.',
    );
    lines.push('');
    const peakKnown = report.video.some((result) => result.peakInFlight !== undefined);
    lines.push(
      table(
        [
          'driver',
          'jobs created',
          'create/s',
          ...(peakKnown ? ['most running at once'] : []),
          'all succeeded after s',
          'succeeded / failed',
          'followers saw succeeded',
          'RSS idle → max → end MB',
          'Atelier CPU % avg',
          'fake CPU %',
          'load gen CPU %',
        ],
        report.video.map((result) => [
          result.label,
          `${result.created}${result.createErrors ? ` (${result.createErrors} errors)` : ''}`,
          result.createPerSecond,
          ...(peakKnown ? [result.peakInFlight] : []),
          result.allSucceededSeconds ?? `not all (last at ${result.lastFinishedSeconds ?? '–'} s)`,
          `${result.statusCounts?.succeeded ?? 0} / ${result.statusCounts?.failed ?? 0}`,
          `${result.followersSawSucceeded} / ${result.followersOpened}${result.followerErrors ? ` (${result.followerErrors} errors)` : ''}`,
          `${result.rssIdleMb} → ${result.rssMaxMb} → ${result.rssAfterMb}`,
          result.cpuPercent?.atelier,
          result.cpuPercent?.fake,
          result.cpuPercent?.loadgen,
        ]),
      ),
    );
    lines.push('');
    lines.push('Latency, p50 / p99 in ms:');
    lines.push('');
    lines.push(
      table(
        [
          'driver',
          'progress event (fake served → follower got it)',
          'succeeded event (fake served `completed` → follower got it)',
          'completed → job row succeeded (all jobs)',
          'poll lateness (fake flipped → Atelier asked)',
          'job created → started',
          'peak polls/s after creation (wanted: jobs/s)',
        ],
        report.video.map((result) => [
          result.label,
          `${pair(result.progressLatencyMs)} (n=${result.progressLatencyMs.count})`,
          `${pair(result.succeededLatencyMs)} (n=${result.succeededLatencyMs.count})`,
          pair(result.completionLagMs),
          pair(result.pollLatenessMs),
          pair(result.startDelayMs),
          `${Math.max(0, ...(result.progress ?? []).slice(1).map((point) => point.pollsPerSecond))} (${result.jobs})`,
        ]),
      ),
    );
    lines.push('');
    for (const result of report.video) lines.push(`- ${result.label}, over time: ${rssOverTime(result)}`);
    lines.push('');
  }
  if (report.throughput.length) {
    lines.push(
      `**Jobs per second** — ${report.throughput[0].jobs.toLocaleString('en')} \`media.probe\` jobs per pass, created with ` +
        '`POST /v1/media/probe` (32 requests in flight) and counted from the first creation to the last `finished_at`. ' +
        'There is no trivial job type, so: **with ffprobe** — on a tiny uploaded MP4 (64×36, 1 s), which ffprobe ' +
        'reads once: the library keeps the facts it found, and later jobs on the file answer from them ' +
        `(\`media.probe\` runs ${report.throughput[0].probeConcurrency} at once, its default); ` +
        '**queue only** — on an uploaded text playlist, which the job refuses (a 400 `unsupported_input` failure) before ' +
        'any process runs: claim, input check, failure recorded, events — the driver and database alone.',
    );
    lines.push('');
    const rows = [];
    for (const result of report.throughput) {
      for (const [kind, pass] of [
        ['with ffprobe', result.withFfprobe],
        ['queue only (refused input)', result.refused],
      ]) {
        rows.push([
          result.label,
          kind,
          `${pass.succeeded} / ${pass.failed}${pass.createErrors ? ` (${pass.createErrors} create errors)` : ''}`,
          pass.createPerSecond,
          `**${pass.jobsPerSecond}**`,
          pair(pass.endToEndMs),
          pass.runMs,
          pass.cpuPercent?.atelier,
          pass.rssMaxMb,
        ]);
      }
    }
    lines.push(
      table(
        [
          'driver / database',
          'jobs',
          'succeeded / failed',
          'create/s',
          'jobs/s',
          'created → finished p50 / p99 ms',
          'run median ms',
          'Atelier CPU %',
          'RSS max MB',
        ],
        rows,
      ),
    );
    lines.push('');
    if (report.ffprobe.length) {
      lines.push(
        `ffprobe alone on the same MP4 with the same arguments: ${report.ffprobe
          .map((entry) => `${entry.perSecond}/s with ${entry.parallel} at once`)
          .join(', ')} — what \`media.probe\` jobs would be held to if every one ran it.`,
      );
      lines.push('');
    }
  }
  if (report.skipped.length) {
    for (const skipped of report.skipped) lines.push(`- **SKIPPED** ${skipped}`);
    lines.push('');
  }
  const problems = [...report.video, ...report.throughput].flatMap((result) =>
    (result.logProblems ?? []).map(([line, count]) => `${result.label}: ${count}× \`${line}\``),
  );
  if (problems.length) {
    lines.push('Atelier log, warn and above:');
    lines.push('');
    for (const problem of problems) lines.push(`- ${problem}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-jobs-'));
  const logDir = path.join(tempDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const services = await servicesAvailable();
  const report = {
    startedAt: startedAt.toISOString(),
    quick,
    video: [],
    throughput: [],
    ffprobe: [],
    skipped: [],
  };
  const missing = (need) => need.filter((service) => !services[service]);
  try {
    if (options.only !== 'throughput') {
      const cases = [
        { name: 'embedded-sqlite', label: 'embedded / SQLite', database: 'sqlite', redis: false, needs: [] },
        {
          name: 'bullmq-postgres',
          label: 'BullMQ / PostgreSQL',
          database: 'postgres',
          redis: true,
          needs: ['postgres', 'redis'],
        },
      ];
      for (const entry of cases) {
        if (missing(entry.needs).length) {
          report.skipped.push(
            `video jobs ${entry.label}: ${missing(entry.needs).join(' and ')} not reachable`,
          );
          continue;
        }
        const result = await runVideoInFlight({
          ...entry,
          jobs: videoJobs,
          followers,
          seconds: fakeSeconds,
          timeoutSeconds: quick ? 120 : 240,
          tempDir,
          logDir,
        });
        report.video.push({ ...result, label: entry.label });
      }
    }
    if (options.only !== 'video') {
      const tinyFile = makeTinyFile(tempDir);
      const playlistFile = path.join(tempDir, 'list.m3u8');
      writeFileSync(playlistFile, '#EXTM3U\n#EXTINF:1,\nsegment.ts\n');
      const cases = [
        { name: 'embedded-sqlite', label: 'embedded / SQLite', database: 'sqlite', redis: false, needs: [] },
        {
          name: 'embedded-postgres',
          label: 'embedded / PostgreSQL',
          database: 'postgres',
          redis: false,
          needs: ['postgres'],
        },
        {
          name: 'bullmq-postgres',
          label: 'BullMQ / PostgreSQL',
          database: 'postgres',
          redis: true,
          needs: ['postgres', 'redis'],
        },
      ];
      for (const entry of cases) {
        if (missing(entry.needs).length) {
          report.skipped.push(
            `probe jobs ${entry.label}: ${missing(entry.needs).join(' and ')} not reachable`,
          );
          continue;
        }
        const result = await runQueueThroughput({
          ...entry,
          jobs: probeJobs,
          tinyFile,
          playlistFile,
          tempDir,
          logDir,
        });
        report.throughput.push({ ...result, label: entry.label });
      }
      const ffprobeRuns = quick ? 100 : 400;
      report.ffprobe.push(await measureFfprobe(tinyFile, ffprobeRuns, 1));
      report.ffprobe.push(await measureFfprobe(tinyFile, ffprobeRuns, 8));
    }
  } finally {
    await stopAll();
  }
  report.seconds = round((Date.now() - startedAt.getTime()) / 1000, 0);
  report.loadBefore = loadBefore;
  report.loadAfter = os.loadavg();
  report.machine = machineLine(loadBefore, report.loadAfter);
  const markdown = render(report);
  console.log(markdown);
  writeResults(resultsDir, `${markdown}\n`, report, report.quick ? 'latest-quick' : 'latest');
  if (!quick && !options['no-readme'] && !options.only && updateReadme('jobs-results', markdown)) {
    log('updated the jobs results in bench/README.md');
  }
  rmSync(tempDir, { recursive: true, force: true });
}

/** --rerender: the report again from results/latest.json (after a change to the report's layout). */
function rerender() {
  const report = JSON.parse(readFileSync(path.join(resultsDir, 'latest.json'), 'utf8'));
  const markdown = render(report);
  console.log(markdown);
  writeResults(resultsDir, `${markdown}\n`, report, report.quick ? 'latest-quick' : 'latest');
  if (!report.quick && !options['no-readme'] && updateReadme('jobs-results', markdown))
    log('updated bench/README.md');
}

(options.rerender ? Promise.resolve().then(rerender) : main()).catch(async (error) => {
  log(`failed: ${error.stack ?? error}`);
  await stopAll();
  process.exit(1);
});

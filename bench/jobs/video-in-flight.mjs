/**
 * Many video jobs in flight at once against the slow fake (fake-videos.mjs), with SSE followers:
 * creation rate, Atelier's memory and CPU over time, event latency (fake served a state → follower got
 * the event), how late Atelier polled, and the time until every job succeeded.
 */
import path from 'node:path';
import os from 'node:os';
import { Pool } from 'undici';
import {
  benchDir,
  log,
  portOf,
  readRssMb,
  readTicks,
  round,
  sampler,
  sleep,
  start,
  startAtelier,
  stopChild,
  summarize,
  countLogProblems,
} from './lib/harness.mjs';

const model = 'sora-2';

/** Parses an SSE byte stream into events, stamping each with the time its chunk arrived. */
async function follow(pool, headers, jobId, record) {
  const response = await pool.request({
    path: `/v1/jobs/${jobId}/events`,
    method: 'GET',
    headers,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  if (response.statusCode !== 200) {
    record.error = `HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 200)}`;
    return;
  }
  record.openedAt = Date.now();
  let buffer = '';
  response.body.setEncoding('utf8');
  for await (const chunk of response.body) {
    const at = Date.now();
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type;
      let data;
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data = line.slice(6);
      }
      if (type && data) record.events.push({ type, data: JSON.parse(data), at });
    }
  }
  record.closedAt = Date.now();
}

/** Runs `work(index)` for 0…count-1 with at most `parallel` running at once. */
async function forEachParallel(count, parallel, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export async function runVideoInFlight({
  name,
  database,
  redis,
  jobs,
  followers,
  seconds,
  timeoutSeconds,
  tempDir,
  logDir,
}) {
  log(`video in flight [${name}]: ${jobs} jobs, ${followers} followers, fake takes ${seconds} s`);
  const fake = start(
    'fake-videos',
    process.execPath,
    [path.join(benchDir, 'jobs', 'fake-videos.mjs'), '--seconds', String(seconds)],
    {
      logFile: path.join(logDir, `fake-videos-${name}.log`),
    },
  );
  const fakePort = await portOf(fake);
  const fakeUrl = `http://127.0.0.1:${fakePort}`;
  const atelier = await startAtelier({
    name: `atelier-video-${name}`,
    tempDir,
    logDir,
    database,
    redis,
    jobsLines: ['[jobs.types."video.generate"]', `concurrency = ${jobs}`],
    configLines: [
      '[[providers]]',
      'id = "fake"',
      'type = "openai"',
      `base_url = "${fakeUrl}/v1"`,
      `models = ["${model}"]`,
      'options = { video_poll_interval_ms = 1000 }',
      '  [[providers.credentials]]',
      '  api_key = "sk-bench"',
    ],
  });
  const pid = atelier.child.pid;
  const result = {
    name,
    database,
    driver: redis ? 'bullmq' : 'embedded',
    jobs,
    followers,
    fakeSeconds: seconds,
  };
  const fakePool = new Pool(fakeUrl, { connections: 4 });
  const createPool = new Pool(atelier.baseUrl, { connections: 64, pipelining: 1 });
  const followPool = new Pool(atelier.baseUrl, { connections: followers + 16, pipelining: 1 });
  const fakeStats = async () =>
    await (await fakePool.request({ path: '/bench/stats', method: 'GET' })).body.json();
  try {
    await sleep(1000);
    result.rssIdleMb = round(readRssMb(pid), 1);
    const samples = sampler({ atelier: pid, fake: fake.pid, loadgen: process.pid }, 1000);
    const tag = Math.random().toString(36).slice(2, 8);
    const jobIdByPrompt = new Map();
    const followed = [];
    const followerDone = [];
    const createErrors = [];
    const every = Math.max(1, Math.floor(jobs / Math.max(1, followers)));
    const startedAt = Date.now();
    let lastCreatedAt = startedAt;
    await forEachParallel(jobs, 64, async (index) => {
      const prompt = `bench ${tag} #${index}`;
      try {
        const response = await createPool.request({
          path: '/v1/videos',
          method: 'POST',
          headers: { ...atelier.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ model, prompt, seconds: 4 }),
        });
        const body = await response.body.json();
        if (response.statusCode >= 300) {
          createErrors.push(`HTTP ${response.statusCode}: ${JSON.stringify(body).slice(0, 200)}`);
          return;
        }
        jobIdByPrompt.set(prompt, body.id);
        lastCreatedAt = Date.now();
        if (index % every === 0 && followed.length < followers) {
          const record = { jobId: body.id, prompt, events: [] };
          followed.push(record);
          followerDone.push(
            follow(followPool, atelier.headers, body.id, record).catch((error) => {
              record.error = error.message;
            }),
          );
        }
      } catch (error) {
        createErrors.push(error.message);
      }
    });
    const createSeconds = (lastCreatedAt - startedAt) / 1000;
    result.created = jobIdByPrompt.size;
    result.createErrors = createErrors.length;
    result.createErrorSample = createErrors.slice(0, 3);
    result.createSeconds = round(createSeconds, 2);
    result.createPerSecond = round(jobIdByPrompt.size / createSeconds, 0);
    log(
      `[${name}] created ${jobIdByPrompt.size} in ${createSeconds.toFixed(1)} s (${createErrors.length} errors)`,
    );

    // Watch until every job is finished (or the time budget runs out).
    const progress = [];
    const deadline = Date.now() + timeoutSeconds * 1000;
    // The first point's rate covers the creation phase too: start counting from now.
    let previousPolls = (await fakeStats()).polls;
    let previousTime = Date.now();
    let finished = 0;
    while (Date.now() < deadline) {
      await sleep(2000);
      const counts = Object.fromEntries(
        (
          await atelier.sql(
            "select status, count(*) as n from jobs where type = 'video.generate' group by status",
          )
        ).map((row) => [row.status, Number(row.n)]),
      );
      const stats = await fakeStats();
      const now = Date.now();
      const point = {
        t: round((now - startedAt) / 1000, 1),
        ...counts,
        pollsPerSecond: Math.round((stats.polls - previousPolls) / ((now - previousTime) / 1000)),
        rssMb: samples.series.at(-1)?.rss.atelier,
        cpu: samples.series.at(-1)?.cpu.atelier,
      };
      previousPolls = stats.polls;
      previousTime = now;
      progress.push(point);
      finished = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0);
      log(`[${name}] ${JSON.stringify(point)}`);
      if (finished >= jobIdByPrompt.size) break;
    }
    result.timedOut = finished < jobIdByPrompt.size;
    await sleep(3000);
    const sampled = samples.stop();
    result.rssAfterMb = round(readRssMb(pid), 1);
    result.rssMaxMb = sampled.maxRss.atelier;
    result.cpuPercent = sampled.cpuPercent;
    result.rssSeries = sampled.series.map((point) => [point.t, point.rss.atelier, point.cpu.atelier]);
    result.progress = progress;
    result.atelierCpuSeconds = round((readTicks(pid) ?? 0) / 100, 1);

    // Job timestamps from the database: all jobs, not only the followed ones.
    const rows = await atelier.sql(
      "select id, status, input, created_at, started_at, finished_at from jobs where type = 'video.generate'",
    );
    const videos = await (await fakePool.request({ path: '/bench/videos', method: 'GET' })).body.json();
    const videoByPrompt = new Map(videos.map((video) => [video.prompt, video]));
    const statusCounts = {};
    const startDelays = [];
    const completionLags = [];
    const pollLateness = [];
    let lastFinished = 0;
    for (const row of rows) {
      statusCounts[row.status] = (statusCounts[row.status] ?? 0) + 1;
      const created = Number(row.created_at);
      if (row.started_at !== null) startDelays.push(Number(row.started_at) - created);
      if (row.finished_at !== null) lastFinished = Math.max(lastFinished, Number(row.finished_at));
      const video = videoByPrompt.get(JSON.parse(row.input).prompt);
      if (video?.completed) {
        pollLateness.push(video.completed - (video.created + seconds * 1000));
        if (row.status === 'succeeded') completionLags.push(Number(row.finished_at) - video.completed);
      }
    }
    result.statusCounts = statusCounts;
    result.peakInFlight = peakOverlap(rows);
    result.allSucceededSeconds =
      statusCounts.succeeded === jobs ? round((lastFinished - startedAt) / 1000, 1) : undefined;
    result.lastFinishedSeconds = lastFinished ? round((lastFinished - startedAt) / 1000, 1) : undefined;
    result.startDelayMs = summarize(startDelays);
    result.completionLagMs = summarize(completionLags);
    result.pollLatenessMs = summarize(pollLateness);
    const fakeFinal = await fakeStats();
    result.fake = fakeFinal;

    // Event latency for the followed jobs.
    const progressLatency = [];
    const succeededLatency = [];
    let followerErrors = 0;
    let followersComplete = 0;
    let eventsReceived = 0;
    await Promise.race([Promise.all(followerDone), sleep(5000)]);
    for (const record of followed) {
      if (record.error) followerErrors++;
      eventsReceived += record.events.length;
      const video = videoByPrompt.get(record.prompt);
      if (record.events.some((event) => event.type === 'job.succeeded')) followersComplete++;
      if (!video) continue;
      const seen = new Set();
      for (const event of record.events) {
        if (event.type === 'job.progress' && event.data.message === 'in progress') {
          const percent = Math.round(event.data.progress / 0.94);
          const served = video.progress[percent];
          if (served === undefined || seen.has(percent)) continue;
          seen.add(percent);
          // Events replayed from history on connect are not live deliveries.
          if (record.openedAt !== undefined && served < record.openedAt) continue;
          progressLatency.push(event.at - served);
        }
        if (event.type === 'job.succeeded' && video.completed)
          succeededLatency.push(event.at - video.completed);
      }
    }
    result.followersOpened = followed.length;
    result.followerErrors = followerErrors;
    result.followerErrorSample = followed
      .filter((record) => record.error)
      .slice(0, 3)
      .map((record) => record.error);
    result.followersSawSucceeded = followersComplete;
    result.eventsReceived = eventsReceived;
    result.progressLatencyMs = summarize(progressLatency);
    result.succeededLatencyMs = summarize(succeededLatency);
    const atelierLog = atelier.child.output();
    result.logProblems = countLogProblems(atelierLog);
    result.loadAverageAfter = os.loadavg();
    return result;
  } finally {
    await Promise.allSettled([createPool.destroy(), followPool.destroy(), fakePool.destroy()]);
    await atelier.stop();
    await stopChild(fake);
  }
}

/** The most jobs running at the same moment, from their started_at/finished_at. */
function peakOverlap(rows) {
  const edges = [];
  for (const row of rows) {
    if (row.started_at === null) continue;
    edges.push([Number(row.started_at), 1]);
    if (row.finished_at !== null) edges.push([Number(row.finished_at), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, change] of edges) {
    running += change;
    peak = Math.max(peak, running);
  }
  return peak;
}

#!/usr/bin/env node
/**
 * A fixed-rate load generator (wrk2 is not packaged in Debian): sends POST requests at a steady rate over an
 * undici Pool and records each request's latency, so two targets can be compared at the same offered load.
 *
 * Usage: node bench/paced-load.mjs --url URL --rate 500 --seconds 10 [--warmup 2] [--stream] [--header "name: value"]...
 * Prints one JSON object on stdout: counts and latency percentiles in milliseconds.
 *
 * - the first `--warmup` seconds are sent at the same rate over the same pool and not recorded: what is measured
 *   is the steady state, not the generator's own start (its JIT warming up, its pool opening connections).
 * - `latency` is measured from the moment the request is handed to the pool to the last byte of the body.
 * - `latency_from_schedule` is measured from the moment the request was due (corrects coordinated omission:
 *   if the generator or the target stalls, the wait counts).
 * - with --stream, `first_byte` is the time to the first body chunk and each body is checked to hold exactly
 *   one `data: [DONE]`.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    stream: { type: 'boolean', default: false },
    header: { type: 'string', multiple: true, default: [] },
    model: { type: 'string', default: 'gpt-bench' },
  },
});
if (!values.url) {
  console.error(
    'usage: node bench/paced-load.mjs --url URL [--rate 500] [--seconds 10] [--stream] [--header "k: v"]',
  );
  process.exit(2);
}

const url = new URL(values.url);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const intervalNs = 1e9 / rate;
const headers = { 'content-type': 'application/json' };
for (const line of values.header) {
  const at = line.indexOf(':');
  headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
}
const body = JSON.stringify({
  model: values.model,
  messages: [{ role: 'user', content: 'Say hello.' }],
  ...(values.stream ? { stream: true } : {}),
});

const pool = new Pool(url.origin, {
  connections: Number(values.connections),
  pipelining: 1,
  keepAliveTimeout: 30_000,
});
const latency = [];
const fromSchedule = [];
const firstByte = [];
const statuses = {};
let failures = 0;
let malformed = 0;
let firstFailure;

async function one(dueNs, record) {
  const sentNs = process.hrtime.bigint();
  try {
    const response = await pool.request({ path: url.pathname, method: 'POST', headers, body });
    let first;
    let text = '';
    for await (const chunk of response.body) {
      first ??= process.hrtime.bigint();
      if (values.stream) text += chunk.toString('utf8');
    }
    const endNs = process.hrtime.bigint();
    if (!record) return;
    statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    if (response.statusCode !== 200) {
      failures++;
      firstFailure ??= `HTTP ${response.statusCode}`;
      return;
    }
    latency.push(Number(endNs - sentNs) / 1e6);
    fromSchedule.push(Number(endNs - dueNs) / 1e6);
    if (values.stream) {
      firstByte.push(Number((first ?? endNs) - sentNs) / 1e6);
      if (text.split('data: [DONE]').length !== 2) malformed++;
    }
  } catch (error) {
    if (!record) return;
    failures++;
    firstFailure ??= String(error?.message ?? error);
  }
}

let lateMaxMs = 0;

/** Sends `seconds` worth of requests at the rate, each when it is due; resolves when every answer is in. */
async function phase(seconds, record) {
  const total = Math.round(rate * seconds);
  const startNs = process.hrtime.bigint() + 5_000_000n;
  const inFlight = new Set();
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      while (sent < total) {
        const dueNs = startNs + BigInt(Math.round(sent * intervalNs));
        if (dueNs > now) break;
        if (record) lateMaxMs = Math.max(lateMaxMs, Number(now - dueNs) / 1e6);
        sent++;
        const promise = one(dueNs, record).finally(() => inFlight.delete(promise));
        inFlight.add(promise);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  return { sent, elapsedS: Number(process.hrtime.bigint() - startNs) / 1e9 };
}

if (warmupSeconds > 0) await phase(warmupSeconds, false);
const { sent, elapsedS } = await phase(seconds, true);
await pool.close();

function percentiles(samples) {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const round = (value) => Math.round(value * 1000) / 1000;
  return {
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    p999: round(at(99.9)),
    max: round(sorted.at(-1)),
  };
}

process.stdout.write(
  `${JSON.stringify({
    url: values.url,
    stream: values.stream,
    rate,
    warmup_seconds: warmupSeconds,
    sent,
    ok: latency.length,
    failures,
    first_failure: firstFailure ?? null,
    malformed,
    statuses,
    achieved_rps: Math.round(sent / elapsedS),
    generator_max_lateness_ms: Math.round(lateMaxMs * 1000) / 1000,
    latency: percentiles(latency),
    latency_from_schedule: percentiles(fromSchedule),
    first_byte: values.stream ? percentiles(firstByte) : null,
  })}\n`,
);

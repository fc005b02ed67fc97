/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are inspected structurally */
/** The jobs API over HTTP: read, list, cancel, retry, SSE with resumption, the WebSocket, and ownership. */
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeServerSentEvents, type ServerSentEvent } from '../../../src/protocols/sse.js';
import { adminKey, adminRequest, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createTestJobHandler, newObservations } from '../../support/test-job-handler.js';

let harness: Harness;
let userKey: string;
let userKeyId: string;
const observations = newObservations();

beforeAll(async () => {
  harness = await startHarness({
    setup: (application) => application.jobs.handlers.register(createTestJobHandler(observations)),
  });
  const created = await adminRequest(harness, 'POST', '/admin/api/keys', { name: 'user', role: 'user' });
  userKey = created.body!.key as string;
  userKeyId = created.body!.id as string;
});
afterAll(async () => harness?.close());

const create = (input: Record<string, unknown>, apiKeyId: string | null = userKeyId) =>
  harness.application.jobs.service
    .create({ type: 'test.work', input, apiKeyId })
    .then((result) => result.job);

async function get(path: string, key = userKey) {
  const response = await fetch(`${harness.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function readEvents(path: string, headers: Record<string, string> = {}): Promise<ServerSentEvent[]> {
  const response = await fetch(`${harness.url}${path}`, {
    headers: { authorization: `Bearer ${userKey}`, ...headers },
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: ServerSentEvent[] = [];
  for await (const event of decodeServerSentEvents(response.body as unknown as AsyncIterable<Buffer>))
    events.push(event);
  return events;
}

describe('jobs API', () => {
  it('shows a job in the contract shape as it runs to the end', async () => {
    const job = await create({ label: 'shape', steps: 3, sleepMs: 300 });
    await harness.application.jobs.service.waitForEnd(job.id, AbortSignal.timeout(10_000));
    const { status, body } = await get(`/v1/jobs/${job.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: job.id,
      object: 'job',
      type: 'test.work',
      status: 'succeeded',
      progress: 100,
      error: null,
    });
    expect(body.output).toMatchObject({ label: 'shape' });
    expect(body.input).toMatchObject({ label: 'shape', steps: 3 });
    for (const key of ['created_at', 'started_at', 'finished_at']) expect(typeof body[key]).toBe('number');
  });

  it('streams events as SSE, and resumes after Last-Event-ID', async () => {
    const job = await create({ label: 'sse', steps: 4, sleepMs: 400 });
    const events = await readEvents(`/v1/jobs/${job.id}/events`);
    const types = events.map((event) => event.event);
    expect(types[0]).toBe('job.queued');
    expect(types).toContain('job.started');
    expect(types).toContain('job.progress');
    expect(types.at(-1)).toBe('job.succeeded');
    const middle = events[1]!;
    const resumed = await readEvents(`/v1/jobs/${job.id}/events`, { 'last-event-id': middle.id! });
    expect(resumed.map((event) => event.id)).toEqual(events.slice(2).map((event) => event.id));
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ job_id: job.id, type: 'job.succeeded' });
  });

  it('cancels and retries over HTTP', async () => {
    const job = await create({ label: 'http-cancel', sleepMs: 10_000 });
    await expect.poll(() => observations.started, { timeout: 5_000 }).toContain('http-cancel');
    const canceled = await fetch(`${harness.url}/v1/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(((await canceled.json()) as { status: string }).status).toBe('canceled');
    const again = await fetch(`${harness.url}/v1/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(again.status).toBe(200);
    const retried = await fetch(`${harness.url}/v1/jobs/${job.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(retried.status).toBe(200);
    const done = await fetch(`${harness.url}/v1/jobs/${job.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect([200, 409]).toContain(done.status);
  });

  it("lists with filters and pagination, and hides other keys' jobs", async () => {
    const foreign = await create({ label: 'foreign' }, null);
    const { body } = await get('/v1/jobs?limit=2&type=test.work');
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(2);
    expect(body.has_more).toBe(true);
    const next = await get(`/v1/jobs?limit=100&after=${body.last_id}`);
    const seen = [...body.data, ...next.body.data].map((job: { id: string }) => job.id);
    expect(seen).not.toContain(foreign.id);
    expect((await get(`/v1/jobs/${foreign.id}`)).status).toBe(404);
    expect((await get(`/v1/jobs/${foreign.id}`, adminKey)).status).toBe(200);
    const bad = await get('/v1/jobs?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status/);
  });

  it('follows several jobs over one WebSocket', async () => {
    const jobs = [
      await create({ label: 'ws1', steps: 2, sleepMs: 300 }),
      await create({ label: 'ws2', steps: 2, sleepMs: 300 }),
    ];
    const socket = new WebSocket(`${harness.url.replace('http', 'ws')}/v1/ws?key=${userKey}`);
    const messages: Array<Record<string, any>> = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'subscribe', job_ids: jobs.map((job) => job.id) }));
    await expect
      .poll(
        () =>
          jobs.every((job) =>
            messages.some((message) => message.job_id === job.id && message.event === 'job.succeeded'),
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(messages.filter((message) => message.type === 'job')).toHaveLength(2);
    socket.send('not json');
    await expect.poll(() => messages.some((message) => message.type === 'error')).toBe(true);
    socket.close();
  });

  it('404 for an unknown job, 401 without a key', async () => {
    expect((await get('/v1/jobs/job_nope')).status).toBe(404);
    expect((await fetch(`${harness.url}/v1/jobs`)).status).toBe(401);
  });
});

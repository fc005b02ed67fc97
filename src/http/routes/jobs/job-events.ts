/**
 * GET /v1/jobs/{id}/events — a job's events as server-sent events. The history is replayed first (from
 * after `Last-Event-ID` when the client reconnects), then live events follow until the job ends. Comments
 * every 15 s keep idle proxies from cutting the stream.
 */
import type { FastifyInstance } from 'fastify';
import type { JobEvent } from '../../../jobs/job-events.js';
import { terminalEventTypes } from '../../../jobs/job-events.js';
import type { JobService } from '../../../jobs/job-service.js';
import { encodeServerSentEvent } from '../../../protocols/sse.js';
import { visibleJob } from './job-access.js';

const keepAliveMs = 15_000;

function lastEventId(header: unknown, query: unknown): number {
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : '0';
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

export function registerJobEvents(app: FastifyInstance, jobs: JobService): void {
  app.get<{ Params: { id: string }; Querystring: { last_event_id?: string } }>(
    '/v1/jobs/:id/events',
    async (request, reply) => {
      const job = await visibleJob(jobs, request.principal, request.params.id);
      let cursor = lastEventId(request.headers['last-event-id'], request.query.last_event_id);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\n\n');
      let closed = false;
      let finish: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => (finish = resolve));
      const send = (event: { id: number; type: string; data: unknown }) => {
        if (closed || event.id <= cursor) return;
        cursor = event.id;
        raw.write(
          encodeServerSentEvent({
            id: String(event.id),
            event: event.type,
            data: JSON.stringify(event.data),
          }),
        );
        if (terminalEventTypes.has(event.type as JobEvent['type'])) finish();
      };
      // Subscribe before replaying so nothing falls between the history and the live feed.
      const buffered: JobEvent[] = [];
      let replaying = true;
      const unsubscribe = jobs.subscribe((event) => {
        if (event.jobId !== job.id) return;
        if (replaying) buffered.push(event);
        else send(eventView(event));
      });
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
      raw.on('close', () => {
        closed = true;
        finish();
      });
      try {
        for (const stored of await jobs.eventsAfter(job.id, cursor)) {
          send({
            id: stored.id,
            type: stored.type,
            data: eventData(job.id, stored.type, JSON.parse(stored.data)),
          });
        }
        replaying = false;
        for (const event of buffered) send(eventView(event));
        const current = await jobs.get(job.id);
        if (['succeeded', 'failed', 'canceled'].includes(current.status)) finish();
        await ended;
      } finally {
        unsubscribe();
        clearInterval(keepAlive);
        if (!closed) raw.end();
      }
      return reply;
    },
  );
}

function eventData(jobId: string, type: string, data: Record<string, unknown>) {
  return { job_id: jobId, type, ...data };
}

function eventView(event: JobEvent) {
  return { id: event.id, type: event.type, data: eventData(event.jobId, event.type, event.data) };
}

/**
 * GET /v1/ws — a WebSocket to follow many jobs at once.
 *   client → {"type":"subscribe","job_ids":["job_…"]} | {"type":"unsubscribe","job_ids":[…]}
 *            | {"type":"subscribe","all":true}   (every job the key may see)
 *   server → {"type":"job","job":{…}}             (a snapshot on subscribe)
 *            {"type":"event","id":n,"event":"job.progress","job_id":"job_…","data":{…}}
 *            {"type":"error","message":"…"}
 * Authentication as on every route: Authorization header, or ?key= for browsers.
 */
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import * as z from 'zod';
import { presentJob } from '../../../jobs/job-presenter.js';
import type { JobService } from '../../../jobs/job-service.js';
import { canSee } from './job-access.js';

const messageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    job_ids: z.array(z.string().min(1)).max(1_000).optional(),
    all: z.boolean().optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), job_ids: z.array(z.string().min(1)).max(1_000) }),
]);

const maximumFollowed = 10_000;

export function registerJobSocket(app: FastifyInstance, jobs: JobService): void {
  app.get('/v1/ws', { websocket: true }, (socket: WebSocket, request) => {
    const principal = request.principal;
    const followed = new Set<string>();
    const owners = new Map<string, string | null>();
    let all = false;
    const send = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const unsubscribe = jobs.subscribe((event) => {
      if (!all && !followed.has(event.jobId)) return;
      if (all && !followed.has(event.jobId) && principal.role !== 'admin') {
        // Learn the owner once per job, then filter cheaply.
        if (!owners.has(event.jobId)) {
          void jobs.get(event.jobId).then(
            (job) => {
              owners.set(event.jobId, job.api_key_id);
              if (canSee(principal, job)) send(eventMessage(event));
            },
            () => undefined,
          );
          return;
        }
        if (owners.get(event.jobId) !== principal.keyId) return;
      }
      send(eventMessage(event));
    });
    socket.on('message', (raw) => {
      let parsed;
      try {
        parsed = messageSchema.safeParse(JSON.parse(String(raw)));
      } catch {
        return send({ type: 'error', message: 'Messages must be JSON.' });
      }
      if (!parsed.success)
        return send({ type: 'error', message: `Invalid message: ${parsed.error.issues[0]!.message}` });
      const message = parsed.data;
      if (message.type === 'unsubscribe') {
        for (const id of message.job_ids) followed.delete(id);
        return;
      }
      if (message.all) all = true;
      for (const id of message.job_ids ?? []) {
        if (followed.size >= maximumFollowed)
          return send({ type: 'error', message: `At most ${maximumFollowed} jobs per socket.` });
        void jobs.get(id).then(
          (job) => {
            if (!canSee(principal, job)) return send({ type: 'error', message: `No job with id '${id}'.` });
            followed.add(id);
            send({ type: 'job', job: presentJob(job) });
          },
          () => send({ type: 'error', message: `No job with id '${id}'.` }),
        );
      }
    });
    socket.on('close', unsubscribe);
  });
}

function eventMessage(event: { id: number; type: string; jobId: string; data: Record<string, unknown> }) {
  return { type: 'event', id: event.id, event: event.type, job_id: event.jobId, data: event.data };
}

import type { FastifyInstance } from 'fastify';
import { page } from './html.js';

/**
 * The live-stream link the API hands out (`live_link` = /s/{code}), so that it leads somewhere. The
 * meeting link (`url` = /j/{meeting_no}) is the meeting page (meeting.routes.ts).
 */
export function linkPages(app: FastifyInstance): void {
  app.get('/s/:code', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(page('Live stream', '<h1>Live stream</h1><p>This meeting is not being streamed.</p>')),
  );
}

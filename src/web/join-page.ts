import type { FastifyInstance } from 'fastify';
import { esc, page } from './html.js';

/**
 * The targets of the links the API hands out (`url` = /j/{meeting_no}, `live_link` = /s/{code}), so
 * that they lead somewhere: a page naming the meeting and how to join it. The in-browser meeting
 * (audio, video, share) is the meeting page's job.
 */
export function linkPages(app: FastifyInstance): void {
  app.get('/j/:meeting_no', { schema: { hide: true } }, async (req, reply) => {
    const no = (req.params as { meeting_no: string }).meeting_no;
    if (!/^[0-9]{9}$/.test(no)) return reply.status(404).type('text/plain; charset=utf-8').send('404 page not found');
    const pretty = `${no.slice(0, 3)} ${no.slice(3, 6)} ${no.slice(6)}`;
    return reply.type('text/html; charset=utf-8').send(
      page(
        `Meeting ${pretty}`,
        `<h1>Meeting ${esc(pretty)}</h1>
<p>Join this meeting from an openvc client with its number <b>${esc(no)}</b>.</p>
<p>Clients use the participant protocol: <code>POST /client/v1/meetings/join {"meeting_no":"${esc(no)}"}</code> with a user access token.</p>`,
      ),
    );
  });
  app.get('/s/:code', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(page('Live stream', '<h1>Live stream</h1><p>This meeting is not being streamed.</p>')),
  );
}

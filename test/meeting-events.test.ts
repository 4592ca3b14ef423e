import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { renderEvent, tripleFor } from '../src/events/event-envelope.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';

type Json = Record<string, any>;

describe('meeting events in the outbox', () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return ((await res.json()) as Json).data as Json;
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const globex = (await s.runtime.repos.apps.find(fixture.globex.full.appId))!;
    for (const name of ['alice', 'bob']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(globex, 'gina', globex.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('an instant meeting produces the tenant-wide started and ended events, rendered per app', async () => {
    const a = await call('alice', 'POST', '/client/v1/meetings', { topic: 'Events' });
    const g = await call('gina', 'POST', '/client/v1/meetings/join', { meeting_no: a.meeting.meeting_no });
    await call('alice', 'POST', `/client/v1/sessions/${a.session_id}/leave`);
    await call('gina', 'POST', `/client/v1/sessions/${g.session_id}/leave`);
    await s.runtime.jobs.runDue();
    const rows = await s.runtime.repos.outbox.list('acme', 0, 100, a.meeting.id);
    // Per participant (alice, of the tenant; gina is external): started, joined, ended.
    expect(rows.map((r) => r.event_type)).toEqual([
      'vc.meeting.all_meeting_started_v1',
      'vc.meeting.participant_meeting_started_v1',
      'vc.meeting.participant_meeting_joined_v1',
      'vc.meeting.all_meeting_ended_v1',
      'vc.meeting.participant_meeting_ended_v1',
    ]);
    const perParticipant = rows.filter((r) => r.event_type.includes('participant_meeting_')).map((r) => JSON.parse(r.payload) as Json);
    for (const body of perParticipant) {
      expect(body.subscriber_ids).toEqual([{ $user: 'alice' }]);
      expect(body.meeting).toMatchObject({ id: a.meeting.id, meeting_sub_type: 0, webinar_setting: { webinar_type: 0 } });
    }
    rows.splice(0, rows.length, ...rows.filter((r) => r.event_type.startsWith('vc.meeting.all_')));

    const full = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const narrow = (await s.runtime.repos.apps.find(fixture.acme.narrow.appId))!;
    const started = renderEvent(rows[0]!, { appId: full.appId, verificationToken: 'vt' }, tripleFor(full)) as Json;
    const alice = { union_id: deriveUnionId('acme', 'alice'), user_id: 'alice', open_id: deriveOpenId(full.appId, 'acme', 'alice') };
    expect(started).toMatchObject({
      schema: '2.0',
      header: { event_id: rows[0]!.event_id, event_type: 'vc.meeting.all_meeting_started_v1', create_time: String(rows[0]!.created_at), token: 'vt', app_id: full.appId, tenant_key: 'acme' },
      event: {
        meeting: {
          id: a.meeting.id,
          topic: 'Events',
          meeting_no: a.meeting.meeting_no,
          meeting_source: 2,
          end_time: '0',
          host_user: { id: alice, user_role: 2, user_type: 1 },
          owner: { id: alice, user_role: 2, user_type: 1 },
          calendar_event_id: '',
          meeting_sub_type: 0,
          security_setting: { security_level: 1 },
          webinar_setting: { webinar_type: 0 },
        },
        operator: { id: alice, user_role: 2, user_type: 1 },
      },
    });
    expect(started.header.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(started.event.meeting.start_time)).toBeGreaterThan(0);

    const ended = renderEvent(rows[1]!, { appId: narrow.appId, verificationToken: 'vt2' }, tripleFor(narrow)) as Json;
    // without the employee-id field scope there is no user_id; open_id is the narrow app's own
    expect(ended.event.operator).toEqual({ id: {}, user_role: 1, user_type: 1 });
    expect(ended.event.meeting.owner.id).toEqual({ union_id: deriveUnionId('acme', 'alice'), open_id: deriveOpenId(narrow.appId, 'acme', 'alice') });
    expect(Number(ended.event.meeting.end_time)).toBeGreaterThanOrEqual(Number(ended.event.meeting.start_time));
  });
});

// The baseline: a bare Fastify app with one JSON route of the same size class as a contact user response.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const user = { code: 0, msg: 'success', data: { user: { union_id: 'on_0123456789abcdef0123456789abcdef', open_id: 'ou_0123456789abcdef0123456789abcdef', user_id: 'alice', name: 'Alice', en_name: '', email: 'alice@acme.test', mobile_visible: true, status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false }, department_ids: ['od-0123456789abcdef0123456789abcdef'], is_tenant_manager: false, join_time: 1700000000 } } };
app.get('/open-apis/contact/v3/users/:user_id', async () => user);
app.post('/open-apis/auth/v3/tenant_access_token/internal', async () => ({ code: 0, msg: 'ok', tenant_access_token: 't-0123456789abcdef0123456789abcdef01234567', expire: 7200 }));
// A 50-participant meeting, the size class of GET /meetings/:id?with_participants=true.
const participant = (i) => ({ id: `ou_${String(i).padStart(32, '0')}`, first_join_time: '1700000000', final_leave_time: '0', in_meeting_duration: '600', user_type: 1, is_host: i === 0, is_cohost: false, is_external: false, status: 2 });
const meeting = { code: 0, msg: 'success', data: { meeting: { id: '7000000000000000001', topic: 'Bench', url: 'http://127.0.0.1/j/900000001', meeting_no: '900000001', password: '', create_time: '1700000000', start_time: '1700000000', end_time: '0', host_user: { id: participant(0).id, user_type: 1 }, meeting_connect: false, status: 2, participant_count: '50', participant_count_accumulated: '50', participants: Array.from({ length: 50 }, (_, i) => participant(i)) } } };
app.get('/open-apis/vc/v1/meetings/:meeting_id', async () => meeting);
app.post('/client/v1/sessions/:session_id/heartbeat', async () => ({ code: 0, msg: 'success', data: {} }));
// A reserve apply: a JSON body in, the apply fields out.
const reserve = { code: 0, msg: 'success', data: { reserve: { id: '7000000000000000001', meeting_no: '900000001', password: '971024', url: 'http://127.0.0.1/j/900000001', app_link: 'http://127.0.0.1/client/videochat/open?source=openplatform&action=join&idtype=reservationid&id={?}&preview={?}&mic={?}&speaker={?}&camera={?}', live_link: 'http://127.0.0.1/s/1gub381l4gglv', end_time: '1700000000' }, reserve_correction_check_info: { invalid_host_id_list: [] } } };
app.post('/open-apis/vc/v1/reserves/apply', async () => reserve);
// Reports of the size openvc answers in bench/reports.ts: a year of days, a top-100 list.
const day = (i) => ({ date: String(1700000000 + i * 86400), meeting_count: '2740', meeting_duration: '8219400', participant_count: '13700' });
const daily = { code: 0, msg: 'success', data: { meeting_report: { total_meeting_count: '1000000', total_meeting_duration: '3000000000', total_participant_count: '5000000', daily_report: Array.from({ length: 366 }, (_, i) => day(i)) } } };
app.get('/open-apis/vc/v1/reports/get_daily', async () => daily);
const topUser = (i) => ({ id: `ou_${String(i).padStart(32, '0')}`, name: `User ${i}`, user_type: 1, meeting_count: '3200', meeting_duration: '160000' });
const top = { code: 0, msg: 'success', data: { top_user_report: Array.from({ length: 100 }, (_, i) => topUser(i)) } };
app.get('/open-apis/vc/v1/reports/get_top_user', async () => top);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`READY ${app.server.address().port}\n`);

// The baseline: a bare Fastify app with one JSON route of the same size class as a contact user response.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const user = { code: 0, msg: 'success', data: { user: { union_id: 'on_0123456789abcdef0123456789abcdef', open_id: 'ou_0123456789abcdef0123456789abcdef', user_id: 'alice', name: 'Alice', en_name: '', email: 'alice@acme.test', mobile_visible: true, status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false }, department_ids: ['od-0123456789abcdef0123456789abcdef'], is_tenant_manager: false, join_time: 1700000000 } } };
app.get('/open-apis/contact/v3/users/:user_id', async () => user);
app.post('/open-apis/auth/v3/tenant_access_token/internal', async () => ({ code: 0, msg: 'ok', tenant_access_token: 't-0123456789abcdef0123456789abcdef01234567', expire: 7200 }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`READY ${app.server.address().port}\n`);

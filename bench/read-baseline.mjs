// The baseline of bench/reads.ts: a bare Fastify app answering each path with a fixed JSON body, the body
// openvc answered for the same read (so both sides serialise the same bytes). PAYLOADS names a JSON file
// of { "<path>": <body> }.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const payloads = JSON.parse(readFileSync(process.env.PAYLOADS, 'utf8'));
const app = Fastify({ logger: false });
for (const [path, body] of Object.entries(payloads)) app.get(path, async () => body);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY ${app.server.address().port}\n`);

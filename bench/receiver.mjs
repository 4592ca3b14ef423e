// A fast webhook receiver in its own process (so the load generator cannot slow it down). It notes, for
// each event, arrival time minus header.create_time, and reports them over IPC when asked.
import http from 'node:http';

const latencies = [];
/** when each event was created (ms), in the order of `latencies` */
const created = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const at = Number(JSON.parse(body).header?.create_time);
    if (at) {
      latencies.push(Date.now() - at);
      created.push(at);
    }
    res.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'report') process.send({ latencies: latencies.splice(0), created: created.splice(0) });
});

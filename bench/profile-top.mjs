// A text flame summary of a V8 .cpuprofile (node --cpu-prof): the top functions by self time and by
// inclusive (self + callees) time, as percentages of the sampled time.
// Usage: node bench/profile-top.mjs FILE.cpuprofile [N]; idle samples are left out of the percentages.
import { readFileSync } from 'node:fs';

const [file, n = '30'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
for (const s of prof.samples) self.set(s, (self.get(s) ?? 0) + 1);
const total = prof.samples.length;
const name = (node) => {
  const f = node.callFrame;
  const url = f.url.replace(/^file:\/\/.*?\/(node_modules|dist|src)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
};
const selfBy = new Map();
const inclBy = new Map();
const walk = (node, onStack) => {
  const key = name(node);
  let sum = self.get(node.id) ?? 0;
  selfBy.set(key, (selfBy.get(key) ?? 0) + (self.get(node.id) ?? 0));
  const first = !onStack.has(key);
  if (first) onStack.add(key);
  for (const c of node.children ?? []) sum += walk(byId.get(c), onStack);
  if (first) {
    onStack.delete(key);
    inclBy.set(key, (inclBy.get(key) ?? 0) + sum);
  }
  return sum;
};
walk(prof.nodes[0], new Set());
// Percentages are of the busy samples: a server profiled through a benchmark idles between its phases.
const idle = selfBy.get('(idle) :0') ?? 0;
const busy = total - idle;
selfBy.delete('(idle) :0');
inclBy.delete('(idle) :0');
inclBy.delete('(root) :0');
const pct = (v) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n));
console.log(`${file}: ${total} samples, ${busy} busy (percentages are of the busy ones)\n\nself time`);
for (const [k, v] of top(selfBy)) console.log(`${pct(v)}  ${k}`);
console.log('\ninclusive time');
for (const [k, v] of top(inclBy)) console.log(`${pct(v)}  ${k}`);

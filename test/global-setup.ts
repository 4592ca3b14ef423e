import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_ENTRY, ROOT } from './helpers/cli.js';

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(): number {
  try {
    return statSync(CLI_ENTRY).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Tests that run `openvc` as a user would start the built CLI (dist/), which `npm ci` builds: a process starts
 * in a third of the time that compiling the sources on the fly takes, and the suite starts a few hundred.
 * When a source file is newer than the build (an edit since the last `npm run build`), build once here.
 */
export default function setup(): void {
  if (newest(join(ROOT, 'src')) <= builtAt()) return;
  process.stderr.write('test setup: src/ changed since the last build; building dist/ for the CLI tests\n');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI; test/global-setup.ts rebuilds it when a source file is newer. */
export const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

/** `node <argv>` runs `openvc <args>`: spawn(process.execPath, cliArgv(...)). */
export function cliArgv(...args: string[]): string[] {
  return [CLI_ENTRY, ...args];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `openvc <args>` (the built CLI), as a user would from a shell, and collects its
 * output. `input` is written to stdin (then closed); `timeoutMs` kills a command that hangs, so that a hang
 * fails the test with what was printed rather than the whole file timing out.
 */
export function runCli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgv(...args), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

import { Command, Option } from 'commander';
import { envName, loadConfig, type ConfigInput } from '../config/config.js';
import type { Runtime } from '../app/runtime.js';

/** Options every command that opens the store understands; each also reads its OPENVC_* variable. */
export function storeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', `directory of the embedded SQLite database [${envName('dataDir')}]`))
    .addOption(new Option('--database-url <url>', `postgres://… to use PostgreSQL [${envName('databaseUrl')}]`))
    .addOption(new Option('--config <file>', 'JSON config file [OPENVC_CONFIG]'))
    .addOption(new Option('--log-level <level>', `fatal|error|warn|info|debug|trace|silent [${envName('logLevel')}]`));
}

/** commander's camelCase option bag → config input (only the keys that were given). */
export function configFromOptions(opts: Record<string, unknown>) {
  const input: ConfigInput & { config?: string } = {};
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) (input as Record<string, unknown>)[k] = v;
  return loadConfig(input);
}

/**
 * The runtime (store, services, media) is imported when a command runs, not when the CLI starts: `--help`
 * and argument errors answer in a tenth of the time.
 */
export const loadRuntime = () => import('../app/runtime.js');

/** Opens the store named by the command's store options (quietly), runs `run`, and closes it. */
export async function withRuntime(opts: Record<string, unknown>, run: (rt: Runtime) => Promise<void>): Promise<void> {
  const pick = (['dataDir', 'databaseUrl', 'config', 'logLevel'] as const).filter((k) => opts[k] !== undefined);
  const { openRuntime } = await loadRuntime();
  const rt = await openRuntime(configFromOptions({ logLevel: 'warn', ...Object.fromEntries(pick.map((k) => [k, opts[k]])) }));
  try {
    await run(rt);
  } finally {
    await rt.store.close();
  }
}

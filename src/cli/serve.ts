import { Command, Option } from 'commander';
import { ConfigSchema, envName, kebab } from '../config/config.js';
import type { RunningServer } from '../app/runtime.js';
import { configFromOptions, loadRuntime, storeOptions } from './options.js';
import { DEMO_REDIRECT_URI } from '../domain/demo.js';

function banner(s: RunningServer): string {
  const lines = [
    '',
    `  openvc is listening on ${s.url}`,
    `  store:        ${s.runtime.store.dialect} ${s.runtime.store.location}`,
    `  Open API:     ${s.url}/open-apis/…   (SDK: new lark.Client({ appId, appSecret, domain: '${s.url}' }))`,
    `  OpenAPI doc:  ${s.url}/openapi.json`,
    `  Console:      ${s.url}/admin   (administrators)`,
  ];
  if (s.runtime.config.metrics) lines.push(`  Metrics:      ${s.url}/metrics   (Prometheus)`);
  if (s.demo) {
    lines.push(
      '',
      '  Demo app',
      `    app_id:            ${s.demo.appId}`,
      `    app_secret:        ${s.demo.appSecret}`,
      `    user_access_token: ${s.demo.userAccessToken}   (user ${s.demo.userId}, valid ${s.runtime.config.userTokenTtl} s)`,
      `    sign in (OAuth):   ${s.url}/open-apis/authen/v1/authorize?client_id=${s.demo.appId}&response_type=code&redirect_uri=${encodeURIComponent(DEMO_REDIRECT_URI)}`,
      `    demo users:        alice, bob, carol, dave (tenant demo), password: ${s.demo.password}   (change it: openvc user set-password alice; alice is an administrator)`,
    );
  }
  if (s.runtime.config.devPickUser) {
    lines.push('', '  WARNING: devPickUser is on: the consent page lets anyone act as any user, with no password.', '           Development only; never run a server others can reach like this.');
  }
  return lines.join('\n') + '\n';
}

export function serveCommand(): Command {
  const cmd = storeOptions(new Command('serve').description('run the server (migrates the store first)'));
  // Every setting is a flag; the help text is the setting's own documentation.
  const given = new Set(cmd.options.map((o) => o.attributeName()));
  for (const [key, prop] of Object.entries(ConfigSchema.properties) as [string, { description?: string; type?: string; default?: unknown }][]) {
    if (given.has(key)) continue;
    const flag = prop.type !== 'boolean' ? `--${kebab(key)} <value>` : prop.default === true ? `--no-${kebab(key)}` : `--${kebab(key)}`;
    const what = flag.startsWith('--no-') ? `turns off (on by default): ${prop.description ?? key}` : (prop.description ?? key);
    cmd.addOption(new Option(flag, `${what} [${envName(key)}]`));
  }
  return cmd
    .action(async (opts: Record<string, unknown>) => {
      // commander sets negatable flags to true when absent; only an explicit --no-x counts as given.
      if (opts.demo === true) delete opts.demo;
      if (opts.rateLimit === true) delete opts.rateLimit;
      const config = configFromOptions(opts);
      const { startServer } = await loadRuntime();
      const server = await startServer(config);
      process.stdout.write(banner(server));
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.runtime.logger.info({ signal }, 'shutting down');
        await server.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}

import { Command, Option } from 'commander';
import { envName } from '../config/config.js';
import { startServer, type RunningServer } from '../server.js';
import { configFromOptions, storeOptions } from './options.js';

function banner(s: RunningServer): string {
  const lines = [
    '',
    `  openvc is listening on ${s.url}`,
    `  store:        ${s.runtime.store.dialect} ${s.runtime.store.location}`,
    `  Open API:     ${s.url}/open-apis/…   (SDK: new lark.Client({ appId, appSecret, domain: '${s.url}' }))`,
    `  OpenAPI doc:  ${s.url}/openapi.json`,
  ];
  if (s.demo) {
    lines.push(
      '',
      '  Demo app',
      `    app_id:            ${s.demo.appId}`,
      `    app_secret:        ${s.demo.appSecret}`,
      `    user_access_token: ${s.demo.userAccessToken}   (user ${s.demo.userId}, valid ${s.runtime.config.userTokenTtl} s)`,
      `    sign in (OAuth):   ${s.url}/open-apis/authen/v1/authorize?client_id=${s.demo.appId}&response_type=code&redirect_uri=${encodeURIComponent('http://127.0.0.1/callback')}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function serveCommand(): Command {
  return storeOptions(new Command('serve').description('run the server (migrates the store first)'))
    .addOption(new Option('--host <host>', `interface to bind [${envName('host')}]`))
    .addOption(new Option('--port <port>', `TCP port, 0 for any [${envName('port')}]`))
    .addOption(new Option('--seed <file>', `seed file applied idempotently at start [${envName('seed')}]`))
    .addOption(new Option('--public-url <url>', `base URL clients reach the server on [${envName('publicUrl')}]`))
    .addOption(new Option('--body-limit <bytes>', `largest accepted request body [${envName('bodyLimit')}]`))
    .addOption(new Option('--tenant-token-ttl <seconds>', `tenant token lifetime [${envName('tenantTokenTtl')}]`))
    .addOption(new Option('--user-token-ttl <seconds>', `user token lifetime [${envName('userTokenTtl')}]`))
    .addOption(new Option('--rate-limits <json>', `per-method limit overrides, JSON [${envName('rateLimits')}]`))
    .addOption(new Option('--no-demo', `do not create the demo tenant on an empty store [${envName('demo')}=false]`))
    .addOption(new Option('--no-rate-limit', `turn Feishu-style rate limits off [${envName('rateLimit')}=false]`))
    .action(async (opts: Record<string, unknown>) => {
      // commander sets negatable flags to true when absent; only an explicit --no-x counts as given.
      if (opts.demo === true) delete opts.demo;
      if (opts.rateLimit === true) delete opts.rateLimit;
      const config = configFromOptions(opts);
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

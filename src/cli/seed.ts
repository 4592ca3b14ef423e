import { Command } from 'commander';
import { configFromOptions, loadRuntime, storeOptions } from './options.js';

export function seedCommand(): Command {
  return storeOptions(
    new Command('seed')
      .description('apply a seed file (tenants, departments, users, apps) to a stopped or running store; idempotent, all or nothing')
      .argument('<file>', 'seed JSON file'),
  ).action(async (file: string, opts: Record<string, unknown>) => {
    const config = configFromOptions({ logLevel: 'warn', ...opts });
    const { applySeedFile, openRuntime } = await loadRuntime();
    const rt = await openRuntime(config);
    try {
      const s = await applySeedFile(rt, file);
      console.log(`seeded ${s.tenants} tenant(s), ${s.departments} department(s), ${s.users} user(s), ${s.apps} app(s) into ${rt.store.dialect} ${rt.store.location}`);
    } finally {
      await rt.store.close();
    }
  });
}

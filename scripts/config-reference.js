#!/usr/bin/env node
// Regenerates the configuration reference in docs/configuration.md (between <!-- config-reference --> and
// <!-- /config-reference -->) from the config schema: every variable of `envSchema`, its
// default and its `CONFIG_DOCS` description. `npm run config-docs` (builds dist/ when stale);
// --check exits 1 when it is stale. A unit test runs the same functions on the sources.
const fs = require('node:fs');
const path = require('node:path');

const START = '<!-- config-reference -->';
const END = '<!-- /config-reference -->';

function formatDefault(value) {
  if (value === undefined) return '—';
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text === '' ? '—' : '`' + text + '`';
}

/** The Markdown table: one row per variable, in schema order. */
function renderConfigTable(envSchema, docs) {
  const defaults = envSchema.parse({});
  const rows = Object.keys(envSchema.shape).map((name) => {
    const description = (docs[name] || '').replace(/\|/g, '\\|');
    return `| \`${name}\` | ${formatDefault(defaults[name])} | ${description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The document with the table between the markers replaced. */
function withConfigTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/configuration.md has no ${START} … ${END} markers`);
  return readme.slice(0, start + START.length) + '\n' + table + '\n' + readme.slice(end);
}

module.exports = { renderConfigTable, withConfigTable, START, END };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const { envSchema, CONFIG_DOCS } = require(path.join(root, 'dist', 'src', 'config', 'config.schema.js'));
  const file = path.join(root, 'docs', 'configuration.md');
  const current = fs.readFileSync(file, 'utf8');
  const next = withConfigTable(current, renderConfigTable(envSchema, CONFIG_DOCS));
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('docs/configuration.md: the configuration reference is stale; run npm run config-docs\n');
      process.exit(1);
    }
  } else if (next !== current) {
    fs.writeFileSync(file, next);
    process.stderr.write('docs/configuration.md: configuration reference updated\n');
  } else process.stderr.write('docs/configuration.md: configuration reference is up to date\n');
}

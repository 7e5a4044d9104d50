import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DOCS, envSchema } from '../../src/config/config.schema';

const { renderConfigTable, withConfigTable } = require('../../scripts/config-reference.js') as {
  renderConfigTable(schema: typeof envSchema, docs: Record<string, string>): string;
  withConfigTable(readme: string, table: string): string;
};

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'configuration.md');

describe('Configuration reference (docs/configuration.md)', () => {
  const table = renderConfigTable(envSchema, CONFIG_DOCS);

  it('has a row for every variable of the config schema, with its default', () => {
    for (const name of Object.keys(envSchema.shape)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain('| `PORT` | `3000` |');
    expect(table).toContain('| `ROLES` | `api,scheduler,worker` |');
    expect(table).toContain('| `DATABASE_URL` | — |');
  });

  it('is fresh in docs/configuration.md (run `npm run config-docs` after changing src/config/config.schema.ts)', () => {
    const readme = fs.readFileSync(DOC, 'utf8');
    expect(withConfigTable(readme, table) === readme ? 'fresh' : 'stale: run npm run config-docs').toBe('fresh');
  });
});

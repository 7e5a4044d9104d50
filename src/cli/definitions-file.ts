import * as fs from 'node:fs/promises';
import { ValidationFailedError } from '../common/errors';
import { capMessages, findInputProblems } from '../common/validation';
import { OperationFailedError } from './cli-errors';
import { readStdin } from './prompts';

/** Loaded on first use: most ./manage commands never read or write YAML (two dozen modules less at start-up). */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

export const DEFINITION_FORMATS = ['yaml', 'json'] as const;
export type DefinitionFormat = (typeof DEFINITION_FORMATS)[number];

/**
 * A file of job definitions as text. YAML quotes every string, so every YAML reader (1.1 or 1.2)
 * reads `"02:00"`, `"30"` or `"on"` as the strings they are, not as a number or a boolean.
 */
export function formatDefinitions(file: object, format: DefinitionFormat): string {
  if (format === 'json') return JSON.stringify(file, null, 2);
  return yaml()
    .stringify(file, {
      lineWidth: 0,
      aliasDuplicateObjects: false,
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN',
    })
    .trimEnd();
}

/**
 * The document in `path` (`-`: stdin), read as YAML, which reads JSON too. A file that is not
 * YAML, or holds no mapping, is refused naming it; text PostgreSQL cannot store and keys named
 * like Object.prototype members are refused naming their place, as the API refuses them.
 */
export async function readDefinitions(path: string): Promise<Record<string, unknown>> {
  const where = path === '-' ? 'stdin' : path;
  const text = await readText(path, where);
  let document: unknown;
  try {
    // Warnings (an unknown tag) are not errors: the value is read as text and validated as such.
    document = yaml().parse(text, { logLevel: 'error' });
  } catch (error) {
    if (error instanceof yaml().YAMLParseError)
      throw new OperationFailedError(`${where} is not YAML or JSON: ${error.message}`);
    throw error;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    throw new OperationFailedError(`${where} must hold a mapping with a \`jobs\` list, as jobs export writes`);
  const problems = findInputProblems(document).map(({ field, problem }) => `${field}: ${problem}`);
  if (problems.length > 0) throw new ValidationFailedError(problems.join('; '), capMessages(problems));
  return document as Record<string, unknown>;
}

async function readText(path: string, where: string): Promise<string> {
  if (path === '-') return readStdin();
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new OperationFailedError(`cannot read ${where}: ${reason}`);
  }
}

import type { NoEmbeddedDatabaseError } from '../database/database-server';

/**
 * Given first, lets ./manage create a new, empty embedded database when DATA_DIR holds none.
 * Without it the CLI refuses: pointed at the wrong directory it would otherwise show an empty
 * new database ("No jobs match.") instead of the server's.
 */
export const CREATE_DATA_DIR_FLAG = '--create-data-dir';

export function noDatabaseMessage(error: NoEmbeddedDatabaseError): string {
  return [
    `${error.message}.`,
    `The server keeps its embedded PostgreSQL in DATA_DIR (default ./data, relative to the`,
    `directory npm start ran in; ./manage runs from the repository root). Set DATA_DIR (or`,
    `DATABASE_URL) to the server's, or pass ${CREATE_DATA_DIR_FLAG} first to create a new, empty`,
    `database there (./manage ${CREATE_DATA_DIR_FLAG} migrate).`,
  ].join('\n');
}

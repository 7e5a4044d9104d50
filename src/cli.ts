import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { CliLogger } from './cli/cli-logger';
import { EXIT, reportError } from './cli/cli-errors';
import { appVersion } from './common/app-version';
import { AppConfig } from './config/app-config';
import { stopEmbeddedStartedHere } from './database/database-server';

/**
 * The ./manage entry: nest-commander over the server's feature modules and database.
 * Every outcome leaves through `reportError` (the one mapping to exit codes), and the
 * application is always closed, so an embedded PostgreSQL this process started is stopped
 * again and no pool or queue connection keeps the process alive.
 */
async function main(argv: string[]): Promise<number> {
  // Answered before anything starts: no database, no configuration needed.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${appVersion()}\n`);
    return EXIT.OK;
  }
  let app: INestApplicationContext | undefined;
  let exitCode: number = EXIT.OK;
  const fail = (error: unknown) => {
    exitCode = reportError(error);
  };
  try {
    const config = AppConfig.fromProcessEnv();
    // `migrate` reports what it ran, so only that command opens the database unmigrated.
    const runMigrations = argv[0] !== 'migrate';
    app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, { runMigrations }), {
      logger: new CliLogger(),
      cliName: 'manage',
      // A failed initialisation throws (instead of process.abort()), so the embedded PostgreSQL it started is stopped below.
      abortOnError: false,
      errorHandler: (error) => {
        throw error;
      },
      serviceErrorHandler: fail,
    });
    app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
    await CommandFactory.runApplication(app);
  } catch (error) {
    fail(error);
  } finally {
    if (app) await app.close().catch(fail);
    else await stopEmbeddedStartedHere((message) => process.stderr.write(`${message}\n`));
  }
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportError(error)),
);

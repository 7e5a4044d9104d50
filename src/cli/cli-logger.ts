import type { LoggerService } from '@nestjs/common';

/** Nest's log lines in the CLI: warnings and errors on stderr, the rest stays quiet. */
export class CliLogger implements LoggerService {
  log(): void {}
  debug(): void {}
  verbose(): void {}

  warn(message: unknown, context?: string): void {
    this.write('warning', message, context);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    // A failed start-up: Nest logs it and throws it on; run-cli reports it once, in CLI words.
    if (context === 'ExceptionHandler') return;
    this.write('error', message, context);
  }

  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: string, message: unknown, context?: string): void {
    const text = message instanceof Error ? message.message : String(message);
    process.stderr.write(`${level}${context ? ` [${context}]` : ''}: ${text}\n`);
  }
}

import type { OnModuleDestroy } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { maskKnownSecrets } from './redaction';

/**
 * Where every log line goes: the output (stdout, or a test's stream) after the values of the
 * secrets this process resolved are masked. Lines are written asynchronously (a request never
 * waits on stdout) until the application shuts down; from then on each line is on its way
 * before the call returns. Nest ends a SIGTERM or SIGINT shutdown by raising the signal again,
 * and a process ended by a signal runs no 'exit' handler, so pino's own flush at exit never
 * comes: the last lines of a shutdown (the embedded PostgreSQL stopped) would be lost.
 *
 * pino's asynchronous destination (SonicBoom) hands a line to an fs.write on the thread pool;
 * a flushSync writes only the lines queued behind that write, never the one in flight. So the
 * switch turns the destination itself synchronous (its `sync` option, read at each write):
 * from then on a line is written by fs.writeSync before write() returns.
 */
export class LogStream implements DestinationStream {
  private synchronous = false;

  constructor(private readonly output: DestinationStream) {}

  write(line: string): void {
    this.output.write(maskKnownSecrets(line));
    if (this.synchronous) this.flush();
  }

  /** What is buffered goes now, and every later line as it is written. */
  flushFromNowOn(): void {
    this.synchronous = true;
    const output = this.output as { sync?: unknown };
    if (typeof output.sync === 'boolean') output.sync = true;
    this.flush();
  }

  private flush(): void {
    const output = this.output as { flushSync?: () => void };
    try {
      output.flushSync?.();
    } catch {
      // Not open yet or already closed: nothing is buffered there.
    }
  }
}

/** Switches the log stream to synchronous writes at the first shutdown hook (a value provider of LoggingModule). */
export class LogStreamShutdown implements OnModuleDestroy {
  constructor(private readonly stream: LogStream | null) {}

  onModuleDestroy(): void {
    this.stream?.flushFromNowOn();
  }
}

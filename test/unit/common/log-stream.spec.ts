import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { destination } from 'pino';
import { LogStream, LogStreamShutdown } from '../../../src/common/logging/log-stream';
import { rememberSecretValues } from '../../../src/common/logging/redaction';

/** An output like pino's asynchronous destination: lines are buffered until flushed. */
class BufferedOutput {
  buffered: string[] = [];
  written: string[] = [];
  flushes = 0;
  failFlush = false;

  write(line: string): void {
    this.buffered.push(line);
  }

  flushSync(): void {
    this.flushes += 1;
    if (this.failFlush) throw new Error('sonic boom is not ready yet');
    this.written.push(...this.buffered.splice(0));
  }
}

describe(LogStream.name, () => {
  it('masks the values of resolved secrets in every line', () => {
    rememberSecretValues(['log-stream-secret-value-1']);
    const output = new BufferedOutput();
    new LogStream(output).write('{"msg":"called with log-stream-secret-value-1"}\n');
    expect(output.buffered).toEqual(['{"msg":"called with ***"}\n']);
  });

  it('leaves lines buffered until the shutdown, then flushes what is buffered and each later line at once', () => {
    const output = new BufferedOutput();
    const stream = new LogStream(output);
    stream.write('one\n');
    stream.write('two\n');
    expect({ written: output.written, flushes: output.flushes }).toEqual({ written: [], flushes: 0 });

    new LogStreamShutdown(stream).onModuleDestroy();
    expect(output.written).toEqual(['one\n', 'two\n']);
    stream.write('Embedded PostgreSQL stopped\n');
    expect(output.written).toEqual(['one\n', 'two\n', 'Embedded PostgreSQL stopped\n']);
  });

  it("with pino's asynchronous destination, a line written after the switch is in the file when write() returns", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'log-stream-'));
    const file = path.join(dir, 'out.log');
    try {
      const output = destination({ dest: file, sync: false });
      await new Promise((resolve) => output.once('ready', resolve));
      const stream = new LogStream(output);
      stream.write('before\n');
      await new Promise((resolve) => output.once('drain', resolve));

      stream.flushFromNowOn();
      stream.write('Embedded PostgreSQL stopped\n');
      // No await in between: an asynchronous write would still be on the thread pool here.
      expect(readFileSync(file, 'utf8')).toBe('before\nEmbedded PostgreSQL stopped\n');
      output.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps logging when the output cannot flush, or has no flush at all', () => {
    const failing = new BufferedOutput();
    failing.failFlush = true;
    const stream = new LogStream(failing);
    stream.flushFromNowOn();
    expect(() => stream.write('still logged\n')).not.toThrow();
    expect(failing.buffered).toEqual(['still logged\n']);

    const lines: string[] = [];
    const plain = new LogStream({ write: (line: string) => void lines.push(line) });
    plain.flushFromNowOn();
    plain.write('plain\n');
    expect(lines).toEqual(['plain\n']);
  });

  it('does nothing at shutdown when nothing is logged (LOG_LEVEL=silent)', () => {
    expect(() => new LogStreamShutdown(null).onModuleDestroy()).not.toThrow();
  });
});

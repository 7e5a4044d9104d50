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

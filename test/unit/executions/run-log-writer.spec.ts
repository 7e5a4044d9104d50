import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../src/config/app-config';
import { captureRunLog, RunLogCapturingLogger } from '../../../src/common/logging/run-log-capture';
import { rememberSecretValues } from '../../../src/common/logging/redaction';
import { RunLogRecorder, RunLogWriter } from '../../../src/modules/executions/run-logs/run-log-writer';
import type { NewRunLogLine, RunLogsRepository } from '../../../src/modules/executions/run-logs/run-logs.repository';

function recorder(limits = { maxLines: 1000, maxBytes: 256 * 1024 }) {
  const lines: NewRunLogLine[] = [];
  return { log: new RunLogRecorder(7, limits, (line) => lines.push(line)), lines };
}

describe('RunLogRecorder (one run: numbering, redaction, bounds)', () => {
  it('numbers the lines from 1 and keeps level, message and fields as JSON', () => {
    const { log, lines } = recorder();
    log.add('info', 'first');
    log.add('warn', 'second', { status: 503, context: 'task:x' });
    expect(
      lines.map(({ runId, seq, level, message, fieldsJson }) => ({ runId, seq, level, message, fieldsJson })),
    ).toEqual([
      { runId: 7, seq: 1, level: 'info', message: 'first', fieldsJson: null },
      { runId: 7, seq: 2, level: 'warn', message: 'second', fieldsJson: '{"status":503,"context":"task:x"}' },
    ]);
    expect(log.wrote).toBe(true);
  });

  it('redacts credentials in the text and in fields, and the values of secrets this process resolved', () => {
    rememberSecretValues(['hunter2-resolved-secret']);
    const { log, lines } = recorder();
    log.add('info', 'GET https://x.test/?token=abc password=pw1 with hunter2-resolved-secret', {
      authorization: 'Bearer xyz',
      nested: { api_key: 'k', note: 'hunter2-resolved-secret' },
    });
    expect(lines[0].message).toBe('GET https://x.test/?token=*** password=*** with ***');
    expect(JSON.parse(lines[0].fieldsJson!)).toEqual({ authorization: '***', nested: { api_key: '***', note: '***' } });
  });

  it('replaces NUL characters, which PostgreSQL text cannot hold, and cuts a huge message', () => {
    const { log, lines } = recorder();
    log.add('info', 'a\u0000b', { v: 'c\u0000d' });
    log.add('info', 'x'.repeat(20_000));
    expect(lines[0].message).toBe('a\ufffdb');
    expect(JSON.parse(lines[0].fieldsJson!)).toEqual({ v: 'c\ufffdd' });
    expect(lines[1].message).toHaveLength(8_001);
  });

  it('keeps at most maxLines lines, then one line saying how many were dropped', () => {
    const { log, lines } = recorder({ maxLines: 2, maxBytes: 1_000_000 });
    for (let i = 1; i <= 5; i++) log.add('info', `line ${i}`);
    log.close();
    expect(lines.map((l) => l.message)).toEqual([
      'line 1',
      'line 2',
      '3 more lines dropped: a run keeps at most 2 lines (RUN_LOG_MAX_LINES) and 1000000 bytes (RUN_LOG_MAX_BYTES)',
    ]);
    expect(lines[2]).toMatchObject({ seq: 3, level: 'warn', fieldsJson: '{"dropped":3}' });
  });

  it('keeps at most maxBytes of messages and fields; from the first line past it, none (no gaps)', () => {
    const { log, lines } = recorder({ maxLines: 100, maxBytes: 10 });
    log.add('info', '12345');
    log.add('info', '1234567890');
    log.add('info', '12345');
    log.close();
    expect(lines.map((l) => l.message)).toEqual([
      '12345',
      '2 more lines dropped: a run keeps at most 100 lines (RUN_LOG_MAX_LINES) and 10 bytes (RUN_LOG_MAX_BYTES)',
    ]);
  });

  it('says nothing on close when nothing was dropped, and writes nothing for a silent run', () => {
    const { log, lines } = recorder();
    log.close();
    expect(lines).toEqual([]);
    expect(log.wrote).toBe(false);
  });
});

describe('RunLogWriter (batches for every run of the process)', () => {
  const config = { runLogMaxLines: 1000, runLogMaxBytes: 256 * 1024 } as AppConfig;

  it('writes the lines of many runs in one statement, and flush() waits until they are in', async () => {
    const batches: NewRunLogLine[][] = [];
    const repository = { insert: (batch: NewRunLogLine[]) => (batches.push([...batch]), Promise.resolve()) };
    const writer = new RunLogWriter(repository as unknown as RunLogsRepository, config);
    const a = writer.recorder(1);
    const b = writer.recorder(2);
    a.add('info', 'a1');
    b.add('info', 'b1');
    a.add('info', 'a2');
    expect(batches).toEqual([]);
    await writer.flush();
    expect(batches.map((batch) => batch.map((l) => `${l.runId}:${l.seq}`))).toEqual([['1:1', '2:1', '1:2']]);
    await writer.flush();
    expect(batches).toHaveLength(1);
  });

  it('drops a batch it cannot write (a run never fails for its log) and goes on', async () => {
    let fail = true;
    const written: string[] = [];
    const repository = {
      insert: (batch: NewRunLogLine[]) => {
        if (fail) return Promise.reject(new Error('database away'));
        written.push(...batch.map((l) => l.message));
        return Promise.resolve();
      },
    };
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const writer = new RunLogWriter(repository as unknown as RunLogsRepository, config);
      const log = writer.recorder(1);
      log.add('info', 'lost');
      await expect(writer.flush()).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith('Run logs: 1 lines could not be written: database away');
      fail = false;
      log.add('info', 'kept');
      await writer.flush();
      expect(written).toEqual(['kept']);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('RunLogCapturingLogger (every Nest Logger line logged during a run joins its log)', () => {
  it('hands lines logged inside captureRunLog to the sink, with the logger name as context, and passes all on', () => {
    const output = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const logger = new RunLogCapturingLogger(output);
    const seen: [string, string, Record<string, unknown> | undefined][] = [];
    const sink = {
      add: (level: string, message: string, fields?: Record<string, unknown>) => seen.push([level, message, fields]),
    };
    logger.log('outside', 'Svc');
    captureRunLog(sink, () => {
      logger.log('plain', 'Svc');
      logger.warn({ msg: 'structured', status: 500 }, 'task:x');
      logger.error(new Error('boom'), 'Svc');
    });
    expect(seen).toEqual([
      ['info', 'plain', { context: 'Svc' }],
      ['warn', 'structured', { context: 'task:x', status: 500 }],
      ['error', 'boom', { context: 'Svc' }],
    ]);
    expect(output.log).toHaveBeenCalledTimes(2);
    expect(output.warn).toHaveBeenCalledWith({ msg: 'structured', status: 500 }, 'task:x');
  });

  it('keeps capturing without an output (logger: false)', () => {
    const seen: string[] = [];
    captureRunLog({ add: (_level, message) => seen.push(message) }, () => new RunLogCapturingLogger().log('only here'));
    expect(seen).toEqual(['only here']);
  });
});

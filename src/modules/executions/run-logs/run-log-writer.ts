import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { outsideRunLog, type RunLogLevel, type RunLogSink } from '../../../common/logging/run-log-capture';
import { redactValue, scrubText } from '../../../common/logging/redaction';
import { RunLogsRepository, type NewRunLogLine } from './run-logs.repository';

/** Lines wait at most this long in memory before they are written (a run's last lines: until it ends). */
const FLUSH_AFTER_MS = 250;
/** A batch this large is written at once. */
const FLUSH_LINES = 500;
/** One message longer than this is cut (the run's byte budget still counts what is kept). */
const MESSAGE_MAX_CHARS = 8_000;

/**
 * Writes the lines of every run executing in this process in batches: one INSERT for all the
 * lines logged within FLUSH_AFTER_MS (or FLUSH_LINES), never a statement per line. `flush()`
 * resolves once every line handed over before it is in the database: the executor calls it
 * before recording a run's outcome, so a run seen final has all its lines. A failed write is
 * logged and its lines dropped (a run never fails for its log); a crash loses at most the
 * lines of the last FLUSH_AFTER_MS.
 */
@Injectable()
export class RunLogWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(RunLogWriter.name);
  private pending: NewRunLogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: RunLogsRepository,
    private readonly config: AppConfig,
  ) {}

  /** The sink of one run: RUN_LOG_MAX_LINES and RUN_LOG_MAX_BYTES apply to it. */
  recorder(runId: number): RunLogRecorder {
    return new RunLogRecorder(
      runId,
      { maxLines: this.config.runLogMaxLines, maxBytes: this.config.runLogMaxBytes },
      (line) => this.push(line),
    );
  }

  flush(): Promise<void> {
    // Outside any run's log context: a line the write itself logs must not join a run.
    return outsideRunLog(() => {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        this.written = this.written.then(() => this.write(batch));
      }
      return this.written;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private push(line: NewRunLogLine): void {
    this.pending.push(line);
    if (this.pending.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= outsideRunLog(() => setTimeout(() => void this.flush(), FLUSH_AFTER_MS).unref());
  }

  private async write(batch: NewRunLogLine[]): Promise<void> {
    try {
      await this.repository.insert(batch);
    } catch (error) {
      this.logger.warn(`Run logs: ${batch.length} lines could not be written: ${(error as Error).message}`);
    }
  }
}

export interface RunLogLimits {
  maxLines: number;
  maxBytes: number;
}

/**
 * One run's log: numbers its lines, redacts them (as the process logs are: credentials in the
 * text and in fields, the values of the secrets this process resolved), and keeps within the
 * limits: from the first line past either, lines are counted instead, and `close()` adds one
 * line saying how many were dropped.
 */
export class RunLogRecorder implements RunLogSink {
  private seq = 0;
  private bytes = 0;
  private dropped = 0;

  constructor(
    private readonly runId: number,
    private readonly limits: RunLogLimits,
    private readonly write: (line: NewRunLogLine) => void,
  ) {}

  /** Whether any line was handed to the writer. */
  get wrote(): boolean {
    return this.seq > 0;
  }

  add(level: RunLogLevel, message: string, fields?: Record<string, unknown>): void {
    const text = withoutNul(
      scrubText(message.length > MESSAGE_MAX_CHARS ? `${message.slice(0, MESSAGE_MAX_CHARS)}…` : message),
    );
    const fieldsJson = fields && Object.keys(fields).length > 0 ? jsonOf(redactValue(fields)) : null;
    const size = Buffer.byteLength(text) + (fieldsJson ? Buffer.byteLength(fieldsJson) : 0);
    // Once a limit is reached, every later line is dropped too: the log is its beginning, without gaps.
    if (this.dropped > 0 || this.seq >= this.limits.maxLines || this.bytes + size > this.limits.maxBytes) {
      this.dropped += 1;
      return;
    }
    this.bytes += size;
    this.emit(level, text, fieldsJson);
  }

  /** The run ended: says how many lines the limits dropped, if any. */
  close(): void {
    if (this.dropped === 0) return;
    const { maxLines, maxBytes } = this.limits;
    this.emit(
      'warn',
      `${this.dropped} more line${this.dropped === 1 ? '' : 's'} dropped: a run keeps at most ${maxLines} lines (RUN_LOG_MAX_LINES) and ${maxBytes} bytes (RUN_LOG_MAX_BYTES)`,
      JSON.stringify({ dropped: this.dropped }),
    );
    this.dropped = 0;
  }

  private emit(level: RunLogLevel, message: string, fieldsJson: string | null): void {
    this.seq += 1;
    this.write({ runId: this.runId, seq: this.seq, at: new Date(), level, message, fieldsJson });
  }
}

/** PostgreSQL's text and jsonb hold no NUL character. */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}

/** Fields as JSON; what JSON cannot hold (cycles, BigInt) is said instead. */
function jsonOf(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields).replaceAll('\\u0000', '\\ufffd');
  } catch (error) {
    return JSON.stringify({ unserializable: (error as Error).message });
  }
}

import { Injectable } from '@nestjs/common';
import Table from 'cli-table3';
import pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;

const BORDERLESS = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
};

/**
 * Everything ./manage prints. Results go to stdout (tables for people, `--json` for
 * scripts); notes and progress go to stderr so they never mix with a JSON result.
 * Colour only on a terminal, and never with NO_COLOR (picocolors honours it).
 */
@Injectable()
export class CliOutput {
  readonly isTty = Boolean(process.stdout.isTTY);
  readonly c: Colors = pc.createColors(this.isTty && pc.isColorSupported);

  json(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** One JSON value on one line (a stream of them: JSON Lines). */
  jsonLine(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  line(text = ''): void {
    process.stdout.write(text + '\n');
  }

  /** A remark for people, on stderr. */
  note(text: string): void {
    process.stderr.write(text + '\n');
  }

  table(head: string[], rows: string[][]): void {
    if (rows.length === 0) return;
    const table = new Table({ ...BORDERLESS, head: head.map((h) => this.c.bold(h)) });
    table.push(...rows);
    this.line(trimLines(table.toString()));
  }

  /** Aligned "label  value" lines. */
  fields(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs) this.line(`${this.c.dim(label.padEnd(width))}  ${value}`);
  }

  heading(text: string): void {
    this.line(this.c.bold(text));
  }
}

function trimLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

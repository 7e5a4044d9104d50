import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Summary {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, values };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p === 50 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** One row of a benchmark's result: a product figure, optionally against a baseline and a target. */
export interface Figure {
  name: string;
  unit: string;
  product: Summary;
  baseline?: { name: string; summary: Summary };
  /** product median / baseline median. */
  ratio?: number;
  /** e.g. "ratio >= 0.55" or "<= 25 ms"; checked against `ratio` or the product median. */
  target?: { on: 'ratio' | 'value'; op: '>=' | '<='; value: number };
  met?: boolean;
  note?: string;
}

export class Report {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  readonly startedAt = new Date();

  constructor(
    readonly name: string,
    readonly scale: Record<string, unknown>,
  ) {}

  add(figure: Omit<Figure, 'ratio' | 'met'>): Figure {
    const ratio =
      figure.baseline && figure.baseline.summary.median !== 0
        ? figure.product.median / figure.baseline.summary.median
        : undefined;
    let met: boolean | undefined;
    if (figure.target) {
      const x = figure.target.on === 'ratio' ? ratio : figure.product.median;
      met =
        x !== undefined &&
        Number.isFinite(x) &&
        (figure.target.op === '>=' ? x >= figure.target.value : x <= figure.target.value);
    }
    const full: Figure = { ...figure, ratio, met };
    this.figures.push(full);
    return full;
  }

  note(text: string): void {
    this.notes.push(text);
    log(`  note: ${text}`);
  }

  print(): void {
    log(
      `\n== ${this.name}: results (${Object.entries(this.scale)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')})`,
    );
    for (const f of this.figures) {
      const p = `${fmt(f.product.median)} ${f.unit} (min–max ${fmt(f.product.min)}–${fmt(f.product.max)})`;
      const b = f.baseline
        ? ` | ${f.baseline.name}: ${fmt(f.baseline.summary.median)} (${fmt(f.baseline.summary.min)}–${fmt(f.baseline.summary.max)})`
        : '';
      const r = f.ratio !== undefined ? ` | ratio ${f.ratio.toFixed(2)}` : '';
      const t = f.target
        ? ` | target ${f.target.on === 'ratio' ? 'ratio ' : ''}${f.target.op} ${f.target.value}${f.target.on === 'value' ? ` ${f.unit}` : ''}: ${f.met ? 'met' : 'MISSED'}`
        : '';
      log(`  ${f.name}: ${p}${b}${r}${t}${f.note ? ` — ${f.note}` : ''}`);
    }
  }

  write(extra: Record<string, unknown> = {}): string {
    const dir = path.resolve(__dirname, '..', '..', '..', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.name}.json`);
    const body = {
      benchmark: this.name,
      startedAt: this.startedAt,
      finishedAt: new Date(),
      machine: machine(),
      scale: this.scale,
      figures: this.figures,
      notes: this.notes,
      ...extra,
    };
    fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
    log(`  wrote ${path.relative(process.cwd(), file)}`);
    return file;
  }
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function log(message: string): void {
  process.stdout.write(message + '\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

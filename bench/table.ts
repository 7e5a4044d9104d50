import * as fs from 'node:fs';
import * as path from 'node:path';
import { fmt, type Figure } from './support/stats';

/** Prints bench/results/*.json as the README's Markdown table: `node bench/dist/bench/table.js`. */
function main(): void {
  const dir = path.resolve(__dirname, '..', '..', 'results');
  const order = ['dispatch', 'lag', 'pipeline', 'api', 'idle'];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  files.sort((a, b) => order.indexOf(a.replace('.json', '')) - order.indexOf(b.replace('.json', '')));
  const rows = [
    '| benchmark | figure | product (median, min–max) | baseline (median) | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const file of files) {
    const result = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      benchmark: string;
      figures: Figure[];
    };
    for (const f of result.figures) {
      const product = `${fmt(f.product.median)} ${f.unit} (${fmt(f.product.min)}–${fmt(f.product.max)})`;
      const baseline = f.baseline ? `${fmt(f.baseline.summary.median)} — ${f.baseline.name}` : '';
      const ratio = f.ratio === undefined || f.ratio === null ? '' : f.ratio.toFixed(2);
      const target = f.target
        ? `${f.target.on === 'ratio' ? 'ratio ' : ''}${f.target.op === '>=' ? '≥' : '≤'} ${f.target.value}${f.target.on === 'value' ? ` ${f.unit}` : ''}`
        : '';
      const met = f.met === undefined || f.met === null ? '' : f.met ? 'yes' : '**no**';
      rows.push(`| ${result.benchmark} | ${f.name} | ${product} | ${baseline} | ${ratio} | ${target} | ${met} |`);
    }
  }
  process.stdout.write(rows.join('\n') + '\n');
}

main();

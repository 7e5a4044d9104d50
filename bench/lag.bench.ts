import type { BenchEnvironment } from './support/environment';
import { Report } from './support/stats';
export async function runLag(_env: BenchEnvironment): Promise<Report> {
  return new Report('lag', {});
}

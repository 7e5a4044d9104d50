import type { BenchEnvironment } from './support/environment';
import { Report } from './support/stats';
export async function runIdle(_env: BenchEnvironment): Promise<Report> {
  return new Report('idle', {});
}

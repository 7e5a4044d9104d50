import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { jobBody } from '../factories/job.factory';
import { taskContext } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-server';

const FILES = 200;
const ROUNDS = 4;
const ROUND_MS = 1500;
const names = Array.from({ length: FILES }, (_, i) => `f${String(i).padStart(3, '0')}.txt`);

function fill(dir: string, content: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const time = Date.now() / 1000 - 400 * 24 * 3600;
  for (const name of names) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    fs.utimesSync(file, time, time);
  }
}

/**
 * Another process that swaps DOCUMENTS_DIR/race for a symbolic link to `outside` and back
 * as fast as it can: race → parked, link → race (race is now the link), then back. It only
 * stops after a whole cycle, so the tree is as it started when it exits.
 */
const SWAPPER = `
const fs = require('node:fs');
const [docs, ms] = process.argv.slice(1);
const at = (n) => docs + '/' + n;
const end = Date.now() + Number(ms);
let swaps = 0;
while (Date.now() < end) {
  fs.renameSync(at('race'), at('parked'));
  fs.renameSync(at('link'), at('race'));
  fs.renameSync(at('race'), at('link'));
  fs.renameSync(at('parked'), at('race'));
  swaps += 1;
}
process.stdout.write(String(swaps));
`;

function startSwapper(docs: string, ms: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', SWAPPER, docs, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`swapper exited with ${code}`))));
  });
}

describe('document cleanup while a subdirectory is swapped for a link outside (issue 13, finding 3)', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let tmp: string;
  let docs: string;
  let outside: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cleanup-race-'));
    docs = path.join(tmp, 'documents');
    outside = path.join(tmp, 'outside');
    fill(outside, 'outside: never delete');
    fill(path.join(docs, 'race'), 'inside and old');
    fs.symlinkSync(outside, path.join(docs, 'link'));
    t = await createTestApp('tasks_cleanup_race', { DOCUMENTS_DIR: docs });
    registry = t.app.get(TaskRegistry);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('never deletes a file outside DOCUMENTS_DIR, however often the swap lands between check and delete', async () => {
    let runs = 0;
    let swaps = 0;
    let removedInside = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      fill(path.join(docs, 'race'), 'inside and old');
      let done = false;
      const swapper = startSwapper(docs, ROUND_MS).finally(() => (done = true));
      while (!done) {
        const result = (await registry.run(
          'document_cleanup',
          { pattern: 'race/*', older_than_days: 1 },
          [],
          taskContext(),
        )) as { files_removed: number };
        removedInside += result.files_removed;
        runs += 1;
      }
      swaps += await swapper;
    }
    expect(swaps).toBeGreaterThan(100);
    expect(runs).toBeGreaterThan(ROUNDS);
    expect(removedInside).toBeGreaterThan(0);
    const left = fs
      .readdirSync(outside)
      .filter((name) => fs.readFileSync(path.join(outside, name), 'utf8') === 'outside: never delete');
    expect(FILES - left.length).toBe(0);
  }, 60_000);

  it('deletes the old files inside when nothing races it, through a job run', async () => {
    fill(outside, 'outside: never delete');
    fill(path.join(docs, 'race'), 'inside and old');
    const job = (
      await t.http
        .post('/api/v1/jobs')
        .send(
          jobBody({
            job_type: 'document_cleanup',
            task_name: 'document_cleanup',
            task_kwargs: { pattern: 'race/*', older_than_days: 1 },
          }),
        )
        .expect(201)
    ).body;
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body;
    const ended = await eventually(`run ${run.id} to end`, async () => {
      const current = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
      return ['queued', 'running'].includes(current.status) ? undefined : current;
    });
    expect(ended).toMatchObject({ status: 'succeeded', result: { files_removed: FILES, errors: [] } });
    expect(fs.readdirSync(path.join(docs, 'race'))).toEqual([]);
    expect(fs.readdirSync(outside)).toHaveLength(FILES);
  });
});

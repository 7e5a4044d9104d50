import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationFailedError } from '../../src/common/errors';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import { taskContext } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

const DAY = 24 * 3600;

function write(file: string, content: string, ageDays: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  const time = Date.now() / 1000 - ageDays * DAY;
  fs.utimesSync(file, time, time);
}

describe.each(['document_cleanup', 'app.tasks.cleanup.system_cleanup'])('%s task', (task) => {
  let t: TestApp;
  let registry: TaskRegistry;
  let tmp: string;
  let docs: string;
  let outside: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-cleanup-'));
    docs = path.join(tmp, 'documents');
    outside = path.join(tmp, 'outside');
    t = await createTestApp('tasks_cleanup', { DOCUMENTS_DIR: docs });
    registry = t.app.get(TaskRegistry);
  });
  beforeEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    write(path.join(docs, 'invoices', '2019', 'a.pdf'), 'aaaa', 400);
    write(path.join(docs, 'invoices', 'recent.pdf'), 'r', 1);
    write(path.join(docs, 'tmp', 'scratch.tmp'), 'ss', 90);
    write(path.join(outside, 'secret.txt'), 'outside and old', 400);
    fs.symlinkSync(outside, path.join(docs, 'escape'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(docs, 'invoices', 'secret-link.txt'));
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('deletes files older than older_than_days under DOCUMENTS_DIR and reports files and bytes', async () => {
    const result = await registry.run(task, { older_than_days: 30 }, [], taskContext());
    expect(result).toMatchObject({
      documents_dir: docs,
      files_removed: 2,
      bytes_removed: 6,
      links_skipped: 2,
      directories_removed: 0,
      errors: [],
    });
    expect(fs.existsSync(path.join(docs, 'invoices', 'recent.pdf'))).toBe(true);
    expect(fs.existsSync(path.join(docs, 'invoices', '2019', 'a.pdf'))).toBe(false);
  });

  it('never follows a link out of the directory', async () => {
    await registry.run(task, { older_than_days: 0, cleanup_level: 'deep' }, [], taskContext());
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside and old');
    expect(fs.lstatSync(path.join(docs, 'escape')).isSymbolicLink()).toBe(true);
  });

  it('removes emptied folders with cleanup_level deep (the seed override)', async () => {
    const result = await registry.run(task, { cleanup_level: 'deep' }, [], taskContext());
    expect(result).toMatchObject({ files_removed: 2, directories_removed: 2 });
    expect(fs.existsSync(path.join(docs, 'invoices', '2019'))).toBe(false);
    expect(fs.existsSync(path.join(docs, 'tmp'))).toBe(false);
    expect(fs.existsSync(path.join(docs, 'invoices'))).toBe(true);
  });

  it('only reports in a dry run, and filters by pattern', async () => {
    const result = await registry.run(task, { pattern: '*.tmp', dry_run: true }, [], taskContext());
    expect(result).toMatchObject({ dry_run: true, files_removed: 1, bytes_removed: 2, removed: ['tmp/scratch.tmp'] });
    expect(fs.existsSync(path.join(docs, 'tmp', 'scratch.tmp'))).toBe(true);
  });

  it('refuses a ../ kwarg at validation and removes nothing', async () => {
    const run = registry.run(task, { pattern: '../outside/**', older_than_days: 0 }, [], taskContext());
    await expect(run).rejects.toThrow(ValidationFailedError);
    await expect(registry.run(task, { pattern: '../outside/**' }, [], taskContext())).rejects.toThrow(
      /task_kwargs\.pattern: must stay inside DOCUMENTS_DIR/,
    );
    expect(fs.existsSync(path.join(outside, 'secret.txt'))).toBe(true);
  });
});

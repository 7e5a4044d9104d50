import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentCleaner, documentCleanupKwargs } from '../../../src/modules/tasks/document-cleaner';

const DAY = 24 * 3600;

function write(file: string, content: string, ageDays: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  const time = Date.now() / 1000 - ageDays * DAY;
  fs.utimesSync(file, time, time);
}

const clean = (dir: string, kwargs: Record<string, unknown> = {}, signal = new AbortController().signal) =>
  new DocumentCleaner(dir, documentCleanupKwargs.parse(kwargs), signal).clean();

describe(DocumentCleaner.name, () => {
  let tmp: string;
  let docs: string;
  let outside: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-cleaner-'));
    docs = path.join(tmp, 'documents');
    outside = path.join(tmp, 'outside');
    write(path.join(docs, 'old.pdf'), 'old!', 40);
    write(path.join(docs, 'new.pdf'), 'new', 1);
    write(path.join(docs, 'reports', '2020', 'old.txt'), '123456', 400);
    write(path.join(docs, 'reports', 'keep.txt'), 'k', 2);
    write(path.join(outside, 'precious.txt'), 'do not touch', 400);
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(docs, 'link-to-file.txt'));
    fs.symlinkSync(outside, path.join(docs, 'link-to-dir'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('removes only files older than older_than_days and reports files and bytes', async () => {
    const result = await clean(docs, { older_than_days: 30 });
    expect(result).toMatchObject({
      files_removed: 2,
      bytes_removed: 10,
      directories_removed: 0,
      links_skipped: 2,
      errors: [],
    });
    expect(result.removed.sort()).toEqual(['old.pdf', 'reports/2020/old.txt']);
    expect(fs.existsSync(path.join(docs, 'new.pdf'))).toBe(true);
    expect(fs.existsSync(path.join(docs, 'reports', '2020'))).toBe(true);
  });

  it('never follows a link pointing outside, nor removes its target', async () => {
    await clean(docs, { older_than_days: 0 });
    expect(fs.readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('do not touch');
    expect(fs.lstatSync(path.join(docs, 'link-to-dir')).isSymbolicLink()).toBe(true);
  });

  it('changes nothing in a dry run', async () => {
    const result = await clean(docs, { older_than_days: 30, dry_run: true, cleanup_level: 'deep' });
    expect(result).toMatchObject({ dry_run: true, files_removed: 2, bytes_removed: 10, directories_removed: 1 });
    expect(fs.existsSync(path.join(docs, 'old.pdf'))).toBe(true);
    expect(fs.existsSync(path.join(docs, 'reports', '2020', 'old.txt'))).toBe(true);
  });

  it('removes folders left empty when cleanup_level is deep, never the directory itself', async () => {
    const result = await clean(docs, { older_than_days: 30, cleanup_level: 'deep' });
    expect(result.directories_removed).toBe(1);
    expect(fs.existsSync(path.join(docs, 'reports', '2020'))).toBe(false);
    expect(fs.existsSync(path.join(docs, 'reports', 'keep.txt'))).toBe(true);
    const everything = await clean(docs, { older_than_days: 0, cleanup_level: 'deep' });
    expect(everything.files_removed).toBe(2);
    expect(fs.existsSync(path.join(docs, 'reports'))).toBe(false);
    expect(fs.existsSync(docs)).toBe(true);
  });

  it('matches a glob against relative paths, or file names when it has no slash', async () => {
    expect((await clean(docs, { older_than_days: 30, pattern: '*.txt', dry_run: true })).removed).toEqual([
      'reports/2020/old.txt',
    ]);
    expect((await clean(docs, { older_than_days: 30, pattern: 'reports/**', dry_run: true })).removed).toEqual([
      'reports/2020/old.txt',
    ]);
    expect((await clean(docs, { older_than_days: 30, pattern: '*.pdf', dry_run: true })).removed).toEqual(['old.pdf']);
  });

  it('reports nothing when the directory does not exist', async () => {
    await expect(clean(path.join(tmp, 'missing'))).resolves.toMatchObject({ files_scanned: 0, files_removed: 0 });
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(clean(docs, {}, controller.signal)).rejects.toThrow('cancelled');
    expect(fs.existsSync(path.join(docs, 'old.pdf'))).toBe(true);
  });

  it.each(['../outside/*', 'reports/../../outside/**', '/etc/*', '..', '..\\x'])(
    'refuses the pattern %s',
    (pattern) => {
      const parsed = documentCleanupKwargs.safeParse({ pattern });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0].message).toMatch(/must stay inside DOCUMENTS_DIR/);
    },
  );

  it('rejects an unknown cleanup_level and unknown kwargs', () => {
    expect(documentCleanupKwargs.safeParse({ cleanup_level: 'nuclear' }).success).toBe(false);
    expect(documentCleanupKwargs.safeParse({ path: '/' }).success).toBe(false);
  });
});

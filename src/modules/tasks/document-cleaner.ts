import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import { z } from 'zod';
import { throwIfAborted } from './abort';

const DAY_MS = 24 * 3600 * 1000;
const LISTED_PATHS = 100;

/** A path kwarg that cannot leave the documents directory: no absolute paths, no `..` segments. */
const insidePattern = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !path.isAbsolute(p) && !/^[a-zA-Z]:/.test(p) && !p.split(/[\\/]+/).includes('..'), {
    message: 'must stay inside DOCUMENTS_DIR: absolute paths and ".." segments are refused',
  });

export const documentCleanupKwargs = z
  .object({
    older_than_days: z.number().min(0).max(36_500).default(30).describe('Delete files last modified more than this many days ago'),
    pattern: insidePattern.default('**/*').describe('Glob matched against paths relative to DOCUMENTS_DIR (a pattern without "/" matches file names)'),
    dry_run: z.boolean().default(false).describe('Report what would be removed without removing anything'),
    cleanup_level: z.enum(['standard', 'deep']).default('standard').describe('"deep" also removes empty folders'),
  })
  .strict();

export type DocumentCleanupOptions = z.infer<typeof documentCleanupKwargs>;

export interface DocumentCleanupResult {
  documents_dir: string;
  dry_run: boolean;
  cleanup_level: 'standard' | 'deep';
  pattern: string;
  cutoff: string;
  files_scanned: number;
  files_removed: number;
  bytes_removed: number;
  directories_removed: number;
  links_skipped: number;
  /** The first removed (or, in a dry run, removable) paths, relative to the directory. */
  removed: string[];
  errors: string[];
}

/**
 * Deletes old files under one directory. It never follows a symbolic link (links are
 * skipped, not removed) and re-checks, before each removal, that the parent directory is
 * still the real directory it walked, so a swapped-in link cannot lead it outside.
 */
export class DocumentCleaner {
  private result!: DocumentCleanupResult;
  private cutoffMs = 0;
  private root = '';

  constructor(
    private readonly directory: string,
    private readonly options: DocumentCleanupOptions,
    private readonly signal: AbortSignal,
    private readonly now: Date = new Date(),
  ) {}

  async clean(): Promise<DocumentCleanupResult> {
    this.cutoffMs = this.now.getTime() - this.options.older_than_days * DAY_MS;
    this.result = {
      documents_dir: this.directory,
      dry_run: this.options.dry_run,
      cleanup_level: this.options.cleanup_level,
      pattern: this.options.pattern,
      cutoff: new Date(this.cutoffMs).toISOString(),
      files_scanned: 0,
      files_removed: 0,
      bytes_removed: 0,
      directories_removed: 0,
      links_skipped: 0,
      removed: [],
      errors: [],
    };
    const root = await realDirectory(this.directory);
    if (!root) return this.result;
    this.root = root;
    await this.walk(root);
    return this.result;
  }

  /** Returns how many entries remain in `dir` afterwards (0 lets a deep clean remove it). */
  private async walk(dir: string): Promise<number> {
    throwIfAborted(this.signal);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      this.fail(dir, error);
      return 1;
    }
    let remaining = entries.length;
    for (const entry of entries) {
      throwIfAborted(this.signal);
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        this.result.links_skipped += 1;
      } else if (entry.isDirectory()) {
        const left = await this.walk(full);
        if (left === 0 && this.options.cleanup_level === 'deep' && (await this.removeDirectory(dir, full))) remaining -= 1;
      } else if (entry.isFile()) {
        if (await this.consider(dir, full)) remaining -= 1;
      }
    }
    return remaining;
  }

  private async consider(dir: string, full: string): Promise<boolean> {
    this.result.files_scanned += 1;
    const relative = path.relative(this.root, full);
    if (!this.matches(relative)) return false;
    try {
      const stat = await fs.lstat(full);
      if (!stat.isFile() || stat.mtimeMs >= this.cutoffMs) return false;
      if (!this.options.dry_run) {
        await this.assertUnchanged(dir);
        await fs.unlink(full);
      }
      this.result.files_removed += 1;
      this.result.bytes_removed += stat.size;
      if (this.result.removed.length < LISTED_PATHS) this.result.removed.push(relative.split(path.sep).join('/'));
      return true;
    } catch (error) {
      this.fail(full, error);
      return false;
    }
  }

  private async removeDirectory(parent: string, full: string): Promise<boolean> {
    try {
      if (!this.options.dry_run) {
        await this.assertUnchanged(parent);
        const stat = await fs.lstat(full);
        if (!stat.isDirectory()) return false;
        await fs.rmdir(full);
      }
      this.result.directories_removed += 1;
      return true;
    } catch (error) {
      this.fail(full, error);
      return false;
    }
  }

  private matches(relative: string): boolean {
    const posix = relative.split(path.sep).join('/');
    const { pattern } = this.options;
    return minimatch(posix, pattern, { dot: true, matchBase: !pattern.includes('/') });
  }

  /** The directory about to be changed must still resolve to itself, inside the root. */
  private async assertUnchanged(dir: string): Promise<void> {
    const real = await fs.realpath(dir);
    const relative = path.relative(this.root, real);
    if (real !== dir || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new Error(`${dir} changed while cleaning (now ${real}); nothing removed there`);
    }
  }

  private fail(target: string, error: unknown): void {
    if (this.result.errors.length < LISTED_PATHS) this.result.errors.push(`${target}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The real path of an existing directory, or null when there is none (nothing to clean). */
async function realDirectory(directory: string): Promise<string | null> {
  try {
    const real = await fs.realpath(directory);
    return (await fs.stat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
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
    older_than_days: z
      .number()
      .min(0)
      .max(36_500)
      .default(30)
      .describe('Delete files last modified more than this many days ago'),
    pattern: insidePattern
      .default('**/*')
      .describe('Glob matched against paths relative to DOCUMENTS_DIR (a pattern without "/" matches file names)'),
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
 * On Linux `/proc/self/fd/<fd>/<name>` names the entry `<name>` of the directory open as
 * `<fd>`: the kernel goes through the open directory itself, not through its path, so a
 * directory swapped for a link after it was opened cannot redirect a lookup, an `unlink`
 * or an `rmdir`. Node has no `openat`/`unlinkat`; this is how it gets their guarantee.
 */
const FD_DIR = '/proc/self/fd';
const OPEN_SUBDIRECTORY = fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW;
/** Open directories are held from the root down; deeper trees are reported, not walked. */
const MAX_DEPTH = 64;

/**
 * Deletes old files under one directory, and only there, whatever happens to the tree while
 * it runs. Each directory is opened from its already-open parent, refusing links
 * (`O_NOFOLLOW`), and every check and deletion names its entry through the open parent (see
 * `FD_DIR`), so no path is ever resolved again between a check and a deletion. Links are
 * skipped, never followed or removed. Where `/proc/self/fd` is unavailable it refuses to run.
 */
export class DocumentCleaner {
  private result!: DocumentCleanupResult;
  private cutoffMs = 0;
  private rootReal = '';

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
    const root = await openRoot(this.directory);
    if (!root) return this.result;
    try {
      this.rootReal = await openDirectoryPath(root);
      await this.walk(root, '', 0);
    } finally {
      await root.close();
    }
    return this.result;
  }

  /** Returns how many entries remain in `dir` afterwards (0 lets a deep clean remove it). */
  private async walk(dir: FileHandle, relative: string, depth: number): Promise<number> {
    throwIfAborted(this.signal);
    let entries;
    try {
      entries = await fs.readdir(`${FD_DIR}/${dir.fd}`, { withFileTypes: true });
    } catch (error) {
      this.fail(relative || '.', error);
      return 1;
    }
    let remaining = entries.length;
    for (const entry of entries) {
      throwIfAborted(this.signal);
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        this.result.links_skipped += 1;
      } else if (entry.isDirectory()) {
        const left = await this.walkSubdirectory(dir, entry.name, child, depth + 1);
        if (left === 0 && this.options.cleanup_level === 'deep' && (await this.removeDirectory(dir, entry.name, child)))
          remaining -= 1;
      } else if (entry.isFile()) {
        if (await this.consider(dir, entry.name, child)) remaining -= 1;
      }
    }
    return remaining;
  }

  private async walkSubdirectory(parent: FileHandle, name: string, relative: string, depth: number): Promise<number> {
    if (depth > MAX_DEPTH) {
      this.fail(relative, new Error(`deeper than ${MAX_DEPTH} levels; not cleaned`));
      return 1;
    }
    let dir: FileHandle;
    try {
      // A link swapped in since readdir fails here (ELOOP/ENOTDIR) instead of being followed.
      dir = await fs.open(entryOf(parent, name), OPEN_SUBDIRECTORY);
    } catch (error) {
      this.fail(relative, error);
      return 1;
    }
    try {
      return await this.walk(dir, relative, depth);
    } finally {
      await dir.close();
    }
  }

  private async consider(dir: FileHandle, name: string, relative: string): Promise<boolean> {
    this.result.files_scanned += 1;
    if (!this.matches(relative)) return false;
    try {
      const entry = entryOf(dir, name);
      const stat = await fs.lstat(entry);
      if (!stat.isFile() || stat.mtimeMs >= this.cutoffMs) return false;
      if (!this.options.dry_run) {
        await this.assertStillInside(dir);
        await fs.unlink(entry);
      }
      this.result.files_removed += 1;
      this.result.bytes_removed += stat.size;
      if (this.result.removed.length < LISTED_PATHS) this.result.removed.push(relative);
      return true;
    } catch (error) {
      this.fail(relative, error);
      return false;
    }
  }

  private async removeDirectory(parent: FileHandle, name: string, relative: string): Promise<boolean> {
    try {
      if (!this.options.dry_run) {
        await this.assertStillInside(parent);
        // rmdir never follows a link (ENOTDIR) and refuses a directory that is not empty.
        await fs.rmdir(entryOf(parent, name));
      }
      this.result.directories_removed += 1;
      return true;
    } catch (error) {
      this.fail(relative, error);
      return false;
    }
  }

  private matches(relative: string): boolean {
    const { pattern } = this.options;
    return minimatch(relative, pattern, { dot: true, matchBase: !pattern.includes('/') });
  }

  /**
   * Defence in depth, not the guarantee: refuses to delete in an open directory that has
   * since been moved out of the root (possible only for someone allowed to write outside).
   */
  private async assertStillInside(dir: FileHandle): Promise<void> {
    const now = await openDirectoryPath(dir);
    if (now !== this.rootReal && !now.startsWith(`${this.rootReal}/`)) {
      throw new Error(`its directory was moved out of ${this.rootReal} (now ${now}); nothing removed there`);
    }
  }

  private fail(target: string, error: unknown): void {
    if (this.result.errors.length < LISTED_PATHS)
      this.result.errors.push(`${target}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const entryOf = (dir: FileHandle, name: string) => `${FD_DIR}/${dir.fd}/${name}`;

/** Where an open directory is now (the kernel's answer for its descriptor). */
const openDirectoryPath = (dir: FileHandle) => fs.readlink(`${FD_DIR}/${dir.fd}`);

/**
 * The documents directory, opened; null when there is none (nothing to clean). Throws when
 * `/proc/self/fd` does not lead back to the open directory: without it no deletion is safe.
 */
async function openRoot(directory: string): Promise<FileHandle | null> {
  let root: FileHandle;
  try {
    root = await fs.open(directory, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
  try {
    const [direct, viaProc] = await Promise.all([root.stat(), fs.stat(`${FD_DIR}/${root.fd}`)]);
    if (direct.dev === viaProc.dev && direct.ino === viaProc.ino) return root;
  } catch {
    // fall through: no usable /proc/self/fd
  }
  await root.close();
  throw new Error(
    `document cleanup needs Linux ${FD_DIR} to delete without following links swapped in meanwhile; nothing was removed`,
  );
}

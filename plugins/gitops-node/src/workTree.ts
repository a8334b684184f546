import { CustomErrorBase, InputError } from '@backstage/errors';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The largest file read from a repository by default: 1 MiB. Manifests,
 * kustomizations and values files are a few kilobytes; anything larger is
 * refused before it is read, so one file cannot stall the backend.
 *
 * @public
 */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/**
 * A file of a repository that the backend will not read or write: a link,
 * a submodule, something larger than the limit, a path outside the tree.
 * An InputError, so it is answered 400 with what is wrong.
 *
 * @public
 */
export class UnsafeRepositoryFileError extends InputError {
  // answered as the InputError it is (the error handler goes by name)
  name = 'InputError' as const;
}

/**
 * A file of a repository larger than the backend reads: answered 413.
 *
 * @public
 */
export class RepositoryFileTooLargeError extends CustomErrorBase {
  name = 'RepositoryFileTooLargeError';
  /** Read by Backstage's error handler as the response status. */
  readonly statusCode = 413;
}

/** Git modes of entries that are not plain files. */
const SYMLINK_MODE = '120000';
const GITLINK_MODE = '160000';

/**
 * A path relative to a repository's root, normalised, or an error: absolute
 * paths, `..` out of the tree and `.git` are refused.
 *
 * @public
 */
export function repositoryPath(file: string): string {
  const posix = file.replace(/\\/g, '/');
  const norm = path.posix.normalize(posix).replace(/^\.\//, '');
  if (
    !norm ||
    norm === '.' ||
    path.posix.isAbsolute(norm) ||
    norm === '..' ||
    norm.startsWith('../') ||
    norm.split('/').some(p => p.toLocaleLowerCase('en-US') === '.git') ||
    norm.includes('\0')
  ) {
    throw new UnsafeRepositoryFileError(
      `'${file}' is not a path inside the repository`,
    );
  }
  return norm;
}

/** Parses `git ls-files -s -z` / `git ls-tree -z` style entries. */
export function parseGitEntries(
  out: string,
): Array<{ mode: string; path: string; size?: number }> {
  return out
    .split('\0')
    .filter(Boolean)
    .map(line => {
      const tab = line.indexOf('\t');
      const [mode, , , size] = line.slice(0, tab).split(/\s+/);
      const n = Number(size);
      return {
        mode,
        path: line.slice(tab + 1),
        size: Number.isFinite(n) ? n : undefined,
      };
    });
}

/**
 * Checks each component of a path inside `root` with lstat: none may be a
 * symbolic link, so nothing read or written through it leaves the tree,
 * whatever `core.symlinks` says. Returns the full path and the last
 * component's stat (undefined when it does not exist).
 */
async function resolveInside(
  root: string,
  file: string,
): Promise<{ full: string; stat?: import('node:fs').Stats }> {
  const rel = repositoryPath(file);
  let current = root;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i]);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { full: current };
      throw error;
    }
    if (stat.isSymbolicLink()) {
      throw new UnsafeRepositoryFileError(
        `${parts
          .slice(0, i + 1)
          .join(
            '/',
          )} is a symbolic link; links in a repository are not followed`,
      );
    }
    if (i < parts.length - 1 && !stat.isDirectory()) return { full: current };
    if (i === parts.length - 1) return { full: current, stat };
  }
  return { full: current };
}

/**
 * Reads and writes files of a checked-out repository without ever leaving
 * it: links (in the index, mode 120000, or on disk) and submodules are
 * refused, and so are files larger than the limit, before they are read.
 *
 * @public
 */
export class SafeWorkTree {
  constructor(
    readonly dir: string,
    private readonly options: {
      /** Runs git in the tree. */
      git(args: string[]): Promise<string>;
      maxFileBytes?: number;
    },
  ) {}

  get maxFileBytes(): number {
    return this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  private tooLarge(file: string, size: number): RepositoryFileTooLargeError {
    return new RepositoryFileTooLargeError(
      `${file} is ${size} bytes, more than the ${this.maxFileBytes} bytes read from a repository (gitops.promotion.maxFileBytes)`,
    );
  }

  /** The index's entry of a path: a link or submodule is refused. */
  private async checkIndexed(rel: string): Promise<void> {
    const entries = parseGitEntries(
      await this.options.git(['ls-files', '-s', '-z', '--', rel]),
    );
    const own = entries.find(e => e.path === rel);
    if (own?.mode === SYMLINK_MODE)
      throw new UnsafeRepositoryFileError(
        `${rel} is a symbolic link in the repository; links are not followed`,
      );
    if (own?.mode === GITLINK_MODE)
      throw new UnsafeRepositoryFileError(`${rel} is a submodule, not a file`);
  }

  /** Plain files tracked in the tree (no links, no submodules), sorted. */
  async listFiles(filter?: (file: string) => boolean): Promise<string[]> {
    const entries = parseGitEntries(
      await this.options.git(['ls-files', '-s', '-z']),
    );
    return entries
      .filter(e => e.mode === '100644' || e.mode === '100755')
      .map(e => e.path)
      .filter(f => !filter || filter(f))
      .sort();
  }

  /** The size of a plain file of the tree, or undefined when it is not one. */
  async sizeOf(file: string): Promise<number | undefined> {
    const { stat } = await resolveInside(this.dir, file);
    return stat?.isFile() ? stat.size : undefined;
  }

  /** A file of the working tree; NotFound-like InputError when absent. */
  async readFile(file: string): Promise<string> {
    const rel = repositoryPath(file);
    await this.checkIndexed(rel);
    const { full, stat } = await resolveInside(this.dir, rel);
    if (!stat) throw new UnsafeRepositoryFileError(`${rel} does not exist`);
    if (!stat.isFile())
      throw new UnsafeRepositoryFileError(`${rel} is not a file`);
    if (stat.size > this.maxFileBytes) throw this.tooLarge(rel, stat.size);
    const handle = await fs.open(
      full,
      constants.O_RDONLY | constants.O_NOFOLLOW,
    );
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, this.maxFileBytes) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > this.maxFileBytes) throw this.tooLarge(rel, bytesRead);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }

  /** A file as it was at a commit, without checking it out. */
  async readFileAt(revision: string, file: string): Promise<string> {
    const rel = repositoryPath(file);
    // a commit, branch or tag name; never an option
    if (!/^[\w./-]+$/.test(revision) || revision.startsWith('-'))
      throw new UnsafeRepositoryFileError(`'${revision}' is not a revision`);
    let entries;
    try {
      entries = parseGitEntries(
        await this.options.git(['ls-tree', '-l', '-z', revision, '--', rel]),
      );
    } catch {
      throw new UnsafeRepositoryFileError(
        `${rel} does not exist at ${revision.slice(0, 12)}`,
      );
    }
    const entry = entries.find(e => e.path === rel);
    if (!entry)
      throw new UnsafeRepositoryFileError(
        `${rel} does not exist at ${revision.slice(0, 12)}`,
      );
    if (entry.mode === SYMLINK_MODE)
      throw new UnsafeRepositoryFileError(
        `${rel} is a symbolic link at ${revision.slice(
          0,
          12,
        )}; links are not followed`,
      );
    if (entry.mode !== '100644' && entry.mode !== '100755')
      throw new UnsafeRepositoryFileError(`${rel} is not a file`);
    if ((entry.size ?? 0) > this.maxFileBytes)
      throw this.tooLarge(rel, entry.size!);
    return this.options.git(['show', `${revision}:${rel}`]);
  }

  /** Rewrites an existing plain file of the tree (never through a link). */
  async writeFile(file: string, text: string): Promise<void> {
    const rel = repositoryPath(file);
    await this.checkIndexed(rel);
    const { full, stat } = await resolveInside(this.dir, rel);
    if (stat && !stat.isFile())
      throw new UnsafeRepositoryFileError(`${rel} is not a file`);
    if (Buffer.byteLength(text) > this.maxFileBytes)
      throw this.tooLarge(rel, Buffer.byteLength(text));
    if (!stat) {
      // a new file: its folder must be inside the tree (checked above)
      await fs.mkdir(path.dirname(full), { recursive: true });
      const again = await resolveInside(this.dir, rel);
      if (again.stat) throw new UnsafeRepositoryFileError(`${rel} changed`);
    }
    const handle = await fs.open(
      full,
      constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_TRUNC |
        constants.O_NOFOLLOW,
      0o644,
    );
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  }
}

/**
 * Safe output paths for the file writers of `masterbus/node`: an output never lands on an input
 * ({@link assertNotProtected}: same file by resolved path, real path — symlinks followed — or
 * device and inode — hard links), and a file appears at its path only when complete (written to
 * {@link temporaryPathFor} in the same folder, then renamed, which POSIX makes atomic within a
 * file system).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AudioFileError } from './audio-file.js';

/** The real path of `p`, or of its folder joined with its name when `p` does not exist yet. */
async function realPathOf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    try {
      return join(await realpath(dirname(resolve(p))), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

/**
 * Whether `a` and `b` name the same file: the same resolved path, the same real path (symlinks
 * followed), or, when both exist, the same device and inode (hard links, case-insensitive file
 * systems).
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  if ((await realPathOf(a)) === (await realPathOf(b))) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.ino !== 0 && sa.dev === sb.dev && sa.ino === sb.ino;
}

/**
 * Throw an {@link AudioFileError} (`<path>: refusing to write over the input <p>`) when `path` is
 * the same file as one of `protect` (see {@link sameFile}), `<path>: is a folder, not a file
 * path` when it is a folder, and when it exists as anything else that is not a regular file.
 */
export async function assertNotProtected(path: string, protect: readonly string[] = []): Promise<void> {
  for (const p of protect) {
    if (await sameFile(path, p)) throw new AudioFileError(path, `refusing to write over the input ${p}`);
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new AudioFileError(path, 'is a folder, not a file path');
  // A device, FIFO or socket would be replaced by the renamed file (as root, -o /dev/null did).
  if (existing !== undefined && !existing.isFile()) throw new AudioFileError(path, 'exists and is not a regular file (a device, FIFO or socket); masterbus writes files');
}

/** A fresh temporary path beside `path`: `.<name>.<12 hex digits>.tmp` in the same folder (so the final rename stays on one file system). */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Write a text file (a report, a session, a state file) so that it appears whole or not at all:
 * to {@link temporaryPathFor} beside it, then renamed onto `path`; the temporary file is removed
 * if anything fails.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

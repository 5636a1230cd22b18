/** Safe output paths (src/node/output-path.ts): same-file detection, the protect check, temporary names. */
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileError } from '../../src/node/audio-file.js';
import { assertNotProtected, sameFile, temporaryPathFor } from '../../src/node/output-path.js';

const dir = mkdtempSync(join(tmpdir(), 'masterbus-outpath-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output paths', () => {
  it('sameFile: spellings, symlinks (to the file or a folder above it) and hard links are the same file; others are not', async () => {
    const a = join(dir, 'a.wav');
    writeFileSync(a, 'x');
    writeFileSync(join(dir, 'b.wav'), 'x');
    symlinkSync(a, join(dir, 'link.wav'));
    linkSync(a, join(dir, 'hard.wav'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync(dir, join(dir, 'sub', 'up'));
    for (const same of [a, join(dir, 'sub', '..', 'a.wav'), relative(process.cwd(), a), join(dir, 'link.wav'), join(dir, 'hard.wav'), join(dir, 'sub', 'up', 'a.wav')]) {
      expect(await sameFile(same, a), same).toBe(true);
      expect(await sameFile(a, same), same).toBe(true);
    }
    expect(await sameFile(join(dir, 'b.wav'), a)).toBe(false);
    // not existing yet: compared by their folders' real paths
    expect(await sameFile(join(dir, 'sub', 'up', 'new.wav'), join(dir, 'new.wav'))).toBe(true);
    expect(await sameFile(join(dir, 'new.wav'), join(dir, 'other.wav'))).toBe(false);
  });

  it('assertNotProtected refuses an input and a folder; temporaryPathFor is a hidden file beside the path', async () => {
    const a = join(dir, 'in.wav');
    writeFileSync(a, 'x');
    await expect(assertNotProtected(a, [join(dir, '.', 'in.wav')])).rejects.toThrow(new AudioFileError(a, `refusing to write over the input ${join(dir, '.', 'in.wav')}`));
    await expect(assertNotProtected(dir, [])).rejects.toThrow(new AudioFileError(dir, 'is a folder, not a file path'));
    await expect(assertNotProtected(join(dir, 'out.wav'), [a])).resolves.toBeUndefined();
    // A FIFO (or a device) at the path would be replaced by the renamed file: refused, for every writer.
    const fifo = join(dir, 'pipe.wav');
    spawnSync('mkfifo', [fifo]);
    await expect(assertNotProtected(fifo, [])).rejects.toThrow(/pipe\.wav: exists and is not a regular file/);
    const t = temporaryPathFor(join(dir, 'out.wav'));
    expect(dirname(t)).toBe(dir);
    expect(t.slice(dir.length + 1)).toMatch(/^\.out\.wav\.[0-9a-f]{12}\.tmp$/);
    expect(temporaryPathFor(join(dir, 'out.wav'))).not.toBe(t);
  });
});

/**
 * openAudio (by content) and readSource (a whole source into memory): against the WAV reader, and
 * with a source that does not state its length (the buffers grow), checked against the same data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AudioSource } from '../../src/node/audio-file.js';
import { openAudio, readSource } from '../../src/node/open-audio.js';
import { writeWavFloat } from '../support/wav.js';
import { noise } from '../support/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'masterbus-open-audio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openAudio and readSource', () => {
  it('a WAV named .mp3 opens as WAV (content, not name); readSource returns its samples and closes it', async () => {
    const x = [noise(50_000, 3, 0.5), noise(50_000, 4, 0.5)];
    const path = join(dir, 'really-a-wav.mp3');
    writeWavFloat(path, x, 44100);
    const src = await openAudio(path);
    expect(src.format).toBe('wav');
    const y = await readSource(src);
    expect(y.map((c) => c.length)).toEqual([50_000, 50_000]);
    for (let c = 0; c < 2; c++) expect(Buffer.from(y[c].buffer, y[c].byteOffset, y[c].byteLength).equals(Buffer.from(x[c].buffer))).toBe(true);
    await expect(src.close()).resolves.toBeUndefined(); // closed by readSource; closing again is harmless
  });

  it('a source without a stated length: the buffers grow, the result is exact; maxFrames bounds it', async () => {
    const n = 3 * 48000 * 60 + 17; // more than the first guess (60 s)
    const data = noise(n, 9, 0.5);
    let pos = 0;
    let closed = 0;
    const source: AudioSource = {
      path: 'generated',
      format: 'wav',
      description: 'test',
      sampleRate: 48000,
      channels: 1,
      frames: undefined,
      // Hands out at most 1000 frames per read, whatever is asked (as a MasterSource may).
      read: async (out, max) => {
        const k = Math.min(max, n - pos, 1000);
        out[0].set(data.subarray(pos, pos + k));
        pos += k;
        return k;
      },
      rewind: async () => {
        pos = 0;
      },
      close: async () => {
        closed++;
      },
    };
    const [y] = await readSource(source);
    expect(y.length).toBe(n);
    expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    expect(closed).toBe(1);
    await source.rewind();
    await expect(readSource(source, 100_000)).rejects.toThrow(/generated: longer than 100000 frames/);
  });

  it('an empty file and a text file: one-line errors', async () => {
    writeFileSync(join(dir, 'empty.wav'), '');
    writeFileSync(join(dir, 'text.flac'), 'hello, this is text');
    await expect(openAudio(join(dir, 'empty.wav'))).rejects.toThrow(/empty\.wav: empty file$/);
    await expect(openAudio(join(dir, 'text.flac'))).rejects.toThrow(/text\.flac: not a supported audio file/);
  });
});

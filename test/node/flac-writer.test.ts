/**
 * createFlacWriter: the integers in the file are the core quantiser's (quantizeToInt with the same
 * dither: what a PCM WAV writer stores), checked through ffmpeg's decode and `flac -t` (libFLAC's
 * own verifier, with the MD5 signature we patch into STREAMINFO) when installed; any partition into
 * write() calls gives the same bytes; temp file + rename, abort, protect. ffmpeg-dependent parts
 * are skipped without ffmpeg unless REQUIRE_FFMPEG=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeToInt } from '../../src/core/dither.js';
import { AudioFileError } from '../../src/node/audio-file.js';
import { openFlac } from '../../src/node/decoders.js';
import { createFlacWriter } from '../../src/node/flac-writer.js';

function have(cmd: string, arg: string): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
}
const ffmpegOk = have('ffmpeg', '-version');
const flacOk = have('flac', '--version');
if (!ffmpegOk && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');
if (!ffmpegOk) console.warn('flac-writer.test.ts: ffmpeg not found, skipping the ffmpeg checks (set REQUIRE_FFMPEG=1 to fail instead)');
if (!flacOk) console.warn('flac-writer.test.ts: the flac tool is not installed, skipping `flac -t`');

const SOAK = process.env.SOAK !== undefined;
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'masterbus-flacw-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A test signal off the grid, beyond full scale in places (clipping), different per channel. */
function signal(channels: number, frames: number, rate: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = 1.1 * Math.sin((2 * Math.PI * (300 + 200 * c) * i) / rate) * (0.2 + 0.8 * (i / frames)) + 1e-4 * Math.sin(i * 0.37 + c);
    return x;
  });
}

/** Write `chans` through a writer in the given block sizes (cycled). */
async function writeFile(path: string, chans: Float32Array[], rate: number, bits: 16 | 24, sizes: number[], dither?: { mode?: 'none' | 'tpdf' | 'shaped'; seed?: number }): Promise<void> {
  const sink = await createFlacWriter(path, { sampleRate: rate, channels: chans.length, bits, ...(dither ? { dither } : {}) });
  const n = chans[0].length;
  for (let pos = 0, k = 0; pos < n; k++) {
    const len = Math.min(sizes[k % sizes.length], n - pos);
    await sink.write(
      chans.map((c) => c.subarray(pos, pos + len)),
      len,
    );
    pos += len;
  }
  await sink.close();
}

/** ffmpeg's decode of a FLAC file as interleaved integers (s16 or s32 with the 24-bit value in the top bytes). */
function ffmpegInts(file: string, bits: 16 | 24): Int32Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', bits === 16 ? 's16le' : 's32le', '-'], { maxBuffer: 1 << 30 });
  const buf = out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
  if (bits === 16) return Int32Array.from(new Int16Array(buf));
  return new Int32Array(buf).map((v) => v >> 8);
}

describe.skipIf(!ffmpegOk)('FLAC output: the quantiser’s integers, bit-exact', () => {
  const cases = [
    { bits: 16 as const, channels: 1, rate: 44100, dither: { mode: 'tpdf' as const, seed: 3 } },
    { bits: 16 as const, channels: 2, rate: 48000, dither: undefined },
    { bits: 24 as const, channels: 2, rate: 96000, dither: { mode: 'shaped' as const, seed: 9 } },
    { bits: 24 as const, channels: 6, rate: 48000, dither: { mode: 'none' as const } },
  ];
  for (const c of cases) {
    it(`${c.bits}-bit, ${c.channels} ch, ${c.rate} Hz, dither ${c.dither?.mode ?? 'default (tpdf)'}`, async () => {
      const frames = 30000;
      const chans = signal(c.channels, frames, c.rate);
      const file = join(dir, `w${c.bits}-${c.channels}.flac`);
      await writeFile(file, chans, c.rate, c.bits, [4096, 1000, 7777], c.dither);
      const expected = quantizeToInt(chans, c.bits, { mode: c.dither?.mode ?? 'tpdf', seed: c.dither?.seed ?? 0 });
      const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels,bits_per_raw_sample,duration_ts', '-of', 'default=nw=1', file]).toString();
      expect(probe).toContain('codec_name=flac');
      expect(probe).toContain(`sample_rate=${c.rate}`);
      expect(probe).toContain(`channels=${c.channels}`);
      expect(probe).toContain(`bits_per_raw_sample=${c.bits}`);
      expect(probe).toContain(`duration_ts=${frames}`);
      const got = ffmpegInts(file, c.bits);
      expect(got.length).toBe(expected.length);
      let bad = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) bad++;
      expect(bad).toBe(0);
      if (flacOk) {
        const t = spawnSync('flac', ['-t', '-s', file], { encoding: 'utf8' });
        expect(t.status, t.stderr).toBe(0);
      }
      // Our reader: the same integers, frames from STREAMINFO, MD5 checked at the end.
      const src = await openFlac(file);
      expect(src.frames).toBe(frames);
      const block = Array.from({ length: c.channels }, () => new Float32Array(frames));
      expect(await src.read(block, frames)).toBe(frames);
      expect(await src.read(block, frames)).toBe(0);
      await src.close();
      const scale = 2 ** (c.bits - 1);
      for (let ch = 0; ch < c.channels; ch++) for (let i = 0; i < frames; i += 97) expect(block[ch][i] * scale).toBe(expected[i * c.channels + ch]);
    });
  }
});

describe('FLAC output: files', () => {
  it('any partition into write() calls gives the same bytes', async () => {
    const chans = signal(2, 20000, 44100);
    const ref = join(dir, 'part-ref.flac');
    await writeFile(ref, chans, 44100, 24, [20000]);
    const refBytes = readFileSync(ref);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 6 }), async (sizes) => {
        const f = join(dir, 'part.flac');
        await writeFile(f, chans, 44100, 24, sizes);
        expect(readFileSync(f).equals(refBytes)).toBe(true);
      }),
      { numRuns: SOAK ? 50 : 5 },
    );
  });

  it('nothing at the path before close(); abort() leaves the old file and no temp file', async () => {
    const path = join(dir, 'keep.flac');
    writeFileSync(path, 'old contents');
    const sink = await createFlacWriter(path, { sampleRate: 48000, channels: 2, bits: 16 });
    await sink.write(signal(2, 5000, 48000), 5000);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    await sink.abort();
    await sink.abort();
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expect(sink.write(signal(2, 10, 48000), 10)).rejects.toThrow(AudioFileError);
    // close() replaces it.
    const sink2 = await createFlacWriter(path, { sampleRate: 48000, channels: 2, bits: 16 });
    await sink2.write(signal(2, 5000, 48000), 5000);
    await sink2.close();
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('fLaC');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('an empty file (no frames) is a valid FLAC stream', async () => {
    const path = join(dir, 'empty.flac');
    const sink = await createFlacWriter(path, { sampleRate: 44100, channels: 1, bits: 16 });
    await sink.close();
    const src = await openFlac(path);
    expect(src.channels).toBe(1);
    expect(await src.read([new Float32Array(16)], 16)).toBe(0);
    await src.close();
  });

  it('protect: refuses to write over an input, also through a symlink or another spelling', async () => {
    const input = join(dir, 'input.flac');
    writeFileSync(input, 'precious');
    const link = join(dir, 'link.flac');
    symlinkSync(input, link);
    const opts = { sampleRate: 44100, channels: 2, bits: 16 as const };
    await expect(createFlacWriter(input, { ...opts, protect: [input] })).rejects.toThrow(/refusing to write over the input /);
    await expect(createFlacWriter(link, { ...opts, protect: [input] })).rejects.toThrow(AudioFileError);
    await expect(createFlacWriter(relative(process.cwd(), input), { ...opts, protect: [join(dir, '.', 'input.flac')] })).rejects.toThrow(AudioFileError);
    await expect(createFlacWriter(input, { ...opts, protect: [link] })).rejects.toThrow(AudioFileError);
    expect(readFileSync(input, 'utf8')).toBe('precious');
    const other = await createFlacWriter(join(dir, 'other.flac'), { ...opts, protect: [input] });
    await other.abort();
  });

  it('bad options and arguments: errors naming the parameter', async () => {
    const p = join(dir, 'bad.flac');
    await expect(createFlacWriter(p, { sampleRate: 0, channels: 2, bits: 16 })).rejects.toThrow(/sampleRate must be an integer in \[1, 655350\] Hz, got 0/);
    await expect(createFlacWriter(p, { sampleRate: 44100, channels: 9, bits: 16 })).rejects.toThrow(/channels must be an integer in \[1, 8\]/);
    await expect(createFlacWriter(p, { sampleRate: 44100, channels: 2, bits: 20 as 16 })).rejects.toThrow(/bits must be 16 or 24, got 20/);
    await expect(createFlacWriter(p, { sampleRate: 44100, channels: 2, bits: 16, compression: 9 })).rejects.toThrow(/compression must be an integer in \[0, 8\]/);
    await expect(createFlacWriter(p, { sampleRate: 44100, channels: 2, bits: 16, dither: { mode: 'loud' as 'tpdf' } })).rejects.toThrow(/mode/);
    await expect(createFlacWriter(join(dir, 'no', 'such', 'dir.flac'), { sampleRate: 44100, channels: 2, bits: 16 })).rejects.toThrow(/folder does not exist/);
    const sink = await createFlacWriter(p, { sampleRate: 44100, channels: 2, bits: 16 });
    await expect(sink.write([new Float32Array(10)], 10)).rejects.toThrow(TypeError);
    await expect(sink.write([new Float32Array(10), new Float32Array(10)], 11)).rejects.toThrow(RangeError);
    await sink.abort();
    expect(existsSync(p)).toBe(false);
  });
});

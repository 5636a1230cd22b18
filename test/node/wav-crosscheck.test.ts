/**
 * Cross-checks of src/node/wav.ts with ffmpeg and sox: files they write (every PCM/float codec,
 * RIFF and RF64, extra chunks, WAVE_FORMAT_EXTENSIBLE from sox, streamed to a pipe) read equal to
 * ffmpeg's own decode, sample for sample; files we write decode in ffmpeg and sox to our samples
 * and ffprobe reports their codec, channels and rate. Skipped with a message when ffmpeg or sox is
 * missing, unless REQUIRE_FFMPEG=1.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SampleFormat } from '../../src/node/audio-file.js';
import { openWavWriter, readWav, writeWav } from '../../src/node/wav.js';
import { haveFfmpeg } from '../support/loudnorm.js';
import { BITS, FORMATS, gridSignal } from '../support/riff.js';
import { lcg } from '../support/signals.js';
import { encodeWavFloat } from '../support/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'masterbus-wav-x-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpFile = () => join(dir, `f${fileNo++}.wav`);

const ffmpeg = haveFfmpeg();
const sox = spawnSync('sox', ['--version']).status === 0;
if ((!ffmpeg || !sox) && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg or sox is not installed');
if (!ffmpeg) console.warn('[wav] ffmpeg cross-checks SKIPPED: ffmpeg not found (apt-get install -y ffmpeg)');
if (!sox) console.warn('[wav] sox cross-checks SKIPPED: sox not found (apt-get install -y sox)');

/** A tool's raw float64 output as numbers. */
function f64(bytes: Buffer): Float64Array {
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
/** ffmpeg's own decode of each file (interleaved float64), all in one ffmpeg run (its start-up is slow). */
function ffmpegDecode(paths: readonly string[]): Float64Array[] {
  // (-v fatal: ffmpeg reports the pad byte after an odd-sized RF64 data chunk as a decode error and drops it; any real difference fails the comparison)
  const args = ['-v', 'fatal', '-y'];
  for (const p of paths) args.push('-i', p);
  paths.forEach((p, k) => args.push('-map', `${k}:a`, '-f', 'f64le', '-c:a', 'pcm_f64le', `${p}.f64`));
  execFileSync('ffmpeg', args);
  return paths.map((p) => f64(readFileSync(`${p}.f64`)));
}
/** sox's decode of a file, interleaved float64. */
function soxDecode(path: string): Float64Array {
  return f64(execFileSync('sox', ['-V1', path, '-t', 'raw', '-e', 'floating-point', '-b', '64', '-L', '-'], { maxBuffer: 1 << 28 }));
}
/** ffprobe's view of a file's audio stream. */
function ffprobe(path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,channels,sample_rate', '-of', 'json', path], (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout).streams[0])));
  });
}
/** Compare our channels with an interleaved reference: `ours === fround(ref)` sample for sample (or within `tol`). */
function expectSame(ours: Float32Array[], ref: Float64Array, what: string, tol = 0): void {
  const C = ours.length;
  expect(ref.length, `${what}: sample count`).toBe(C * ours[0].length);
  for (let i = 0; i < ours[0].length; i++) {
    for (let c = 0; c < C; c++) {
      const a = ours[c][i];
      const b = ref[i * C + c];
      if (tol === 0 ? a !== Math.fround(b) : !(Math.abs(a - b) <= tol)) throw new Error(`${what}: channel ${c} frame ${i}: ours ${a}, reference ${b}`);
    }
  }
}
const CODECS: Record<SampleFormat, string> = { pcm8: 'pcm_u8', pcm16: 'pcm_s16le', pcm24: 'pcm_s24le', pcm32: 'pcm_s32le', float32: 'pcm_f32le', float64: 'pcm_f64le' };

describe.skipIf(!ffmpeg)('files written by ffmpeg read as ffmpeg decodes them', () => {
  it('pcm_u8 … pcm_f64le, 1/2/6 channels, RIFF and RF64 (-rf64 always), with LIST and bext chunks before the data', async () => {
    // One ffmpeg run writes every file (its start-up costs about a second on a busy machine).
    const cases: { path: string; format: SampleFormat; channels: number; what: string; rf64: boolean }[] = [];
    const args = ['-v', 'error', '-y'];
    const layouts = [1, 2, 6];
    for (const channels of layouts) {
      const r = lcg(channels);
      const x = Array.from({ length: channels }, () => Float32Array.from({ length: 2205 }, () => 0.95 * r()));
      const src = tmpFile();
      writeFileSync(src, encodeWavFloat(x, 44100));
      args.push('-i', src);
    }
    for (const [k, channels] of layouts.entries()) {
      for (const format of FORMATS) {
        for (const extra of [[], ['-rf64', 'always'], ['-metadata', 'title=masterbus', '-write_bext', '1']]) {
          const path = tmpFile();
          args.push('-map', `${k}:a`, '-c:a', CODECS[format], ...extra, path);
          cases.push({ path, format, channels, what: `${format} ${channels} ch ${extra.join(' ')}`, rf64: extra[0] === '-rf64' });
        }
      }
    }
    // and one streamed to a pipe: ffmpeg cannot seek back, the sizes stay 0xFFFFFFFF
    args.push('-map', '1:a', '-c:a', 'pcm_s24le', '-f', 'wav', 'pipe:1');
    const piped = tmpFile();
    writeFileSync(piped, execFileSync('ffmpeg', args, { maxBuffer: 1 << 26 }));
    cases.push({ path: piped, format: 'pcm24', channels: 2, what: 'pcm24 2 ch piped', rf64: false });
    const refs = ffmpegDecode(cases.map((c) => c.path));
    for (const [k, c] of cases.entries()) {
      const ours = await readWav(c.path);
      expect(ours.info.sampleFormat, c.what).toBe(c.format);
      expect(ours.info.channels, c.what).toBe(c.channels);
      expect(ours.info.container, c.what).toBe(c.rf64 ? 'RF64' : 'RIFF');
      expect(ours.info.truncated, c.what).toBe(c.what.endsWith('piped'));
      expectSame(ours.channels, refs[k], c.what);
    }
  });
});

describe.skipIf(!ffmpeg || !sox)('files written by sox (WAVE_FORMAT_EXTENSIBLE beyond 2 channels) read as ffmpeg decodes them', () => {
  it('sox 8/16/24/32-bit integer and 32/64-bit float, 3 and 8 channels', async () => {
    const cases: { path: string; what: string; channels: number; ext: boolean }[] = [];
    for (const [enc, bits] of [['unsigned-integer', 8], ['signed-integer', 16], ['signed-integer', 24], ['signed-integer', 32], ['floating-point', 32], ['floating-point', 64]] as const) {
      for (const channels of [3, 8]) {
        const path = tmpFile();
        execFileSync('sox', ['-V1', '-n', '-r', '96000', '-c', String(channels), '-e', enc, '-b', String(bits), path, 'synth', '0.05', 'sine', '300-5000', 'vol', '0.9']);
        cases.push({ path, what: `sox ${enc} ${bits}-bit ${channels} ch`, channels, ext: enc !== 'floating-point' });
      }
    }
    // streamed to a pipe: sox leaves its placeholder sizes (about 2 GiB) in the header
    const piped = tmpFile();
    writeFileSync(piped, execFileSync('sox', ['-V1', '-n', '-r', '44100', '-c', '3', '-b', '24', '-t', 'wav', '-', 'synth', '0.05', 'sine', '440'], { maxBuffer: 1 << 26 }));
    cases.push({ path: piped, what: 'sox 24-bit 3 ch piped', channels: 3, ext: true });
    const refs = ffmpegDecode(cases.map((c) => c.path));
    for (const [k, c] of cases.entries()) {
      const ours = await readWav(c.path);
      expect(ours.info.extensible, c.what).toBe(c.ext); // sox writes floats as plain IEEE_FLOAT (an 18-byte fmt)
      expect(ours.info.channels, c.what).toBe(c.channels);
      expect(ours.info.truncated, c.what).toBe(c.what.endsWith('piped'));
      expectSame(ours.channels, refs[k], c.what);
    }
  });
});

describe.skipIf(!ffmpeg || !sox)('files we write: ffmpeg and sox decode our samples, ffprobe reads our headers', () => {
  it('every format × 1/2/6/32 channels, and RF64', async () => {
    const cases: { path: string; x: Float32Array[]; what: string; format: SampleFormat; rate: number }[] = [];
    for (const format of FORMATS) {
      for (const channels of [1, 2, 6, 32]) {
        const rate = channels === 32 ? 8000 : 48000;
        const x = gridSignal(format, channels, 257, channels + BITS[format]).map((c) => (format.startsWith('float') ? c.map((v) => Math.max(-1, Math.min(v, 0.999))) : c)); // floats within ±1 (sox clips them)
        const path = tmpFile();
        await writeWav(path, x, rate, { format, dither: { mode: 'none' } });
        cases.push({ path, x, what: `${format} ${channels} ch`, format, rate });
      }
    }
    // and an RF64 file (the threshold lowered so that a small file gets promoted)
    const rf64 = tmpFile();
    const x = gridSignal('pcm16', 2, 3001, 5);
    const sink = await openWavWriter(rf64, { sampleRate: 44100, channels: 2, format: 'pcm16', dither: { mode: 'none' } }, { rf64Limit: 2000 });
    await sink.write(x, 3001);
    await sink.close();
    expect(readFileSync(rf64).toString('latin1', 0, 4)).toBe('RF64');
    cases.push({ path: rf64, x, what: 'pcm16 2 ch RF64', format: 'pcm16', rate: 44100 });
    const refs = ffmpegDecode(cases.map((c) => c.path));
    for (const [k, c] of cases.entries()) {
      expectSame(c.x, refs[k], `ffmpeg: ${c.what}`);
      expectSame(c.x, soxDecode(c.path), `sox: ${c.what}`, c.format.startsWith('float') ? 2 ** -31 : 0);
    }
    // ffprobe (one process per file, slow to start): each format once, each channel count at least once, the RF64 file
    const probed = cases.filter((_, k) => k % 4 === (k >> 2) % 4 || k === cases.length - 1);
    const probes = await Promise.all(probed.map((c) => ffprobe(c.path)));
    for (const [k, c] of probed.entries()) expect(probes[k], c.what).toEqual({ codec_name: CODECS[c.format], channels: c.x.length, sample_rate: String(c.rate) });
  });
});

/**
 * Constant memory: decoding 10 minutes of stereo 44.1 kHz FLAC (212 MB as float32) in 4096-frame
 * reads keeps the process's RSS growth far below the decoded size; so does 10 minutes of digital
 * silence, which FLAC compresses to a few bytes per frame (one read of the file would decode to
 * hundreds of MB: the input is fed in pieces sized by the running bytes-per-frame ratio).
 * Skipped without ffmpeg unless REQUIRE_FFMPEG=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFlac } from '../../src/node/decoders.js';

const available = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
if (!available && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');
if (!available) console.warn('decoders-memory.test.ts: ffmpeg not found, skipping (set REQUIRE_FFMPEG=1 to fail instead)');

const MINUTES = process.env.SOAK ? 10 : 4;
const RATE = 44100;
let dir = '';

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

beforeAll(() => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'masterbus-decmem-'));
  const d = String(MINUTES * 60);
  // A tone on the left and pink noise on the right (the noise compresses like music does), and silence.
  ffmpeg(['-f', 'lavfi', '-i', `sine=f=220:r=${RATE}:d=${d}`, '-f', 'lavfi', '-i', `anoisesrc=c=pink:r=${RATE}:a=0.05:d=${d}`, '-filter_complex', '[0][1]amerge=inputs=2', '-c:a', 'flac', '-compression_level', '0', '-sample_fmt', 's16', join(dir, 'long.flac')]);
  ffmpeg(['-f', 'lavfi', '-i', `anullsrc=r=${RATE}:cl=stereo`, '-t', d, '-c:a', 'flac', join(dir, 'silence.flac')]);
}, 120_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Decode `file` in 4096-frame reads; the largest RSS growth over the RSS after the first read, in
 * MB. With `global.gc` (vitest runs with --expose-gc) a collection every 64 reads makes this the
 * memory the decoder retains; without it V8 lets some 60 MB of garbage (the decoders' output
 * arrays) pile up before collecting, measured on this machine.
 */
async function rssGrowth(file: string): Promise<{ frames: number; growthMB: number; decodedMB: number }> {
  const src = await openFlac(file);
  const block = [new Float32Array(4096), new Float32Array(4096)];
  let frames = await src.read(block, 4096);
  gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  for (let k = 0; ; k++) {
    const n = await src.read(block, 4096);
    if (n === 0) break;
    frames += n;
    if (k % 64 === 0) {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  await src.close();
  return { frames, growthMB: (peak - base) / 2 ** 20, decodedMB: (frames * 2 * 4) / 2 ** 20 };
}

/** The bound: retained memory (with gc; 3 MB in a bare node process, up to 21 MB seen in a vitest worker) or, without gc, garbage far below the decoded size. */
const bound = (decodedMB: number): number => (gc !== undefined ? 32 : decodedMB / 3);

describe.skipIf(!available)('decoding in constant memory', () => {
  it(`${MINUTES} minutes of stereo FLAC`, async () => {
    const r = await rssGrowth(join(dir, 'long.flac'));
    console.log(`decoders-memory: ${MINUTES} min FLAC (${(statSync(join(dir, 'long.flac')).size / 2 ** 20).toFixed(1)} MB file): ${r.decodedMB.toFixed(0)} MB decoded, RSS growth ${r.growthMB.toFixed(1)} MB${gc ? ' (gc every 64 reads)' : ''}`);
    expect(r.frames).toBe(MINUTES * 60 * RATE);
    expect(r.growthMB).toBeLessThan(bound(r.decodedMB));
  });

  it(`${MINUTES} minutes of digital silence in FLAC`, async () => {
    const r = await rssGrowth(join(dir, 'silence.flac'));
    console.log(`decoders-memory: ${MINUTES} min FLAC silence (${(statSync(join(dir, 'silence.flac')).size / 2 ** 10).toFixed(0)} kB file): ${r.decodedMB.toFixed(0)} MB decoded, RSS growth ${r.growthMB.toFixed(1)} MB${gc ? ' (gc every 64 reads)' : ''}`);
    expect(r.frames).toBe(MINUTES * 60 * RATE);
    expect(r.growthMB).toBeLessThan(bound(r.decodedMB));
  });
});

/**
 * Cross-check against ffmpeg's `ebur128=peak=true` filter (libebur128-derived, a trusted meter)
 * on generated music-like stereo programmes: integrated within 0.1 LU, LRA within 0.5 LU,
 * true peak within 0.2 dB. Skipped with a message when ffmpeg is missing, unless
 * REQUIRE_FFMPEG=1 (set by .ci/run, which installs ffmpeg), where a missing ffmpeg fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/metering/loudness-meter.js';
import { lcg } from '../support/signals.js';
import { haveFfmpeg } from '../support/loudnorm.js';
import { encodeWavFloat } from '../support/wav.js';

const available = haveFfmpeg();
if (!available && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');
if (!available) console.warn('[ffmpeg-crosscheck] SKIPPED: ffmpeg not found (apt-get install -y ffmpeg)');

/**
 * A music-like programme: a drum-ish pulse, a bass line, chords and band-limited noise, with
 * sections at different levels (for a loudness range) and occasional inter-sample-peak hits.
 */
function music(seed: number, seconds: number, rate: number): Float32Array[] {
  const r = lcg(seed);
  const n = seconds * rate;
  const l = new Float32Array(n);
  const rr = new Float32Array(n);
  let lp1 = 0;
  let lp2 = 0;
  const sectionGains = Array.from({ length: Math.ceil(seconds / 8) }, () => Math.pow(10, (-14 * (r() + 1)) / 20));
  const root = 40 + 30 * (r() + 1);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const g = sectionGains[Math.floor(t / 8)];
    const beat = t % 0.5;
    const kick = Math.exp(-beat * 18) * Math.sin(2 * Math.PI * (50 + 120 * Math.exp(-beat * 30)) * beat);
    const bass = 0.4 * Math.sin(2 * Math.PI * root * t) * (0.7 + 0.3 * Math.sin(2 * Math.PI * 0.25 * t));
    const chord = 0.12 * (Math.sin(2 * Math.PI * root * 4 * t) + Math.sin(2 * Math.PI * root * 5 * t + 1) + Math.sin(2 * Math.PI * root * 6 * t + 2));
    lp1 = 0.7 * lp1 + 0.3 * r();
    lp2 = 0.7 * lp2 + 0.3 * r();
    const hat = (t % 0.25 < 0.03 ? 1 : 0.2) * 0.3;
    const hit = Math.floor(t * 4) % 13 === 0 ? 0.6 * Math.sin(2 * Math.PI * (rate / 4) * (i / rate) + Math.PI / 4) : 0;
    l[i] = g * (0.8 * kick + bass + chord + hat * lp1 + hit);
    rr[i] = g * (0.8 * kick + bass + 0.8 * chord + hat * lp2 + hit);
  }
  return [l, rr];
}

/** ffmpeg's summary (it prints it on stderr): integrated, loudness range, true peak. */
function ffmpegEbur128(file: string): { I: number; LRA: number; TP: number } {
  const res = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`ffmpeg failed (${res.status}): ${res.stderr.slice(-500)}`);
  const summary = res.stderr.slice(res.stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => {
    const m = re.exec(summary);
    if (!m) throw new Error(`cannot parse ffmpeg summary: ${summary}`);
    return Number(m[1]);
  };
  return { I: num(/I:\s+(-?[\d.]+) LUFS/), LRA: num(/LRA:\s+(-?[\d.]+) LU/), TP: num(/True peak:\s+Peak:\s+(-?[\d.]+) dBFS/) };
}

describe.skipIf(!available)('agreement with ffmpeg ebur128=peak=true', () => {
  const dir = available ? mkdtempSync(join(tmpdir(), 'masterbus-ffmpeg-')) : '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [seed, rate] of [[1, 48000], [2, 44100], [3, 96000]] as const) {
    it(`music-like programme ${seed} at ${rate} Hz: I ±0.1 LU, LRA ±0.5 LU, true peak ±0.2 dB`, () => {
      const x = music(seed, 40, rate);
      const file = join(dir, `p${seed}.wav`);
      writeFileSync(file, encodeWavFloat(x, rate));
      const ref = ffmpegEbur128(file);
      const ours = measureLoudness(x, rate);
      console.log(`programme ${seed} @ ${rate}: I ${ours.integrated.toFixed(2)} vs ${ref.I}, LRA ${ours.lra.toFixed(2)} vs ${ref.LRA}, TP ${ours.truePeak.toFixed(2)} vs ${ref.TP}`);
      expect(Math.abs(ours.integrated - ref.I)).toBeLessThanOrEqual(0.1 + 0.05); // ffmpeg prints 0.1 LU steps
      expect(Math.abs(ours.lra - ref.LRA)).toBeLessThanOrEqual(0.5 + 0.05);
      expect(Math.abs(ours.truePeak - ref.TP)).toBeLessThanOrEqual(0.2 + 0.05);
    });
  }
});

/**
 * Limiter ceiling guarantees on the hard cases (issue 11): steady and swept high-frequency tones
 * (dense inter-sample peaks), square-ish and clipped signals, full-band noise with the fastest
 * settings; and why a stream cut off before the limiter's tail reads above the ceiling.
 *
 * Own meter: the project's BS.1770 meter (TruePeakDetector, measureLoudness) must never read above
 * the ceiling. Reference: an independent 16× long-sinc reconstruction (test/support) at most
 * 0.05 dB above it for band-limited content (tones and sweeps from 8 to 20 kHz, band-limited
 * squares). Clipped signals and full-band noise are not band-limited: only the own meter applies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/dynamics/limiter.js';
import { measureLoudness } from '../../src/metering/loudness-meter.js';
import { TruePeakDetector } from '../../src/metering/true-peak.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { noise, runs } from '../support/signals.js';
import { referenceTruePeak } from '../support/true-peak-reference.js';

/** Run the limiter over `x` plus `latency + 32` zeros, so every input sample reaches the output. */
function limit(lim: Limiter, x: Float32Array[], sizes: number[] = [128]): Float32Array[] {
  const frames = x[0].length + lim.latency + 32;
  const padded = x.map((c) => {
    const p = new Float32Array(frames);
    p.set(c);
    return p;
  });
  return render(lim, padded, cutsFromSizes(sizes, frames));
}

/** The project's meter on a finite signal (zeros after it), in dBTP. */
function meterDb(y: Float32Array[], sampleRate: number): number {
  const d = new TruePeakDetector(sampleRate, y.length, 65536);
  let m = 0;
  for (let c = 0; c < y.length; c++) {
    d.process(c, y[c], 0, y[c].length);
    d.flush(c);
    m = Math.max(m, d.peaks[c]);
  }
  return 20 * Math.log10(m);
}

function referenceDb(y: Float32Array[]): number {
  return 20 * Math.log10(Math.max(...y.map((c) => referenceTruePeak(c))));
}

/** Raised-sine fade over the first and last 400 samples (a hard edge is a full-band step). */
function fade(i: number, n: number): number {
  return Math.sin((Math.PI / 2) * Math.min(1, i / 400, (n - 1 - i) / 400)) ** 2;
}

type Kind = 'steady' | 'sweep' | 'square' | 'clipped';

/**
 * Test signals, per channel with its own phase: a steady sine at fs/div (div 3…8), a linear sweep
 * from 8 to 20 kHz, a band-limited square (odd harmonics of fs/div below min(20 kHz, 0.45·fs),
 * amplitudes 1/k), or a sine at fs/div hard-clipped at 30–90 % of its peak (full-band).
 */
function signal(kind: Kind, frames: number, fs: number, div: number, amp: number, phase: number, clip: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < 2; c++) {
    const x = new Float32Array(frames);
    const ph = phase + c * 0.9;
    const f0 = fs / div;
    let acc = ph;
    for (let i = 0; i < frames; i++) {
      let v = 0;
      if (kind === 'steady') v = Math.sin((2 * Math.PI * f0 * i) / fs + ph);
      else if (kind === 'sweep') {
        acc += (2 * Math.PI * (8000 + (12000 * i) / frames)) / fs;
        v = Math.sin(acc);
      } else if (kind === 'square') {
        const top = Math.min(20000, 0.45 * fs);
        for (let k = 1; k * f0 < top; k += 2) v += Math.sin((2 * Math.PI * k * f0 * i) / fs + k * ph) / k;
        v *= 4 / Math.PI;
      } else {
        v = Math.max(-clip, Math.min(clip, Math.sin((2 * Math.PI * f0 * i) / fs + ph))) / clip;
      }
      x[i] = amp * v * (kind === 'clipped' ? 1 : fade(i, frames));
    }
    out.push(x);
  }
  return out;
}

const toneCase = fc.record({
  kind: fc.constantFrom<Kind>('steady', 'sweep', 'square', 'clipped'),
  sampleRate: fc.constantFrom(44100, 48000, 96000),
  div: fc.double({ min: 3, max: 8, noNaN: true }),
  amp: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  phase: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
  clip: fc.double({ min: 0.3, max: 0.9, noNaN: true }),
  ceilingDb: fc.double({ min: -6, max: -0.1, noNaN: true }),
  driveDb: fc.double({ min: 0, max: 24, noNaN: true }),
  lookaheadMs: fc.double({ min: 0.5, max: 10, noNaN: true }),
  releaseMs: fc.double({ min: 1, max: 500, noNaN: true }),
  autoRelease: fc.boolean(),
  stereoLink: fc.oneof(fc.constant(1), fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  sizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }),
});

describe('Limiter: dense inter-sample peaks (fast-check)', () => {
  it('steady and swept 8–20 kHz tones, band-limited squares, clipped sines: never above the ceiling on the meter; band-limited ones ≤ +0.05 dB on a 16× reference', () => {
    let worstMeter = -Infinity;
    let worstReference = -Infinity;
    fc.assert(
      fc.property(toneCase, (t) => {
        const lim = new Limiter({ ceilingDb: t.ceilingDb, driveDb: t.driveDb, lookaheadMs: t.lookaheadMs, releaseMs: t.releaseMs, autoRelease: t.autoRelease, stereoLink: t.stereoLink });
        lim.prepare({ sampleRate: t.sampleRate, maxBlockSize: 300, channels: 2 });
        const y = limit(lim, signal(t.kind, 4000, t.sampleRate, t.div, t.amp, t.phase, t.clip), t.sizes);
        const meter = meterDb(y, t.sampleRate) - t.ceilingDb;
        worstMeter = Math.max(worstMeter, meter);
        if (!(meter <= 0)) throw new Error(`meter reads ${meter} dB above the ceiling`);
        if (t.kind !== 'clipped') {
          const reference = referenceDb(y) - t.ceilingDb;
          worstReference = Math.max(worstReference, reference);
          if (!(reference <= 0.05)) throw new Error(`16× reference reads ${reference} dB above the ceiling`);
        }
      }),
      { numRuns: runs(40) },
    );
    console.log(`dense inter-sample peaks: worst meter ${worstMeter.toFixed(4)} dB, worst 16× reference ${worstReference.toFixed(4)} dB relative to the ceiling`);
  });

  it('full-band noise with the fastest settings (0.5 ms lookahead, 1 ms release, any rate): never above the ceiling on the meter', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(44100, 48000, 96000, 32000, 22050),
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: -6, max: -0.1, noNaN: true }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.constantFrom(0, 0.5, 1),
        (sampleRate, seed, ceilingDb, driveDb, stereoLink) => {
          const lim = new Limiter({ ceilingDb, driveDb, lookaheadMs: 0.5, releaseMs: 1, stereoLink });
          lim.prepare({ sampleRate, maxBlockSize: 128, channels: 2 });
          const y = limit(lim, [noise(6000, seed, 1), noise(6000, seed + 1, 1)]);
          const over = meterDb(y, sampleRate) - ceilingDb;
          if (!(over <= 0)) throw new Error(`meter reads ${over} dB above the ceiling`);
        },
      ),
      { numRuns: runs(20) },
    );
  });
});

describe('Limiter: regressions (issue 11)', () => {
  it('2d: full-band noise at 44.1 kHz, { ceilingDb: -2, lookaheadMs: 0.5, releaseMs: 1, stereoLink: 0 }: measureLoudness never reads above −2 dBTP', () => {
    // Reported: 9 of 20 seeds read above −2 dBTP (worst −1.968); the fixed 0.01 dB margin did not
    // cover the gain's movement inside an interpolation support at 8 samples of smoothing.
    const fs = 44100;
    const readings: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const lim = new Limiter({ ceilingDb: -2, lookaheadMs: 0.5, releaseMs: 1, stereoLink: 0 });
      lim.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 2 });
      const y = limit(lim, [noise(fs / 2, seed, 1), noise(fs / 2, seed + 100, 1)]);
      readings.push(measureLoudness(y, fs).truePeak);
    }
    expect(Math.max(...readings)).toBeLessThanOrEqual(-2);
  });

  it('1: the reported fs/4 and fs/6 tones (sample peak 0.999, drive +6 dB, ceiling −1 dBTP) stay under the ceiling once the limiter’s tail is rendered', () => {
    const fs = 48000;
    for (const [div, deg] of [
      [4, 45],
      [6, 60],
    ]) {
      const n = fs;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * i) / div + (deg * Math.PI) / 180);
      const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let i = 0; i < n; i++) x[i] *= 0.999 / peak;
      for (const block of [128, 37]) {
        const lim = new Limiter({ ceilingDb: -1, driveDb: 6 });
        lim.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
        const y = limit(lim, [x, x.slice()], [block]);
        expect(measureLoudness(y, fs).truePeak, `fs/${div} at ${deg}°, blocks of ${block}`).toBeLessThanOrEqual(-1);
      }
    }
  });

  it('1: a stream cut off mid-tone reads above the ceiling even at a constant gain: the cut is a step the limiter never saw', () => {
    // The reported −0.886 dBTP came from measuring the first n output samples of n input samples:
    // the last `latency` samples are still inside the limiter, and the meter then appends silence
    // after a full-scale tone. The same cut of an exactly scaled tone (no limiter) reads as high.
    const fs = 48000;
    const n = 4800;
    const c = 10 ** (-1 / 20);
    // fs/4 at 45°: samples ±c/√2, true peak exactly c. Faded in; one copy faded out, one cut.
    const tone = (i: number) => c * Math.sin((Math.PI / 2) * i + Math.PI / 4) * Math.sin((Math.PI / 2) * Math.min(1, i / 400)) ** 2;
    const cutTone = Float32Array.from({ length: n }, (_, i) => tone(i));
    const fadedTone = Float32Array.from({ length: n }, (_, i) => tone(i) * fade(i, n));
    expect(measureLoudness([fadedTone, fadedTone.slice()], fs).truePeak).toBeLessThanOrEqual(-1);
    const cut = measureLoudness([cutTone, cutTone.slice()], fs).truePeak;
    expect(cut).toBeGreaterThan(-0.95);
  });
});

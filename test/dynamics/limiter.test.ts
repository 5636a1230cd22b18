/**
 * Limiter: the processor contract, the ceiling guarantees (sample peak; true peak by the
 * project's BS.1770 meter and by an independent 16× reference), transparency, smoothness,
 * release timing and properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITER_TARGET_MARGIN_DB, Limiter, type LimiterOptions } from '../../src/dynamics/limiter.js';
import { foldedTruePeakFilter4, segmentPeaks4 } from '../../src/dynamics/segment-peaks.js';
import { TruePeakDetector } from '../../src/metering/true-peak.js';
import { cutsFromSizes, describeProcessor, render } from '../support/conformance.js';
import { firstDifference, identical, lcg, multiChannel, noise, runs, sine } from '../support/signals.js';
import { referenceTruePeak } from '../support/true-peak-reference.js';

const FS = 48000;

describeProcessor<Limiter>({
  name: 'Limiter',
  create: () => new Limiter({ ceilingDb: -6, driveDb: 6, lookaheadMs: 1, releaseMs: 30 }),
  channels: [1, 2, 3],
  automation: [
    { at: 300, apply: (p) => p.set({ ceilingDb: -12, driveDb: 12 }) },
    { at: 900, apply: (p) => p.set({ mode: 'sample-peak', autoRelease: true }) },
    { at: 1500, apply: (p) => p.set({ stereoLink: 0.4, releaseMs: 5 }) },
    { at: 2200, apply: (p) => p.set({ mode: 'true-peak', stereoLink: 0, smoothingMs: 2 }) },
    { at: 3000, apply: (p) => p.set({ stereoLink: 1, driveDb: 0, autoRelease: false }) },
  ],
  ramp: (p) => {
    const up = p.params.driveDb === 0;
    p.set({ smoothingMs: 1000, driveDb: up ? 18 : 0, ceilingDb: up ? -3 : -9 });
  },
  silence: { exact: true, tailSeconds: 0.05, level: 0 },
  badParams: [
    { label: 'NaN ceiling', call: (p) => p.set({ ceilingDb: NaN }), error: RangeError, message: /Limiter\.ceilingDb must be in \[-60, 0\] dB, got NaN/ },
    { label: 'ceiling above 0 dB', call: (p) => p.set({ ceilingDb: 0.5 }), error: RangeError, message: /ceilingDb/ },
    { label: 'unknown mode', call: (p) => p.set({ mode: 'rms' as 'true-peak' }), error: TypeError, message: /mode must be one of "true-peak", "sample-peak"/ },
    { label: 'drive +60 dB', call: (p) => p.set({ driveDb: 60 }), error: RangeError, message: /driveDb must be in \[-24, 48\] dB, got 60/ },
    { label: 'lookahead 0.1 ms', call: (p) => p.set({ lookaheadMs: 0.1 }), error: RangeError, message: /lookaheadMs must be in \[0\.5, 10\] ms/ },
    { label: 'release 0', call: (p) => p.set({ releaseMs: 0 }), error: RangeError, message: /releaseMs/ },
    { label: 'link −0.1', call: (p) => p.set({ stereoLink: -0.1 }), error: RangeError, message: /stereoLink/ },
    { label: 'non-boolean autoRelease', call: (p) => p.set({ autoRelease: 'yes' as unknown as boolean }), error: TypeError, message: /autoRelease must be a boolean/ },
    { label: 'a typo', call: (p) => p.set({ celing: -1 } as never), error: TypeError, message: /unknown option "celing"/ },
    { label: 'a bad constructor option', call: () => new Limiter({ releaseMs: Infinity }), error: RangeError, message: /Limiter\.releaseMs/ },
  ],
});

/** Run the limiter over `x` plus enough silence that every input sample reaches the output. */
function limit(lim: Limiter, x: Float32Array[], cuts?: number[]): Float32Array[] {
  const frames = x[0].length + lim.latency + 32;
  const padded = x.map((c) => {
    const p = new Float32Array(frames);
    p.set(c);
    return p;
  });
  return render(lim, padded, cuts ?? cutsFromSizes([128], frames));
}

/** The project's meter: per BS.1770, the true peak of a finite signal (zeros after it). */
function meterTruePeak(x: Float32Array[], sampleRate = FS): number {
  const d = new TruePeakDetector(sampleRate, x.length, 65536);
  let m = 0;
  for (let c = 0; c < x.length; c++) {
    for (let p = 0; p < x[c].length; p += 65536) d.process(c, x[c], p, Math.min(x[c].length, p + 65536));
    d.flush(c);
    m = Math.max(m, d.peaks[c]);
  }
  return m;
}

/**
 * Random band-limited programme (every component below 20 kHz): a few random sines with random
 * envelopes, faded in and out (a hard start or stop would be a broadband step).
 */
function bandLimited(seed: number, frames: number, channels = 2, sampleRate = FS, topHz = 19920): Float32Array[] {
  const r = lcg(seed);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const k = 1 + Math.floor(Math.abs(r()) * 6);
    const f: number[] = [];
    const a: number[] = [];
    const ph: number[] = [];
    for (let j = 0; j < k; j++) {
      f.push(20 + Math.abs(r()) * (topHz - 20));
      a.push(Math.abs(r()));
      ph.push(r() * Math.PI);
    }
    const envRate = Math.abs(r()) * 0.01;
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      let v = 0;
      for (let j = 0; j < k; j++) v += a[j] * Math.sin((2 * Math.PI * f[j] * i) / sampleRate + ph[j]);
      const fade = Math.sin((Math.PI / 2) * Math.min(1, i / 400, (frames - 1 - i) / 400)) ** 2;
      x[i] = (v / k) * (1 + 0.9 * Math.sin(envRate * i)) * fade;
    }
    out.push(x);
  }
  return out;
}

/** fs/4 sine at 45° phase (samples at ±0.707 of its peak: the classic inter-sample-peak case), faded. */
function quarterRate(frames: number, amp: number): Float32Array[] {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const fade = Math.sin((Math.PI / 2) * Math.min(1, i / 400, (frames - 1 - i) / 400)) ** 2;
    x[i] = amp * Math.sin((Math.PI / 2) * i + Math.PI / 4) * fade;
  }
  return [x, x.slice()];
}

const settingsArb = fc.record({
  ceilingDb: fc.double({ min: -20, max: 0, noNaN: true }),
  driveDb: fc.double({ min: 0, max: 24, noNaN: true }),
  lookaheadMs: fc.double({ min: 0.5, max: 10, noNaN: true }),
  releaseMs: fc.double({ min: 1, max: 500, noNaN: true }),
  autoRelease: fc.boolean(),
  stereoLink: fc.oneof(fc.constant(1), fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
});
const sizesArb = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 });

describe('Limiter: ceiling guarantees (fast-check)', () => {
  it('sample-peak mode: no output sample ever exceeds the ceiling (any signal, drive ≤ +24 dB, any partition)', () => {
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('noise', 'music', 'clicks', 'quarter'), sizesArb, (s, seed, kind, sizes) => {
        const lim = new Limiter({ ...s, mode: 'sample-peak' });
        lim.prepare({ sampleRate: FS, maxBlockSize: 300, channels: 2 });
        const frames = 4000;
        const x =
          kind === 'noise'
            ? [noise(frames, seed, 1), noise(frames, seed + 1, 1)]
            : kind === 'music'
              ? multiChannel(2, frames, seed)
              : kind === 'quarter'
                ? quarterRate(frames, 1)
                : [clicks(frames, seed), clicks(frames, seed + 7)];
        const y = limit(lim, x, cutsFromSizes(sizes, frames + lim.latency + 32));
        const ceiling = 10 ** (s.ceilingDb / 20);
        for (let c = 0; c < 2; c++) {
          for (let i = 0; i < y[c].length; i++) {
            if (!(Math.abs(y[c][i]) <= ceiling)) throw new Error(`channel ${c} sample ${i}: ${y[c][i]} above ${ceiling}`);
          }
        }
      }),
      { numRuns: runs(60) },
    );
  });

  it('true-peak mode: the BS.1770 meter never reads above the ceiling, and a 16× reference at most 0.1 dB above it', () => {
    let worstMeter = -Infinity;
    let worstReference = -Infinity;
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('band-limited', 'quarter'), sizesArb, (s, seed, kind, sizes) => {
        const lim = new Limiter(s);
        lim.prepare({ sampleRate: FS, maxBlockSize: 300, channels: 2 });
        const frames = 3000;
        const x = kind === 'quarter' ? quarterRate(frames, 0.3 + (seed % 7) / 10) : bandLimited(seed, frames);
        const y = limit(lim, x, cutsFromSizes(sizes, frames + lim.latency + 32));
        const meter = 20 * Math.log10(meterTruePeak(y)) - s.ceilingDb;
        const reference = 20 * Math.log10(Math.max(referenceTruePeak(y[0]), referenceTruePeak(y[1]))) - s.ceilingDb;
        worstMeter = Math.max(worstMeter, meter);
        worstReference = Math.max(worstReference, reference);
        if (!(meter <= 0)) throw new Error(`meter reads ${meter} dB above the ceiling`);
        if (!(reference <= 0.1)) throw new Error(`reference reads ${reference} dB above the ceiling`);
      }),
      { numRuns: runs(30) },
    );
    console.log(`true-peak limiter: worst meter reading ${worstMeter.toFixed(4)} dB, worst 16× reference ${worstReference.toFixed(4)} dB relative to the ceiling`);
  });

  for (const [rate, topHz] of [
    [44100, 18000],
    [96000, 19920],
  ]) {
    it(`true-peak mode at ${rate / 1000} kHz: never above the ceiling on the meter; the 16× reference within 0.1 dB for content up to ${topHz / 1000} kHz`, () => {
      fc.assert(
        fc.property(settingsArb, fc.integer({ min: 1, max: 10_000 }), sizesArb, (s, seed, sizes) => {
          const lim = new Limiter(s);
          lim.prepare({ sampleRate: rate, maxBlockSize: 300, channels: 2 });
          const frames = 3000;
          const x = bandLimited(seed, frames, 2, rate, topHz);
          const y = limit(lim, x, cutsFromSizes(sizes, frames + lim.latency + 32));
          const meter = 20 * Math.log10(meterTruePeak(y, rate)) - s.ceilingDb;
          const reference = 20 * Math.log10(Math.max(referenceTruePeak(y[0]), referenceTruePeak(y[1]))) - s.ceilingDb;
          if (!(meter <= 0)) throw new Error(`meter reads ${meter} dB above the ceiling`);
          if (!(reference <= 0.1)) throw new Error(`reference reads ${reference} dB above the ceiling`);
        }),
        { numRuns: runs(10) },
      );
    });
  }

  it('the fs/4 sine at 45° (samples 3 dB under its true peak) is held at the ceiling by true peak, not by samples', () => {
    const x = quarterRate(9600, 1); // true peak 0 dBTP, samples at −3.01 dBFS
    for (const mode of ['true-peak', 'sample-peak'] as const) {
      const lim = new Limiter({ ceilingDb: -1, mode });
      lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const y = limit(lim, x);
      const tp = 20 * Math.log10(meterTruePeak(y));
      if (mode === 'true-peak') expect(tp).toBeLessThanOrEqual(-1);
      // Sample-peak mode sees −3 dBFS samples under a −1 dB ceiling and leaves them alone.
      else expect(tp).toBeCloseTo(0, 1);
    }
  });

  it('output stays finite and within the ceiling even for NaN and Infinity input', () => {
    const lim = new Limiter({ ceilingDb: -3, mode: 'sample-peak' });
    lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const x = sine(4096, 1000, FS, 2);
    x[100] = NaN;
    x[900] = Infinity;
    x[1500] = -Infinity;
    const [y] = limit(lim, [x]);
    for (const v of y) expect(Number.isFinite(v) && Math.abs(v) <= 10 ** (-3 / 20)).toBe(true);
  });
});

function clicks(frames: number, seed: number): Float32Array {
  const r = lcg(seed);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = i % 700 < 3 ? (r() > 0 ? 1 : -1) : 0.05 * r();
  return x;
}

describe('Limiter: the hold covers every segment\'s interpolation support exactly', () => {
  it('the applied gain is ≤ target / Q_j at every sample of segment j\'s 16-sample support (fast-check)', () => {
    // The invariant behind the true-peak guarantee, checked directly: Q_j is the per-segment peak
    // estimate of the driven input (computed here, offline), the gain is read back as out/in.
    const f = foldedTruePeakFilter4();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 18, noNaN: true }),
        fc.constantFrom('true-peak', 'sample-peak') as fc.Arbitrary<LimiterOptions['mode']>,
        sizesArb,
        (seed, lookaheadMs, driveDb, mode, sizes) => {
          const lim = new Limiter({ ceilingDb: -3, lookaheadMs, driveDb, mode, releaseMs: 5 });
          lim.prepare({ sampleRate: FS, maxBlockSize: 300, channels: 1 });
          const frames = 3000;
          // Dense inter-sample peaks on a DC offset (so the gain can be read at every sample).
          const [x] = bandLimited(seed, frames, 1).map((c) => c.map((v, i) => 0.2 + 0.8 * v * (i % 700 < 90 ? 1.5 : 0.3)));
          const [y] = limit(lim, [x], cutsFromSizes(sizes, frames + lim.latency + 32));
          const d = lim.latency;
          const drive = 10 ** (driveDb / 20);
          const target = 10 ** ((-3 - LIMITER_TARGET_MARGIN_DB) / 20);
          // Q of the driven input, as the limiter sees it (16 samples of silence before).
          const buf = new Float64Array(16 + frames);
          for (let i = 0; i < frames; i++) buf[16 + i] = x[i] * drive;
          const q = new Float64Array(frames);
          if (mode === 'true-peak') segmentPeaks4(buf, 0, frames, f.folded, new Float64Array([f.gainBound, 0, 0]), q);
          else for (let m = 0; m < frames; m++) q[m] = Math.max(Math.abs(buf[m + 8]), Math.abs(buf[m + 9]));
          // q[m] is the segment between input samples m − 8 and m − 7.
          for (let t = 0; t < frames; t++) {
            const xi = x[t] * drive;
            if (Math.abs(xi) < 1e-3) continue;
            const g = y[t + d] / xi;
            let req = 1;
            for (let j = t - 8; j <= t + 7; j++) if (j + 8 >= 0 && j + 8 < frames && q[j + 8] > target) req = Math.min(req, target / q[j + 8]);
            // float32 output rounding: 2^-24 relative.
            if (g > req * (1 + 2e-7)) throw new Error(`sample ${t}: gain ${g} > ${req} (lookahead ${lookaheadMs} ms, ${mode})`);
          }
        },
      ),
      { numRuns: runs(30) },
    );
  });
});

describe('Limiter: transparency, smoothness, timing', () => {
  it('a signal under the ceiling passes bit-exactly, delayed by the latency', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('true-peak', 'sample-peak') as fc.Arbitrary<LimiterOptions['mode']>, sizesArb, (seed, mode, sizes) => {
        const lim = new Limiter({ ceilingDb: -1, mode, lookaheadMs: 2 });
        lim.prepare({ sampleRate: FS, maxBlockSize: 300, channels: 2 });
        // Peaks well under −1 dBTP: samples ≤ 0.6, so the true peak is ≤ 0.6·1.3 (the filter's gain bound) < 0.89.
        const x = multiChannel(2, 3000, seed).map((c) => c.map((v) => Math.max(-0.6, Math.min(0.6, v * 0.6))));
        const y = limit(lim, x, cutsFromSizes(sizes, 3000 + lim.latency + 32));
        const d = lim.latency;
        const expected = y.map((_, c) => {
          const e = new Float32Array(y[c].length);
          e.set(x[c], d);
          return e;
        });
        expect(identical(y, expected), firstDifference(y, expected)).toBe(true);
        expect(lim.maxGainReductionDb).toBe(0);
      }),
      { numRuns: runs(20) },
    );
  });

  it('reports latency = round(lookahead · fs), at least 15 samples', () => {
    const at = (lookaheadMs: number, sampleRate: number): number => {
      const l = new Limiter({ lookaheadMs });
      l.prepare({ sampleRate, maxBlockSize: 128, channels: 2 });
      return l.latency;
    };
    expect(at(5, 48000)).toBe(240);
    expect(at(0.5, 48000)).toBe(24);
    expect(at(10, 96000)).toBe(960);
    expect(at(0.5, 8000)).toBe(15);
  });

  it('gain reduction is never negative: |out| ≤ |in delayed| · drive (fast-check)', () => {
    fc.assert(
      fc.property(settingsArb, fc.integer({ min: 1, max: 1000 }), (s, seed) => {
        const lim = new Limiter(s);
        lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
        const x = multiChannel(2, 3000, seed);
        const y = limit(lim, x);
        const g = 10 ** (s.driveDb / 20);
        const d = lim.latency;
        for (let c = 0; c < 2; c++) {
          for (let t = d; t < 3000 + d; t++) {
            if (Math.abs(y[c][t]) > Math.abs(x[c][t - d]) * g * (1 + 1e-6)) throw new Error(`channel ${c} sample ${t}`);
          }
        }
        expect(lim.gainReductionDb).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: runs(30) },
    );
  });

  it('sounds like a limiter, not a clipper: the gain moves by at most 1/L₂ per sample (L₂ ≈ half the smoothing length)', () => {
    for (const lookaheadMs of [0.5, 1, 5, 10]) {
      const lim = new Limiter({ ceilingDb: -6, driveDb: 24, lookaheadMs, releaseMs: 5 });
      lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      // A steady DC bias makes the gain measurable at every sample; the noise makes it work hard.
      const x = noise(24000, 3, 0.5).map((v) => v + 0.6);
      const [y] = limit(lim, [x]);
      const d = lim.latency;
      const L = d - 14;
      const L2 = L + 1 - Math.max(1, Math.floor((L + 1) / 2));
      const drive = 10 ** (24 / 20);
      let worst = 0;
      let prev = NaN;
      for (let t = d; t < 24000 + d; t++) {
        const g = y[t] / (x[t - d] * drive);
        if (!Number.isNaN(prev)) worst = Math.max(worst, Math.abs(g - prev));
        prev = g;
      }
      // float32 output rounding adds up to ~1e-7 relative per sample.
      expect(worst, `lookahead ${lookaheadMs} ms: largest gain step ${worst}, bound ${1 / L2}`).toBeLessThanOrEqual(1 / L2 + 1e-6);
      expect(lim.maxGainReductionDb).toBeGreaterThan(20);
    }
  });

  for (const releaseMs of [20, 100, 500]) {
    it(`release ${releaseMs} ms: 1 − 1/e of the gain recovered within 5 % of the set time after the hold ends`, () => {
      // Sample-peak mode: the burst's edges are steps, whose reconstruction rings above 3.55.
      const lim = new Limiter({ ceilingDb: -1, lookaheadMs: 1, releaseMs, mode: 'sample-peak' });
      lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const frames = Math.round((FS * 8 * releaseMs) / 1000) + 4800;
      // A quiet DC level to read the gain from, and a 10 ms burst that needs 12 dB of reduction.
      const x = new Float32Array(frames).fill(0.1);
      for (let i = 2400; i < 2880; i++) x[i] = 3.55;
      const [y] = limit(lim, [x]);
      const d = lim.latency;
      const g = (t: number) => y[t + d] / x[t];
      let gmin = 1;
      for (let t = 0; t < frames; t++) gmin = Math.min(gmin, g(t));
      let holdEnd = 0;
      for (let t = 0; t < frames; t++) if (g(t) <= gmin * (1 + 1e-9)) holdEnd = t;
      let at = -1;
      for (let t = holdEnd; t < frames; t++) {
        if (1 - g(t) <= (1 - gmin) / Math.E) {
          at = t;
          break;
        }
      }
      const measured = ((at - holdEnd) / FS) * 1000;
      expect(Math.abs(measured - releaseMs) / releaseMs, `measured ${measured} ms`).toBeLessThan(0.05);
      expect(gmin / (10 ** ((-1 - LIMITER_TARGET_MARGIN_DB) / 20) / 3.55)).toBeCloseTo(1, 6);
    });
  }

  it('auto release: sustained limiting releases slower than a short peak', () => {
    const recovery = (burstMs: number, autoRelease: boolean): number => {
      const lim = new Limiter({ ceilingDb: -1, lookaheadMs: 1, releaseMs: 50, autoRelease, mode: 'sample-peak' });
      lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const burst = Math.round((burstMs * FS) / 1000);
      const x = new Float32Array(2400 + burst + FS).fill(0.1);
      for (let i = 2400; i < 2400 + burst; i++) x[i] = 2;
      const [y] = limit(lim, [x]);
      const d = lim.latency;
      // Time after the burst until 90 % of the gain is back.
      for (let t = 2400 + burst; t < x.length; t++) if (1 - y[t + d] / x[t] <= 0.1 * (1 - 0.89 / 2)) return ((t - 2400 - burst) / FS) * 1000;
      return Infinity;
    };
    const shortAuto = recovery(5, true);
    const longAuto = recovery(1000, true);
    const shortFixed = recovery(5, false);
    const longFixed = recovery(1000, false);
    expect(longFixed / shortFixed).toBeLessThan(1.05);
    expect(longAuto).toBeGreaterThan(2 * shortAuto);
    expect(shortAuto).toBeLessThan(1.5 * shortFixed);
  });

  it('stereo link 1 gives both channels the same gain; link 0 leaves a quiet channel alone', () => {
    const loud = sine(9600, 500, FS, 2);
    const quiet = sine(9600, 700, FS, 0.1);
    for (const link of [1, 0]) {
      const lim = new Limiter({ ceilingDb: -1, stereoLink: link });
      lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const [, yq] = limit(lim, [loud, quiet]);
      const d = lim.latency;
      let ratio = 0;
      for (let t = 4800; t < 9600; t++) ratio = Math.max(ratio, Math.abs(yq[t + d]) / 0.1);
      if (link === 1) expect(20 * Math.log10(ratio)).toBeLessThan(-6);
      else {
        for (let t = 0; t < 9600; t++) expect(yq[t + d]).toBe(quiet[t]);
      }
    }
  });

  it('drive changes ramp without clicks', () => {
    const lim = new Limiter({ ceilingDb: -1, driveDb: 0, smoothingMs: 20 });
    lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const x = new Float32Array(FS).fill(0.01);
    const y = x.slice();
    for (let p = 0; p < FS; p += 128) {
      if (p === 9600) lim.set({ driveDb: 20 });
      lim.process([y.subarray(p, p + 128)]);
    }
    let worst = 0;
    for (let t = lim.latency + 1; t < FS; t++) worst = Math.max(worst, Math.abs(y[t] - y[t - 1]));
    // 0.01 → 0.1 over 960 samples: about 1e-4 per sample at most (multiplicative ramp).
    expect(worst).toBeLessThan(3e-4);
    expect(y[FS - 1]).toBeCloseTo(0.1, 4);
  });

  it('reads gain reduction for meters; reset() clears it and resetMeters() restarts the maximum', () => {
    const lim = new Limiter({ ceilingDb: -6, releaseMs: 10, mode: 'sample-peak' });
    lim.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const loud = new Float32Array(4800).fill(1);
    lim.process([loud]);
    expect(lim.gainReductionDb).toBeCloseTo(6 + LIMITER_TARGET_MARGIN_DB, 2);
    lim.process([new Float32Array(48000).fill(0.01)]);
    expect(lim.gainReductionDb).toBeLessThan(0.01);
    expect(lim.maxGainReductionDb).toBeCloseTo(6 + LIMITER_TARGET_MARGIN_DB, 2);
    lim.resetMeters();
    expect(lim.maxGainReductionDb).toBe(lim.gainReductionDb);
    lim.process([loud.fill(1)]);
    lim.reset();
    expect(lim.gainReductionDb).toBe(0);
    expect(lim.maxGainReductionDb).toBe(0);
  });
});

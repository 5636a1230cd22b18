/**
 * MultibandCompressor: the processor contract; the bands' sum against the analytic all-pass
 * cascade (magnitude and phase, every band count, LR4 and LR8, 44.1/48/96 kHz); each band's
 * static curve against `compressorGainReductionDb`; solo, bypass and band gain against an
 * independent float64 reference of the band filters; crossover ramps without clicks; lookahead
 * alignment; per-band read-outs; denormals; validation.
 *
 * The references here are written from the analog prototypes and the bilinear transform alone
 * (no library code): a crossover at f_c seen at frequency f is s = j·tan(πf/fs)/tan(πf_c/fs);
 * Butterworth B₂(s) = s² + √2·s + 1, B₄(s) = (s² + s/Q₁ + 1)(s² + s/Q₂ + 1) with
 * Q_k = 1/(2·sin((2k − 1)π/8)); LR LP = 1/B², HP = s^(2M)/B², the crossover's all-pass
 * LP + HP = B(−s)/B(s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressorGainReductionDb } from '../../src/dynamics/compressor.js';
import { MULTIBAND_COMPRESSOR_DEFAULTS, MultibandCompressor, type MultibandBandOptions, type MultibandCompressorOptions } from '../../src/dynamics/multiband-compressor.js';
import { describeProcessor } from '../support/conformance.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { countSubnormalState } from '../support/denormal.js';
import { multiChannel, noise, runs, sine } from '../support/signals.js';

describeProcessor<MultibandCompressor>({
  name: 'MultibandCompressor',
  create: () =>
    new MultibandCompressor({
      crossoversHz: [200, 3000],
      bands: [
        { thresholdDb: -20, ratio: 3, lookaheadMs: 2 },
        { thresholdDb: -14, ratio: 2, detector: 'rms', stereoLink: 0.5 },
        { thresholdDb: -24, ratio: 4, outputGainDb: -2 },
      ],
    }),
  // Stereo only here (the allocation check's 100 000 blocks are the suite's cost); mono runs in every other test.
  channels: [2],
  automation: [
    { at: 500, apply: (p) => p.set({ crossoversHz: [400, 2000] }) },
    { at: 1300, apply: (p) => p.setBand(1, { solo: true, outputGainDb: 3 }) },
    { at: 2100, apply: (p) => p.setBand(1, { solo: false, bypass: true }) },
    { at: 2900, apply: (p) => p.set({ rolloffDbPerOctave: 48, smoothingMs: 5 }) },
    { at: 3500, apply: (p) => p.set({ crossoversHz: [150, 5000] }) },
  ],
  ramp: (p) => {
    const up = p.params.crossoversHz[0] < 300;
    p.set({ smoothingMs: 1000, crossoversHz: up ? [500, 6000] : [150, 2000] });
    p.setBand(0, { bypass: up, outputGainDb: up ? -6 : 0 });
  },
  silence: { exact: true, tailSeconds: 0.5, level: 1e-6 },
  badParams: [
    { label: 'crossovers not ascending', call: (p) => p.set({ crossoversHz: [3000, 200] }), error: RangeError, message: /MultibandCompressor\.crossoversHz\[1\] must be at least a third of an octave above crossoversHz\[0\] = 3000 Hz .*got 200/ },
    { label: 'crossovers too close', call: (p) => p.set({ crossoversHz: [200, 240] }), error: RangeError, message: /crossoversHz\[1\] must be at least a third of an octave above .*≥ 251\.98 Hz.*got 240/ },
    { label: 'a crossover at 20 Hz', call: (p) => p.set({ crossoversHz: [20, 200] }), error: RangeError, message: /MultibandCompressor\.crossoversHz\[0\] must be in \(20, 172800\) Hz, got 20/ },
    { label: 'a crossover above 0.45·fs', call: (p) => p.set({ crossoversHz: [200, 22000] }), error: RangeError, message: /crossoversHz\[1\] must be in \(20, 21600\) Hz \(0\.45·fs at 48000 Hz\), got 22000/ },
    { label: 'a NaN crossover', call: (p) => p.set({ crossoversHz: [NaN, 2000] }), error: RangeError, message: /crossoversHz\[0\] must be in .* got NaN/ },
    { label: 'another band count', call: (p) => p.set({ crossoversHz: [200, 1000, 5000] }), error: RangeError, message: /crossoversHz must keep its 2 entries .*got 3/ },
    { label: 'bands of the wrong count', call: (p) => p.set({ bands: [{}, {}] }), error: RangeError, message: /MultibandCompressor\.bands must have 3 items .*got 2/ },
    { label: 'a sparse band array', call: (p) => p.set({ bands: [{}, , {}] as never }), error: TypeError, message: /MultibandCompressor\.bands\[1\] must be a band options object, got undefined/ },
    { label: 'a non-object band', call: (p) => p.set({ bands: [{}, 3, {}] as never }), error: TypeError, message: /bands\[1\] must be a band options object, got 3/ },
    { label: 'a bad band ratio', call: (p) => p.set({ bands: [{}, { ratio: 0.5 }, {}] }), error: RangeError, message: /MultibandCompressor\.bands\[1\]\.ratio must be in \[1, Infinity\], got 0.5/ },
    { label: 'a bad setBand option', call: (p) => p.setBand(2, { outputGainDb: 30 }), error: RangeError, message: /MultibandCompressor\.bands\[2\]\.outputGainDb must be in \[-24, 24\] dB, got 30/ },
    { label: 'a band typo', call: (p) => p.setBand(0, { treshold: -3 } as never), error: TypeError, message: /unknown option "treshold"/ },
    { label: 'smoothingMs inside a band', call: (p) => p.setBand(0, { smoothingMs: 5 } as never), error: TypeError, message: /unknown option "smoothingMs"/ },
    { label: 'a band index out of range', call: (p) => p.setBand(3, {}), error: RangeError, message: /setBand: band index must be an integer in \[0, 2\], got 3/ },
    { label: 'a band index as a string', call: (p) => p.setBand('1' as never, {}), error: TypeError, message: /setBand: band index must be an integer in \[0, 2\], got "1"$/ },
    { label: 'a band index as a BigInt', call: (p) => p.getBand(1n as never), error: TypeError, message: /getBand: band index must be an integer in \[0, 2\], got 1n$/ },
    { label: 'a band index as a boolean', call: (p) => p.getBand(true as never), error: TypeError, message: /getBand: band index must be an integer in \[0, 2\], got true$/ },
    { label: 'a bad slope', call: (p) => p.set({ rolloffDbPerOctave: 12 as never }), error: TypeError, message: /rolloffDbPerOctave must be one of 24, 48, got 12/ },
    { label: 'crossovers as a sparse array', call: () => new MultibandCompressor({ crossoversHz: [, 1000] as number[] }), error: TypeError, message: /crossoversHz\[0\] must be a number/ },
    { label: 'six bands', call: () => new MultibandCompressor({ crossoversHz: [50, 100, 200, 400, 800] }), error: RangeError, message: /crossoversHz must have between 1 and 4 items, got 5/ },
    { label: 'one band', call: () => new MultibandCompressor({ crossoversHz: [] }), error: RangeError, message: /crossoversHz must have between 1 and 4 items, got 0/ },
    { label: 'a constructor band count mismatch', call: () => new MultibandCompressor({ crossoversHz: [500], bands: [{}, {}, {}] }), error: RangeError, message: /bands must have 0 or 2 items/ },
  ],
});

// ---------------------------------------------------------------------------------------------
// Independent reference: analog prototypes through the bilinear transform.

type C = [number, number];
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cdiv = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
/** s² + s/Q + 1 at s. */
const quad = (s: C, q: number): C => {
  const s2 = cmul(s, s);
  return [s2[0] + s[0] / q + 1, s2[1] + s[1] / q];
};
/** Q values of the Butterworth filter an LR filter of `rolloff` dB/oct squares. */
const butterQs = (rolloff: 24 | 48): number[] => (rolloff === 24 ? [Math.SQRT1_2] : [1, 3].map((k) => 1 / (2 * Math.sin((k * Math.PI) / 8))));

interface Crossover {
  lp: C;
  hp: C;
  ap: C;
}

/** The LR low-pass, high-pass and all-pass of a crossover at fc, seen at f (bilinear, pre-warped at fc). */
function crossoverAt(f: number, fc: number, fs: number, rolloff: 24 | 48): Crossover {
  const s: C = [0, Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs)];
  const ms: C = [-s[0], -s[1]];
  let b: C = [1, 0];
  let bm: C = [1, 0];
  for (const q of butterQs(rolloff)) {
    b = cmul(b, quad(s, q));
    bm = cmul(bm, quad(ms, q));
  }
  const b2 = cmul(b, b);
  let sPow: C = [1, 0];
  for (let i = 0; i < rolloff / 6; i++) sPow = cmul(sPow, s);
  return { lp: cdiv([1, 0], b2), hp: cdiv(sPow, b2), ap: cdiv(bm, b) };
}

/** Analytic response of band k (of crossovers.length + 1) at f, and the expected sum ∏ AP_j. */
function bandResponse(k: number, f: number, crossovers: readonly number[], fs: number, rolloff: 24 | 48): C {
  let h: C = [1, 0];
  crossovers.forEach((fc, j) => {
    const x = crossoverAt(f, fc, fs, rolloff);
    if (j < k) h = cmul(h, x.hp);
    else if (j === k) h = cmul(h, x.lp);
    else h = cmul(h, x.ap);
  });
  return h;
}
function allpassCascade(f: number, crossovers: readonly number[], fs: number, rolloff: 24 | 48): C {
  let h: C = [1, 0];
  for (const fc of crossovers) h = cmul(h, crossoverAt(f, fc, fs, rolloff).ap);
  return h;
}

/** Digital biquad sections (b0 b1 b2 a1 a2) of an analog section (n2·s² + n1·s + n0)/(s² + s/Q + 1) at fc (bilinear, pre-warped). */
function section(n2: number, n1: number, n0: number, q: number, fc: number, fs: number): number[] {
  const K = 1 / Math.tan((Math.PI * fc) / fs);
  const a0 = K * K + K / q + 1;
  return [(n2 * K * K + n1 * K + n0) / a0, (2 * n0 - 2 * n2 * K * K) / a0, (n2 * K * K - n1 * K + n0) / a0, (2 * (1 - K * K)) / a0, (K * K - K / q + 1) / a0];
}
/** The sections of band k as an independent float64 filter. */
function bandSections(k: number, crossovers: readonly number[], fs: number, rolloff: 24 | 48): number[][] {
  const out: number[][] = [];
  crossovers.forEach((fc, j) => {
    for (const q of butterQs(rolloff)) {
      if (j < k) out.push(section(1, 0, 0, q, fc, fs), section(1, 0, 0, q, fc, fs));
      else if (j === k) out.push(section(0, 0, 1, q, fc, fs), section(0, 0, 1, q, fc, fs));
      else out.push(section(1, -1 / q, 1, q, fc, fs));
    }
  });
  return out;
}
/** Direct form I in float64. */
function filterRef(x: ArrayLike<number>, sections: number[][]): Float64Array {
  let y = Float64Array.from(x);
  for (const [b0, b1, b2, a1, a2] of sections) {
    const out = new Float64Array(y.length);
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = b0 * y[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = y[i];
      y2 = y1;
      y1 = v;
      out[i] = v;
    }
    y = out;
  }
  return y;
}

/** DFT of x at f (direct sum). */
function dftAt(x: ArrayLike<number>, f: number, fs: number): C {
  const w = (2 * Math.PI * f) / fs;
  const cw = Math.cos(w), sw = Math.sin(w);
  let re = 0, im = 0, c = 1, s = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * c;
    im -= x[i] * s;
    const cn = c * cw - s * sw;
    s = s * cw + c * sw;
    c = cn;
    // Re-normalise the rotating phasor now and then.
    if ((i & 1023) === 1023) {
      const r = Math.hypot(c, s);
      c /= r;
      s /= r;
    }
  }
  return [re, im];
}

const unityBands = (n: number, extra: Partial<MultibandBandOptions> = {}): Partial<MultibandBandOptions>[] => Array.from({ length: n }, () => ({ ratio: 1, ...extra }));

/** Run `mb` (prepared) over mono or multichannel `x` in blocks of `block`, in place on a copy. */
function run(mb: MultibandCompressor, x: Float32Array[], block = 128): Float32Array[] {
  const y = x.map((c) => c.slice());
  for (let p = 0; p < y[0].length; p += block) mb.process(y.map((c) => c.subarray(p, p + block)));
  return y;
}

function impulse(opts: Partial<MultibandCompressorOptions>, fs: number, seconds: number): { h: Float32Array; latency: number } {
  const mb = new MultibandCompressor(opts);
  mb.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
  const x = new Float32Array(Math.ceil(seconds * fs));
  x[0] = 1;
  return { h: run(mb, [x])[0], latency: mb.latency };
}

/** Log-spaced frequencies from 20 Hz to min(20 kHz, 0.49·fs). */
function grid(fs: number, count: number): number[] {
  const hi = Math.min(20000, 0.49 * fs);
  return Array.from({ length: count }, (_, i) => 20 * Math.pow(hi / 20, i / (count - 1)));
}

/** Largest magnitude deviation from 0 dB and phase error (rad) of the impulse response against the cascade (× the latency's delay). */
function sumError(h: Float32Array, latency: number, crossovers: number[], fs: number, rolloff: 24 | 48, freqs: number[]): { magDb: number; phase: number; magVsAnalyticDb: number } {
  let magDb = 0, phase = 0, magVsAnalyticDb = 0;
  for (const f of freqs) {
    const m = dftAt(h, f, fs);
    const w = (2 * Math.PI * f) / fs;
    const expected = cmul(allpassCascade(f, crossovers, fs, rolloff), [Math.cos(w * latency), -Math.sin(w * latency)]);
    const ratio = cdiv(m, expected);
    magDb = Math.max(magDb, Math.abs(20 * Math.log10(Math.hypot(m[0], m[1]))));
    magVsAnalyticDb = Math.max(magVsAnalyticDb, Math.abs(20 * Math.log10(Math.hypot(ratio[0], ratio[1]))));
    phase = Math.max(phase, Math.abs(Math.atan2(ratio[1], ratio[0])));
  }
  return { magDb, phase, magVsAnalyticDb };
}

/** Crossovers spread over the band, a third of an octave apart at least. */
function spread(count: number, fs: number): number[] {
  const lo = 60, hi = Math.min(12000, 0.4 * fs);
  return Array.from({ length: count - 1 }, (_, k) => (count === 2 ? 1000 : lo * Math.pow(hi / lo, k / (count - 2))));
}

describe('MultibandCompressor: with every band at unity the sum is the crossovers’ all-pass cascade', () => {
  const results: string[] = [];
  for (const fs of [44100, 48000, 96000]) {
    for (const rolloff of [24, 48] as const) {
      it(`${fs} Hz, LR${rolloff / 6}: 2–5 bands, magnitude flat within 0.01 dB, phase that of ∏ (LP_k + HP_k) (20 Hz–20 kHz)`, () => {
        for (let count = 2; count <= 5; count++) {
          const crossovers = spread(count, fs);
          const { h, latency } = impulse({ crossoversHz: crossovers, rolloffDbPerOctave: rolloff, bands: unityBands(count) }, fs, 0.8);
          expect(latency).toBe(0);
          const e = sumError(h, latency, crossovers, fs, rolloff, grid(fs, 61));
          results.push(`${fs} LR${rolloff / 6} ${count} bands: |H| within ${e.magDb.toExponential(2)} dB, phase error ${e.phase.toExponential(2)} rad`);
          expect(e.magDb, `${count} bands`).toBeLessThan(0.01);
          expect(e.magVsAnalyticDb).toBeLessThan(0.01);
          expect(e.phase, `${count} bands`).toBeLessThan(1e-3);
        }
      });
    }
  }
  it('(figures)', () => {
    if (results.length) console.log(results.join('\n'));
  });

  it('stays an all-pass with bands bypassed while compressing hard, and with lookahead (bands aligned, latency = the largest)', () => {
    const fs = 48000;
    const crossovers = [150, 1200, 6000];
    const loud = { thresholdDb: -60, ratio: 20, bypass: true };
    const bypassed = impulse({ crossoversHz: crossovers, bands: unityBands(4, loud) }, fs, 0.6);
    const unity = impulse({ crossoversHz: crossovers, bands: unityBands(4) }, fs, 0.6);
    // The same samples (a bypassed band's dry path may give −0 where unity gives +0).
    let diff = 0;
    for (let i = 0; i < unity.h.length; i++) diff = Math.max(diff, Math.abs(bypassed.h[i] - unity.h[i]));
    expect(diff).toBe(0);
    const look = impulse({ crossoversHz: crossovers, bands: [{ ratio: 1, lookaheadMs: 1 }, { ratio: 1 }, { ratio: 1, lookaheadMs: 5 }, { ratio: 1, lookaheadMs: 2.5 }] }, fs, 0.6);
    expect(look.latency).toBe(240);
    for (let i = 0; i < 240; i++) expect(look.h[i]).toBe(0);
    const e = sumError(look.h, look.latency, crossovers, fs, 24, grid(fs, 41));
    expect(e.magDb).toBeLessThan(0.01);
    expect(e.phase).toBeLessThan(1e-3);
  });

  it('flat for random crossovers, band counts, slopes and rates (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(44100, 48000, 96000),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom(24 as const, 48 as const),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (fs, count, rolloff, us) => {
          // Positions in octaves above 21 Hz, sorted, then spread a third of an octave apart.
          const octaves = Math.log2((0.449 * fs) / 21) - ((count - 2) / 3) * 1.001;
          const pos = us.slice(0, count - 1).sort((a, b) => a - b);
          const crossovers = pos.map((u, k) => 21 * Math.pow(2, u * octaves + (k / 3) * 1.001));
          const { h, latency } = impulse({ crossoversHz: crossovers, rolloffDbPerOctave: rolloff, bands: unityBands(count) }, fs, 1);
          const e = sumError(h, latency, crossovers, fs, rolloff, grid(fs, 17));
          if (!(e.magDb < 0.01 && e.phase < 1e-3)) throw new Error(`${fs} Hz, crossovers ${crossovers.map((f) => f.toFixed(1)).join(', ')}, LR${rolloff / 6}: ${JSON.stringify(e)}`);
        },
      ),
      { numRuns: runs(6) },
    );
  });
});

describe('MultibandCompressor: bands', () => {
  const fs = 48000;
  const crossovers = [120, 1000, 5000];
  /** A frequency well inside each band. */
  const centres = [40, 346, 2236, 11000];

  it('each band’s static curve is compressorGainReductionDb of its band level (steady sine inside the band, within 0.1 dB)', () => {
    const settings = [
      { thresholdDb: -30, ratio: 4, kneeDb: 6 },
      { thresholdDb: -20, ratio: 2, kneeDb: 0 },
      { thresholdDb: -12, ratio: 8, kneeDb: 12 },
      { thresholdDb: -26, ratio: Infinity, kneeDb: 3 },
    ];
    for (let b = 0; b < 4; b++) {
      for (const amp of [0.05, 0.3, 0.9]) {
        const mb = new MultibandCompressor({ crossoversHz: crossovers, bands: settings.map((s, i) => ({ ...s, peakHoldMs: 30, solo: i === b })) });
        mb.prepare({ sampleRate: fs, maxBlockSize: 256, channels: 1 });
        const x = sine(fs * 2, centres[b], fs, amp);
        const y = run(mb, [x], 256)[0];
        const h = bandResponse(b, centres[b], crossovers, fs, 24);
        const level = amp * Math.hypot(h[0], h[1]);
        const gr = compressorGainReductionDb(20 * Math.log10(level), settings[b].thresholdDb, settings[b].ratio, settings[b].kneeDb);
        let peak = 0;
        for (let i = y.length - fs / 4; i < y.length; i++) peak = Math.max(peak, Math.abs(y[i]));
        const measuredGr = 20 * Math.log10(level / peak);
        expect(Math.abs(measuredGr - gr), `band ${b}, amplitude ${amp}: ${measuredGr} vs ${gr}`).toBeLessThan(0.1);
        expect(Math.abs(mb.bandGainReductionDb(b) - gr)).toBeLessThan(0.1);
        const meters = new Float64Array(8);
        mb.readMeters(meters, 0);
        expect(meters[2 * b]).toBe(mb.bandGainReductionDb(b));
        expect(meters[2 * b + 1]).toBeGreaterThanOrEqual(meters[2 * b]);
      }
    }
  });

  it('solo of one band is that band’s filtered signal alone (against the float64 reference), two soloed bands their sum, band gain scales it', () => {
    const x = noise(fs / 2, 3, 0.5);
    const ref = (k: number) => filterRef(x, bandSections(k, crossovers, fs, 24));
    let worst = 0;
    for (let b = 0; b < 4; b++) {
      // Compression on everywhere but irrelevant (ratio 1 in the soloed band); other bands muted.
      const bands = [0, 1, 2, 3].map((i) => (i === b ? { ratio: 1, solo: true } : { thresholdDb: -50, ratio: 10 }));
      const mb = new MultibandCompressor({ crossoversHz: crossovers, bands });
      mb.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
      const y = run(mb, [x])[0];
      const r = ref(b);
      for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - r[i]));
    }
    expect(worst).toBeLessThan(2e-5);
    // Bands 1 and 3 soloed, band 3 at −6 dB, band 1 bypassed while compressing hard (bypass takes its gain out too).
    const mb = new MultibandCompressor({
      crossoversHz: crossovers,
      bands: [{ thresholdDb: -50, ratio: 10 }, { thresholdDb: -50, ratio: 10, solo: true, bypass: true, outputGainDb: 12 }, { ratio: 1 }, { ratio: 1, solo: true, outputGainDb: -6 }],
    });
    mb.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const y = run(mb, [x])[0];
    const r1 = ref(1), r3 = ref(3);
    const g = Math.pow(10, -6 / 20);
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(y[i] - (r1[i] + g * r3[i])));
    expect(err).toBeLessThan(2e-5);
  });

  it('the band filters’ magnitude follows the analytic LR responses (solo impulse responses, LR8)', () => {
    for (let b = 0; b < 4; b++) {
      const { h } = impulse({ crossoversHz: crossovers, rolloffDbPerOctave: 48, bands: [0, 1, 2, 3].map((i) => ({ ratio: 1, solo: i === b })) }, fs, 0.6);
      for (const f of grid(fs, 25)) {
        const m = dftAt(h, f, fs);
        const e = bandResponse(b, f, crossovers, fs, 48);
        const em = Math.hypot(e[0], e[1]);
        // Compared where the band passes anything measurable (above −80 dB).
        if (em > 1e-4) expect(Math.abs(20 * Math.log10(Math.hypot(m[0], m[1]) / em)), `band ${b} at ${f.toFixed(0)} Hz`).toBeLessThan(0.01);
      }
    }
  });

  it('a bypass or solo switch while running cross-fades (no step larger than the programme’s own)', () => {
    const x = sine(fs, 346, fs, 0.5);
    const mb = new MultibandCompressor({ crossoversHz: crossovers, bands: [{}, { thresholdDb: -40, ratio: 10 }, {}, {}] });
    mb.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const y = x.slice();
    for (let p = 0; p < y.length; p += 128) {
      if (p === 12800) mb.setBand(1, { bypass: true });
      if (p === 25600) mb.setBand(2, { solo: true });
      mb.process([y.subarray(p, p + 128)]);
    }
    // The sine's own largest step is 0.5·2π·346/48000 ≈ 0.023; the band's makeup-free jump would be ~0.45.
    let step = 0;
    for (let i = 12800; i < 40000; i++) step = Math.max(step, Math.abs(y[i] - y[i - 1]));
    expect(step).toBeLessThan(0.03);
  });
});

describe('MultibandCompressor: crossover changes', () => {
  const fs = 48000;
  /** Largest |second difference| of y over [from, to): a click shows up here long before it shows in the level. */
  const curvature = (y: Float32Array, from: number, to: number) => {
    let m = 0;
    for (let i = from + 2; i < to; i++) m = Math.max(m, Math.abs(y[i] - 2 * y[i - 1] + y[i - 2]));
    return m;
  };
  const sweep = (smoothingMs: number, cut: number): { y: Float32Array; steady: number; change: number } => {
    const x = sine(fs, 1000, fs, 0.5);
    const mb = new MultibandCompressor({ crossoversHz: [200, 2000, 8000], bands: unityBands(4), smoothingMs });
    mb.prepare({ sampleRate: fs, maxBlockSize: cut, channels: 1 });
    const y = x.slice();
    for (let p = 0; p < y.length; p += cut) {
      if (p === 24000 - (24000 % cut)) mb.set({ crossoversHz: [700, 1400, 8000] });
      mb.process([y.subarray(p, Math.min(y.length, p + cut))]);
    }
    return { y, steady: curvature(y, 4000, 23000), change: curvature(y, 23000, 40000) };
  };

  it('a crossover jump across the programme ramps (20 ms): no click, the output stays within the all-pass’s level', () => {
    for (const cut of [128, 37, 1000]) {
      const { y, steady, change } = sweep(20, cut);
      expect(change, `blocks of ${cut}`).toBeLessThan(1.1 * steady);
      let peak = 0;
      for (let i = 23000; i < 40000; i++) peak = Math.max(peak, Math.abs(y[i]));
      expect(peak).toBeLessThan(0.5 * 1.05);
    }
  });

  it('(negative control) the same jump with smoothingMs 0 is visibly rougher', () => {
    const smooth = sweep(20, 128);
    const hard = sweep(0, 128);
    console.log(`crossover jump: curvature steady ${smooth.steady.toExponential(3)}, ramped ${smooth.change.toExponential(3)}, unramped ${hard.change.toExponential(3)}`);
    expect(hard.change).toBeGreaterThan(smooth.change);
  });
});

describe('MultibandCompressor: contract details', () => {
  it('reports per-band gain reduction, lowest band first', () => {
    const mb = new MultibandCompressor({ crossoversHz: [300], bands: [{ thresholdDb: -40 }, { thresholdDb: 0 }] });
    expect(mb.meterNames).toEqual(['gainReductionDb', 'maxGainReductionDb', 'gainReductionDb', 'maxGainReductionDb']);
    mb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    run(mb, [sine(24000, 80, 48000, 0.5), sine(24000, 80, 48000, 0.5)]);
    const out = new Float64Array(4);
    mb.readMeters(out, 0);
    expect(out[0]).toBeGreaterThan(10);
    expect(out[2]).toBe(0);
    mb.resetMeters();
    expect(mb.bandMaxGainReductionDb(0)).toBe(mb.bandGainReductionDb(0));
  });

  it('automates band options through paramRange/setParam like set(), without allocating', async () => {
    const make = () => {
      const mb = new MultibandCompressor({ crossoversHz: [200, 2000], bands: [{ thresholdDb: -30 }, { thresholdDb: -20 }, {}] });
      mb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      return mb;
    };
    const a = make();
    expect(a.paramRange('bands.1.thresholdDb')).toEqual({ min: -100, max: 20, unit: 'dB' });
    expect(a.paramRange('bands.2.outputGainDb')).toEqual({ min: -24, max: 24, unit: 'dB' });
    for (const name of ['bands.1.mix', 'bands.1.lookaheadMs', 'bands.3.ratio', 'crossoversHz.0', 'bands.0.bypass', 'smoothingMs']) expect(a.paramRange(name), name).toBeUndefined();
    const b = make();
    const x = multiChannel(2, 4096, 8);
    const values = Float64Array.of(-40, 3, -6);
    const ya = x.map((c) => c.slice());
    const yb = x.map((c) => c.slice());
    for (let p = 0; p < 4096; p += 128) {
      if (p === 1024) {
        a.setParam('bands.1.thresholdDb', values, 0);
        a.setParam('bands.0.ratio', values, 1);
        a.setParam('bands.2.outputGainDb', values, 2);
        b.setBand(1, { thresholdDb: -40 });
        b.setBand(0, { ratio: 3 });
        b.setBand(2, { outputGainDb: -6 });
      }
      a.process(ya.map((c) => c.subarray(p, p + 128)));
      b.process(yb.map((c) => c.subarray(p, p + 128)));
    }
    for (let c = 0; c < 2; c++) expect(Array.from(ya[c])).toEqual(Array.from(yb[c]));
    expect(a.params).toEqual(b.params);
    expect(a.getBand(2).outputGainDb).toBe(-6);
    // setBand after automation keeps the automated values it does not name.
    a.setBand(0, { kneeDb: 3 });
    expect(a.getBand(0).ratio).toBe(3);
    const v = new Float64Array(1);
    let k = 0;
    const { report, first } = await measureAllocationSettled(() => {
      v[0] = -30 + (k++ % 20);
      a.setParam('bands.1.thresholdDb', v, 0);
      a.setParam('bands.2.outputGainDb', v, 0);
      a.process(ya, 128);
    }, 20_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('params round-trip through JSON and fill every band', () => {
    const mb = new MultibandCompressor({ crossoversHz: [100, 800, 4000, 10000], rolloffDbPerOctave: 48, bands: [{ ratio: Infinity }, {}, { solo: true }, {}, { outputGainDb: -3, bypass: true }] });
    const json = JSON.parse(JSON.stringify(mb));
    expect(json.type).toBe('MultibandCompressor');
    expect(json.params.bands[0].ratio).toBe('Infinity');
    const back = MultibandCompressor.fromJSON(json);
    expect(back.params).toEqual(mb.params);
    expect(new MultibandCompressor().params.bands).toHaveLength(4);
    expect(mb.getBand(4).outputGainDb).toBe(-3);
  });

  it('rejects a crossover above 0.45·fs at prepare(), and keeps the options unchanged after a rejected set()', () => {
    const mb = new MultibandCompressor({ crossoversHz: [1000, 20000] });
    expect(() => mb.prepare({ sampleRate: 44100, maxBlockSize: 128, channels: 2 })).toThrow(/crossoversHz\[1\] must be in \(20, 19845\) Hz/);
    const ok = new MultibandCompressor({ crossoversHz: [1000, 2000] });
    expect(() => ok.set({ crossoversHz: [1000, 1100], bands: [{}, {}, { ratio: 2 }] })).toThrow(RangeError);
    expect(ok.params.crossoversHz).toEqual([1000, 2000]);
    expect(ok.getBand(2).ratio).toBe(4);
  });

  it('leaves no subnormal numbers in its state after loud noise then silence', () => {
    const mb = new MultibandCompressor({ crossoversHz: [40, 400, 4000, 16000], rolloffDbPerOctave: 48, bands: [{ lookaheadMs: 3 }, {}, {}, {}, {}] });
    mb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 });
    run(mb, [noise(48000, 1, 1)]);
    const silent = run(mb, [new Float32Array(48000 * 3)]);
    expect(countSubnormalState(mb)).toBe(0);
    for (const ch of silent) for (let i = ch.length - 48000; i < ch.length; i++) expect(ch[i]).toBe(0);
  });

  it('output is bounded by the band filters’ ℓ1 norms when the compressors only reduce (fast-check)', () => {
    const fs = 48000;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.record({ thresholdDb: fc.double({ min: -60, max: 0, noNaN: true }), ratio: fc.double({ min: 1, max: 50, noNaN: true }), mix: fc.double({ min: 0, max: 1, noNaN: true }), lookaheadMs: fc.constantFrom(0, 1, 3), attackMs: fc.constantFrom(0, 1, 10), outputGainDb: fc.double({ min: -24, max: 0, noNaN: true }) }), { minLength: 5, maxLength: 5 }),
        fc.constantFrom(24 as const, 48 as const),
        fc.integer({ min: 1, max: 1000 }),
        (count, bands, rolloff, seed) => {
          const crossovers = spread(count, fs);
          const mb = new MultibandCompressor({ crossoversHz: crossovers, rolloffDbPerOctave: rolloff, bands: bands.slice(0, count) });
          mb.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 2 });
          const x = multiChannel(2, 8192, seed).map((c) => c.map((v) => Math.max(-1, Math.min(1, 1.5 * v))));
          const y = run(mb, x);
          // |band_b ∗ x| ≤ ℓ1(h_b)·max|x|, and gain ≤ 1, mix ≤ 1, output gain ≤ 1 only shrink it.
          let bound = 0;
          for (let b = 0; b < count; b++) {
            const d = new Float64Array(fs);
            d[0] = 1;
            const h = filterRef(d, bandSections(b, crossovers, fs, rolloff));
            let l1 = 0;
            for (const v of h) l1 += Math.abs(v);
            bound += l1;
          }
          for (const ch of y) for (const v of ch) if (!(Math.abs(v) <= bound * (1 + 1e-5))) throw new Error(`|y| = ${v} > ${bound}`);
        },
      ),
      { numRuns: runs(8) },
    );
  });

  it('un-bypassing a band ramps it in sample by sample: 120-frame blocks equal 1-frame blocks (the compressor mix ramp ending at 1)', () => {
    const n = 4800;
    const x = new Float32Array(n).map((_, i) => 0.5 * Math.sin(i * 0.01));
    const renderBlocks = (block: number) => {
      const mb = new MultibandCompressor({ crossoversHz: [1000], bands: [{ bypass: true, thresholdDb: -40 }, {}] });
      mb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 });
      const y = x.slice();
      for (let p = 0; p < n; p += block) {
        mb.process([y.subarray(p, p + block)]);
        if (p + block === 960) mb.setBand(0, { bypass: false });
      }
      return y;
    };
    const a = renderBlocks(1);
    const b = renderBlocks(120);
    let differing = 0;
    for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) differing++;
    expect(differing).toBe(0);
  });

  it('gives identical output for any partition, with random crossovers moving while running (fast-check)', () => {
    const fs = 44100;
    const x = multiChannel(2, 6000, 5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), fc.double({ min: 30, max: 400, noNaN: true }), fc.double({ min: 1.3, max: 20, noNaN: true }), (sizes, f0, ratio) => {
        const make = () => {
          const mb = new MultibandCompressor({ crossoversHz: [f0, f0 * ratio], bands: [{ lookaheadMs: 1 }, { detector: 'rms' }, { stereoLink: 0 }] });
          mb.prepare({ sampleRate: fs, maxBlockSize: 300, channels: 2 });
          return mb;
        };
        const render = (mb: MultibandCompressor, cuts: number[]) => {
          const y = x.map((c) => c.slice());
          let p = 0, k = 0;
          while (p < 6000) {
            const end = Math.min(6000, cuts[k++ % cuts.length] + p, p < 2000 ? 2000 : 6000);
            if (p === 2000) mb.set({ crossoversHz: [f0 * 1.5, f0 * ratio * 1.5] });
            mb.process(y.map((c) => c.subarray(p, end)), end - p);
            p = end;
          }
          return y;
        };
        const a = render(make(), [300]);
        const b = render(make(), sizes);
        for (let c = 0; c < 2; c++) for (let i = 0; i < 6000; i++) if (!Object.is(a[c][i], b[c][i])) throw new Error(`channel ${c}, sample ${i}: ${a[c][i]} vs ${b[c][i]}`);
      }),
      { numRuns: runs(15) },
    );
  });
});

describe('Exported defaults are deeply frozen', () => {
  // MULTIBAND_COMPRESSOR_DEFAULTS.crossoversHz and .bands, PARAMETRIC_EQ_DEFAULTS.bands were
  // shared arrays anyone could push into (only the top level was frozen).
  it('every *_DEFAULTS export of the package, at every depth', async () => {
    const lib = (await import('../../src/index.js')) as Record<string, unknown>;
    const names = Object.keys(lib).filter((k) => k.endsWith('_DEFAULTS'));
    expect(names).toContain('MULTIBAND_COMPRESSOR_DEFAULTS');
    expect(names).toContain('PARAMETRIC_EQ_DEFAULTS');
    const unfrozen: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (v === null || typeof v !== 'object') return;
      if (!Object.isFrozen(v)) unfrozen.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    for (const name of names) walk(lib[name], name);
    expect(unfrozen).toEqual([]);
    const crossovers = MULTIBAND_COMPRESSOR_DEFAULTS.crossoversHz;
    expect(() => crossovers.push(1)).toThrow(TypeError);
    expect(crossovers).toEqual([120, 1000, 5000]);
    expect(new MultibandCompressor().params.crossoversHz).toEqual([120, 1000, 5000]);
  });
});

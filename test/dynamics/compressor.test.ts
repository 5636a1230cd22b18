/**
 * Compressor: the processor contract, the static curve against an independent closed form
 * (Giannoulis, Massberg & Reiss 2012, eq. 4), measured attack/release times, and properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Compressor, type CompressorOptions } from '../../src/dynamics/compressor.js';
import { describeProcessor, render, cutsFromSizes } from '../support/conformance.js';
import { identical, firstDifference, multiChannel, noise, runs, sine } from '../support/signals.js';

const FS = 48000;

describeProcessor<Compressor>({
  name: 'Compressor',
  create: () => new Compressor({ thresholdDb: -24, ratio: 5, kneeDb: 6, attackMs: 2, releaseMs: 40, makeupDb: 3, lookaheadMs: 1 }),
  channels: [1, 2, 3],
  automation: [
    { at: 300, apply: (p) => p.set({ thresholdDb: -40, ratio: Infinity }) },
    { at: 900, apply: (p) => p.set({ detector: 'rms', rmsWindowMs: 5, mix: 0.5 }) },
    { at: 1500, apply: (p) => p.set({ makeupDb: 9, stereoLink: 0.3, sidechainHighpassHz: 200 }) },
    { at: 2200, apply: (p) => p.set({ detector: 'peak', peakHoldMs: 0, autoMakeup: true }) },
    { at: 3000, apply: (p) => p.set({ kneeDb: 0, attackMs: 0, releaseMs: 5, smoothingMs: 3 }) },
  ],
  ramp: (p) => {
    const up = p.params.makeupDb === 0;
    p.set({ smoothingMs: 1000, makeupDb: up ? 12 : 0, mix: up ? 0.3 : 1, thresholdDb: up ? -40 : -10 });
  },
  silence: { exact: true, tailSeconds: 0.1, level: 0 },
  badParams: [
    { label: 'NaN threshold', call: (p) => p.set({ thresholdDb: NaN }), error: RangeError, message: /Compressor\.thresholdDb must be in \[-100, 20\] dB, got NaN/ },
    { label: 'ratio below 1', call: (p) => p.set({ ratio: 0.5 }), error: RangeError, message: /ratio must be in \[1, Infinity\], got 0.5/ },
    { label: 'negative knee', call: (p) => p.set({ kneeDb: -1 }), error: RangeError, message: /kneeDb/ },
    { label: 'negative attack', call: (p) => p.set({ attackMs: -1 }), error: RangeError, message: /attackMs/ },
    { label: 'release 0', call: (p) => p.set({ releaseMs: 0 }), error: RangeError, message: /releaseMs must be in \[1, 10000\] ms/ },
    { label: 'unknown detector', call: (p) => p.set({ detector: 'average' as 'peak' }), error: TypeError, message: /detector must be one of "peak", "rms"/ },
    { label: 'link above 1', call: (p) => p.set({ stereoLink: 1.5 }), error: RangeError, message: /stereoLink/ },
    { label: 'mix as string', call: (p) => p.set({ mix: '1' as unknown as number }), error: TypeError, message: /mix must be a number/ },
    { label: 'lookahead above 20 ms', call: (p) => p.set({ lookaheadMs: 25 }), error: RangeError, message: /lookaheadMs must be in \[0, 20\] ms, got 25/ },
    { label: 'sidechain high-pass above 2 kHz', call: (p) => p.set({ sidechainHighpassHz: 5000 }), error: RangeError, message: /sidechainHighpassHz/ },
    { label: 'non-boolean autoMakeup', call: (p) => p.set({ autoMakeup: 1 as unknown as boolean }), error: TypeError, message: /autoMakeup must be a boolean/ },
    { label: 'a typo', call: (p) => p.set({ treshold: -3 } as never), error: TypeError, message: /unknown option "treshold"/ },
    { label: 'a bad constructor option', call: () => new Compressor({ ratio: NaN }), error: RangeError, message: /Compressor\.ratio/ },
  ],
});

/** Independent closed form: static output level (dB) of Giannoulis et al. eq. 4. */
function staticOutputDb(x: number, T: number, R: number, W: number): number {
  if (2 * (x - T) < -W) return x;
  if (2 * Math.abs(x - T) <= W) return x + ((1 / R - 1) * (x - T + W / 2) ** 2) / (2 * W);
  return T + (x - T) / R;
}

function peakOf(x: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

function rmsOf(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

function run(c: Compressor, x: Float32Array[], block = 128, sidechain?: Float32Array[]): Float32Array[] {
  const y = x.map((ch) => ch.slice());
  for (let p = 0; p < y[0].length; p += block) {
    c.process(
      y.map((ch) => ch.subarray(p, p + block)),
      undefined,
      sidechain?.map((ch) => ch.subarray(p, p + block)),
    );
  }
  return y;
}

describe('Compressor: static curve (1 kHz sine, −60 to 0 dBFS) matches the closed form within 0.1 dB', () => {
  const settings: [string, Partial<CompressorOptions>][] = [
    ['hard knee 4:1 at −20', { thresholdDb: -20, ratio: 4, kneeDb: 0 }],
    ['6 dB knee 4:1 at −20', { thresholdDb: -20, ratio: 4, kneeDb: 6 }],
    ['20 dB knee 2:1 at −30', { thresholdDb: -30, ratio: 2, kneeDb: 20 }],
    ['∞:1 with 10 dB knee at −12', { thresholdDb: -12, ratio: Infinity, kneeDb: 10 }],
    ['1.5:1 hard at −45', { thresholdDb: -45, ratio: 1.5, kneeDb: 0 }],
  ];
  for (const detector of ['peak', 'rms'] as const) {
    for (const [label, opts] of settings) {
      it(`${detector}: ${label}`, () => {
        let worst = 0;
        for (let level = -60; level <= 0; level += 2) {
          const c = new Compressor({ ...opts, detector, attackMs: 1, releaseMs: 30, peakHoldMs: 2, rmsWindowMs: 10 });
          c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
          const x = sine(FS / 2, 1000, FS, 10 ** (level / 20));
          const [y] = run(c, [x]);
          const from = FS / 2 - 4800;
          const inLevel = detector === 'peak' ? 20 * Math.log10(peakOf(x, from, FS / 2)) : 20 * Math.log10(rmsOf(x, from, FS / 2));
          const gainDb = 20 * Math.log10(peakOf(y, from, FS / 2) / peakOf(x, from, FS / 2));
          const expected = staticOutputDb(inLevel, opts.thresholdDb!, opts.ratio!, opts.kneeDb!) - inLevel;
          worst = Math.max(worst, Math.abs(gainDb - expected));
          expect(Math.abs(gainDb - expected), `level ${level} dBFS: gain ${gainDb} vs ${expected}`).toBeLessThan(0.1);
        }
        expect(worst).toBeLessThan(0.1);
      });
    }
  }

  it('makeup and auto makeup add exactly the closed-form gain', () => {
    for (const [opts, extra] of [
      [{ makeupDb: 6 }, 6],
      [{ autoMakeup: true }, 15], // −(−20)·(1 − 1/4): a 0 dBFS peak comes out at 0 dBFS
      [{ autoMakeup: true, makeupDb: -3 }, 12],
    ] as [Partial<CompressorOptions>, number][]) {
      const c = new Compressor({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 1, releaseMs: 30, peakHoldMs: 2, ...opts });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const x = sine(FS / 2, 1000, FS, 10 ** (-8 / 20));
      const [y] = run(c, [x]);
      const from = FS / 2 - 4800;
      const gainDb = 20 * Math.log10(peakOf(y, from, FS / 2) / peakOf(x, from, FS / 2));
      const inDb = 20 * Math.log10(peakOf(x, from, FS / 2));
      expect(gainDb).toBeCloseTo(staticOutputDb(inDb, -20, 4, 0) - inDb + extra, 1);
    }
  });
});

/** Per-sample gain reduction in dB, where the input is large enough to measure it. */
function grTrace(x: Float32Array, y: Float32Array, latency: number): Float64Array {
  const gr = new Float64Array(y.length).fill(NaN);
  for (let t = latency; t < y.length; t++) {
    const xi = x[t - latency];
    if (Math.abs(xi) > 1e-3) gr[t] = -20 * Math.log10(Math.abs(y[t] / xi));
  }
  return gr;
}

/** First index ≥ from where pred holds for a measured (non-NaN) value. */
function firstWhere(gr: Float64Array, from: number, pred: (v: number) => boolean): number {
  for (let t = from; t < gr.length; t++) if (!Number.isNaN(gr[t]) && pred(gr[t])) return t;
  return -1;
}

describe('Compressor: ballistics (time to 1 − 1/e of a gain step) within 5 % of the set times', () => {
  const T = -30;
  const R = 4;
  for (const [attackMs, releaseMs] of [
    [10, 100],
    [2, 50],
    [30, 400],
  ]) {
    it(`attack ${attackMs} ms, release ${releaseMs} ms`, () => {
      const holdMs = 2;
      const c = new Compressor({ thresholdDb: T, ratio: R, kneeDb: 0, attackMs, releaseMs, peakHoldMs: holdMs });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      // −40 dBFS (no reduction) → −10 dBFS (15 dB reduction) at a positive peak → −40 dBFS.
      const quiet = 10 ** (-40 / 20);
      const loud = 10 ** (-10 / 20);
      const stepUp = FS / 2 + 12; // sin(2π·1000·t) peaks at t = 12 samples (mod 48)
      const stepDown = stepUp + Math.round((FS * 10 * Math.max(attackMs, 10)) / 1000);
      const total = stepDown + Math.round((FS * 8 * releaseMs) / 1000);
      const x = new Float32Array(total);
      for (let i = 0; i < total; i++) x[i] = (i >= stepUp && i < stepDown ? loud : quiet) * Math.sin((2 * Math.PI * 1000 * i) / FS);
      const [y] = run(c, [x]);
      const gr = grTrace(x, y, 0);
      const full = (1 - 1 / R) * (-10 - T); // 15 dB
      const attackAt = firstWhere(gr, stepUp, (v) => v >= (1 - 1 / Math.E) * full);
      const measuredAttack = ((attackAt - stepUp) / FS) * 1000;
      expect(Math.abs(measuredAttack - attackMs) / attackMs, `attack measured ${measuredAttack} ms`).toBeLessThan(0.05);
      // Release starts when the 2 ms hold lets go of the last loud peak.
      const holdEnd = stepDown + Math.round((holdMs * FS) / 1000) - 1;
      const releaseAt = firstWhere(gr, holdEnd, (v) => v <= full / Math.E);
      const measuredRelease = ((releaseAt - holdEnd) / FS) * 1000;
      expect(Math.abs(measuredRelease - releaseMs) / releaseMs, `release measured ${measuredRelease} ms`).toBeLessThan(0.05);
    });
  }
});

describe('Compressor: properties (fast-check)', () => {
  const optionsArb = fc.record({
    thresholdDb: fc.double({ min: -60, max: 0, noNaN: true }),
    ratio: fc.oneof(fc.double({ min: 1, max: 50, noNaN: true }), fc.constant(Infinity)),
    kneeDb: fc.double({ min: 0, max: 24, noNaN: true }),
    attackMs: fc.double({ min: 0, max: 50, noNaN: true }),
    releaseMs: fc.double({ min: 1, max: 500, noNaN: true }),
    detector: fc.constantFrom('peak' as const, 'rms' as const),
    peakHoldMs: fc.double({ min: 0, max: 20, noNaN: true }),
    rmsWindowMs: fc.double({ min: 1, max: 50, noNaN: true }),
    stereoLink: fc.double({ min: 0, max: 1, noNaN: true }),
    lookaheadMs: fc.double({ min: 0, max: 20, noNaN: true }),
    sidechainHighpassHz: fc.constantFrom(0, 80, 250),
  });

  it('never adds gain: |out| ≤ |in delayed| · makeup, for any settings (gain reduction ≥ 0)', () => {
    fc.assert(
      fc.property(optionsArb, fc.double({ min: -12, max: 12, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (opts, makeupDb, seed) => {
        const c = new Compressor({ ...opts, makeupDb });
        c.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
        const x = multiChannel(2, 6000, seed).map((ch) => ch.map((v) => v * 2));
        const y = run(c, x, 97);
        const g = 10 ** (makeupDb / 20);
        const d = c.latency;
        for (let ch = 0; ch < 2; ch++) {
          for (let t = d; t < 6000; t++) {
            if (Math.abs(y[ch][t]) > Math.abs(x[ch][t - d]) * g * (1 + 1e-6) + 1e-30) {
              throw new Error(`channel ${ch} sample ${t}: |${y[ch][t]}| > |${x[ch][t - d]}|·${g}`);
            }
          }
        }
        expect(c.gainReductionDb).toBeGreaterThanOrEqual(0);
        expect(c.maxGainReductionDb).toBeGreaterThanOrEqual(c.gainReductionDb);
      }),
      { numRuns: runs(40) },
    );
  });

  it('ratio 1:1 without makeup is the identity after the latency, bit-exact', () => {
    fc.assert(
      fc.property(optionsArb, fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 10 }), (opts, seed, sizes) => {
        const c = new Compressor({ ...opts, ratio: 1 });
        c.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
        const x = multiChannel(2, 3000, seed);
        const y = render(c, x, cutsFromSizes(sizes, 3000));
        const d = c.latency;
        const expected = x.map((ch) => {
          const e = new Float32Array(ch.length);
          e.set(ch.subarray(0, ch.length - d), d);
          return e;
        });
        expect(identical(y, expected), firstDifference(y, expected)).toBe(true);
        expect(c.maxGainReductionDb).toBe(0);
      }),
      { numRuns: runs(40) },
    );
  });

  it('mix 0 is the identity after the latency, bit-exact, whatever the compression', () => {
    const c = new Compressor({ thresholdDb: -50, ratio: 20, mix: 0, lookaheadMs: 3 });
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 4000, 3);
    const y = run(c, x);
    const d = c.latency;
    expect(d).toBe(144);
    for (let ch = 0; ch < 2; ch++) for (let t = d; t < 4000; t++) expect(y[ch][t]).toBe(x[ch][t - d]);
    expect(c.maxGainReductionDb).toBeGreaterThan(10);
  });
});

describe('Compressor: the fused fast path equals the general path', () => {
  it('bit-identical output for any peak-mode settings (fast-check)', () => {
    // A copy of the input passed as sidechain sends the same detector input down the general path.
    fc.assert(
      fc.property(
        fc.record({
          thresholdDb: fc.double({ min: -60, max: 0, noNaN: true }),
          ratio: fc.oneof(fc.double({ min: 1, max: 30, noNaN: true }), fc.constant(Infinity)),
          kneeDb: fc.double({ min: 0, max: 24, noNaN: true }),
          attackMs: fc.double({ min: 0, max: 50, noNaN: true }),
          releaseMs: fc.double({ min: 1, max: 500, noNaN: true }),
          peakHoldMs: fc.double({ min: 0, max: 20, noNaN: true }),
          makeupDb: fc.double({ min: -6, max: 12, noNaN: true }),
          autoMakeup: fc.boolean(),
        }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 1000 }),
        (opts, channels, seed) => {
          const fused = new Compressor(opts);
          const general = new Compressor(opts);
          for (const c of [fused, general]) c.prepare({ sampleRate: FS, maxBlockSize: 128, channels });
          const x = multiChannel(channels, 4096, seed).map((ch) => ch.map((v) => v * 1.5));
          const a = run(fused, x);
          const b = run(general, x, 128, x.map((ch) => ch.slice()));
          expect(identical(a, b), firstDifference(a, b)).toBe(true);
          expect(fused.maxGainReductionDb).toBe(general.maxGainReductionDb);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});

describe('Compressor: link, sidechain, lookahead, smooth changes', () => {
  it('stereo link 1 gives both channels the same gain; link 0 leaves a quiet channel alone', () => {
    const loud = sine(24000, 500, FS, 0.9);
    const quiet = sine(24000, 700, FS, 0.01);
    for (const link of [1, 0]) {
      const c = new Compressor({ thresholdDb: -20, ratio: 8, kneeDb: 0, stereoLink: link });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const [yl, yq] = run(c, [loud, quiet]);
      const gq = 20 * Math.log10(peakOf(yq, 19200, 24000) / peakOf(quiet, 19200, 24000));
      const gl = 20 * Math.log10(peakOf(yl, 19200, 24000) / peakOf(loud, 19200, 24000));
      if (link === 1) expect(gq).toBeCloseTo(gl, 2);
      else expect(gq).toBe(0);
      expect(gl).toBeLessThan(-15);
    }
  });

  it('an external sidechain drives the gain (ducking), and its high-pass ignores bass', () => {
    const music = sine(24000, 1000, FS, 0.1);
    const kick = sine(24000, 50, FS, 0.9);
    const gainWith = (opts: Partial<CompressorOptions>, sc?: Float32Array): number => {
      const c = new Compressor({ thresholdDb: -30, ratio: 10, kneeDb: 0, peakHoldMs: 20, ...opts });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const [y] = run(c, [music], 128, sc ? [sc] : undefined);
      return 20 * Math.log10(peakOf(y, 19200, 24000) / peakOf(music, 19200, 24000));
    };
    expect(gainWith({}, new Float32Array(24000))).toBe(0); // silent sidechain: no reduction (−20 dB music is above threshold!)
    expect(gainWith({})).toBeLessThan(-8); // own detector: the −20 dBFS music is compressed
    const ducked = gainWith({}, kick);
    expect(ducked).toBeLessThan(-25); // the kick at −1 dBFS ducks the music by about 26 dB
    const filtered = gainWith({ sidechainHighpassHz: 1000 }, kick);
    expect(filtered).toBeGreaterThan(ducked + 20); // 50 Hz is 52 dB down at a 1 kHz 12 dB/oct high-pass
  });

  it('lookahead: the reduction is in place when a transient arrives (latency = lookahead)', () => {
    const c = new Compressor({ thresholdDb: -20, ratio: Infinity, kneeDb: 0, attackMs: 0.5, lookaheadMs: 5 });
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    expect(c.latency).toBe(240);
    const x = new Float32Array(4800);
    for (let i = 2400; i < 4800; i++) x[i] = 0.9 * Math.sin((2 * Math.PI * 1000 * (i - 2400)) / FS);
    const [y] = run(c, [x]);
    // 5 ms lookahead and a 0.5 ms attack: after 10 attack constants of lookahead, the first loud
    // cycle is already held at the threshold (−20 dBFS = 0.1).
    expect(peakOf(y, 2400 + 240, 2400 + 240 + 48)).toBeLessThan(0.1 * 1.01);
  });

  it('changes while running do not click: the gain moves at most as fast as the ballistics and ramps allow', () => {
    const c = new Compressor({ thresholdDb: -10, ratio: 4, kneeDb: 0, attackMs: 5, releaseMs: 50, smoothingMs: 20 });
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const x = sine(FS, 1000, FS, 0.5);
    const y = x.slice();
    const changes: Record<number, Partial<CompressorOptions>> = {
      9600: { thresholdDb: -40 }, // +22.5 dB target reduction at once
      19200: { makeupDb: 12 },
      28800: { ratio: Infinity, kneeDb: 12, detector: 'rms' },
      38400: { thresholdDb: 0, mix: 0.3, lookaheadMs: 0 },
    };
    for (let p = 0; p < FS; p += 128) {
      if (changes[p]) c.set(changes[p]);
      c.process([y.subarray(p, p + 128)]);
    }
    const gr = grTrace(x, y, 0);
    let worst = 0;
    let prev = NaN;
    for (let t = 0; t < FS; t++) {
      if (Number.isNaN(gr[t])) continue;
      if (!Number.isNaN(prev)) worst = Math.max(worst, Math.abs(gr[t] - prev));
      prev = gr[t];
    }
    // Attack: a 30 dB jump in target moves the gain by (1 − e^(−1/240)) · 30 ≈ 0.125 dB per
    // sample; the 12 dB makeup ramp 12/960 dB per sample. Between measured samples (up to ~4 apart
    // at zero crossings) the bound scales; 1 dB would be an audible step.
    expect(worst).toBeLessThan(0.6);
  });

  it('reset() restores the initial state (output and meters)', () => {
    const c = new Compressor({ thresholdDb: -30, lookaheadMs: 2, detector: 'rms' });
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = [noise(5000, 1, 0.5), noise(5000, 2, 0.5)];
    const a = run(c, x);
    c.reset();
    expect(c.gainReductionDb).toBe(0);
    expect(c.maxGainReductionDb).toBe(0);
    const b = run(c, x);
    expect(identical(a, b)).toBe(true);
  });

  it('reads gain reduction for meters, and resetMeters() restarts the maximum', () => {
    const c = new Compressor({ thresholdDb: -20, ratio: 4, kneeDb: 0, releaseMs: 10 });
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    run(c, [sine(9600, 1000, FS, 1)]);
    expect(c.gainReductionDb).toBeCloseTo(15, 1);
    run(c, [sine(9600, 1000, FS, 0.01)]);
    expect(c.gainReductionDb).toBeLessThan(0.01);
    expect(c.maxGainReductionDb).toBeCloseTo(15, 1);
    c.resetMeters();
    expect(c.maxGainReductionDb).toBe(c.gainReductionDb);
  });

  it('serialises ratio ∞ through JSON', () => {
    const c = new Compressor({ ratio: Infinity });
    const json = JSON.parse(JSON.stringify(c));
    expect(json.params.ratio).toBe('Infinity');
    expect(Compressor.fromJSON(json).params.ratio).toBe(Infinity);
  });

  it('an unusable sidechain ([null], holes, garbage) is ignored: the detector hears the input, nothing throws', () => {
    const x = [sine(4800, 1000, 48000, 0.5), sine(4800, 1000, 48000, 0.4)];
    const plain = new Compressor({ thresholdDb: -20, ratio: 4 });
    plain.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const expected = run(plain, x);
    for (const sidechain of [[null], [undefined], new Array(1), 'sc', null]) {
      const c = new Compressor({ thresholdDb: -20, ratio: 4 });
      c.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const y = x.map((ch) => ch.slice());
      for (let p = 0; p < 4800; p += 128) {
        expect(() => c.process(y.map((ch) => ch.subarray(p, p + 128)), undefined, sidechain as never)).not.toThrow();
      }
      expect(y).toEqual(expected);
    }
    // A partly usable sidechain uses its usable arrays only.
    const c = new Compressor({ thresholdDb: -20, ratio: 4, stereoLink: 0 });
    c.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    expect(() => c.process(x.map((ch) => ch.slice(0, 128)), undefined, [x[0].slice(0, 128), null] as never)).not.toThrow();
  });

  it('a sidechain shorter than the block limits the frames processed (never throws)', () => {
    const c = new Compressor();
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = [new Float32Array(128).fill(0.5), new Float32Array(128).fill(0.5)];
    expect(() => c.process(x, 128, [new Float32Array(10)])).not.toThrow();
    expect(x[0][20]).toBe(0.5);
    expect(() => c.process(x, 128, [])).not.toThrow();
  });

  it('the detector ignores non-finite sidechain samples and keeps working afterwards', () => {
    // With the sidechain high-pass on, a NaN or Infinity reaching the filter would poison its state
    // for good (no compression afterwards); an Infinity reaching the gain computer would make the
    // maximum gain reduction infinite.
    // Without the high-pass the Infinity reaches the gain computer directly.
    for (const sidechainHighpassHz of [100, 0]) {
      const c = new Compressor({ thresholdDb: -20, ratio: 4, kneeDb: 0, sidechainHighpassHz });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const sc = new Float32Array(128);
      if (sidechainHighpassHz > 0) sc[5] = NaN;
      sc[9] = Infinity;
      sc[40] = -Infinity;
      const x = [sine(128, 1000, FS, 0.01)];
      c.process(x, 128, [sc]);
      for (const v of x[0]) expect(Number.isFinite(v)).toBe(true);
      // A loud 1 kHz sidechain afterwards: 20 dB over the threshold at 4:1 is 15 dB of reduction.
      const loud = sine(9600, 1000, FS, 1);
      const music = [sine(9600, 440, FS, 0.1)];
      for (let p = 0; p < 9600; p += 128) c.process([music[0].subarray(p, p + 128)], 128, [loud.subarray(p, p + 128)]);
      expect(Number.isFinite(c.maxGainReductionDb), `high-pass ${sidechainHighpassHz}`).toBe(true);
      expect(c.gainReductionDb, `high-pass ${sidechainHighpassHz}`).toBeCloseTo(15, 0);
    }
  });
});

describe('Compressor: mix ramps to and from 1 are partition-independent', () => {
  // A ramp of the mix ending exactly at 1 (set({ mix: 1 }) from 0, or a multiband band leaving
  // bypass) once skipped the dry/wet blend for the whole chunk in which it ended: a step, and
  // output that depended on where the blocks were cut.
  it('mix 0 → 1 → 0 → 1 while running: bit-identical for random partitions, and equal to 1-frame blocks (fast-check)', () => {
    const frames = 4096;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(1, 2),
        fc.constantFrom(0, 1),
        fc.double({ min: 0.3, max: 8, noNaN: true }),
        (sizes, channels, lookaheadMs, smoothingMs) => {
          const input = multiChannel(channels, frames, 11);
          const make = () => {
            const c = new Compressor({ thresholdDb: -30, ratio: 8, attackMs: 1, lookaheadMs, smoothingMs, mix: 0 });
            c.prepare({ sampleRate: FS, maxBlockSize: 256, channels });
            return c;
          };
          const automation = [
            { at: 700, apply: (p: Compressor) => p.set({ mix: 1 }) },
            { at: 1900, apply: (p: Compressor) => p.set({ mix: 0 }) },
            { at: 3100, apply: (p: Compressor) => p.set({ mix: 1 }) },
          ];
          const ones: number[] = [];
          for (let i = 1; i < frames; i++) ones.push(i);
          const reference = render(make(), input, ones, automation);
          const out = render(make(), input, cutsFromSizes(sizes, frames), automation);
          if (!identical(out, reference)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, reference)}`);
        },
      ),
      { numRuns: runs(10) },
    );
  });

  it('the ramp to mix 1 has no step: 120-frame blocks equal 1-frame blocks across the end of the ramp', () => {
    const x = [sine(2400, 200, FS, 0.5)];
    const run1 = (block: number) => {
      const c = new Compressor({ thresholdDb: -40, ratio: 20, attackMs: 0.1, smoothingMs: 20, mix: 0 });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const cuts: number[] = [];
      for (let p = block; p < 2400; p += block) cuts.push(p);
      return render(c, x, cuts, [{ at: 960, apply: (p) => p.set({ mix: 1 }) }]);
    };
    const a = run1(1);
    const b = run1(120);
    expect(identical(a, b), firstDifference(a, b)).toBe(true);
  });
});

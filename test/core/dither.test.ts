/**
 * Dither: the processor contract, and the quantiser against the theory it claims
 * (Lipshitz, Wannamaker & Vanderkooy, JAES 1992; Wannamaker, JAES 1992):
 *
 * - every output is on the N-bit grid, clipped to [−1, 1 − Δ] (Δ = 2^−(N−1));
 * - TPDF: the total error has mean 0 and power Δ²/4 (Δ²/12 rounding + Δ²/6 dither) whatever the
 *   input (pure DC at many offsets inside an LSB, where plain rounding's error is a function of
 *   the offset), and is white;
 * - a −90 dBFS 1 kHz sine at 16 bits: rounding alone makes odd harmonics far above any noise floor,
 *   TPDF dither leaves none above its (theoretical, white Δ²/4) floor;
 * - shaped: the error spectrum is (Δ²/4)·|1 − Σ hₖ e^(−jωk)|² with the published F-weighted hₖ,
 *   so the noise in 1–5 kHz drops by the amount that closed form predicts, while the total power
 *   rises by 1 + Σ hₖ²;
 * - clip safety, non-finite input, partition independence, the integer writers, allocation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dither, RealFFT, processorFromJSON, quantizeToInt, type DitherBits, type DitherMode, type DitherOptions } from '../../src/index.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { describeProcessor, render } from '../support/conformance.js';
import { countSubnormalState } from '../support/denormal.js';
import { identical, firstDifference, multiChannel, noise, runs } from '../support/signals.js';

/** Wannamaker's F-weighted 9-tap error filter for 44.1 kHz, as published (JAES 40(7/8), 1992). */
const F_WEIGHTED = [2.412, -3.37, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847];
const SUM_ABS_H = F_WEIGHTED.reduce((a, h) => a + Math.abs(h), 0);
/** Largest |error| of the shaped loop, in LSBs: the fed-back part (≤ Σ|h|·1.5) plus the loop's own error (≤ 1.5). */
const SHAPED_BOUND = 1.5 * SUM_ABS_H + 1.5;

const lsbOf = (bits: number) => 2 ** -(bits - 1);

/** Quantise copies of `x` (one array per channel) with a fresh Dither, in one call. */
function quantize(x: readonly Float32Array[], opts: Partial<DitherOptions>, sampleRate = 48000): Float32Array[] {
  const d = new Dither(opts);
  d.prepare({ sampleRate, maxBlockSize: 4096, channels: x.length });
  const y = x.map((c) => c.slice());
  d.process(y);
  return y;
}

/** Error y − x in LSBs. */
function errorLsb(y: Float32Array, x: Float32Array, bits: number): Float64Array {
  const s = 2 ** (bits - 1);
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) e[i] = (y[i] - x[i]) * s;
  return e;
}

function meanAndPower(e: ArrayLike<number>, from = 0): { mean: number; power: number } {
  let m = 0;
  let p = 0;
  for (let i = from; i < e.length; i++) {
    m += e[i];
    p += e[i] * e[i];
  }
  const n = e.length - from;
  return { mean: m / n, power: p / n };
}

/** Welch average of |X_k|² over Hann-windowed, non-overlapping segments of length L; also Σw² and Σw. */
function welch(e: ArrayLike<number>, L: number): { psd: Float64Array; sumW2: number; sumW: number } {
  const fft = new RealFFT(L);
  const w = new Float64Array(L);
  let sumW2 = 0;
  let sumW = 0;
  for (let i = 0; i < L; i++) {
    w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / L);
    sumW2 += w[i] * w[i];
    sumW += w[i];
  }
  const psd = new Float64Array(L / 2 + 1);
  const buf = new Float64Array(L);
  const spec = new Float64Array(L + 2);
  let segments = 0;
  for (let start = 0; start + L <= e.length; start += L) {
    for (let i = 0; i < L; i++) buf[i] = e[start + i] * w[i];
    fft.forward(buf, spec);
    for (let k = 0; k <= L / 2; k++) psd[k] += spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
    segments++;
  }
  for (let k = 0; k <= L / 2; k++) psd[k] /= segments;
  return { psd, sumW2, sumW };
}

/** |1 − Σ hₖ e^(−jωk)|² at `f` Hz: the shaped noise's transfer function (power). */
function ntfPower(f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 1;
  let im = 0;
  F_WEIGHTED.forEach((h, k) => {
    re -= h * Math.cos(w * (k + 1));
    im += h * Math.sin(w * (k + 1));
  });
  return re * re + im * im;
}

// ---------------------------------------------------------------------------------------------
// The processor contract
// ---------------------------------------------------------------------------------------------

const badParams: Parameters<typeof describeProcessor<Dither>>[0]['badParams'] = [
  { label: 'bits 12', call: (p) => p.set({ bits: 12 as never }), error: TypeError, message: /Dither\.bits must be one of 8, 16, 20, 24, got 12/ },
  { label: 'an unknown mode', call: (p) => p.set({ mode: 'rpdf' as never }), error: TypeError, message: /Dither\.mode must be one of "none", "tpdf", "shaped", got "rpdf"/ },
  { label: 'seed −1', call: (p) => p.set({ seed: -1 }), error: RangeError, message: /Dither\.seed must be in \[0, 4294967295\], got -1/ },
  { label: 'seed 1.5', call: (p) => p.set({ seed: 1.5 }), error: RangeError, message: /Dither\.seed must be an integer in \[0, 4294967295\], got 1\.5/ },
  { label: 'seed NaN', call: (p) => p.set({ seed: NaN }), error: RangeError, message: /Dither\.seed/ },
  { label: 'seed 2^32', call: (p) => p.set({ seed: 2 ** 32 }), error: RangeError, message: /Dither\.seed must be in \[0, 4294967295\], got 4294967296/ },
  { label: 'bits as a string', call: (p) => p.set({ bits: '16' as never }), error: TypeError, message: /Dither\.bits must be one of 8, 16, 20, 24, got "16"/ },
  { label: 'a typo', call: (p) => p.set({ bit: 16 } as never), error: TypeError, message: /unknown option "bit"/ },
  { label: 'a bad constructor option', call: () => new Dither({ mode: 'triangular' as never }), error: TypeError, message: /Dither\.mode/ },
];

describeProcessor<Dither>({
  name: 'Dither (16 bits, TPDF, defaults)',
  create: () => new Dither(),
  channels: [1, 3],
  automation: [
    { at: 700, apply: (p) => p.set({ seed: 12345 }) },
    { at: 2000, apply: (p) => p.set({ bits: 8 }) },
  ],
  ramp: (p) => p.set({ seed: p.params.seed === 1 ? 2 : 1 }),
  // TPDF of ±1 LSB on silence: the codes −1, 0, +1.
  silence: { exact: false, tailSeconds: 0, level: lsbOf(16) },
  badParams,
});

describeProcessor<Dither>({
  name: 'Dither (16 bits, shaped; mode, word length and seed changed while running)',
  create: () => new Dither({ mode: 'shaped', seed: 4242 }),
  channels: [2],
  sampleRate: 44100,
  automation: [
    { at: 300, apply: (p) => p.set({ bits: 24 }) },
    { at: 900, apply: (p) => p.set({ mode: 'tpdf' }) },
    { at: 1500, apply: (p) => p.set({ mode: 'shaped', seed: 99 }) },
    { at: 2200, apply: (p) => p.set({ bits: 8 }) },
    { at: 3000, apply: (p) => p.set({ bits: 16, mode: 'none' }) },
  ],
  ramp: (p) => p.set({ mode: p.params.mode === 'shaped' ? 'tpdf' : 'shaped' }),
  // The shaped loop on silence stays within its bound (whole LSBs).
  silence: { exact: false, tailSeconds: 0, level: Math.ceil(SHAPED_BOUND) * lsbOf(16) },
  badParams,
});

describeProcessor<Dither>({
  name: 'Dither (24 bits, rounding only)',
  create: () => new Dither({ bits: 24, mode: 'none' }),
  channels: [2],
  silence: { exact: true, tailSeconds: 0, level: 0 },
  badParams: badParams.slice(0, 2),
});

// ---------------------------------------------------------------------------------------------
// The grid
// ---------------------------------------------------------------------------------------------

const BITS: DitherBits[] = [8, 16, 20, 24];
const MODES: DitherMode[] = ['none', 'tpdf', 'shaped'];

describe('Dither: the output grid', () => {
  it('every output is an exact multiple of 2^−(N−1) in [−1, 1 − 2^−(N−1)], +0 for a zero code, and within the error bound of the mode (fast-check, every word length and mode)', () => {
    const sample = fc.oneof(
      fc.float({ min: -1.5, max: 1.5, noNaN: true }),
      fc.float({ min: Math.fround(-1e-3), max: Math.fround(1e-3), noNaN: true }),
      fc.constantFrom(0, -0, 1, -1, Math.fround(1 - 2 ** -24), 0.5, -0.5, Math.fround(2 ** -24), NaN, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(fc.constantFrom(...BITS), fc.constantFrom(...MODES), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(sample, { minLength: 1, maxLength: 300 }), (bits, mode, seed, values) => {
        const x = Float32Array.from(values);
        const [y] = quantize([x], { bits, mode, seed });
        const s = 2 ** (bits - 1);
        for (let i = 0; i < y.length; i++) {
          const q = y[i] * s;
          if (!Number.isInteger(q) || q < -s || q > s - 1) throw new Error(`${bits} bits ${mode}: y[${i}] = ${y[i]} is not on the grid`);
          if (Object.is(y[i], -0)) throw new Error(`${bits} bits ${mode}: y[${i}] is −0`);
          const v = x[i] !== x[i] ? 0 : Math.max(-1, Math.min(1 - 1 / s, x[i]));
          const err = Math.abs(q - v * s);
          // Rounding: ½ LSB; TPDF: ½ + 1 (dither < 1 LSB); shaped: the loop's bound. The clipped
          // ends add up to one more LSB (the clip point is 1 − Δ, not 1).
          const bound = (mode === 'none' ? 0.5 : mode === 'tpdf' ? 1.5 : SHAPED_BOUND) + 1e-9;
          if (err > bound + (Math.abs(v) >= 1 - 2 / s ? 1 : 0)) throw new Error(`${bits} bits ${mode}: |error| ${err} LSB at x = ${x[i]}`);
        }
      }),
      { numRuns: runs(60) },
    );
  });

  it('24 bits: values already on the grid pass unchanged without dither, and every float32 in [−1, 1) lands on the grid exactly', () => {
    const s = 2 ** 23;
    const x = new Float32Array(20000);
    const r = noise(20000, 5, 1);
    for (let i = 0; i < x.length; i++) x[i] = Math.round(r[i] * s) / s;
    x[0] = -1;
    x[1] = 1 - 1 / s;
    x[2] = 1 / s;
    const [y] = quantize([x], { bits: 24, mode: 'none' });
    expect(identical([y], [x]), firstDifference([y], [x])).toBe(true);
    const [z] = quantize([noise(20000, 6, 1)], { bits: 24, mode: 'tpdf' });
    expect(z.every((v) => Number.isInteger(v * s))).toBe(true);
  });

  it('clips at −1 and 1 − Δ in every mode (full-scale and ±∞ input)', () => {
    for (const bits of BITS) {
      for (const mode of MODES) {
        const x = Float32Array.from([1, 1.5, Infinity, -1.0, -3, -Infinity, 1, 1, -1, -1]);
        const [y] = quantize([x], { bits, mode });
        const top = 1 - lsbOf(bits);
        // Shaped: the fed-back error can move a full-scale sample off the clip by up to the bound.
        const slack = mode === 'shaped' ? Math.ceil(SHAPED_BOUND) * lsbOf(bits) : lsbOf(bits);
        for (let i = 0; i < x.length; i++) {
          if (x[i] > 0) expect(y[i]).toBeGreaterThanOrEqual(top - slack);
          else expect(y[i]).toBeLessThanOrEqual(-1 + slack);
          expect(y[i]).toBeLessThanOrEqual(top);
          expect(y[i]).toBeGreaterThanOrEqual(-1);
        }
        expect(y[2]).toBe(top); // +∞ clips at the top code whatever the loop adds (it is clamped to ±2 first)
        expect(y[5]).toBe(-1);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// TPDF: power, mean, independence from the signal, whiteness
// ---------------------------------------------------------------------------------------------

describe('Dither: TPDF error statistics (Lipshitz, Wannamaker & Vanderkooy 1992)', () => {
  const N = 1 << 16;
  const fractions = [0, 0.1, 0.25, 0.37, 0.5, 0.63, 0.75, 0.99];

  for (const bits of [8, 16, 24] as const) {
    it(`${bits} bits: pure DC at offsets across one LSB: error mean 0 and power Δ²/4 at every offset (rounding alone: mean and power depend on the offset)`, () => {
      const lsb = lsbOf(bits);
      for (const base of [0, 0.01, -0.25]) {
        for (const f of fractions) {
          const dc = Math.fround(base + f * lsb);
          const x = new Float32Array(N).fill(dc);
          const [y] = quantize([x], { bits, mode: 'tpdf', seed: 17 });
          const { mean, power } = meanAndPower(errorLsb(y, x, bits));
          // Standard errors over 65 536 samples: mean 0.5/256 = 0.002 LSB, power about 0.5 %.
          expect(Math.abs(mean), `DC ${dc}: mean ${mean} LSB`).toBeLessThan(0.01);
          expect(power / 0.25, `DC ${dc}: power ${power} LSB²`).toBeGreaterThan(0.97);
          expect(power / 0.25, `DC ${dc}: power ${power} LSB²`).toBeLessThan(1.03);
          // Plain rounding: the error is the fixed offset to the nearest code (its "noise" is a
          // function of the signal): mean = power^½ = the distance to the grid.
          const [r] = quantize([x], { bits, mode: 'none' });
          const expected = Math.round(dc / lsb) - dc / lsb;
          const plain = meanAndPower(errorLsb(r, x, bits));
          expect(plain.mean).toBeCloseTo(expected, 9);
          expect(plain.power).toBeCloseTo(expected * expected, 9);
        }
      }
    });
  }

  it('shaped, 16 bits: TPDF inside the loop keeps the error independent of the signal too: at DC offsets across one LSB the output error has mean 0 and power (Δ²/4)·(1 + Σh²)', () => {
    const gain = 1 + F_WEIGHTED.reduce((a, h) => a + h * h, 0);
    const lsb = lsbOf(16);
    for (const f of [0, 0.25, 0.5, 0.9]) {
      const dc = Math.fround(0.1 + f * lsb);
      const x = new Float32Array(1 << 17).fill(dc);
      const [y] = quantize([x], { mode: 'shaped', seed: 23 }, 44100);
      const { mean, power } = meanAndPower(errorLsb(y, x, 16));
      // The shaped error's power sits at high frequencies, so its mean converges fast; its power
      // within a few per cent over 131 072 samples.
      expect(Math.abs(mean), `DC ${dc}`).toBeLessThan(0.01);
      expect(Math.abs(power / (0.25 * gain) - 1), `DC ${dc}: power ${power} LSB²`).toBeLessThan(0.04);
    }
  });

  it('16 bits, a −20 dBFS programme: error power Δ²/4 within 2 %, mean 0, white (autocorrelation at lags 1–8 below 0.01), channels uncorrelated', () => {
    const frames = 1 << 18;
    const x = multiChannel(2, frames, 9).map((c) => c.map((v) => v * 0.12));
    const y = quantize(x, { bits: 16, mode: 'tpdf', seed: 5 });
    const e0 = errorLsb(y[0], x[0], 16);
    const e1 = errorLsb(y[1], x[1], 16);
    for (const e of [e0, e1]) {
      const { mean, power } = meanAndPower(e);
      expect(Math.abs(mean)).toBeLessThan(0.005);
      expect(Math.abs(power / 0.25 - 1)).toBeLessThan(0.02);
      for (let lag = 1; lag <= 8; lag++) {
        let r = 0;
        for (let i = lag; i < frames; i++) r += e[i] * e[i - lag];
        expect(Math.abs(r / (frames - lag) / power), `lag ${lag}`).toBeLessThan(0.01);
      }
    }
    let cross = 0;
    for (let i = 0; i < frames; i++) cross += e0[i] * e1[i];
    expect(Math.abs(cross / frames / 0.25)).toBeLessThan(0.01);
  });

  it('the noise depends on the seed, the channel index and the absolute sample index only: channel 0 of a stereo Dither is a mono one’s, and a channel given alone in some calls keeps its sequence', () => {
    const x = multiChannel(2, 3000, 8).map((c) => c.map((v) => v * 0.2));
    const mono = quantize([x[0]], { mode: 'shaped', seed: 5 });
    const stereo = quantize(x, { mode: 'shaped', seed: 5 });
    expect(identical([stereo[0]], mono)).toBe(true);
    // Calls that hand over only the left channel for a while: the right channel's later samples
    // still use their own absolute indices (compare with TPDF, where each sample stands alone).
    const d = new Dither({ seed: 5 });
    d.prepare({ sampleRate: 48000, maxBlockSize: 4096, channels: 2 });
    const y = x.map((c) => c.slice());
    d.process([y[0].subarray(0, 1000)]);
    d.process([y[0].subarray(1000), y[1].subarray(1000)]);
    const full = quantize(x, { seed: 5 });
    expect(identical([y[0], y[1].subarray(1000)], [full[0], full[1].subarray(1000)])).toBe(true);
  });

  it('the seed selects the noise: the same seed repeats it exactly, another seed gives an uncorrelated one', () => {
    const x = [multiChannel(1, 50_000, 3)[0].map((v) => v * 0.1)];
    const a = quantize(x, { seed: 1 });
    const b = quantize(x, { seed: 1 });
    const c = quantize(x, { seed: 2 });
    expect(identical(a, b)).toBe(true);
    const ea = errorLsb(a[0], x[0], 16);
    const ec = errorLsb(c[0], x[0], 16);
    let r = 0;
    for (let i = 0; i < ea.length; i++) r += ea[i] * ec[i];
    expect(Math.abs(r / ea.length / 0.25)).toBeLessThan(0.02);
  });
});

// ---------------------------------------------------------------------------------------------
// A −90 dBFS sine at 16 bits: harmonics without dither, none with it
// ---------------------------------------------------------------------------------------------

describe('Dither: a −90 dBFS 1 kHz sine quantised to 16 bits', () => {
  const fs = 48000;
  const L = 32768;
  const frames = 8 * L;
  const amp = 10 ** (-90 / 20);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * 1000 * i) / fs);
  const binHz = fs / L;
  /** Power (dB) in the 5 bins around `f` (a Hann-windowed line spreads over 3–4 bins). */
  const level = (psd: Float64Array, f: number) => {
    const k = Math.round(f / binHz);
    let sum = 0;
    for (let j = k - 2; j <= k + 2; j++) sum += psd[j];
    return 10 * Math.log10(sum);
  };
  /** Noise power (dB) of 5 bins at the mean level within ±600 Hz of `f`, without the ±6 bins around it. */
  const floor = (psd: Float64Array, f: number) => {
    const k = Math.round(f / binHz);
    let sum = 0;
    let count = 0;
    for (let j = k - Math.round(600 / binHz); j <= k + Math.round(600 / binHz); j++) {
      if (Math.abs(j - k) <= 6) continue;
      sum += psd[j];
      count++;
    }
    return 10 * Math.log10((5 * sum) / count);
  };

  const spectra = Object.fromEntries(MODES.map((mode) => [mode, welch(quantize([x], { bits: 16, mode, seed: 3 })[0], L)])) as Record<DitherMode, ReturnType<typeof welch>>;
  // The white TPDF floor per bin in theory: E|X_k|² = σ²·Σw² with σ² = Δ²/4.
  const lsb = lsbOf(16);
  const theoreticalFloorDb = 10 * Math.log10(((5 * lsb * lsb) / 4) * spectra.tpdf.sumW2);

  it('TPDF: the measured floor is the theoretical white Δ²/4 floor (within 0.5 dB), and the fundamental keeps its level', () => {
    for (const f of [3000, 7000, 12000, 20000]) expect(Math.abs(floor(spectra.tpdf.psd, f) - theoreticalFloorDb), `${f} Hz`).toBeLessThan(0.5);
    // A sine of amplitude A puts Σ|X_k|² = (A/2)²·L·Σw² into its bins (Parseval, one side; almost
    // all of it within ±2 bins of the line for a Hann window).
    const fundamentalDb = level(spectra.tpdf.psd, 1000) - 10 * Math.log10((L * spectra.tpdf.sumW2) / 4);
    expect(Math.abs(fundamentalDb - -90)).toBeLessThan(0.3);
  });

  it('without dither: the 3rd and 5th harmonics (about −112 and −106 dBFS) stand more than 12 dB above the TPDF floor in their bins (distortion)', () => {
    for (const h of [3, 5]) expect(level(spectra.none.psd, h * 1000) - theoreticalFloorDb, `harmonic ${h}`).toBeGreaterThan(12);
  });

  it('with TPDF (and with shaped) dither: no harmonic 2–9 above the noise floor around it (the power in its bins within 2 dB of the floor)', () => {
    for (const mode of ['tpdf', 'shaped'] as const) {
      for (let h = 2; h <= 9; h++) {
        const f = h * 1000;
        expect(level(spectra[mode].psd, f) - floor(spectra[mode].psd, f), `${mode}, harmonic ${h}`).toBeLessThan(2);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Shaped: the closed-form noise spectrum
// ---------------------------------------------------------------------------------------------

describe('Dither: F-weighted noise shaping (Wannamaker 1992)', () => {
  for (const fs of [44100, 48000]) {
    it(`${fs} Hz: the noise in 1–5 kHz drops by what (Δ²/4)·|1 − H|² predicts (±0.5 dB, at least 15 dB), the total rises by 1 + Σh² (±3 %)`, () => {
      const frames = 1 << 19;
      const L = 4096;
      const x = [multiChannel(1, frames, 21)[0].map((v) => v * 0.3)];
      const flat = errorLsb(quantize(x, { mode: 'tpdf', seed: 8 }, fs)[0], x[0], 16);
      const shaped = errorLsb(quantize(x, { mode: 'shaped', seed: 8 }, fs)[0], x[0], 16);
      const pf = welch(flat, L).psd;
      const ps = welch(shaped, L).psd;
      let bandFlat = 0;
      let bandShaped = 0;
      let predicted = 0;
      let count = 0;
      for (let k = 0; k <= L / 2; k++) {
        const f = (k * fs) / L;
        if (f < 1000 || f > 5000) continue;
        bandFlat += pf[k];
        bandShaped += ps[k];
        predicted += ntfPower(f, fs);
        count++;
      }
      const measuredDb = 10 * Math.log10(bandShaped / bandFlat);
      const predictedDb = 10 * Math.log10(predicted / count);
      expect(Math.abs(measuredDb - predictedDb), `measured ${measuredDb.toFixed(2)} dB, predicted ${predictedDb.toFixed(2)} dB`).toBeLessThan(0.5);
      expect(measuredDb).toBeLessThan(-15);
      const totalRatio = meanAndPower(shaped).power / meanAndPower(flat).power;
      const gain = 1 + F_WEIGHTED.reduce((a, h) => a + h * h, 0);
      expect(Math.abs(totalRatio / gain - 1), `total ×${totalRatio.toFixed(2)}, 1 + Σh² = ${gain.toFixed(2)}`).toBeLessThan(0.03);
      // And the shaped error's mean is still 0.
      expect(Math.abs(meanAndPower(shaped).mean)).toBeLessThan(0.05);
    });
  }

  it('stays bounded through clipping: after 0.2 s of a ±1.3 square wave, the error is within the loop bound at every sample and its power is back to theory', () => {
    const fs = 44100;
    const frames = 200_000;
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = i < 8820 ? ((i >> 6) & 1 ? 1.3 : -1.3) : 0.25 * Math.sin(i * 0.07) + 0.1 * Math.sin(i * 0.0031);
    const [y] = quantize([x], { mode: 'shaped', seed: 2 }, fs);
    const e = errorLsb(y, x, 16);
    for (let i = 8820; i < frames; i++) if (Math.abs(e[i]) > SHAPED_BOUND) throw new Error(`sample ${i}: error ${e[i]} LSB`);
    const gain = 1 + F_WEIGHTED.reduce((a, h) => a + h * h, 0);
    expect(Math.abs(meanAndPower(e, 8820 + 100).power / (0.25 * gain) - 1)).toBeLessThan(0.05);
  });

  it('NaN, ±∞ and 1e30 do not poison the loop: finite codes throughout, bounded error and theoretical power after them', () => {
    for (const mode of MODES) {
      const frames = 100_000;
      const x = new Float32Array(frames);
      for (let i = 0; i < frames; i++) x[i] = 0.2 * Math.sin(i * 0.05);
      for (let i = 1000; i < 1400; i += 7) x[i] = [NaN, Infinity, -Infinity, 1e30, -1e30][i % 5];
      const [y] = quantize([x], { mode, seed: 77 });
      expect(y.every((v) => Number.isFinite(v))).toBe(true);
      // NaN reads as 0: its code is within the loop's bound of 0.
      const e = errorLsb(y, x, 16);
      const bound = mode === 'shaped' ? SHAPED_BOUND : mode === 'tpdf' ? 1.5 : 0.5;
      for (let i = 1400; i < frames; i++) if (Math.abs(e[i]) > bound) throw new Error(`${mode}, sample ${i}: error ${e[i]} LSB`);
      if (mode !== 'none') {
        const gain = mode === 'shaped' ? 1 + F_WEIGHTED.reduce((a, h) => a + h * h, 0) : 1;
        expect(Math.abs(meanAndPower(e, 1500).power / (0.25 * gain) - 1), mode).toBeLessThan(0.05);
      }
    }
  });

  it('keeps no subnormal state after tiny input', () => {
    const d = new Dither({ mode: 'shaped', bits: 24 });
    d.prepare({ sampleRate: 48000, maxBlockSize: 512, channels: 2 });
    const tiny = [noise(48000, 1, 1e-38), noise(48000, 2, 1e-41)];
    d.process(tiny);
    expect(countSubnormalState(d)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Partitions and the integer writers
// ---------------------------------------------------------------------------------------------

describe('Dither: partition independence and integer output', () => {
  it('any partition into blocks, and quantizeInto in any chunks, give the same codes as one call (fast-check, every mode)', () => {
    const frames = 3000;
    const x = multiChannel(2, frames, 13).map((c) => c.map((v) => v * 0.5));
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.constantFrom(...BITS), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }), (mode, bits, sizes) => {
        const opts = { mode, bits, seed: 31 };
        const whole = quantize(x, opts);
        const cuts: number[] = [];
        for (let pos = 0, k = 0; ; k++) {
          pos += sizes[k % sizes.length];
          if (pos >= frames) break;
          cuts.push(pos);
        }
        const d = new Dither(opts);
        d.prepare({ sampleRate: 48000, maxBlockSize: 256, channels: 2 });
        const parts = render(d, x, cuts);
        if (!identical(parts, whole)) throw new Error(`${mode} ${bits}: ${firstDifference(parts, whole)}`);
        // The integer path in the same chunks.
        const w = new Dither(opts);
        w.prepare({ sampleRate: 48000, maxBlockSize: 100, channels: 2 });
        const out = new Int32Array(frames * 2);
        const points = [0, ...cuts, frames];
        for (let k = 0; k + 1 < points.length; k++) {
          const a = points[k];
          const b = points[k + 1];
          const view = out.subarray(a * 2, b * 2);
          expect(w.quantizeInto(x.map((c) => c.subarray(a, b)), view)).toBe(b - a);
        }
        const s = 2 ** (bits - 1);
        for (let i = 0; i < frames; i++) for (let c = 0; c < 2; c++) if (out[i * 2 + c] !== whole[c][i] * s) throw new Error(`${mode} ${bits}: code ${out[i * 2 + c]} ≠ ${whole[c][i] * s} at ${i}/${c}`);
      }),
      { numRuns: runs(25) },
    );
  });

  it('quantizeToInt: Int16Array for 8/16 bits, Int32Array for 20/24, interleaved, the same codes as Dither.process × 2^(N−1)', () => {
    const x = multiChannel(3, 5000, 2);
    for (const bits of BITS) {
      for (const mode of MODES) {
        const pcm = quantizeToInt(x, bits, { mode, seed: 9 });
        expect(pcm).toBeInstanceOf(bits <= 16 ? Int16Array : Int32Array);
        expect(pcm.length).toBe(15000);
        const y = quantize(x, { bits, mode, seed: 9 });
        const s = 2 ** (bits - 1);
        for (let i = 0; i < 5000; i++) for (let c = 0; c < 3; c++) if (pcm[i * 3 + c] !== y[c][i] * s) throw new Error(`${bits} ${mode}: ${i}/${c}`);
      }
    }
    // Typed overloads: a 16-bit call is an Int16Array for the compiler too.
    const sixteen: Int16Array = quantizeToInt([new Float32Array([0.5, -1])], 16, { mode: 'none' });
    expect(Array.from(sixteen)).toEqual([16384, -32768]);
    const twentyFour: Int32Array = quantizeToInt([new Float32Array([0.5, 1])], 24, { mode: 'none' });
    expect(Array.from(twentyFour)).toEqual([4194304, 8388607]);
  });

  it('quantizeToInt and quantizeInto reject bad arguments with errors naming them', () => {
    const x = [new Float32Array(10)];
    expect(() => quantizeToInt(x, 12 as never)).toThrow(/Dither\.bits must be one of 8, 16, 20, 24, got 12/);
    expect(() => quantizeToInt([], 16)).toThrow(TypeError);
    expect(() => quantizeToInt([new Float32Array(3), new Float32Array(4)], 16)).toThrow(/same length, got 3, 4/);
    expect(() => quantizeToInt([[0, 1] as unknown as Float32Array], 16)).toThrow(/array of Float32Arrays/);
    expect(() => quantizeToInt(x, 16, { bits: 24 } as never)).toThrow(/bits as the second argument/);
    expect(() => quantizeToInt(x, 16, { seed: -3 })).toThrow(RangeError);
    const d = new Dither({ bits: 24 });
    expect(() => d.quantizeInto(x, new Int32Array(10))).toThrow(/call prepare\(\) first/);
    d.prepare({ sampleRate: 48000, maxBlockSize: 64, channels: 2 });
    expect(() => d.quantizeInto([new Float32Array(10), new Float32Array(10)], new Int16Array(20))).toThrow(/out must be an Int32Array for 24 bits/);
    expect(() => d.quantizeInto(x, new Int32Array(20))).toThrow(/block must hold 2 Float32Arrays/);
    // frames is clamped to what `out` holds.
    expect(d.quantizeInto([new Float32Array(10), new Float32Array(10)], new Int32Array(7))).toBe(3);
  });

  it('quantizeInto allocates nothing (100 000 calls of 128 stereo frames into an Int16Array, shaped)', async () => {
    const d = new Dither({ mode: 'shaped' });
    d.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 128, 4);
    const out = new Int16Array(256);
    const { report, first } = await measureAllocationSettled(() => {
      d.quantizeInto(x, out, 128);
    }, 100_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('round-trips through JSON', () => {
    const d = new Dither({ bits: 20, mode: 'shaped', seed: 4294967295 });
    const json = JSON.parse(JSON.stringify(d));
    expect(json).toEqual({ type: 'Dither', params: { bits: 20, mode: 'shaped', seed: 4294967295 } });
    const e = processorFromJSON(json);
    expect(e).toBeInstanceOf(Dither);
    expect((e as Dither).params).toEqual(d.params);
    const x = multiChannel(2, 2000, 1);
    d.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    e.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const a = x.map((c) => c.slice());
    const b = x.map((c) => c.slice());
    d.process(a);
    e.process(b);
    expect(identical(a, b)).toBe(true);
  });
});

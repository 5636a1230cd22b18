/**
 * Frequency-domain correctness of the filter designs, against math written in the test:
 * the analog prototypes of the RBJ cookbook (bilinear transform, pre-warped), the Butterworth and
 * Linkwitz-Riley magnitude formulas, a direct evaluation of H(e^jω) from the coefficients, and
 * the DTFT of the processed impulse response.
 */
import { describe, expect, it } from 'vitest';
import { designFilter, type FilterDesign, type FilterType, type Rolloff } from '../../src/filters/biquad-coefficients.js';
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import { FILTER_DEFAULTS } from '../../src/filters/filter-stage.js';
import {
  abs,
  analogResponse,
  arg,
  butterworthMagnitude,
  cmul,
  digitalResponse,
  dtft,
  linkwitzRileyMagnitude,
  logGrid,
  toDb,
  warp,
  type Complex,
} from '../support/analog.js';

const RATES = [44100, 48000, 96000, 192000];
const GRID = logGrid(20, 20000, 61);
const RBJ: FilterType[] = ['lowpass', 'highpass', 'bandpass', 'notch', 'allpass', 'peaking', 'lowshelf', 'highshelf'];

function design(d: Partial<FilterDesign>): FilterDesign {
  return { ...FILTER_DEFAULTS, ...d };
}

function responseOf(d: FilterDesign, f: number, fs: number): Complex {
  return designFilter(d, fs).reduce<Complex>((h, s) => cmul(h, digitalResponse(s, f, fs)), { re: 1, im: 0 });
}

/**
 * Magnitudes agree within `db` decibels; where both are tiny (deep stop band, notch centre) the dB
 * ratio is dominated by rounding, so an absolute difference below `floor` also passes.
 */
function expectCloseDb(actual: number, expected: number, db: number, floor: number, what: string): void {
  const ok = Math.abs(toDb(actual) - toDb(expected)) <= db || Math.abs(actual - expected) <= floor;
  if (!ok) throw new Error(`${what}: ${toDb(actual).toFixed(5)} dB vs expected ${toDb(expected).toFixed(5)} dB`);
}

function cases(): { d: FilterDesign; label: string }[] {
  const out: { d: FilterDesign; label: string }[] = [];
  for (const type of RBJ) {
    for (const frequencyHz of [50, 1000, 12000]) {
      const shelf = type === 'lowshelf' || type === 'highshelf';
      const gains = type === 'peaking' || shelf ? [-12, 6] : [0];
      const qs = shelf ? [0.7071] : [0.5, Math.SQRT1_2, 2, 8];
      const slopes = shelf ? [0.5, 1] : [1];
      for (const gainDb of gains) for (const q of qs) for (const shelfSlope of slopes) {
        out.push({ d: design({ type, frequencyHz, q, gainDb, shelfSlope }), label: `${type} ${frequencyHz} Hz Q ${q} ${gainDb} dB S ${shelfSlope}` });
      }
    }
  }
  return out;
}

describe('RBJ cookbook coefficients', () => {
  for (const fs of RATES) {
    it(`realise their analog prototypes exactly (bilinear, pre-warped) at ${fs} Hz, within 0.01 dB and 1e-6 rad`, () => {
      let checked = 0;
      for (const { d, label } of cases()) {
        const [section] = designFilter(d, fs);
        for (const f of GRID) {
          if (f >= fs / 2) continue;
          const h = digitalResponse(section, f, fs);
          const a = analogResponse(d, warp(f, d.frequencyHz, fs));
          expectCloseDb(abs(h), abs(a), 0.01, 1e-9, `${label} at ${f.toFixed(1)} Hz`);
          if (abs(a) > 1e-6) {
            const dp = Math.abs(Math.atan2(Math.sin(arg(h) - arg(a)), Math.cos(arg(h) - arg(a))));
            expect(dp, `${label} phase at ${f}`).toBeLessThan(1e-6);
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(2000);
    });

    it(`getFrequencyResponse() equals |H(e^jω)| evaluated from the coefficients at ${fs} Hz`, () => {
      const mag = new Float64Array(GRID.length);
      const phase = new Float64Array(GRID.length);
      for (const { d, label } of cases()) {
        const filter = new BiquadFilter(d);
        filter.getFrequencyResponse(GRID, mag, phase, fs);
        GRID.forEach((f, i) => {
          const h = responseOf(d, f, fs);
          expectCloseDb(mag[i], abs(h), 0.01, 1e-12, `${label} at ${f}`);
          if (abs(h) > 1e-9) expect(Math.abs(Math.sin(phase[i] - arg(h))), `${label} phase at ${f}`).toBeLessThan(1e-9);
        });
      }
    });
  }

  it('processed impulse responses match H(e^jω) within 0.01 dB (down to −60 dB) at 48 and 96 kHz', () => {
    for (const fs of [48000, 96000]) {
      for (const type of RBJ) {
        for (const frequencyHz of [100, 1000, 10000]) {
          for (const q of [Math.SQRT1_2, 2]) {
            const d = design({ type, frequencyHz, q, gainDb: type === 'peaking' || type.endsWith('shelf') ? 9 : 0 });
            const filter = new BiquadFilter(d);
            filter.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
            const h = new Float32Array(32768);
            h[0] = 1;
            for (let p = 0; p < h.length; p += 128) filter.process([h.subarray(p, p + 128)]);
            for (const f of logGrid(20, 20000, 25)) {
              const expected = abs(responseOf(d, f, fs));
              if (expected < 1e-3) continue;
              expectCloseDb(abs(dtft(h, f, fs)), expected, 0.01, 0, `${type} ${frequencyHz} Hz Q ${q} at ${fs} Hz, ${f.toFixed(1)} Hz`);
            }
          }
        }
      }
    }
  });

  it('peaking gain at the centre frequency equals the set gain within 0.05 dB', () => {
    for (const fs of RATES) {
      for (const gainDb of [-24, -6, 3, 12, 24]) {
        for (const q of [0.3, 1, 5]) {
          for (const frequencyHz of [40, 1000, 15000]) {
            const mag = new Float64Array(1);
            new BiquadFilter({ type: 'peaking', frequencyHz, q, gainDb }).getFrequencyResponse([frequencyHz], mag, undefined, fs);
            expect(Math.abs(toDb(mag[0]) - gainDb)).toBeLessThan(0.05);
          }
        }
      }
    }
  });

  it('shelves reach the set gain on their plateau and half of it at f0, within 0.05 dB', () => {
    for (const fs of RATES) {
      for (const gainDb of [-18, -3, 4, 15]) {
        for (const shelfSlope of [0.3, 0.7, 1]) {
          const low = new BiquadFilter({ type: 'lowshelf', frequencyHz: 1000, gainDb, shelfSlope });
          const high = new BiquadFilter({ type: 'highshelf', frequencyHz: 1000, gainDb, shelfSlope });
          const m = new Float64Array(2);
          low.getFrequencyResponse([0, 1000], m, undefined, fs);
          expect(Math.abs(toDb(m[0]) - gainDb)).toBeLessThan(0.05);
          expect(Math.abs(toDb(m[1]) - gainDb / 2)).toBeLessThan(0.05);
          high.getFrequencyResponse([fs / 2, 1000], m, undefined, fs);
          expect(Math.abs(toDb(m[0]) - gainDb)).toBeLessThan(0.05);
          expect(Math.abs(toDb(m[1]) - gainDb / 2)).toBeLessThan(0.05);
        }
      }
    }
  });

  it('a processed sine at the peaking centre comes out at the set gain (within 0.05 dB)', () => {
    const fs = 48000;
    const f0 = 1000;
    const filter = new BiquadFilter({ type: 'peaking', frequencyHz: f0, q: 2, gainDb: 7.5 });
    filter.prepare({ sampleRate: fs, maxBlockSize: 512, channels: 1 });
    const n = fs;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.25 * Math.sin((2 * Math.PI * f0 * i) / fs);
    for (let p = 0; p < n; p += 512) filter.process([x.subarray(p, p + 512)]);
    // Least-squares amplitude over the last 0.5 s (an integer number of periods).
    let s = 0;
    let c = 0;
    for (let i = n / 2; i < n; i++) {
      s += x[i] * Math.sin((2 * Math.PI * f0 * i) / fs);
      c += x[i] * Math.cos((2 * Math.PI * f0 * i) / fs);
    }
    const amp = (2 * Math.hypot(s, c)) / (n / 2);
    expect(Math.abs(toDb(amp / 0.25) - 7.5)).toBeLessThan(0.05);
  });
});

describe('Butterworth and Linkwitz-Riley cascades', () => {
  const rolloffs: Rolloff[] = [12, 24, 36, 48];
  for (const fs of RATES) {
    it(`are −3.01 dB (Butterworth) and −6.02 dB (Linkwitz-Riley) at the cutoff, and follow their magnitude formulas, at ${fs} Hz`, () => {
      for (const rolloffDbPerOctave of rolloffs) {
        const order = rolloffDbPerOctave / 6;
        for (const frequencyHz of [30, 500, 8000]) {
          for (const hp of [false, true]) {
            const bw = design({ type: hp ? 'butterworth-highpass' : 'butterworth-lowpass', frequencyHz, rolloffDbPerOctave });
            const lr = design({ type: hp ? 'linkwitz-riley-highpass' : 'linkwitz-riley-lowpass', frequencyHz, rolloffDbPerOctave });
            expect(designFilter(bw, fs)).toHaveLength(order / 2);
            expect(Math.abs(toDb(abs(responseOf(bw, frequencyHz, fs))) - -3.0103)).toBeLessThan(0.01);
            expect(Math.abs(toDb(abs(responseOf(lr, frequencyHz, fs))) - -6.0206)).toBeLessThan(0.01);
            for (const f of GRID) {
              if (f >= fs / 2) continue;
              const w = warp(f, frequencyHz, fs);
              expectCloseDb(abs(responseOf(bw, f, fs)), butterworthMagnitude(order, w, hp), 0.01, 1e-9, `BW${order} ${hp ? 'HP' : 'LP'} ${frequencyHz} Hz at ${f}`);
              expectCloseDb(abs(responseOf(lr, f, fs)), linkwitzRileyMagnitude(order, w, hp), 0.01, 1e-9, `LR${order} ${hp ? 'HP' : 'LP'} ${frequencyHz} Hz at ${f}`);
            }
          }
        }
      }
    });
  }

  it('Linkwitz-Riley low + high outputs sum to an all-pass (flat within 0.01 dB): the phase of every section is right', () => {
    const fs = 48000;
    for (const rolloffDbPerOctave of rolloffs) {
      // LR of order 2M: LP + (−1)^M · HP is all-pass.
      const m = rolloffDbPerOctave / 12;
      const sign = m % 2 === 0 ? 1 : -1;
      const lp = design({ type: 'linkwitz-riley-lowpass', frequencyHz: 2000, rolloffDbPerOctave });
      const hp = design({ type: 'linkwitz-riley-highpass', frequencyHz: 2000, rolloffDbPerOctave });
      for (const f of GRID) {
        const a = responseOf(lp, f, fs);
        const b = responseOf(hp, f, fs);
        const sum = { re: a.re + sign * b.re, im: a.im + sign * b.im };
        expect(Math.abs(toDb(abs(sum))), `LR${2 * m} at ${f}`).toBeLessThan(0.01);
      }
    }
  });
});

describe('getFrequencyResponse()', () => {
  it('gives NaN outside [0, Nyquist], like Web Audio', () => {
    const f = new BiquadFilter({ type: 'lowpass', frequencyHz: 1000 });
    const mag = new Float32Array(3);
    const phase = new Float32Array(3);
    f.getFrequencyResponse([-1, 1000, 30000], mag, phase, 48000);
    expect(Number.isNaN(mag[0]) && Number.isNaN(mag[2]) && Number.isNaN(phase[0])).toBe(true);
    expect(mag[1]).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('uses the prepared sample rate, and asks for one before prepare()', () => {
    const f = new BiquadFilter({ type: 'lowpass', frequencyHz: 1000 });
    expect(() => f.getFrequencyResponse([100], new Float32Array(1))).toThrow(/sampleRate/);
    f.prepare({ sampleRate: 96000, maxBlockSize: 128, channels: 1 });
    const a = new Float64Array(1);
    const b = new Float64Array(1);
    f.getFrequencyResponse([5000], a);
    f.getFrequencyResponse([5000], b, undefined, 96000);
    expect(a[0]).toBe(b[0]);
  });

  it('reads 1 (0 dB) for a bypassed filter', () => {
    const m = new Float64Array(2);
    new BiquadFilter({ type: 'highpass', frequencyHz: 1000, bypass: true }).getFrequencyResponse([10, 100], m, undefined, 48000);
    expect(Array.from(m)).toEqual([1, 1]);
  });
});

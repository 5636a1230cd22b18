/**
 * analyzeProgramme / programmeWarnings / the 1/3-octave spectrum, against independent math:
 * closed-form band powers of sines and white noise, the exact response of a pink-noise filter,
 * a direct float64 Pearson coefficient, clipping runs counted by a regular expression, and
 * measureLoudness for the loudness fields.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designFilter } from '../../src/filters/biquad-coefficients.js';
import { LoudnessMeter, measureLoudness } from '../../src/metering/loudness-meter.js';
import { TruePeakDetector } from '../../src/metering/true-peak.js';
import {
  LOSSY_CEILING_DBTP,
  PROGRAMME_WARNING_LIMITS,
  TONAL_BALANCE_REFERENCE_LUFS,
  analyzeProgramme,
  programmeWarnings,
  type ProgrammeAnalysis,
} from '../../src/metering/programme-analysis.js';
import { THIRD_OCTAVE_CENTRES_HZ, THIRD_OCTAVE_NOMINAL_HZ, longTermSpectrum, spectrumPowerBetween, thirdOctaveBandPowers, thirdOctaveEdges } from '../../src/metering/tonal-balance.js';
import { lcg, noise, runs, sine } from '../support/signals.js';
import { readWav } from '../support/wav.js';

const FS = 48000;
const db = (p: number) => 10 * Math.log10(p);
const bandIndex = (nominal: number) => THIRD_OCTAVE_NOMINAL_HZ.indexOf(nominal);
const codes = (a: ProgrammeAnalysis) => programmeWarnings(a).map((w) => w.code);

/**
 * Pink noise by Paul Kellet's "refined" filter (musicdsp.org, 1999: ±0.05 dB of a −3 dB/octave
 * slope above 9.2 Hz at 44.1 kHz), fed with uniform white noise; also its exact power response.
 */
const KELLET = { poles: [0.99886, 0.99332, 0.969, 0.8665, 0.55, -0.7616], gains: [0.0555179, 0.0750759, 0.153852, 0.3104856, 0.5329522, -0.016898], direct: 0.5362, delayed: 0.115926 };
function pink(frames: number, seed: number): Float32Array {
  const white = noise(frames, seed);
  const st = new Float64Array(6);
  let prev = 0;
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const w = white[i];
    let y = KELLET.direct * w + prev;
    for (let k = 0; k < 6; k++) {
      st[k] = KELLET.poles[k] * st[k] + KELLET.gains[k] * w;
      y += st[k];
    }
    prev = KELLET.delayed * w;
    out[i] = 0.1 * y;
  }
  return out;
}
/** |H(f)|² of {@link pink}'s filter (times 0.1²): Σ g_k/(1 − p_k z⁻¹) + direct + delayed·z⁻¹. */
function pinkPower(f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = KELLET.direct + KELLET.delayed * Math.cos(w);
  let im = -KELLET.delayed * Math.sin(w);
  for (let k = 0; k < 6; k++) {
    // g / (1 − p e^{−jw}) = g (1 − p e^{jw}) / |1 − p e^{−jw}|²
    const p = KELLET.poles[k];
    const g = KELLET.gains[k];
    const den = 1 - 2 * p * Math.cos(w) + p * p;
    re += (g * (1 - p * Math.cos(w))) / den;
    im += (g * -p * Math.sin(w)) / den;
  }
  return 0.01 * (re * re + im * im);
}
/** Band power of {@link pink} noise (uniform white of variance 1/3 in), by numerical integration of its PSD. */
function pinkBandPower(lo: number, hi: number, fs: number): number {
  const steps = 4000;
  let s = 0;
  for (let i = 0; i < steps; i++) {
    const f = lo + ((i + 0.5) * (hi - lo)) / steps;
    s += pinkPower(f, fs);
  }
  // One-sided PSD of white noise of variance σ² is σ²/(fs/2) per Hz.
  return ((s * (hi - lo)) / steps) * (1 / 3) / (fs / 2);
}

describe('1/3-octave bands and the long-term spectrum', () => {
  it('uses the IEC 61260 base-ten centres 10^(n/10) and edges ±1/20 decade', () => {
    expect(THIRD_OCTAVE_NOMINAL_HZ.length).toBe(30);
    THIRD_OCTAVE_CENTRES_HZ.forEach((f, i) => {
      expect(f).toBeCloseTo(Math.pow(10, (14 + i) / 10), 9);
      // Nominal labels round the exact centres (within 3 %).
      expect(Math.abs(f / THIRD_OCTAVE_NOMINAL_HZ[i] - 1)).toBeLessThan(0.03);
      const [lo, hi] = thirdOctaveEdges(f);
      expect(hi / lo).toBeCloseTo(Math.pow(10, 0.1), 12);
      if (i > 0) expect(lo).toBeCloseTo(thirdOctaveEdges(THIRD_OCTAVE_CENTRES_HZ[i - 1])[1], 9);
    });
  });

  it('a sine lands in its band at A²/2 (±0.02 dB), in both resolutions, at 44.1 and 48 kHz, between bins too', () => {
    for (const rate of [44100, 48000]) {
      for (const [nominal, f] of [
        [63, 63.1],
        [100, 101.7],
        [200, 197.3],
        [1000, 1000],
        [1000, 1013.7],
        [5000, 4870],
        [12500, 12500],
      ] as const) {
        const A = 0.3;
        const x = sine(rate * 4, f, rate, A);
        const bands = thirdOctaveBandPowers(longTermSpectrum([x], rate));
        const k = bandIndex(nominal);
        expect(Math.abs(db(bands.powers[k]!) - db((A * A) / 2)), `${f} Hz at ${rate}`).toBeLessThan(0.02);
        // Everything else is far below (the Hann window's sidelobes: ≤ −59 dB two bands away at 63 Hz, 2 bins per 3 Hz).
        bands.powers.forEach((p, j) => {
          if (Math.abs(j - k) >= 2) expect(db(p!) - db((A * A) / 2), `${f} Hz: band ${THIRD_OCTAVE_NOMINAL_HZ[j]}`).toBeLessThan(-50);
        });
      }
    }
  });

  it('at other rates (8 to 384 kHz: decimation by 2 to 128) a sine still reads A²/2 (±0.01 dB) in both resolutions', () => {
    for (const rate of [8000, 22050, 96000, 384000]) {
      for (const [nominal, f] of [
        [63, 63.1],
        [1000, 1000],
      ] as const) {
        const A = 0.3;
        const p = thirdOctaveBandPowers(longTermSpectrum([sine(rate * 2, f, rate, A)], rate)).powers;
        expect(Math.abs(db(p[bandIndex(nominal)]!) - db((A * A) / 2)), `${f} Hz at ${rate}`).toBeLessThan(0.01);
      }
    }
  });

  it('a sine in a band narrower than its window’s main lobe (40 Hz: 3 bins) is shared with the neighbours, its power kept (±0.02 dB)', () => {
    const A = 0.3;
    for (const f of [36, 40.3, 44]) {
      const p = thirdOctaveBandPowers(longTermSpectrum([sine(FS * 4, f, FS, A)], FS)).powers;
      const k = bandIndex(40);
      expect(Math.abs(db(p[k - 1]! + p[k]! + p[k + 1]!) - db((A * A) / 2)), `${f} Hz`).toBeLessThan(0.02);
      expect(p[k]! > p[k - 1]! || p[k]! > p[k + 1]!).toBe(true);
    }
  });

  it('the bands add up to the mean square (Parseval), and two channels add their powers', () => {
    const x = noise(FS * 3, 7, 0.5);
    const y = sine(FS * 3, 440, FS, 0.2);
    let ms = 0;
    for (const v of x) ms += v * v;
    ms /= x.length;
    const s1 = longTermSpectrum([x], FS);
    const total = spectrumPowerBetween(s1, 0, FS / 2);
    expect(Math.abs(db(total) - db(ms))).toBeLessThan(0.05);
    const both = thirdOctaveBandPowers(longTermSpectrum([x, y], FS)).powers;
    const px = thirdOctaveBandPowers(s1).powers;
    const py = thirdOctaveBandPowers(longTermSpectrum([y], FS)).powers;
    both.forEach((p, j) => expect(p!).toBeCloseTo(px[j]! + py[j]!, 12));
  });

  it('white noise rises 1 dB per band (10·log10 of the width ratio) and sits at σ²·width/(fs/2)', () => {
    const x = noise(FS * 30, 11); // uniform in [−1, 1): σ² = 1/3
    const bands = thirdOctaveBandPowers(longTermSpectrum([x], FS));
    const levels: number[] = [];
    const centres: number[] = [];
    bands.powers.forEach((p, j) => {
      const [lo, hi] = thirdOctaveEdges(THIRD_OCTAVE_CENTRES_HZ[j]);
      const expected = ((1 / 3) * (Math.min(hi, FS / 2) - lo)) / (FS / 2);
      const nominal = THIRD_OCTAVE_NOMINAL_HZ[j];
      if (nominal >= 50 && nominal <= 16000) {
        expect(Math.abs(db(p!) - db(expected)), `${nominal} Hz`).toBeLessThan(nominal < 100 ? 0.5 : 0.25);
        levels.push(db(p!));
        centres.push(j);
      }
    });
    // Least-squares slope per band over 50 Hz … 16 kHz.
    const n = levels.length;
    const mx = centres.reduce((a, b) => a + b, 0) / n;
    const my = levels.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (centres[i] - mx) * (levels[i] - my);
      sxx += (centres[i] - mx) ** 2;
    }
    expect(Math.abs(sxy / sxx - 1)).toBeLessThan(0.01);
  });

  it('pink noise gives a flat spectrum (±0.5 dB from 50 Hz to 16 kHz) that follows the filter’s exact response (±0.3 dB)', () => {
    const rate = 44100; // Kellet's filter is specified at 44.1 kHz
    const x = pink(rate * 60, 3);
    const bands = thirdOctaveBandPowers(longTermSpectrum([x], rate));
    const inRange = bands.powers.map((p, j) => ({ p: p!, j, f: THIRD_OCTAVE_NOMINAL_HZ[j] })).filter((b) => b.f >= 50 && b.f <= 16000);
    const mean = db(inRange.reduce((s, b) => s + b.p, 0) / inRange.length);
    const deviations = inRange.map((b) => db(b.p) - mean);
    console.log(`pink noise, 1/3-octave levels re their mean, 50 Hz … 16 kHz: ${deviations.map((d) => d.toFixed(2)).join(' ')}`);
    for (const [i, d] of deviations.entries()) expect(Math.abs(d), `${inRange[i].f} Hz`).toBeLessThan(0.5);
    for (const b of inRange) {
      const [lo, hi] = thirdOctaveEdges(THIRD_OCTAVE_CENTRES_HZ[b.j]);
      expect(Math.abs(db(b.p) - db(pinkBandPower(lo, hi, rate))), `${b.f} Hz against the filter`).toBeLessThan(0.3);
    }
  });

  it('a programme shorter than one frame, and an empty one, still give finite band powers', () => {
    const short = sine(1000, 1000, FS, 0.5);
    const p = thirdOctaveBandPowers(longTermSpectrum([short], FS)).powers;
    for (const v of p) expect(Number.isFinite(v!)).toBe(true);
    // The window over 1000 samples (48 Hz resolution) still puts the tone in its band within 0.5 dB.
    expect(Math.abs(db(p[bandIndex(1000)]!) - db(0.125))).toBeLessThan(0.5);
    const empty = thirdOctaveBandPowers(longTermSpectrum([new Float32Array(0)], FS)).powers;
    for (const v of empty) expect(v).toBe(0);
  });

  it('a band above Nyquist is not measured; one straddling it is integrated up to Nyquist', () => {
    const x = noise(32000 * 2, 5);
    const p = thirdOctaveBandPowers(longTermSpectrum([x], 32000)).powers;
    expect(p[bandIndex(20000)]).toBeNull();
    const [lo] = thirdOctaveEdges(THIRD_OCTAVE_CENTRES_HZ[bandIndex(16000)]);
    expect(Math.abs(db(p[bandIndex(16000)]!) - db(((1 / 3) * (16000 - lo)) / 16000))).toBeLessThan(0.3);
  });
});

/** Pearson's r in float64, two-pass (means first): the textbook definition. */
function pearson(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('translation checks', () => {
  const x = noise(FS * 6, 21, 0.3);
  it('identical channels: mono fold-down changes nothing (0 LU), correlation 1, no negative windows', () => {
    const a = analyzeProgramme([x, x], FS);
    expect(Math.abs(a.translation.monoChange!)).toBeLessThan(1e-3);
    expect(a.translation.correlation).toBeCloseTo(1, 9);
    expect(a.translation.negativeCorrelationShare).toBe(0);
    expect(a.translation.monoCancels).toBe(false);
    expect(codes(a)).not.toContain('mono-incompatible');
  });

  it('anti-phase channels: the fold-down is silent, correlation −1, every window negative, and a warning', () => {
    const a = analyzeProgramme([x, x.map((v) => -v)], FS);
    expect(a.translation.monoIntegrated).toBeNull();
    expect(a.translation.monoChange).toBeNull();
    expect(a.translation.monoCancels).toBe(true);
    expect(a.translation.correlation).toBeCloseTo(-1, 9);
    expect(a.translation.negativeCorrelationShare).toBe(1);
    expect(a.translation.shortTermCorrelationMin).toBeCloseTo(-1, 9);
    const w = programmeWarnings(a).find((v) => v.code === 'mono-incompatible');
    expect(w?.message).toMatch(/cancel/);
  });

  it('independent noises: correlation ≈ 0, fold-down −3.01 LU (the constant-power sum loses half the power)', () => {
    const y = noise(FS * 6, 22, 0.3);
    const a = analyzeProgramme([x, y], FS);
    expect(Math.abs(a.translation.correlation!)).toBeLessThan(0.01);
    expect(a.translation.correlation!).toBeCloseTo(pearson(x, y), 9);
    expect(Math.abs(a.translation.monoChange! - -3.0103)).toBeLessThan(0.05);
    // Plain width is not incompatibility: no warning for decorrelated channels, nor for a programme
    // on one channel only (which loses the same 3.01 LU).
    expect(codes(a)).not.toContain('mono-incompatible');
    const oneSided = analyzeProgramme([x, new Float32Array(x.length)], FS);
    expect(Math.abs(oneSided.translation.monoChange! - -3.0103)).toBeLessThan(0.01);
    expect(codes(oneSided)).not.toContain('mono-incompatible');
    // Equal channels with r = −0.3 lose 10·log10(2/0.7) = 4.56 LU: over the 4.5 LU limit.
    const mixed = analyzeProgramme([x, x.map((v, i) => -0.3 * v + Math.sqrt(1 - 0.09) * y[i])], FS);
    expect(Math.abs(mixed.translation.monoChange! - 10 * Math.log10(0.7 / 2))).toBeLessThan(0.1);
    expect(mixed.translation.monoChange!).toBeLessThan(-PROGRAMME_WARNING_LIMITS.monoLossLu);
    expect(programmeWarnings(mixed).find((w) => w.code === 'mono-incompatible')?.message).toMatch(/loses 4\.\d LU/);
  });

  it('correlation of a partly correlated pair with DC offsets equals the two-pass float64 Pearson r', () => {
    const r = lcg(5);
    const a = new Float32Array(FS * 4);
    const b = new Float32Array(FS * 4);
    for (let i = 0; i < a.length; i++) {
      const common = r();
      a[i] = 0.2 + 0.3 * common + 0.2 * r();
      b[i] = -0.1 + 0.1 * common - 0.3 * r();
    }
    const an = analyzeProgramme([a, b], FS);
    expect(an.translation.correlation!).toBeCloseTo(pearson(a, b), 9);
    // Windowed: each 3 s window's r, against the same definition on the window.
    const seg = FS / 10;
    const j = 35; // window of segments 6 … 35
    const idx = j - (Math.floor(a.length / seg) - an.series.correlation.length);
    const from = (j + 1 - 30) * seg;
    const to = (j + 1) * seg;
    expect(an.series.correlation[idx]!).toBeCloseTo(pearson(a.subarray(from, to), b.subarray(from, to)), 3);
  });

  it('low-frequency share: a 50 Hz tone is all bass (and warns), a 1 kHz tone none, pink noise log(6)/log(1000)', () => {
    const bass = analyzeProgramme([sine(FS * 4, 50, FS, 0.5)], FS);
    expect(bass.translation.lowFrequencyShare!).toBeGreaterThan(0.999);
    expect(codes(bass)).toContain('excessive-low-frequency');
    const mid = analyzeProgramme([sine(FS * 4, 1000, FS, 0.5)], FS);
    expect(mid.translation.lowFrequencyShare!).toBeLessThan(1e-6);
    const p = analyzeProgramme([pink(44100 * 20, 9)], 44100);
    // Equal power per band: the share is the share of the log-frequency range, 20–120 Hz in 20 Hz–20 kHz.
    expect(Math.abs(p.translation.lowFrequencyShare! - Math.log(6) / Math.log(1000))).toBeLessThan(0.01);
    expect(Math.abs(p.translation.lowVsMidDb!)).toBeLessThan(0.5);
  });

  it('lossy headroom: the margin to −1 dBTP, and the low-pass proxy follows the Butterworth |H|² of a 16 kHz zero-phase low-pass', () => {
    const A = 0.5;
    const lowTone = analyzeProgramme([sine(FS * 2, 997, FS, A)], FS);
    expect(lowTone.translation.lossy.truePeakMarginDb!).toBeCloseTo(LOSSY_CEILING_DBTP - lowTone.loudness.truePeak!, 12);
    expect(Math.abs(lowTone.translation.lossy.lowpassTruePeak! - 20 * Math.log10(A))).toBeLessThan(0.05);
    // 20 kHz: a 4th-order Butterworth (bilinear, prewarped) has |H|² = 1/(1 + r⁸), r = tan(πf/fs)/tan(πfc/fs);
    // forward and backward multiply the amplitude by that.
    const r = Math.tan((Math.PI * 20000) / FS) / Math.tan((Math.PI * 16000) / FS);
    const expected = 20 * Math.log10(A / (1 + r ** 8));
    // (Faded in and out over 10 ms: an abrupt start would be a click, which the low-pass keeps.)
    const tone = sine(FS * 2, 20000, FS, A);
    const fade = FS / 100;
    for (let i = 0; i < fade; i++) {
      const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
      tone[i] *= g;
      tone[tone.length - 1 - i] *= g;
    }
    const high = analyzeProgramme([tone], FS);
    expect(high.translation.lossy.lowpassApplied).toBe(true);
    expect(Math.abs(high.translation.lossy.lowpassTruePeak! - expected)).toBeLessThan(0.1);
    // The streamed filter (chunks of 8192, backward passes started from rest past each chunk)
    // equals a whole-signal forward-backward filter in float64, on 3 channels (an odd count) of
    // noise with peaks on and around the chunk seams.
    const chans = [noise(50000, 1, 0.3), noise(50000, 2, 0.3), noise(50000, 3, 0.3)];
    chans[0][8191] = 0.97;
    chans[0][8192] = -0.97;
    chans[2][16380] = 0.99;
    chans[1][49999] = -0.98;
    const streamed = analyzeProgramme(chans, FS).translation.lossy.lowpassTruePeak!;
    const sections = designFilter({ type: 'butterworth-lowpass', frequencyHz: 16000, q: Math.SQRT1_2, gainDb: 0, shelfSlope: 1, rolloffDbPerOctave: 24 }, FS);
    let whole = 0;
    for (const ch of chans) {
      const y = Float64Array.from(ch);
      for (const reverse of [false, true]) {
        for (const c of sections) {
          let z1 = 0;
          let z2 = 0;
          for (let k = 0; k < y.length; k++) {
            const i = reverse ? y.length - 1 - k : k;
            const out = c.b0 * y[i] + z1;
            z1 = c.b1 * y[i] + z2 - c.a1 * out;
            z2 = c.b2 * y[i] - c.a2 * out;
            y[i] = out;
          }
        }
      }
      const tp = new TruePeakDetector(FS, 1, y.length);
      tp.process(0, Float32Array.from(y), 0, y.length);
      tp.flush(0);
      whole = Math.max(whole, tp.peaks[0]);
    }
    expect(Math.abs(streamed - 20 * Math.log10(whole))).toBeLessThan(1e-5);
    // Not applied where Nyquist is too close to the cut-off.
    const low = analyzeProgramme([sine(32000, 997, 32000, A)], 32000);
    expect(low.translation.lossy.lowpassApplied).toBe(false);
    expect(low.translation.lossy.lowpassTruePeak).toBe(low.loudness.truePeak);
  });
});

describe('clipping, silence, warnings', () => {
  /** Runs of ≥ 3 samples at |x| ≥ 0.999, counted on a string of 0/1 by a regular expression. */
  function clipRuns(x: Float32Array, minRun = 3): { runs: number; samples: number; flags: string } {
    const flags = Array.from(x, (v) => (Math.abs(v) >= 0.999 ? '1' : '0')).join('');
    const runs = [...flags.matchAll(new RegExp(`1{${minRun},}`, 'g'))];
    return { runs: runs.length, samples: runs.reduce((s, m) => s + m[0].length, 0), flags };
  }

  it('a hard-clipped sine: the runs, the clipped samples and the full-scale samples, exactly', () => {
    const l = sine(FS, 97, FS, 1.6).map((v) => Math.max(-1, Math.min(1, v)));
    const r = sine(FS, 131, FS, 1.2).map((v) => Math.max(-1, Math.min(1, v)));
    // A few isolated full-scale samples (runs of 1 and 2) do not count as clipping.
    const quiet = new Float32Array(FS);
    quiet[100] = 1;
    quiet[200] = -1;
    quiet[201] = 1;
    const a = analyzeProgramme([l, r], FS);
    const cl = clipRuns(l);
    const cr = clipRuns(r);
    expect(cl.runs).toBeGreaterThan(150); // two per cycle of 97 Hz
    expect(a.clipping.runs).toBe(cl.runs + cr.runs);
    expect(a.clipping.clippedSamples).toBe(cl.samples + cr.samples);
    let either = 0;
    for (let i = 0; i < FS; i++) if (inRun(cl.flags, i) || inRun(cr.flags, i)) either++;
    expect(a.clipping.clippedSeconds).toBeCloseTo(either / FS, 12);
    const full = (x: Float32Array) => x.reduce((s, v) => s + (Math.abs(v) === 1 ? 1 : 0), 0);
    expect(a.clipping.fullScaleSamples).toBe(full(l) + full(r));
    expect(codes(a)).toContain('source-clipping');
    const q = analyzeProgramme([quiet], FS);
    expect(q.clipping.runs).toBe(0);
    expect(q.clipping.fullScaleSamples).toBe(3);
    expect(codes(q)).not.toContain('source-clipping');
  });

  /** Whether sample i lies in a run of ≥ 3 ones. */
  function inRun(flags: string, i: number): boolean {
    if (flags[i] !== '1') return false;
    let a = i;
    let b = i;
    while (a > 0 && flags[a - 1] === '1') a--;
    while (b + 1 < flags.length && flags[b + 1] === '1') b++;
    return b - a + 1 >= 3;
  }

  it('over-range and non-finite samples are counted; non-finite ones are treated as silence', () => {
    const x = noise(FS * 2, 4, 0.2);
    x[1000] = 1.5;
    x[2000] = NaN;
    x[3000] = Infinity;
    const a = analyzeProgramme([x], FS);
    expect(a.clipping.overFullScaleSamples).toBe(1);
    expect(a.clipping.nonFiniteSamples).toBe(2);
    expect(codes(a)).toContain('non-finite-samples');
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('silence: a finite, JSON-safe report with `silent`, nulls for −∞, and the silence warning', () => {
    for (const frames of [0, 1, 100, FS * 2]) {
      const z = new Float32Array(frames);
      const a = analyzeProgramme([z, z], FS);
      expect(a.silent).toBe(true);
      expect(a.digitalSilence).toBe(true);
      expect(a.loudness.integrated).toBeNull();
      expect(a.loudness.truePeak).toBeNull();
      expect(a.loudness.plr).toBeNull();
      expect(a.tonalBalance.normalizedDb.every((v) => v === null)).toBe(true);
      expect(a.translation.correlation).toBeNull();
      expect(a.translation.lowFrequencyShare).toBeNull();
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
      expect(codes(a)).toEqual(['silence']);
    }
    // Not digital silence, but below the −70 LUFS gate everywhere.
    const faint = analyzeProgramme([noise(FS * 2, 3, 1e-5)], FS);
    expect(faint.silent).toBe(true);
    expect(faint.digitalSilence).toBe(false);
    expect(faint.loudness.truePeak).not.toBeNull();
    expect(codes(faint)).toContain('silence');
  });

  it('near-silence, heavy limiting and a true peak over −1 dBTP each warn', () => {
    const quiet = analyzeProgramme([noise(FS * 4, 3, 1e-3)], FS);
    expect(quiet.loudness.integrated!).toBeLessThan(PROGRAMME_WARNING_LIMITS.nearSilenceLufs);
    expect(codes(quiet)).toContain('near-silence');
    // Uniform noise has a crest factor of 4.8 dB: a "limited" programme.
    const dense = analyzeProgramme([noise(FS * 4, 1, 0.5), noise(FS * 4, 2, 0.5)], FS);
    expect(dense.loudness.plr!).toBeCloseTo(dense.loudness.truePeak! - dense.loudness.integrated!, 12);
    expect(dense.loudness.plr!).toBeLessThan(PROGRAMME_WARNING_LIMITS.plrMinDb);
    expect(codes(dense)).toContain('heavy-limiting');
    const hot = analyzeProgramme([sine(FS * 2, 997, FS, 0.95)], FS);
    expect(hot.loudness.truePeak!).toBeGreaterThan(-1);
    expect(codes(hot)).toContain('lossy-encoding-risk');
    // (A steady sine has PLR 0 dB: a healthy programme needs crest. Plucked 440 Hz notes over quiet noise.)
    const pluck = (seed: number) => {
      const x = noise(FS * 6, seed, 0.01);
      for (let i = 0; i < x.length; i++) {
        const t = i / FS;
        x[i] += 0.5 * Math.exp(-(t % 0.5) / 0.08) * Math.sin(2 * Math.PI * 440 * t);
      }
      return x;
    };
    const safe = analyzeProgramme([pluck(1), pluck(2)], FS);
    expect(safe.loudness.plr!).toBeGreaterThan(PROGRAMME_WARNING_LIMITS.plrMinDb);
    expect(programmeWarnings(safe)).toEqual([]);
  });
});

describe('analyzeProgramme', () => {
  it('its loudness fields equal measureLoudness on the same input', () => {
    const l = noise(FS * 5, 31, 0.2);
    const r = sine(FS * 5, 440, FS, 0.3);
    for (let i = 0; i < l.length; i++) l[i] *= 0.5 + 0.5 * Math.sin(i / FS);
    const m = measureLoudness([l, r], FS);
    const a = analyzeProgramme([l, r], FS);
    expect(a.loudness.integrated).toBe(m.integrated);
    expect(a.loudness.lra).toBe(m.lra);
    expect(a.loudness.truePeak).toBe(m.truePeak);
    expect(a.loudness.samplePeak).toBe(m.samplePeak);
    expect(a.loudness.momentaryMax).toBe(m.momentaryMax);
    expect(a.loudness.shortTermMax).toBe(m.shortTermMax);
    expect(a.loudness.truePeakPerChannel).toEqual(m.truePeakPerChannel);
    expect(a.loudness.samplePeakPerChannel).toEqual(m.samplePeakPerChannel);
    expect(a.duration).toBe(m.duration);
    // The series: one value per 100 ms (the meter's history, to 0.01 LU, written as short decimals),
    // the normalised spectrum offset by −23 − integrated.
    expect(a.series.momentary.length).toBe(50);
    expect(a.series.intervalSeconds).toBeCloseTo(0.1, 12);
    const meter = new LoudnessMeter();
    meter.prepare({ sampleRate: FS, maxBlockSize: 1000, channels: 2 });
    for (let p = 0; p < l.length; p += 1000) meter.process([l.subarray(p, p + 1000), r.subarray(p, p + 1000)]);
    const h = meter.history();
    a.series.shortTerm.forEach((v, i) => {
      const ref = h.shortTerm[i];
      if (Number.isFinite(ref)) expect(Math.abs(v! - ref)).toBeLessThanOrEqual(0.005 + 1e-9);
      else expect(v).toBeNull();
    });
    for (const v of [...a.series.momentary, ...a.series.shortTerm]) if (v !== null) expect(JSON.stringify(v)).toMatch(/^-?\d+(\.\d{1,2})?$/);
    for (const v of a.series.correlation) if (v !== null) expect(JSON.stringify(v)).toMatch(/^-?\d+(\.\d{1,3})?$/);
    a.tonalBalance.levelsDb.forEach((v, j) => expect(a.tonalBalance.normalizedDb[j]!).toBeCloseTo(v! + TONAL_BALANCE_REFERENCE_LUFS - m.integrated, 9));
  });

  it('rejects bad input and options with messages naming them', () => {
    expect(() => analyzeProgramme([], FS)).toThrow(TypeError);
    expect(() => analyzeProgramme([new Float32Array(4), new Float32Array(5)], FS)).toThrow(/same length/);
    expect(() => analyzeProgramme([new Float32Array(4)], 100)).toThrow(/sampleRate/);
    expect(() => analyzeProgramme([new Float32Array(4)], FS, { clipMinRun: 0 })).toThrow(/clipMinRun.*\[1, 1000\]/);
    expect(() => analyzeProgramme([new Float32Array(4)], FS, { lowFrequencyHz: NaN })).toThrow(RangeError);
    expect(() => analyzeProgramme([new Float32Array(4)], FS, { nope: 1 } as never)).toThrow(/nope/);
  });

  it('property: for any finite input the result is JSON-safe (no NaN, no ±Infinity, survives a round trip)', () => {
    const sample = fc.oneof(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1, -1, 0.9995, 1e-40, 3e38));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(sample, { minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 6000 }), fc.constantFrom(8000, 44100, 48000, 96000), (nch, pattern, frames, rate) => {
        const channels = Array.from({ length: nch }, (_, c) => {
          const x = new Float32Array(frames);
          if (pattern.length > 0) for (let i = 0; i < frames; i++) x[i] = pattern[(i * (c + 1)) % pattern.length];
          return x;
        });
        const a = analyzeProgramme(channels, rate);
        const text = JSON.stringify(a);
        expect(text).not.toMatch(/NaN|Infinity/);
        expect(JSON.parse(text)).toEqual(a);
        const walk = (v: unknown): void => {
          if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          else if (Array.isArray(v)) v.forEach(walk);
          else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
        };
        walk(a);
        for (const w of programmeWarnings(a)) expect(w.message).not.toMatch(/NaN|Infinity|undefined/);
      }),
      { numRuns: runs(25, 500) },
    );
  });
});

const STEMS = fileURLToPath(new URL('../../../shared/stems/francium/', import.meta.url));
const haveStems = existsSync(STEMS);
if (!haveStems) {
  if (process.env.CI) throw new Error(`CI: the Francium stems are missing at ${STEMS}`);
  console.warn(`[programme-analysis] SKIPPED: Francium test (${STEMS} not found)`);
}

describe.skipIf(!haveStems)('the Francium stems summed (real production audio)', () => {
  it('give sane figures', () => {
    const files = readdirSync(STEMS).filter((f) => f.endsWith('.wav')).sort();
    const stems = files.map((f) => readWav(STEMS + f).channels);
    const n = stems[0][0].length;
    const mix = [new Float32Array(n), new Float32Array(n)];
    for (const s of stems) for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) mix[c][i] += s[c][i];
    const t0 = performance.now();
    const a = analyzeProgramme(mix, FS);
    const ms = performance.now() - t0;
    const { loudness: ld, translation: tr, tonalBalance: tb } = a;
    const f2 = (v: number | null) => (v === null ? 'null' : v.toFixed(2));
    console.log(
      `Francium sum (${a.duration} s, analysed in ${ms.toFixed(0)} ms): integrated ${f2(ld.integrated)} LUFS, LRA ${f2(ld.lra)} LU, true peak ${f2(ld.truePeak)} dBTP, ` +
        `sample peak ${f2(ld.samplePeak)} dBFS, PLR ${f2(ld.plr)} dB, M max ${f2(ld.momentaryMax)}, S max ${f2(ld.shortTermMax)} LUFS; ` +
        `mono ${f2(tr.monoChange)} LU, correlation ${f2(tr.correlation)} (negative windows ${f2(tr.negativeCorrelationShare)}, min ${f2(tr.shortTermCorrelationMin)}), ` +
        `LF share ${f2(tr.lowFrequencyShare)}, low vs 1 kHz ${f2(tr.lowVsMidDb)} dB, low-passed true peak ${f2(tr.lossy.lowpassTruePeak)} dBTP; ` +
        `clipping ${a.clipping.runs} runs / ${a.clipping.clippedSamples} samples, ${a.clipping.overFullScaleSamples} over full scale`,
    );
    console.log(`Francium sum, 1/3-octave levels at −23 LUFS: ${tb.nominalHz.map((f, j) => `${f}:${f2(tb.normalizedDb[j])}`).join(' ')}`);
    console.log(`Francium sum, warnings: ${JSON.stringify(programmeWarnings(a))}`);
    // The stems' README (libebur128 1.2.6): −17.62 LUFS, sample peak +0.12 dBFS.
    expect(Math.abs(ld.integrated! - -17.62)).toBeLessThan(0.05);
    expect(Math.abs(ld.samplePeak! - 0.12)).toBeLessThan(0.01);
    expect(ld.plr!).toBeGreaterThan(8);
    expect(ld.plr!).toBeLessThan(25);
    expect(tr.monoChange!).toBeLessThan(0);
    expect(tr.monoChange!).toBeGreaterThan(-3);
    expect(tr.correlation!).toBeGreaterThan(0);
    expect(tr.correlation!).toBeLessThan(1);
    expect(tr.lowFrequencyShare!).toBeGreaterThan(0.1);
    expect(tr.lowFrequencyShare!).toBeLessThan(PROGRAMME_WARNING_LIMITS.lowFrequencyShareMax);
    expect(tb.normalizedDb.every((v) => v !== null && Number.isFinite(v))).toBe(true);
    // The sum goes over full scale (the README: "the sum clips"): a true peak above −1 dBTP.
    expect(codes(a)).toContain('lossy-encoding-risk');
    expect(codes(a)).not.toContain('mono-incompatible');
    expect(codes(a)).not.toContain('heavy-limiting');
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('mono fold-down of samples near the float32 limit', () => {
  // (L + R)/√2 of two equal samples above 2.4e38 does not fit a float32: it once became ±Infinity
  // in the fold-down buffer, which the meter reads as silence (monoChange −745 LU, a false
  // "mono-incompatible").
  it('L = R with one sample at −3.4e38: the fold-down equals the stereo loudness, no mono warning', () => {
    const x = new Float32Array(96000).map((_, i) => 0.3 * Math.sin(i * 0.05));
    x[500] = -3.4e38;
    const a = analyzeProgramme([x, x.slice()], 48000);
    expect(a.translation.monoCancels).toBe(false);
    expect(a.translation.monoChange).not.toBeNull();
    expect(Math.abs(a.translation.monoChange as number)).toBeLessThan(1e-6);
    expect(programmeWarnings(a).map((w) => w.code)).not.toContain('mono-incompatible');
  });

  it('L = R = 3e38 throughout: a finite fold-down loudness equal to the stereo one', () => {
    const y = new Float32Array(96000).fill(3e38);
    const b = analyzeProgramme([y, y.slice()], 48000);
    expect(b.translation.monoCancels).toBe(false);
    expect(Number.isFinite(b.translation.monoIntegrated)).toBe(true);
    expect(Math.abs((b.translation.monoIntegrated as number) - (b.loudness.integrated as number))).toBeLessThan(1e-6);
  });
});

describe('analyzeProgramme and programmeWarnings: bad arguments', () => {
  const x = new Float32Array(4800);
  it('a sample rate that is not a number is a TypeError showing the value with its type', () => {
    expect(() => analyzeProgramme([x], '48000' as never)).toThrow(new TypeError('analyzeProgramme.sampleRate must be a number in [8000, 384000] Hz, got "48000"'));
    expect(() => analyzeProgramme([x], 48000n as never)).toThrow(new TypeError('analyzeProgramme.sampleRate must be a number in [8000, 384000] Hz, got 48000n'));
    expect(() => analyzeProgramme([x], new Number(48000) as never)).toThrow(new TypeError('analyzeProgramme.sampleRate must be a number in [8000, 384000] Hz, got a value of type object'));
    expect(() => analyzeProgramme([x], 1000)).toThrow(new RangeError('analyzeProgramme.sampleRate must be in [8000, 384000] Hz, got 1000'));
  });

  it('a sparse or non-Float32Array channel list is the library’s TypeError, naming the channel', () => {
    expect(() => analyzeProgramme([, x] as never, 48000)).toThrow(new TypeError('analyzeProgramme: channels[0] must be a Float32Array, got undefined'));
    expect(() => analyzeProgramme([x, [0]] as never, 48000)).toThrow(new TypeError('analyzeProgramme: channels[1] must be a Float32Array, got an array'));
    expect(() => analyzeProgramme(null as never, 48000)).toThrow(/^analyzeProgramme: channels must be a non-empty array of Float32Array, got null$/);
  });

  it('programmeWarnings of something that is not an analysis is a TypeError saying what it needs', () => {
    for (const bad of [null, undefined, {}, { loudness: {}, translation: null, clipping: {} }, 3]) {
      expect(() => programmeWarnings(bad as never)).toThrow(TypeError);
      expect(() => programmeWarnings(bad as never)).toThrow(/^programmeWarnings: a must be the result of analyzeProgramme\(\) \(an object with loudness, translation and clipping\), got /);
    }
  });
});

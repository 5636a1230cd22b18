/**
 * ProgrammeAnalyzer (the streaming programme analysis) against the whole-buffer analyzeProgramme
 * as it was before it streamed (test/support/programme-analysis-reference.ts, a verbatim copy):
 * for random programmes and random partitions into pushes the results are equal to the last bit,
 * except the band powers of programmes of more than one channel (their periodograms are added in
 * another order), which stay within 1e-12 relative of the reference. And its memory does not grow
 * with the programme.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProgrammeAnalyzer, analyzeProgramme, type ProgrammeAnalysis } from '../../src/metering/programme-analysis.js';
import { LongTermSpectrumAccumulator } from '../../src/metering/tonal-balance.js';
import { analyzeProgrammeReference, longTermSpectrumReference } from '../support/programme-analysis-reference.js';
import { lcg, runs } from '../support/signals.js';

/** A programme with what every measurement looks at: tones, noise, silence, clipped runs, a DC offset, now and then NaN. */
function programmeOf(nch: number, frames: number, rate: number, seed: number, nonFinite: boolean): Float32Array[] {
  const r = lcg(seed);
  const gain = 10 ** ((r() * 30 - 20) / 20);
  const clipAt = Math.floor(((r() + 1) / 2) * frames);
  const clipLen = Math.floor(((r() + 1) / 2) * 20);
  const quietFrom = Math.floor(((r() + 1) / 2) * frames);
  const chans: Float32Array[] = [];
  for (let c = 0; c < nch; c++) {
    const x = new Float32Array(frames);
    const f = 40 + 5000 * ((r() + 1) / 2);
    const dc = 0.01 * r();
    for (let i = 0; i < frames; i++) {
      let v = gain * (0.5 * Math.sin((2 * Math.PI * f * i) / rate + c) + 0.3 * r()) + dc;
      if (i >= quietFrom && i < quietFrom + rate) v *= 1e-4;
      if (i >= clipAt && i < clipAt + clipLen) v = v < 0 ? -1 : 1;
      x[i] = v;
    }
    if (nonFinite && frames > 0) x[Math.floor(((r() + 1) / 2) * frames) % frames] = c % 2 ? Infinity : NaN;
    chans.push(x);
  }
  return chans;
}

/** Push `x` into a new analyzer in pieces of the sizes in `sizes` (cycled). */
function streamed(x: readonly Float32Array[], rate: number, sizes: readonly number[], expected: boolean): ProgrammeAnalysis {
  const n = x[0].length;
  const a = new ProgrammeAnalyzer(x.length, rate, expected ? { expectedFrames: n } : {});
  for (let p = 0, k = 0; p < n; k++) {
    const len = Math.min(n - p, sizes[k % sizes.length]);
    a.push(x.map((c) => c.subarray(p, p + len)), len);
    p += len;
  }
  if (sizes[0] === 1) a.push(x.map(() => new Float32Array(0)), 0); // an empty push changes nothing
  return a.finish();
}

/** `b` with the spectrum-derived fields replaced by `a`'s after checking them within the stated bound. */
function withinSpectrumBound(a: ProgrammeAnalysis, b: ProgrammeAnalysis): ProgrammeAnalysis {
  const near = (u: number | null, v: number | null, tol: number) => {
    if (u === null || v === null) expect(v).toBe(u);
    else expect(Math.abs(u - v)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(u)));
  };
  // Band powers within 1e-12 relative: levels within 10·log10(1 + 1e-12) ≈ 4.3e-12 dB.
  a.tonalBalance.levelsDb.forEach((v, i) => near(v, b.tonalBalance.levelsDb[i], 1e-11));
  a.tonalBalance.normalizedDb.forEach((v, i) => near(v, b.tonalBalance.normalizedDb[i], 1e-11));
  near(a.translation.lowFrequencyShare, b.translation.lowFrequencyShare, 1e-11);
  near(a.translation.lowVsMidDb, b.translation.lowVsMidDb, 1e-11);
  return {
    ...b,
    tonalBalance: { ...b.tonalBalance, levelsDb: a.tonalBalance.levelsDb, normalizedDb: a.tonalBalance.normalizedDb },
    translation: { ...b.translation, lowFrequencyShare: a.translation.lowFrequencyShare, lowVsMidDb: a.translation.lowVsMidDb },
  };
}

describe('ProgrammeAnalyzer', () => {
  it('property: for any programme and any partition into pushes, the result equals the whole-buffer analysis (bit for bit; band powers of several channels within 1e-12)', () => {
    const length = fc.oneof(fc.constantFrom(0, 1, 2, 3, 7), fc.integer({ min: 0, max: 20000 }), fc.integer({ min: 20000, max: 80000 }));
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 2, 6),
        length,
        fc.constantFrom(8000, 44100, 48000, 96000),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.boolean(),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9000 }), fc.constant(4096)), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (nch, frames, rate, seed, nonFinite, sizes, expected) => {
          const x = programmeOf(nch, frames, rate, seed, nonFinite);
          const ref = analyzeProgrammeReference(x, rate);
          const got = streamed(x, rate, sizes, expected);
          expect(nch === 1 ? got : withinSpectrumBound(ref, got)).toStrictEqual(ref);
          // analyzeProgramme is the analyzer fed in one push.
          const whole = analyzeProgramme(x, rate);
          expect(nch === 1 ? whole : withinSpectrumBound(ref, whole)).toStrictEqual(ref);
        },
      ),
      { numRuns: runs(25) },
    );
  });

  it('a long stereo programme with correlation windows and options: equal to the reference for pushes of 1 000 frames', () => {
    const rate = 44100;
    const x = programmeOf(2, rate * 7 + 123, rate, 99, false);
    const options = { clipLevel: 0.9, clipMinRun: 2, lowFrequencyHz: 200, lossyLowpassHz: 12000 };
    const ref = analyzeProgrammeReference(x, rate, options);
    expect(ref.translation.negativeCorrelationShare).not.toBeNull();
    const a = new ProgrammeAnalyzer(2, rate, options);
    for (let p = 0; p < x[0].length; p += 1000) a.push([x[0].subarray(p, p + 1000), x[1].subarray(p, p + 1000)], Math.min(1000, x[0].length - p));
    expect(withinSpectrumBound(ref, a.finish())).toStrictEqual(ref);
  });

  it('the spectrum accumulator: one channel bit-identical to longTermSpectrum for any partition; several within 1e-12 relative per bin', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40000 }), fc.constantFrom(8000, 44100, 48000, 96000), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5000 }), (n, rate, nch, piece) => {
        const x = programmeOf(nch, n, rate, n + nch, false);
        const ref = longTermSpectrumReference(x, rate, [1, 0.5, 2].slice(0, nch));
        const acc = new LongTermSpectrumAccumulator(nch, rate, [1, 0.5, 2].slice(0, nch));
        for (let p = 0; p < n; p += piece) acc.push(x.map((c) => c.subarray(p, p + piece)), Math.min(piece, n - p));
        const s = acc.finish();
        expect([s.low.frames, s.high.frames]).toEqual([ref.low.frames, ref.high.frames]);
        for (const t of ['low', 'high'] as const) {
          if (nch === 1) expect(s[t].power).toStrictEqual(ref[t].power);
          else ref[t].power.forEach((v, k) => expect(Math.abs(s[t].power[k] - v)).toBeLessThanOrEqual(1e-12 * v));
        }
      }),
      { numRuns: runs(20) },
    );
  });

  it('rejects bad arguments with messages naming them, and use after finish()', () => {
    expect(() => new ProgrammeAnalyzer(0, 48000)).toThrow(/ProgrammeAnalyzer: channels .* got 0/);
    expect(() => new ProgrammeAnalyzer(2, 100)).toThrow(/ProgrammeAnalyzer.sampleRate/);
    expect(() => new ProgrammeAnalyzer(2, 48000, { expectedFrames: -1 })).toThrow(/expectedFrames/);
    expect(() => new ProgrammeAnalyzer(2, 48000, { clipMinRun: 0 })).toThrow(/ProgrammeAnalyzer.clipMinRun.*\[1, 1000\]/);
    expect(() => new ProgrammeAnalyzer(3, 48000, { channelWeights: [1, 1] })).toThrow(/2 weights for 3 channels/);
    const a = new ProgrammeAnalyzer(2, 48000);
    expect(() => a.push([new Float32Array(4)], 4)).toThrow(/array of 2 Float32Array/);
    expect(() => a.push([new Float32Array(4), new Float32Array(3)], 4)).toThrow(/block\[1\] has 3 samples, fewer than frames \(4\)/);
    expect(() => a.push([new Float32Array(4), new Float32Array(4)], 2.5)).toThrow(/frames must be a whole number/);
    a.finish();
    expect(() => a.push([new Float32Array(4), new Float32Array(4)], 4)).toThrow(/finished/);
    expect(() => a.finish()).toThrow(/twice/);
  });

  it('memory: 6 min of stereo pushed in blocks grows the heap by the series only (under 4 MB; the programme is 23 MB at 8 kHz)', () => {
    const rate = 8000;
    const minutes = 6;
    // One second of material, pushed from rotating offsets (the generator would cost more than the analysis).
    const r = lcg(7);
    const pool = [new Float32Array(2 * rate), new Float32Array(2 * rate)];
    for (let i = 0; i < 2 * rate; i++) {
      const v = 0.3 * r();
      pool[0][i] = v;
      pool[1][i] = 0.5 * v + 0.1 * r();
    }
    const a = new ProgrammeAnalyzer(2, rate);
    // What is retained, not what awaits collection: a full collection before each reading.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const mem = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = mem();
    let peak = 0;
    const size = 4000;
    const blocks = (minutes * 60 * rate) / size;
    for (let b = 0; b < blocks; b++) {
      const at = (b * 1237) % rate;
      a.push([pool[0].subarray(at, at + size), pool[1].subarray(at, at + size)], size);
      if (b % 100 === 0) peak = Math.max(peak, mem() - before);
    }
    const result = a.finish();
    peak = Math.max(peak, mem() - before);
    expect(result.duration).toBe(minutes * 60);
    expect(result.series.momentary.length).toBe(minutes * 600);
    console.log(`ProgrammeAnalyzer, ${minutes} min stereo at 8 kHz: heap + array buffers grew by at most ${(peak / 1e6).toFixed(1)} MB`);
    expect(peak).toBeLessThan(4e6);
  });
});

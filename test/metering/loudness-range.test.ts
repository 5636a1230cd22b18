/**
 * LoudnessMeter over the whole range float32 input can reach (issue 11, §2): programmes far above
 * full scale, bursts of huge samples, NaN and ±Infinity bursts. Expected values come from a slow
 * float64 reference of BS.1770-5 / EBU Tech 3342 written here from the documents (direct-form-I
 * K-weighting from the standard's 48 kHz table, every window summed afresh, gating and
 * percentiles on the exact block values: no histogram), or from the BS.1770 calibration
 * statement (a 0 dBFS 997 Hz sine on one channel reads −3.01 LUFS).
 */
import { describe, expect, it } from 'vitest';
import { kWeighting } from '../../src/metering/k-weighting.js';
import { LoudnessMeter, measureLoudness } from '../../src/metering/loudness-meter.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { lcg } from '../support/signals.js';

const FS = 48000;
const HOP = FS / 100;

/** BS.1770-5 Annex 1, Tables 1 and 2 (48 kHz): [b0, b1, b2, a1, a2], typed in from the standard. */
const PRE_FILTER = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
const RLB_FILTER = [1, -2, 1, -1.99004745483398, 0.99007225036621];

const lufs = (z: number) => -0.691 + 10 * Math.log10(z);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

interface Reference {
  integrated: number;
  lra: number;
  momentary: number;
  shortTerm: number;
  momentaryMax: number;
  shortTermMax: number;
  /** Momentary / short-term loudness every 100 ms (what `history()` keeps). */
  momentaryTrack: number[];
  shortTermTrack: number[];
  /** Loudness of the gating blocks (400 ms, every 100 ms). */
  blocks: number[];
}

/**
 * Per-channel K-weighted energy (Σy²) of each 10 ms hop, in float64, direct form I. A hop holding a
 * non-finite sample is silent and the filters restart from rest after it: the meter's documented
 * treatment of non-finite input (for finite input this is plain BS.1770).
 */
function hopEnergies(x: Float32Array): Float64Array {
  const hops = Math.floor(x.length / HOP);
  const out = new Float64Array(hops);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0, v1 = 0, v2 = 0;
  const [b0, b1, b2, a1, a2] = PRE_FILTER;
  const [c0, c1, c2, d1, d2] = RLB_FILTER;
  for (let h = 0; h < hops; h++) {
    let bad = false;
    for (let i = h * HOP; i < (h + 1) * HOP; i++) if (!Number.isFinite(x[i])) bad = true;
    if (bad) {
      x1 = x2 = y1 = y2 = v1 = v2 = 0;
      continue;
    }
    let e = 0;
    for (let i = h * HOP; i < (h + 1) * HOP; i++) {
      const xi = x[i];
      const y = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = xi;
      const v = c0 * y + c1 * y1 + c2 * y2 - d1 * v1 - d2 * v2;
      y2 = y1;
      y1 = y;
      v2 = v1;
      v1 = v;
      e += v * v;
    }
    out[h] = e;
  }
  return out;
}

/** The 10-th / 95-th percentile as nearest rank round((n − 1)·p) of the sorted values. */
const rank = (sorted: number[], p: number) => sorted[Math.round((sorted.length - 1) * p)];

/** BS.1770-5 / Tech 3341 / Tech 3342 readings of a 48 kHz programme, slowly and exactly. */
function reference(channels: Float32Array[], weights: number[]): Reference {
  const perChannel = channels.map(hopEnergies);
  const hops = perChannel[0].length;
  const hopE = Array.from({ length: hops }, (_, h) => perChannel.reduce((s, e, c) => s + weights[c] * e[h], 0));
  /** Mean square of the window of `len` hops ending after hop k − 1 (zeros before the start). */
  const windowZ = (k: number, len: number) => {
    let s = 0;
    for (let h = Math.max(0, k - len); h < k; h++) s += hopE[h];
    return s / (len * HOP);
  };
  const mTrack: number[] = [], sTrack: number[] = [], blocks: number[] = [], shorts: number[] = [];
  let momentaryMax = -Infinity, shortTermMax = -Infinity;
  for (let k = 1; k <= hops; k++) {
    const m = lufs(windowZ(k, 40));
    const s = lufs(windowZ(k, 300));
    momentaryMax = Math.max(momentaryMax, m);
    shortTermMax = Math.max(shortTermMax, s);
    if (k % 10 !== 0) continue;
    mTrack.push(m);
    sTrack.push(s);
    if (k >= 40) blocks.push(windowZ(k, 40)); // BS.1770 gating blocks: 400 ms, 75 % overlap
    if (k >= 300) shorts.push(windowZ(k, 300)); // Tech 3342: 3 s values every 100 ms
  }
  // BS.1770-5 Annex 1 §5: absolute gate −70 LUFS, relative gate 10 LU below the mean of those.
  const aboveAbs = blocks.filter((z) => lufs(z) > -70);
  let integrated = -Infinity;
  if (aboveAbs.length > 0) {
    const gate = lufs(mean(aboveAbs)) - 10;
    integrated = lufs(mean(aboveAbs.filter((z) => lufs(z) > gate)));
  }
  // Tech 3342: absolute gate −70 LUFS, relative gate 20 LU below the mean, 95th − 10th percentile.
  const sAbs = shorts.filter((z) => lufs(z) > -70);
  let lra = 0;
  if (sAbs.length > 0) {
    const gate = lufs(mean(sAbs)) - 20;
    const kept = sAbs.map(lufs).filter((l) => l > gate).sort((a, b) => a - b);
    lra = rank(kept, 0.95) - rank(kept, 0.1);
  }
  return {
    integrated,
    lra,
    momentary: lufs(windowZ(hops, 40)),
    shortTerm: lufs(windowZ(hops, 300)),
    momentaryMax,
    shortTermMax,
    momentaryTrack: mTrack,
    shortTermTrack: sTrack,
    blocks: blocks.map(lufs),
  };
}

/** Run a meter over the programme in 128-frame blocks (the worklet's quantum). */
function meterOf(channels: Float32Array[], options: ConstructorParameters<typeof LoudnessMeter>[0] = {}): LoudnessMeter {
  const m = new LoudnessMeter({ historySeconds: 120, ...options });
  m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: channels.length });
  render(m, channels, cutsFromSizes([128], channels[0].length));
  return m;
}

const near = (v: number, target: number, tol: number, what: string) => expect(Math.abs(v - target), `${what}: ${v} vs ${target}`).toBeLessThanOrEqual(tol);

/** Meter and reference agree on every loudness reading and on the whole 100 ms history. */
function expectMatches(m: LoudnessMeter, ref: Reference, tolI: number): void {
  near(m.integrated, ref.integrated, tolI, 'integrated');
  near(m.lra, ref.lra, 0.1, 'LRA');
  for (const key of ['momentary', 'shortTerm', 'momentaryMax', 'shortTermMax'] as const) near(m[key], ref[key], 1e-6 * Math.max(1, Math.abs(ref[key])), key);
  const h = m.history();
  expect(h.momentary.length).toBe(ref.momentaryTrack.length);
  // history() stores float32: 1e-7 relative.
  h.momentary.forEach((v, i) => near(v, ref.momentaryTrack[i], 1e-6 * Math.max(1, Math.abs(v)) + 1e-5, `momentary at ${(i + 1) / 10} s`));
  h.shortTerm.forEach((v, i) => near(v, ref.shortTermTrack[i], 1e-6 * Math.max(1, Math.abs(v)) + 1e-5, `short-term at ${(i + 1) / 10} s`));
}

/** Stereo white noise (about −12.6 LUFS) with `burst` written into both channels at `at` for 64 samples. */
function noiseWithBurst(seconds: number, at: number, burst: number, channels: number[] = [0, 1]): Float32Array[] {
  const n = 64 + seconds * FS;
  const out = [0, 1].map((c) => {
    const r = lcg(101 + c);
    return new Float32Array(n).map(() => 0.2 * r());
  });
  for (const c of channels) out[c].fill(burst, at, at + 64);
  return out;
}

const everyReading = (m: LoudnessMeter) => [m.momentary, m.shortTerm, m.integrated, m.lra, m.momentaryMax, m.shortTermMax, m.truePeakDb(), m.samplePeakDb()];

describe('the reference itself', () => {
  it('reproduces the BS.1770 calibration and the Tech 3341 relative-gate case', () => {
    const sine = (seconds: number, amp: number) => new Float32Array(seconds * FS).map((_, i) => amp * Math.sin((2 * Math.PI * 997 * i) / FS));
    near(reference([sine(5, 1), new Float32Array(5 * FS)], [1, 1]).integrated, -3.01, 0.01, 'calibration');
    // Tech 3341 case 3: −36 / −23 / −36 dBFS (10 / 60 / 10 s), stereo 1 kHz: I = −23.
    const a = (db: number) => Math.pow(10, db / 20);
    const x = new Float32Array(80 * FS).map((_, i) => (i < 10 * FS || i >= 70 * FS ? a(-36) : a(-23)) * Math.sin((2 * Math.PI * 1000 * i) / FS));
    near(reference([x, x], [1, 1]).integrated, -23, 0.1, 'case 3');
  });
});

describe('LoudnessMeter above full scale', () => {
  /** A 997 Hz sine on one channel reading `target` LUFS by the calibration statement (0 dBFS → −3.01). */
  const calibrated = (target: number, seconds = 5) => {
    const amp = Math.pow(10, (target + 3.01) / 20);
    return [new Float32Array(seconds * FS).map((_, i) => amp * Math.sin((2 * Math.PI * 997 * i) / FS)), new Float32Array(seconds * FS)];
  };

  it('reads a +60 LUFS programme as +60 LUFS (integrated was −∞: the relative gate was above the histogram)', () => {
    const r = measureLoudness(calibrated(60), FS);
    for (const key of ['integrated', 'momentary', 'shortTerm', 'momentaryMax', 'shortTermMax'] as const) near(r[key], 60, 0.01, key);
    expect(r.lra).toBeLessThanOrEqual(0.1); // a steady sine: 0, up to one 0.1 LU bin
    near(r.samplePeak, 63.01, 0.01, 'sample peak');
  });

  it('reads a float32 full-scale sine (amplitude 1e38) as 760 dB above the calibration: +756.99 LUFS', () => {
    const r = measureLoudness(calibrated(20 * Math.log10(1e38) - 3.01), FS);
    for (const key of ['integrated', 'momentary', 'shortTerm', 'momentaryMax', 'shortTermMax'] as const) near(r[key], 756.99, 0.01, key);
    expect(r.lra).toBeLessThanOrEqual(0.1);
    near(r.truePeak, 760, 0.2, 'true peak');
  });

  it('gates programmes above +40 LUFS as BS.1770 does (0.1 LU bins there) and agrees with the same programme 100 dB down', () => {
    // Stereo 1 kHz segments at +60 / +45 / +55 / +62 LUFS (10 s each): the +45 part is below the
    // relative gate, the +55 part above it; LRA sees all four levels.
    const levels = [60, 45, 55, 62];
    const n = 10 * FS;
    const x = new Float32Array(levels.length * n).map((_, i) => Math.pow(10, levels[Math.floor(i / n)] / 20) * Math.sin((2 * Math.PI * 1000 * i) / FS));
    const ref = reference([x, x], [1, 1]);
    const m = meterOf([x, x]);
    expectMatches(m, ref, 0.02);
    expect(ref.integrated).toBeGreaterThan(58); // the +45 part was gated out: a real test of the gate
    const down = x.map((v) => v * 1e-5);
    const md = meterOf([down, down]);
    near(m.integrated - md.integrated, 100, 0.02, 'integrated shift');
    near(m.lra, md.lra, 0.1, 'LRA');
  });
});

describe('LoudnessMeter after a burst of huge samples', () => {
  it('1e30 for 64 samples, then 60 s of noise: every reading finite, and what BS.1770 says (the burst dominates)', () => {
    const x = noiseWithBurst(60, 0, 1e30);
    const ref = reference(x, [1, 1]);
    const noiseOnly = reference(x.map((c) => c.subarray(HOP)), [1, 1]);
    // BS.1770's answer: the burst's block holds ~6e57 of mean energy against ~0.06 for the noise,
    // the relative gate rises to ~+539 LUFS and only the burst's block passes it. The integrated
    // loudness of this programme *is* the burst's (+577 LUFS), not the noise's (−12.6 LUFS).
    expect(ref.integrated).toBeGreaterThan(noiseOnly.integrated + 500);
    near(ref.integrated, Math.max(...ref.blocks), 0.01, 'reference = loudest block');
    const m = meterOf(x);
    for (const v of everyReading(m)) expect(Number.isFinite(v), String(v)).toBe(true);
    expectMatches(m, ref, 0.01);
    // M and S have long forgotten the burst: they read the noise.
    near(m.momentary, noiseOnly.momentary, 0.05, 'momentary');
    near(m.samplePeakDb(), 20 * Math.log10(Math.fround(1e30)), 1e-9, 'sample peak');
    expect(m.truePeakDb()).toBeGreaterThanOrEqual(m.samplePeakDb());
    expect(m.truePeakDb()).toBeLessThan(m.samplePeakDb() + 3);
  });

  it('a burst of the largest float32 across a hop boundary in mid-programme matches the reference (filter state kept)', () => {
    for (const burst of [3.4028234663852886e38, -1e30]) {
      const x = noiseWithBurst(20, 1000 * HOP + 450, burst);
      const m = meterOf(x);
      for (const v of everyReading(m)) expect(Number.isFinite(v), String(v)).toBe(true);
      expectMatches(m, reference(x, [1, 1]), 0.01);
    }
  });

  it('gives identical readings for any block partition through a burst', () => {
    const x = noiseWithBurst(5, 100 * HOP + 470, 3e38);
    x[1].fill(NaN, 300 * HOP - 10, 300 * HOP + 10);
    const run = (sizes: number[]) => {
      const m = new LoudnessMeter({ historySeconds: 10 });
      m.prepare({ sampleRate: FS, maxBlockSize: 512, channels: 2 });
      render(m, x, cutsFromSizes(sizes, x[0].length));
      return [...everyReading(m), ...m.history().momentary, ...m.history().shortTerm];
    };
    const whole = run([512]);
    for (const sizes of [[1, 37, 500], [128], [479, 2, 3]]) expect(run(sizes)).toEqual(whole);
  });
});

describe('LoudnessMeter after NaN and ±Infinity bursts', () => {
  it('drops the bad hop (silence, filters restart) and keeps every reading: I equals the noise alone within 0.1 LU', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = noiseWithBurst(60, 0, bad);
      const m = meterOf(x);
      for (const v of everyReading(m)) expect(Number.isFinite(v), `${bad}: ${v}`).toBe(true);
      expectMatches(m, reference(x, [1, 1]), 1e-6);
      near(m.integrated, reference(x.map((c) => c.subarray(HOP)), [1, 1]).integrated, 0.1, `${bad} vs the noise alone`);
      near(m.samplePeakDb(), 20 * Math.log10(0.2), 0.01, `${bad} sample peak ignores it`);
    }
  });

  it('mid-programme, across a hop boundary, in one channel only: only that channel’s hops are dropped', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = noiseWithBurst(20, 1000 * HOP + 450, bad, [0]);
      expectMatches(meterOf(x), reference(x, [1, 1]), 1e-6);
    }
  });

  it('ignores NaN in a channel of weight 0 (the LFE of 5.1) altogether', () => {
    const r = lcg(7);
    const x = Array.from({ length: 6 }, () => new Float32Array(8 * FS).map(() => 0.1 * r()));
    const clean = meterOf(x);
    x[3].fill(NaN, 4 * FS, 4 * FS + 64);
    const m = meterOf(x);
    expect(everyReading(m).slice(0, 6)).toEqual(everyReading(clean).slice(0, 6));
    expect(m.history().momentary).toEqual(clean.history().momentary);
  });
});

describe('the bound the histogram range rests on', () => {
  it('the K-weighting cascade has ‖h‖₁ < 3.45 at every rate, so full-scale audio stays below +40 LUFS and float32 below +820', () => {
    for (const rate of [8000, 16000, 22050, 44100, 48000, 96000, 192000, 384000]) {
      const [s1, s2] = kWeighting(rate);
      let x1 = 0, x2 = 0, y1 = 0, y2 = 0, v1 = 0, v2 = 0, l1 = 0;
      for (let i = 0; i < rate * 10; i++) {
        const xi = i === 0 ? 1 : 0;
        const y = s1.b0 * xi + s1.b1 * x1 + s1.b2 * x2 - s1.a1 * y1 - s1.a2 * y2;
        const v = s2.b0 * y + s2.b1 * y1 + s2.b2 * y2 - s2.a1 * v1 - s2.a2 * v2;
        [x2, x1, y2, y1, v2, v1] = [x1, xi, y1, y, v1, v];
        l1 += Math.abs(v);
      }
      expect(l1, `${rate} Hz`).toBeLessThan(3.45);
    }
    // Largest block loudness: 64 channels of weight 10 (ΣG = 640) at |y| ≤ 3.45·max|x|.
    const top = (maxAbs: number) => -0.691 + 10 * Math.log10(640) + 20 * Math.log10(3.45 * maxAbs);
    expect(top(1)).toBeLessThan(40);
    expect(top(3.4028234663852886e38)).toBeLessThan(820);
  });
});

describe('LoudnessMeter.process() on the new paths', () => {
  // 3 s cycle of 128-frame blocks: 1 s at about −20 LUFS, 1 s at about +60 LUFS (coarse bins),
  // 1 s at about −20 LUFS with a NaN and an Infinity in one channel every 250 ms (dropped hops).
  const blocks = Math.round((3 * FS) / 128);
  const r = lcg(11);
  const src = Array.from({ length: blocks }, (_, k) =>
    [0, 1].map((c) =>
      new Float32Array(128).map((_, i) => {
        const t = k * 128 + i;
        const gain = t >= FS && t < 2 * FS ? 1e4 : 0.1;
        if (t >= 2 * FS && c === 0 && t % (FS / 4) === 7) return t % (FS / 2) === 7 ? NaN : Infinity;
        return gain * Math.sin((2 * Math.PI * 1000 * t) / FS) + 0.01 * r();
      }),
    ),
  );
  /** Warm up on the first (ordinary) second only, then measure over the whole cycle. */
  const measure = async (truePeak: boolean) => {
    const m = new LoudnessMeter({ historySeconds: 10, truePeak });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const block = [new Float32Array(128), new Float32Array(128)];
    let mixed = false;
    let k = 0;
    const result = await measureAllocationSettled(
      () => {
        const b = src[mixed ? k % blocks : k % (FS / 128)];
        block[0].set(b[0]);
        block[1].set(b[1]);
        m.process(block, 128);
        k++;
      },
      100_000,
      { setup: () => ((mixed = true), (k = 0)) },
    );
    for (const v of everyReading(m)) expect(Number.isFinite(v), String(v)).toBe(true);
    expect(m.momentaryMax).toBeGreaterThan(55);
    return result;
  };

  it('allocates nothing when coarse bins and dropped hops are first taken after warm-up on ordinary audio', async () => {
    const { report, first } = await measure(true);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('does not even deoptimise (no transient) on them: the first measurement is clean too (true peak off: the meter’s own code)', async () => {
    // A store or an operation in a branch that first runs on a NaN hop deoptimised endHop, which
    // then boxed numbers (≈ 4 MB over 100 000 blocks) until V8 recompiled it.
    const { first } = await measure(false);
    expect(allocationFree(first), JSON.stringify(first)).toBe(true);
  });
});

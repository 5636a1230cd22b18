/**
 * Gate / Expander: the processor contract, the static curve against its closed form, the
 * ballistics against their definition (a straight line in amplitude, full scale per attackMs /
 * releaseMs), hold exact in samples, hysteresis against chatter, lookahead alignment, the key
 * filter's response and key listen against an independent cookbook biquad, and range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gate, type GateOptions } from '../../src/dynamics/gate.js';
import { describeProcessor } from '../support/conformance.js';
import { countSubnormalState } from '../support/denormal.js';
import { multiChannel, noise, runs, sine } from '../support/signals.js';

const FS = 48000;

describeProcessor<Gate>({
  name: 'Gate',
  create: () => new Gate({ thresholdDb: -12, rangeDb: 60, hysteresisDb: 4, attackMs: 0.5, holdMs: 3, releaseMs: 20, peakWindowMs: 2, lookaheadMs: 1, keyHighpassHz: 60 }),
  channels: [1, 2, 3],
  automation: [
    { at: 300, apply: (p) => p.set({ thresholdDb: -3, ratio: 3 }) },
    { at: 900, apply: (p) => p.set({ keyListen: true, keyLowpassHz: 3000, smoothingMs: 5 }) },
    { at: 1500, apply: (p) => p.set({ keyListen: false, rangeDb: 20, holdMs: 0, peakWindowMs: 0 }) },
    { at: 2200, apply: (p) => p.set({ ratio: Infinity, hysteresisDb: 0, keyHighpassHz: 0, keyLowpassHz: 0 }) },
    { at: 3000, apply: (p) => p.set({ attackMs: 0, releaseMs: 1, thresholdDb: -1 }) },
  ],
  ramp: (p) => {
    const on = !p.params.keyListen;
    p.set({ smoothingMs: 1000, keyListen: on, thresholdDb: on ? -3 : -20 });
  },
  silence: { exact: true, tailSeconds: 0.05, level: 0 },
  badParams: [
    { label: 'NaN threshold', call: (p) => p.set({ thresholdDb: NaN }), error: RangeError, message: /Gate\.thresholdDb must be in \[-100, 0\] dB, got NaN/ },
    { label: 'ratio below 1', call: (p) => p.set({ ratio: 0.5 }), error: RangeError, message: /Gate\.ratio must be in \[1, Infinity\], got 0.5/ },
    { label: 'negative range', call: (p) => p.set({ rangeDb: -1 }), error: RangeError, message: /rangeDb must be in \[0, 120\] dB/ },
    { label: 'hysteresis above 40 dB', call: (p) => p.set({ hysteresisDb: 41 }), error: RangeError, message: /hysteresisDb/ },
    { label: 'negative attack', call: (p) => p.set({ attackMs: -1 }), error: RangeError, message: /attackMs/ },
    { label: 'release 0', call: (p) => p.set({ releaseMs: 0 }), error: RangeError, message: /releaseMs must be in \[1, 10000\] ms, got 0/ },
    { label: 'hold above 2 s', call: (p) => p.set({ holdMs: 2500 }), error: RangeError, message: /holdMs/ },
    { label: 'lookahead above 20 ms', call: (p) => p.set({ lookaheadMs: 25 }), error: RangeError, message: /lookaheadMs must be in \[0, 20\] ms, got 25/ },
    { label: 'key low-pass as string', call: (p) => p.set({ keyLowpassHz: '1000' as unknown as number }), error: TypeError, message: /keyLowpassHz must be a number/ },
    { label: 'non-boolean keyListen', call: (p) => p.set({ keyListen: 1 as unknown as boolean }), error: TypeError, message: /keyListen must be a boolean/ },
    { label: 'a typo', call: (p) => p.set({ treshold: -3 } as never), error: TypeError, message: /unknown option "treshold"/ },
    { label: 'a bad constructor option', call: () => new Gate({ peakWindowMs: 60 }), error: RangeError, message: /Gate\.peakWindowMs/ },
  ],
});

function run(g: Gate, x: Float32Array[], block = 128, sidechain?: Float32Array[]): Float32Array[] {
  const y = x.map((ch) => ch.slice());
  for (let p = 0; p < y[0].length; p += block) {
    g.process(
      y.map((ch) => ch.subarray(p, p + block)),
      undefined,
      sidechain?.map((ch) => ch.subarray(p, p + block)),
    );
  }
  return y;
}

function peakOf(x: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Independent closed form: the static gain in dB of a closed expander/gate at peak level x dB. */
function closedGainDb(x: number, T: number, R: number, range: number): number {
  if (x >= T) return 0;
  if (R === Infinity) return -range;
  return -Math.min(range, (R - 1) * (T - x));
}

describe('Gate: static curve (steady 1 kHz sine, −90 to 0 dBFS) matches the closed form within 0.01 dB', () => {
  const settings: [string, Partial<GateOptions>][] = [
    ['gate ∞:1 at −40, range 60', { thresholdDb: -40, ratio: Infinity, rangeDb: 60 }],
    ['expander 2:1 at −30, range 40', { thresholdDb: -30, ratio: 2, rangeDb: 40 }],
    ['expander 4:1 at −20, range 80', { thresholdDb: -20, ratio: 4, rangeDb: 80 }],
    ['expander 1.5:1 at −50, range 20', { thresholdDb: -50, ratio: 1.5, rangeDb: 20 }],
    ['expander 10:1 at −10, range 100', { thresholdDb: -10, ratio: 10, rangeDb: 100 }],
  ];
  for (const hysteresisDb of [0, 6]) {
    for (const [label, opts] of settings) {
      it(`${label}, hysteresis ${hysteresisDb} dB (from a closed gate)`, () => {
        let worst = 0;
        for (let level = -89.5; level <= 0; level += 3) {
          const g = new Gate({ ...opts, hysteresisDb, attackMs: 1, releaseMs: 10, holdMs: 0, peakWindowMs: 10 });
          g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
          const x = sine(FS / 4, 1000, FS, 10 ** (level / 20));
          const [y] = run(g, [x]);
          const from = FS / 4 - 4800;
          const inDb = 20 * Math.log10(peakOf(x, from, FS / 4));
          const gainDb = 20 * Math.log10(peakOf(y, from, FS / 4) / peakOf(x, from, FS / 4));
          const expected = closedGainDb(inDb, opts.thresholdDb!, opts.ratio!, opts.rangeDb!);
          worst = Math.max(worst, Math.abs(gainDb - expected));
          expect(Math.abs(gainDb - expected), `level ${level} dBFS: gain ${gainDb} vs ${expected}`).toBeLessThan(0.01);
        }
        expect(worst).toBeLessThan(0.01);
      });
    }
  }

  it('inside the hysteresis band the gain depends on where the level came from (open stays open)', () => {
    const g = new Gate({ thresholdDb: -30, hysteresisDb: 6, rangeDb: 50, holdMs: 0, attackMs: 1, releaseMs: 10 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    // −20 dBFS opens it; then −33 dBFS (inside [T − H, T)) keeps it open: gain 0 dB.
    const x = new Float32Array(FS / 2);
    for (let i = 0; i < x.length; i++) x[i] = (i < FS / 8 ? 0.1 : 10 ** (-33 / 20)) * Math.sin((2 * Math.PI * 1000 * i) / FS);
    const [y] = run(g, [x]);
    const from = x.length - 4800;
    expect(20 * Math.log10(peakOf(y, from, x.length) / peakOf(x, from, x.length))).toBeCloseTo(0, 6);
    // The same −33 dBFS from a closed gate: −50 dB.
    const h = new Gate(g.params);
    h.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const z = run(h, [x.slice(FS / 8)])[0];
    expect(20 * Math.log10(peakOf(z, z.length - 4800, z.length) / peakOf(x, from, x.length))).toBeCloseTo(-50, 3);
  });

  it('ratio 1 and range 0 are bit-exact identities (delayed by the latency)', () => {
    for (const opts of [{ ratio: 1, thresholdDb: -20 }, { rangeDb: 0, thresholdDb: -20 }] as Partial<GateOptions>[]) {
      const g = new Gate({ ...opts, lookaheadMs: 1 });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const x = multiChannel(2, 8192, 3).map((c) => c.map((v, i) => v * (i < 4096 ? 0.001 : 1)));
      const y = run(g, x, 100);
      const d = g.latency;
      expect(d).toBe(48);
      for (let c = 0; c < 2; c++) for (let t = 0; t < 8192; t++) expect(y[c][t]).toBe(t < d ? 0 : x[c][t - d]);
    }
  });
});

/** The gain the gate applied at each sample (input without lookahead, |x| > 0 everywhere). */
function gainTrace(x: Float32Array, y: Float32Array): Float64Array {
  const g = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) g[t] = y[t] / x[t];
  return g;
}

describe('Gate: ballistics are straight lines in amplitude, full scale per attackMs / releaseMs', () => {
  for (const [attackMs, releaseMs, rangeDb] of [
    [5, 50, 40],
    [1, 200, 80],
    [20, 10, 20],
  ]) {
    it(`attack ${attackMs} ms, release ${releaseMs} ms, range ${rangeDb} dB`, () => {
      const g = new Gate({ thresholdDb: -40, rangeDb, attackMs, releaseMs, holdMs: 0, peakWindowMs: 0, hysteresisDb: 0 });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const floor = 10 ** (-rangeDb / 20);
      const A = (attackMs * FS) / 1000;
      const Rl = (releaseMs * FS) / 1000;
      const t0 = 4000;
      const t1 = t0 + Math.ceil(A) + 2000;
      const total = t1 + Math.ceil(Rl) + 2000;
      // DC steps: −60 dBFS, −20 dBFS from t0, −60 dBFS from t1 (a level the detector reads exactly).
      const x = new Float32Array(total);
      for (let t = 0; t < total; t++) x[t] = t >= t0 && t < t1 ? 0.1 : 0.001;
      const gain = gainTrace(x, run(g, [x], 97)[0]);
      // Definition: g[t0 + j] = min(1, floor + (j + 1)/A); g[t1 + j] = max(floor, 1 − (j + 1)/Rl).
      for (let j = 0; j < t1 - t0; j++) expect(gain[t0 + j]).toBeCloseTo(Math.min(1, floor + (j + 1) / A), 6);
      for (let j = 0; j < total - t1; j++) expect(gain[t1 + j]).toBeCloseTo(Math.max(floor, 1 - (j + 1) / Rl), 6);
      for (let t = 0; t < t0; t++) expect(gain[t]).toBeCloseTo(floor, 9);
      // A full opening takes (1 − floor)·attackMs, a full closing (1 − floor)·releaseMs (whole samples).
      let open = t0;
      while (gain[open] < 1) open++;
      expect(open - t0 + 1).toBe(Math.ceil((1 - floor) * A - 1e-9));
      let closed = t1;
      while (gain[closed] > floor * (1 + 1e-6)) closed++;
      expect(closed - t1 + 1).toBe(Math.ceil((1 - floor) * Rl - 1e-9));
      // 10–90 % of the travel: 0.8·(1 − floor)·attackMs, within a sample.
      const at = (from: number, level: number, rising: boolean) => {
        let t = from;
        while (rising ? gain[t] < level : gain[t] > level) t++;
        return t;
      };
      const span = 1 - floor;
      const rise = at(t0, floor + 0.9 * span, true) - at(t0, floor + 0.1 * span, true);
      expect(Math.abs(rise - 0.8 * span * A)).toBeLessThanOrEqual(1);
      const fall = at(t1, floor + 0.1 * span, false) - at(t1, floor + 0.9 * span, false);
      expect(Math.abs(fall - 0.8 * span * Rl)).toBeLessThanOrEqual(1);
    });
  }
});

describe('Gate: hold is exact in samples', () => {
  for (const [holdMs, peakWindowMs] of [
    [10, 0],
    [25, 5],
    [0, 2],
    [1.5, 0],
  ]) {
    it(`hold ${holdMs} ms, detector window ${peakWindowMs} ms`, () => {
      const g = new Gate({ thresholdDb: -30, rangeDb: 60, attackMs: 0, releaseMs: 10, holdMs, peakWindowMs, hysteresisDb: 0 });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const t1 = 6000;
      const x = new Float32Array(t1 + 4000);
      for (let t = 0; t < x.length; t++) x[t] = t < t1 ? 0.5 : 0.001;
      const gain = gainTrace(x, run(g, [x], 50)[0]);
      // The last loud sample is t1 − 1; the level drops below the threshold W samples later, and
      // the gate closes H samples after that: the gain is 1 up to t1 + W + H − 1, then falls.
      const W = Math.max(1, Math.round((peakWindowMs * FS) / 1000));
      const H = Math.round((holdMs * FS) / 1000);
      const closeAt = t1 + W - 1 + H;
      for (let t = 100; t < closeAt; t++) if (gain[t] !== 1) throw new Error(`gain ${gain[t]} at ${t} (close expected at ${closeAt})`);
      expect(gain[closeAt]).toBeLessThan(1);
      expect(gain[closeAt]).toBeCloseTo(1 - 1000 / (10 * FS), 6);
    });
  }
});

describe('Gate: the detector is an exact sliding maximum', () => {
  it('open ⇔ max |key| over the last W samples ≥ T, against brute force, with window changes while running (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 300 }), (windowsMs10, seed, block) => {
        // Gate at −20 dBFS, no hysteresis, no hold, instant attack: the gain is exactly 1 while
        // open and below 1 at once when closed (release 1 ms).
        const T = 0.1;
        const g = new Gate({ thresholdDb: -20, hysteresisDb: 0, holdMs: 0, attackMs: 0, releaseMs: 1, rangeDb: 60, peakWindowMs: windowsMs10[0] / 10 });
        g.prepare({ sampleRate: FS, maxBlockSize: 512, channels: 1 });
        const frames = 6000;
        const rnd = noise(frames, seed, 1);
        const x = new Float32Array(frames);
        // Sparse loud samples over a quiet bed: the window decides when the gate is open.
        for (let t = 0; t < frames; t++) x[t] = Math.abs(rnd[t]) > 0.995 ? 0.5 * Math.sign(rnd[t]) : 0.01 * rnd[t] + 0.001;
        const y = x.slice();
        const segment = Math.ceil(frames / windowsMs10.length);
        const windowAt = new Int32Array(frames);
        for (let p = 0; p < frames; p += block) {
          const end = Math.min(frames, p + block);
          for (let q = p; q < end; ) {
            const k = Math.floor(q / segment);
            const stop = Math.min(end, (k + 1) * segment);
            if (q === k * segment) g.set({ peakWindowMs: windowsMs10[k] / 10 });
            const w = Math.max(1, Math.round((windowsMs10[k] / 10) * FS / 1000));
            for (let t = q; t < stop; t++) windowAt[t] = w;
            g.process([y.subarray(q, stop)]);
            q = stop;
          }
        }
        for (let t = 0; t < frames; t++) {
          let m = 0;
          for (let j = Math.max(0, t - windowAt[t] + 1); j <= t; j++) m = Math.max(m, Math.abs(x[j]));
          const open = y[t] === x[t];
          if (open !== m >= T) throw new Error(`t ${t}: window ${windowAt[t]}, max ${m}, gain ${y[t] / x[t]}`);
        }
      }),
      { numRuns: runs(25) },
    );
  });
});

describe('Gate: hysteresis stops chatter on a level hovering at the threshold', () => {
  // A 1 kHz tone whose peak level wanders ±2 dB around −30 dBFS: a slow 3 Hz swing plus a random
  // step every 10 ms (±1 dB): many threshold crossings.
  const T = -30;
  const frames = 3 * FS;
  const x = new Float32Array(frames);
  const rnd = noise(frames / 480 + 1, 5, 1);
  for (let t = 0; t < frames; t++) {
    const db = T + 1.5 * Math.sin((2 * Math.PI * 3 * t) / FS) + 0.5 * rnd[Math.floor(t / 480)];
    x[t] = 10 ** (db / 20) * Math.sin((2 * Math.PI * 1000 * t) / FS);
  }
  /** Open/close changes seen in the output: the applied gain crossing the middle of its travel. */
  const crossings = (hysteresisDb: number): { count: number; reported: number } => {
    const g = new Gate({ thresholdDb: T, hysteresisDb, rangeDb: 60, attackMs: 0.5, releaseMs: 5, holdMs: 0, peakWindowMs: 2 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const y = run(g, [x])[0];
    // The gain per 1 ms (48 samples, one period): output peak / input peak.
    let count = 0;
    let open = false;
    for (let t = 0; t + 48 <= frames; t += 48) {
      const gain = peakOf(y, t, t + 48) / peakOf(x, t, t + 48);
      const now: boolean = open ? gain > 0.3 : gain > 0.7;
      if (now !== open) count++;
      open = now;
    }
    return { count, reported: g.transitions };
  };

  it('without hysteresis it chatters (the negative control)', () => {
    const { count, reported } = crossings(0);
    expect(count).toBeGreaterThan(20);
    expect(reported).toBeGreaterThanOrEqual(count);
  });

  it('with 5 dB of hysteresis (more than the ±2 dB wander) it opens once and stays open', () => {
    const { count, reported } = crossings(5);
    expect(count).toBe(1);
    expect(reported).toBe(1);
  });
});

describe('Gate: lookahead', () => {
  it('reports round(lookaheadMs·fs) as latency; a later change applies at the next prepare()', () => {
    const g = new Gate({ lookaheadMs: 2.5 });
    g.prepare({ sampleRate: 44100, maxBlockSize: 64, channels: 2 });
    expect(g.latency).toBe(Math.round(2.5 * 44.1));
    g.set({ lookaheadMs: 5 });
    expect(g.latency).toBe(110);
    g.prepare({ sampleRate: 44100, maxBlockSize: 64, channels: 2 });
    expect(g.latency).toBe(Math.round(5 * 44.1));
  });

  for (const [lookaheadMs, attackMs] of [
    [5, 4],
    [2, 2],
    [10, 0.5],
  ]) {
    it(`a burst after silence is not truncated: attack ${attackMs} ms completes within ${lookaheadMs} ms of lookahead`, () => {
      const g = new Gate({ thresholdDb: -40, rangeDb: 80, attackMs, lookaheadMs, holdMs: 50, releaseMs: 50 });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const D = g.latency;
      const t0 = 5000;
      const x = [new Float32Array(12000), new Float32Array(12000)];
      // An impulse, then a 3 kHz burst starting at its crest (a hard onset).
      x[0][t0] = 0.8;
      for (let t = t0 + 1; t < t0 + 1000; t++) x[1][t] = 0.5 * Math.cos((2 * Math.PI * 3000 * (t - t0 - 1)) / FS);
      const y = run(g, x, 77);
      expect(y[0][t0 + D]).toBe(x[0][t0]);
      for (let t = t0 + 1; t < t0 + 1000; t++) expect(y[1][t + D]).toBe(x[1][t]);
      for (let t = 0; t < t0 + D; t++) expect(y[0][t]).toBe(0);
    });
  }

  it('without lookahead the same impulse is cut (the negative control)', () => {
    const g = new Gate({ thresholdDb: -40, rangeDb: 80, attackMs: 4 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const x = new Float32Array(8000);
    x[5000] = 0.8;
    const y = run(g, [x])[0];
    expect(Math.abs(y[5000])).toBeLessThan(0.8 * 0.01);
  });
});

/** RBJ Audio EQ Cookbook low/high-pass (Q = 1/√2), written out here independently: [b0, b1, b2, a1, a2]. */
function cookbook(type: 'lowpass' | 'highpass', f: number, fs: number): number[] {
  const w0 = (2 * Math.PI * f) / fs;
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
  const c = Math.cos(w0);
  const a0 = 1 + alpha;
  const b = type === 'lowpass' ? [(1 - c) / 2, 1 - c, (1 - c) / 2] : [(1 + c) / 2, -(1 + c), (1 + c) / 2];
  return [b[0] / a0, b[1] / a0, b[2] / a0, (-2 * c) / a0, (1 - alpha) / a0];
}

/** |H(e^{jω})| of a biquad. */
function magnitude(k: number[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  const re = (x0: number, x1: number, x2: number) => x0 + x1 * Math.cos(w) + x2 * Math.cos(2 * w);
  const im = (x1: number, x2: number) => -x1 * Math.sin(w) - x2 * Math.sin(2 * w);
  const num = Math.hypot(re(k[0], k[1], k[2]), im(k[1], k[2]));
  const den = Math.hypot(re(1, k[3], k[4]), im(k[3], k[4]));
  return num / den;
}

/** Direct form I over a float64 copy of x. */
function filterDF1(k: number[], x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = k[0] * x[i] + k[1] * x1 + k[2] * x2 - k[3] * y1 - k[4] * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

describe('Gate: key filter and key listen', () => {
  it('key listen outputs the filtered key (cookbook high-pass then low-pass), delayed by the latency', () => {
    for (const [hp, lp] of [
      [200, 4000],
      [0, 800],
      [1500, 0],
      [0, 0],
    ]) {
      const g = new Gate({ keyHighpassHz: hp, keyLowpassHz: lp, keyListen: true, lookaheadMs: 1.5 });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const D = g.latency;
      const audio = multiChannel(2, 6000, 4);
      const key = [noise(6000, 8, 0.5), noise(6000, 9, 0.5)];
      const y = run(g, audio, 100, key);
      for (let c = 0; c < 2; c++) {
        let ref: ArrayLike<number> = key[c];
        if (hp > 0) ref = filterDF1(cookbook('highpass', hp, FS), ref);
        if (lp > 0) ref = filterDF1(cookbook('lowpass', lp, FS), ref);
        let worst = 0;
        for (let t = 0; t < 6000; t++) worst = Math.max(worst, Math.abs(y[c][t] - (t < D ? 0 : ref[t - D])));
        expect(worst, `hp ${hp}, lp ${lp}, channel ${c}`).toBeLessThan(1e-6);
      }
    }
  });

  it('the key filter response: key-listen level of steady sines matches the cookbook magnitude within 0.05 dB', () => {
    for (const [hp, lp] of [
      [500, 0],
      [0, 2000],
      [100, 6000],
    ]) {
      for (const f of [50, 200, 500, 1000, 2000, 5000, 12000]) {
        const g = new Gate({ keyHighpassHz: hp, keyLowpassHz: lp, keyListen: true });
        g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
        const x = sine(FS / 2, f, FS, 0.5);
        const y = run(g, [new Float32Array(FS / 2)], 128, [x])[0];
        let expected = 1;
        if (hp > 0) expected *= magnitude(cookbook('highpass', hp, FS), f, FS);
        if (lp > 0) expected *= magnitude(cookbook('lowpass', lp, FS), f, FS);
        // Steady-state amplitude from a DFT-free fit: the RMS over whole periods (the last 100 ms).
        let s = 0;
        const n = 4800;
        for (let t = FS / 2 - n; t < FS / 2; t++) s += y[t] * y[t];
        const measured = Math.sqrt((2 * s) / n) / 0.5;
        if (expected > 1e-3) expect(Math.abs(20 * Math.log10(measured / expected)), `hp ${hp}, lp ${lp}, ${f} Hz`).toBeLessThan(0.05);
      }
    }
  });

  it('a keyed gate with a 2 kHz key high-pass ignores a loud 100 Hz key and opens for a 5 kHz key', () => {
    const level = (keyHz: number, keyHighpassHz: number): number => {
      const g = new Gate({ thresholdDb: -30, rangeDb: 60, keyHighpassHz });
      g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const audio = sine(FS / 2, 440, FS, 0.5);
      const key = sine(FS / 2, keyHz, FS, 10 ** (-20 / 20));
      const y = run(g, [audio], 128, [key])[0];
      return 20 * Math.log10(peakOf(y, FS / 4, FS / 2) / 0.5);
    };
    expect(level(100, 0)).toBeCloseTo(0, 3); // no filter: the key opens it
    expect(level(100, 2000)).toBeCloseTo(-60, 2); // 100 Hz is 52 dB down the filter: stays closed
    expect(level(5000, 2000)).toBeCloseTo(0, 3);
  });

  it('key listen toggles with a cross-fade over smoothingMs (no step larger than the signal allows)', () => {
    const g = new Gate({ thresholdDb: -80, smoothingMs: 10 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const audio = sine(FS, 300, FS, 0.5);
    const key = sine(FS, 300, FS, 0.5, Math.PI);
    const y = new Float32Array(audio);
    for (let p = 0; p < FS; p += 128) {
      if (p === FS / 2 - 64) g.set({ keyListen: true });
      g.process([y.subarray(p, p + 128)], 128, [key.subarray(p, p + 128)]);
    }
    // Audio and key are opposite: the output passes through 0 over the 10 ms fade, never jumping.
    let step = 0;
    for (let t = FS / 4; t < FS; t++) step = Math.max(step, Math.abs(y[t] - y[t - 1]));
    expect(step).toBeLessThan(2 * Math.PI * 300 / FS * 0.5 * 1.1 + 0.5 / 480);
    expect(y[FS - 12]).toBeCloseTo(key[FS - 12], 6);
  });
});

describe('Gate: range, sidechain, robustness', () => {
  it('never attenuates more than the range, never adds gain (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          thresholdDb: fc.double({ min: -80, max: 0, noNaN: true }),
          rangeDb: fc.double({ min: 0, max: 120, noNaN: true }),
          ratio: fc.oneof(fc.double({ min: 1, max: 50, noNaN: true }), fc.constant(Infinity)),
          hysteresisDb: fc.double({ min: 0, max: 20, noNaN: true }),
          attackMs: fc.double({ min: 0, max: 20, noNaN: true }),
          holdMs: fc.double({ min: 0, max: 50, noNaN: true }),
          releaseMs: fc.double({ min: 1, max: 200, noNaN: true }),
          peakWindowMs: fc.double({ min: 0, max: 20, noNaN: true }),
          lookaheadMs: fc.double({ min: 0, max: 20, noNaN: true }),
          keyHighpassHz: fc.constantFrom(0, 80, 1000),
          keyLowpassHz: fc.constantFrom(0, 500, 8000),
        }),
        fc.integer({ min: 1, max: 1000 }),
        (opts, seed) => {
          const g = new Gate(opts);
          g.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
          const x = multiChannel(2, 6000, seed).map((ch) => ch.map((v, i) => v * (i % 2000 < 1000 ? 1 : 0.002)));
          const y = run(g, x, 97);
          const floor = 10 ** (-opts.rangeDb / 20);
          const d = g.latency;
          for (let c = 0; c < 2; c++) {
            for (let t = d; t < 6000; t++) {
              const a = Math.abs(x[c][t - d]);
              const b = Math.abs(y[c][t]);
              if (!(b <= a * (1 + 1e-6) && b >= a * floor * (1 - 1e-5))) throw new Error(`t ${t}: |in| ${a}, |out| ${b}, floor ${floor}`);
            }
          }
          expect(g.maxGainReductionDb).toBeLessThanOrEqual(opts.rangeDb + 1e-9);
        },
      ),
      { numRuns: runs(30) },
    );
  });

  it('with fewer sidechain arrays than channels, channel c uses sidechain[min(c, length − 1)]; one gain for all channels', () => {
    const g = new Gate({ thresholdDb: -30, rangeDb: 40 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const audio = [sine(9600, 440, FS, 0.5), sine(9600, 660, FS, 0.5)];
    const key = new Float32Array(9600);
    for (let t = 4800; t < 9600; t++) key[t] = 0.5;
    const y = run(g, audio, 128, [key]);
    for (let c = 0; c < 2; c++) {
      expect(20 * Math.log10(peakOf(y[c], 2000, 4800) / 0.5)).toBeCloseTo(-40, 2);
      expect(20 * Math.log10(peakOf(y[c], 6000, 9600) / 0.5)).toBeCloseTo(0, 3);
    }
  });

  it('keeps no subnormal state after loud noise and long silence (key filters at 5 Hz to 20 kHz)', () => {
    for (const [keyHighpassHz, keyLowpassHz] of [
      [5, 0],
      [2000, 20000],
      [0, 30],
    ]) {
      const g = new Gate({ keyHighpassHz, keyLowpassHz, keyListen: true, lookaheadMs: 3, releaseMs: 1 });
      g.prepare({ sampleRate: 8000, maxBlockSize: 128, channels: 2 });
      run(g, [noise(8000, 1, 1), noise(8000, 2, 1)]);
      run(g, [new Float32Array(80000), new Float32Array(80000)]);
      expect(countSubnormalState(g), `${keyHighpassHz}/${keyLowpassHz}`).toBe(0);
    }
  });

  it('NaN and Infinity in the key are read as silence; the output is finite right after them', () => {
    const g = new Gate({ thresholdDb: -30, lookaheadMs: 2, keyHighpassHz: 100 });
    g.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const audio = sine(9600, 440, FS, 0.5);
    const key = sine(9600, 440, FS, 0.5);
    key[1000] = NaN;
    key[2000] = Infinity;
    const y = run(g, [audio], 128, [key])[0];
    for (const v of y) expect(Number.isFinite(v)).toBe(true);
    expect(20 * Math.log10(peakOf(y, 6000, 9600) / 0.5)).toBeCloseTo(0, 3);
  });
});

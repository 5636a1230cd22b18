/**
 * Convolver against independent math: a direct O(N·M) convolution y[t] = Σ h[m]·x[t − m] in double
 * precision, for random IRs and inputs, mono / stereo / true stereo, under several block
 * partitions; closed forms for pre-delay (a shift), energy normalisation (a scale), mix and wet
 * gain, IR cross-fades (a linear blend of two direct convolutions) and resampling (a sine).
 */
import { describe, expect, it } from 'vitest';
import { Convolver, resample, type ConvolverOptions } from '../../src/space/convolver.js';
import { HEAD_TAPS, partitionSchedule, spreadOf } from '../../src/space/partitioned-convolution.js';
import { processorFromJSON } from '../../src/registry.js';
import { RealFFT } from '../../src/core/fft.js';
import { lcg } from '../support/signals.js';
import { cutsFromSizes, render } from '../support/conformance.js';

function randomIr(length: number, seed: number, decay = length / 4): Float32Array {
  const r = lcg(seed);
  const h = new Float32Array(length);
  for (let i = 0; i < length; i++) h[i] = r() * Math.exp(-i / decay);
  return h;
}

function randomInput(frames: number, seed: number): Float32Array {
  const r = lcg(seed);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = 0.5 * r();
  return x;
}

/** Direct convolution, double precision: Σ_m h[m]·x[t − m]. */
function direct(x: ArrayLike<number>, h: ArrayLike<number>, delay = 0, scale = 1): Float64Array {
  const y = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) {
    let s = 0;
    const top = Math.min(h.length - 1, t - delay);
    for (let m = 0; m <= top; m++) s += h[m] * x[t - delay - m];
    y[t] = s * scale;
  }
  return y;
}

/** Error relative to the reference's RMS, in dB. */
function errorDb(y: ArrayLike<number>, ref: ArrayLike<number>): number {
  let e = 0;
  let p = 0;
  for (let i = 0; i < ref.length; i++) {
    e += (y[i] - ref[i]) ** 2;
    p += ref[i] ** 2;
  }
  return 10 * Math.log10(e / p);
}

function uniform(block: number, frames: number): number[] {
  const cuts: number[] = [];
  for (let p = block; p < frames; p += block) cuts.push(p);
  return cuts;
}

const partitions: [string, (frames: number) => number[]][] = [
  ['128-frame blocks', (f) => uniform(128, f)],
  ['1-frame blocks', (f) => uniform(1, f)],
  ['random blocks', (f) => cutsFromSizes([7, 128, 1, 64, 33, 100, 3, 128, 90], f)],
  ['one block', () => []],
];

function run(opts: Partial<ConvolverOptions>, input: Float32Array[], cuts: number[], maxBlockSize = 128): Float32Array[] {
  const p = new Convolver(opts);
  p.prepare({ sampleRate: 48000, maxBlockSize, channels: input.length });
  return render(p, input, cuts);
}

describe('Convolver: equal to direct convolution', () => {
  for (const length of [1, 17, 64, 65, 200, 1000, 6000]) {
    it(`mono IR of ${length} taps, every partition within −100 dB and bit-identical across partitions`, () => {
      const frames = length > 2000 ? 16000 : 6000;
      const h = randomIr(length, length + 11);
      const x = randomInput(frames, length + 5);
      const ref = direct(x, h);
      let first: Float32Array | undefined;
      for (const [, cuts] of partitions) {
        const y = run({ impulseResponse: [h] }, [x.slice()], cuts(frames))[0];
        expect(errorDb(y, ref)).toBeLessThan(-100);
        if (first) expect(y).toEqual(first);
        else first = y;
      }
    });
  }

  it('a 40000-tap IR (all partition sizes up to the largest) within −100 dB', () => {
    const length = 40000;
    const frames = 42000;
    const h = randomIr(length, 3, 8000);
    const x = randomInput(frames, 4);
    const ref = direct(x, h);
    const y = run({ impulseResponse: [h] }, [x.slice()], cutsFromSizes([128, 37, 1, 128, 64], frames))[0];
    expect(errorDb(y, ref)).toBeLessThan(-100);
    const big = run({ impulseResponse: [h] }, [x.slice()], [], 4096)[0];
    expect(big).toEqual(y);
  });

  it('has no latency: an impulse gives the IR from sample 0', () => {
    const h = randomIr(3000, 9);
    const x = new Float32Array(4000);
    x[0] = 1;
    const y = run({ impulseResponse: [h] }, [x], uniform(128, 4000))[0];
    for (let i = 0; i < 3000; i++) expect(Math.abs(y[i] - h[i])).toBeLessThan(1e-6);
    for (let i = 3000; i < 4000; i++) expect(Math.abs(y[i])).toBeLessThan(1e-9);
  });

  it('stereo IR: channel c through IR c', () => {
    const frames = 8000;
    const h = [randomIr(2500, 1), randomIr(2500, 2)];
    const x = [randomInput(frames, 3), randomInput(frames, 4)];
    const y = run({ impulseResponse: h }, x.map((c) => c.slice()), cutsFromSizes([100, 3, 128], frames));
    for (let c = 0; c < 2; c++) expect(errorDb(y[c], direct(x[c], h[c]))).toBeLessThan(-100);
  });

  it('true-stereo IR: outL = inL∗LL + inR∗RL, outR = inL∗LR + inR∗RR', () => {
    const frames = 8000;
    const h = [randomIr(2000, 5), randomIr(2000, 6), randomIr(2000, 7), randomIr(2000, 8)];
    const x = [randomInput(frames, 9), randomInput(frames, 10)];
    for (const [, cuts] of partitions) {
      const y = run({ impulseResponse: h }, x.map((c) => c.slice()), cuts(frames));
      const a = direct(x[0], h[0]);
      const b = direct(x[1], h[2]);
      const l = a.map((v, i) => v + b[i]);
      const c = direct(x[0], h[1]);
      const d = direct(x[1], h[3]);
      const r = c.map((v, i) => v + d[i]);
      expect(errorDb(y[0], l)).toBeLessThan(-100);
      expect(errorDb(y[1], r)).toBeLessThan(-100);
    }
    expect(() => new Convolver({ impulseResponse: h }).prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 })).toThrow(RangeError);
  });

  it('pre-delay shifts the wet signal by round(ms·fs/1000) samples; energy normalisation scales by 1/√(Σh²)', () => {
    const frames = 6000;
    const h = randomIr(1500, 12);
    const x = randomInput(frames, 13);
    let e = 0;
    for (const v of h) e += v * v;
    const y = run({ impulseResponse: [h], preDelayMs: 10.01, normalize: 'energy' }, [x.slice()], uniform(100, frames))[0];
    expect(errorDb(y, direct(x, h, 480, 1 / Math.sqrt(e)))).toBeLessThan(-100);
  });

  it('mix and wet gain: out = dry + mix·(g·wet − dry); mix 0 is the input exactly', () => {
    const frames = 3000;
    const h = randomIr(700, 14);
    const x = randomInput(frames, 15);
    const ref = direct(x, h);
    const y = run({ impulseResponse: [h], mix: 0.25, wetGainDb: -6 }, [x.slice()], uniform(128, frames))[0];
    const g = 10 ** (-6 / 20);
    expect(errorDb(y, ref.map((w, i) => x[i] + 0.25 * (g * w - x[i])))).toBeLessThan(-100);
    expect(run({ impulseResponse: [h], mix: 0 }, [x.slice()], uniform(128, frames))[0]).toEqual(x);
  });

  it('an IR change cross-fades linearly from the old convolution to the new one, which starts at the change', () => {
    const frames = 12000;
    const T = 3001; // change before sample T
    const F = 480; // 10 ms at 48 kHz
    const h1 = randomIr(2000, 21);
    const h2 = randomIr(1000, 22);
    const x = randomInput(frames, 23);
    const a = direct(x, h1);
    const later = x.slice();
    later.fill(0, 0, T);
    const b = direct(later, h2);
    const ref = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      const g = t < T ? 0 : Math.min(1, (t - T + 1) / F);
      ref[t] = a[t] + g * (b[t] - a[t]);
    }
    for (const [, cuts] of partitions) {
      const p = new Convolver({ impulseResponse: [h1], crossfadeMs: 10 });
      p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 });
      const y = render(p, [x.slice()], cuts(frames), [{ at: T, apply: (q) => q.set({ impulseResponse: [h2] }) }])[0];
      expect(errorDb(y, ref)).toBeLessThan(-100);
    }
  });

  it('a second change during a cross-fade waits for its end', () => {
    const frames = 6000;
    const h = [randomIr(500, 31), randomIr(400, 32), randomIr(300, 33)];
    const x = randomInput(frames, 34);
    const T1 = 1000;
    const T2 = 1200; // during the 480-sample fade; starts at T1 + 480
    const S2 = T1 + 480;
    const seg = (from: number, hh: Float32Array) => {
      const z = x.slice();
      z.fill(0, 0, from);
      return direct(z, hh);
    };
    const y0 = direct(x, h[0]);
    const y1 = seg(T1, h[1]);
    const y2 = seg(S2, h[2]);
    const ref = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      if (t < T1) ref[t] = y0[t];
      else if (t < S2) {
        const g = (t - T1 + 1) / 480;
        ref[t] = y0[t] + g * (y1[t] - y0[t]);
      } else {
        const g = Math.min(1, (t - S2 + 1) / 480);
        ref[t] = y1[t] + g * (y2[t] - y1[t]);
      }
    }
    const p = new Convolver({ impulseResponse: [h[0]], crossfadeMs: 10 });
    p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 });
    const y = render(p, [x.slice()], uniform(64, frames), [
      { at: T1, apply: (q) => q.set({ impulseResponse: [h[1]] }) },
      { at: T2, apply: (q) => q.set({ impulseResponse: [h[2]] }) },
    ])[0];
    expect(errorDb(y, ref)).toBeLessThan(-100);
  });
});

describe('Convolver: schedule, resampling, JSON, validation', () => {
  it('keeps every segment offset ≥ P + (D − 1)·HEAD_TAPS (no latency with its FFTs spread over D grid points) and covers the IR', () => {
    for (const L of [65, 1000, 120000, 480000]) {
      let end = HEAD_TAPS;
      for (const [p, o, k] of partitionSchedule(L)) {
        expect(o).toBeGreaterThanOrEqual(p + (spreadOf(p) - 1) * HEAD_TAPS);
        expect(o).toBe(end);
        end = o + k * p;
      }
      expect(end).toBeGreaterThanOrEqual(L);
    }
  });

  it('spreads its FFTs over time: no 128-frame call of a 10 s true-stereo IR transforms more than 1.5 of its largest FFT (all at once: 4.2), nor 10 times the mean (all at once: 30)', () => {
    // Count the FFT work (n·log2 n per transform) of every process() call by wrapping RealFFT.
    let work = 0;
    const forward = RealFFT.prototype.forward;
    const inverse = RealFFT.prototype.inverse;
    RealFFT.prototype.forward = function (this: RealFFT, x: Float64Array, spectrum: Float64Array, at?: number) {
      work += this.size * Math.log2(this.size);
      forward.call(this, x, spectrum, at);
    };
    RealFFT.prototype.inverse = function (this: RealFFT, spectrum: Float64Array, x: Float64Array, at?: number) {
      work += this.size * Math.log2(this.size);
      inverse.call(this, spectrum, x, at);
    };
    try {
      const L = 10 * 48000;
      const irs = [0, 1, 2, 3].map((c) => randomIr(L, 40 + c, 48000));
      const conv = new Convolver({ impulseResponse: irs, normalize: 'none' });
      conv.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      let pmax = 0;
      for (const [p] of partitionSchedule(L)) pmax = Math.max(pmax, p);
      const largest = 2 * pmax * Math.log2(2 * pmax);
      const block = [new Float32Array(128).fill(0.1), new Float32Array(128).fill(0.1)];
      let max = 0;
      let total = 0;
      const calls = (3 * 2 * pmax) / 128;
      for (let b = 0; b < calls; b++) {
        work = 0;
        conv.process(block, 128);
        max = Math.max(max, work);
        total += work;
      }
      expect(max / largest).toBeLessThanOrEqual(1.5);
      expect(max / (total / calls)).toBeLessThan(10);
    } finally {
      RealFFT.prototype.forward = forward;
      RealFFT.prototype.inverse = inverse;
    }
  });

  it('resamples an IR given at another rate: a 1 kHz sine at 44.1 kHz becomes the same sine at 48 kHz', () => {
    const n = 4410;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * 1000 * i) / 44100);
    const y = resample(x, 44100, 48000);
    expect(y.length).toBe(4800);
    for (let j = 600; j < 4200; j++) expect(Math.abs(y[j] - Math.sin((2 * Math.PI * 1000 * j) / 48000))).toBeLessThan(2e-3);
    // And the convolver uses it: an impulse in gives the resampled IR.
    const imp = new Float32Array(4800);
    imp[0] = 1;
    const out = run({ impulseResponse: [Float32Array.from(x)], irSampleRate: 44100 }, [imp], uniform(128, 4800))[0];
    for (let j = 600; j < 4200; j++) expect(Math.abs(out[j] - y[j])).toBeLessThan(1e-6);
  });

  it('embeds small IRs in JSON (exact round trip) and leaves large ones out', () => {
    const h = randomIr(1000, 41);
    const p = new Convolver({ impulseResponse: [h], mix: 0.5 });
    const json = JSON.parse(JSON.stringify(p));
    expect(json.params.impulseResponse[0].length).toBe(1000);
    const q = processorFromJSON(json) as Convolver;
    expect(q.params.impulseResponse![0]).toEqual(h);
    const big = new Convolver({ impulseResponse: [randomIr(20000, 42)] });
    expect(big.toJSON().params.impulseResponse).toBeNull();
    expect(new Convolver({ impulseResponse: [randomIr(20000, 42)], embedLimit: 20000 }).toJSON().params.impulseResponse).toHaveLength(1);
  });

  it('rejects bad IRs naming the path, the range and the value', () => {
    expect(() => new Convolver({ impulseResponse: [new Float32Array(10), new Float32Array(11)] })).toThrow(/every channel must have the same length/);
    expect(() => new Convolver({ impulseResponse: [new Float32Array(3), new Float32Array(3), new Float32Array(3)] })).toThrow(/must have 1, 2 or 4 channels, got 3/);
    expect(() => new Convolver({ impulseResponse: [Float32Array.of(0, NaN)] })).toThrow(/Convolver\.impulseResponse\[0\]\[1\] must be in .*got NaN/);
    expect(() => new Convolver({ impulseResponse: [new Float32Array(0)] })).toThrow(RangeError);
    expect(() => new Convolver({ impulseResponse: 'room.wav' as never })).toThrow(TypeError);
    expect(() => new Convolver({ impulseResponse: [[0, '1']] as never })).toThrow(/\[0\]\[1\] must be a number/);
  });
});

describe('Convolver: no subnormal state', () => {
  it('after loud noise then silence, with an IR holding tiny and subnormal values', async () => {
    const { countFloatArrays, countSubnormalState } = await import('../support/denormal.js');
    const h = randomIr(3000, 51);
    h[100] = 1e-40; // a float32 subnormal
    h[200] = 1e-35;
    for (let i = 2000; i < 3000; i++) h[i] *= 1e-36;
    const p = new Convolver({ impulseResponse: [h, h], mix: 0.5 });
    p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const x = [randomInput(20000, 1), randomInput(20000, 2)];
    for (const ch of x) for (let i = 8000; i < 20000; i++) ch[i] = i % 1000 === 0 ? 1e-38 : 0; // tiny, then silence
    render(p, x, uniform(128, 20000));
    expect(countFloatArrays(p)).toBeGreaterThan(5);
    expect(countSubnormalState(p)).toBe(0);
    expect(p.params.impulseResponse![0][100]).toBe(0);
  });
});

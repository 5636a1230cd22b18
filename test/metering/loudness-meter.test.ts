/** LoudnessMeter: K-weighting at any rate, calibration, layouts, properties, contract. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BS1770_STAGE1_48K, BS1770_STAGE2_48K, kWeighting } from '../../src/metering/k-weighting.js';
import { LoudnessMeter, defaultChannelWeights, measureLoudness } from '../../src/metering/loudness-meter.js';
import { SPEC_LIMITS } from '../../src/core/processor.js';
import { truePeakFilter } from '../../src/metering/true-peak.js';
import { abs, cmul, digitalResponse, logGrid, toDb } from '../support/analog.js';
import { cutsFromSizes, describeProcessor, render } from '../support/conformance.js';
import { lcg, runs } from '../support/signals.js';

/** A "continuous" test programme: sines defined in continuous time (the same signal at any rate). */
function programme(seed: number, seconds: number, rate: number, channels = 2): Float32Array[] {
  const r = lcg(seed);
  const partials = Array.from({ length: 24 }, () => ({
    f: 40 * Math.pow(300, (r() + 1) / 2), // 40 Hz .. 12 kHz, log-uniform
    a: 0.05 * (r() + 1.2),
    ph: Math.PI * r(),
    am: 0.1 + 0.9 * ((r() + 1) / 2), // amplitude-modulation rate, Hz
    pan: (r() + 1) / 2,
  }));
  const n = Math.round(seconds * rate);
  const out = Array.from({ length: channels }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    for (const p of partials) {
      const v = p.a * (0.6 + 0.4 * Math.sin(2 * Math.PI * p.am * t)) * Math.sin(2 * Math.PI * p.f * t + p.ph);
      out[0][i] += v * (1 - p.pan);
      if (channels > 1) out[1][i] += v * p.pan;
    }
  }
  return out;
}

describe('K-weighting at any sample rate', () => {
  it('returns the BS.1770 table exactly at 48 kHz', () => {
    const [s1, s2] = kWeighting(48000);
    for (const k of ['b0', 'b1', 'b2', 'a1', 'a2'] as const) {
      expect(Math.abs(s1[k] - BS1770_STAGE1_48K[k])).toBeLessThan(1e-12);
      expect(Math.abs(s2[k] - BS1770_STAGE2_48K[k])).toBeLessThan(1e-12);
    }
  });

  it('matches the 48 kHz table’s response within 0.01 dB from 20 Hz to 16 kHz at 44.1, 88.2, 96, 192 and 384 kHz', () => {
    const ref = (f: number) => abs(cmul(digitalResponse(BS1770_STAGE1_48K, f, 48000), digitalResponse(BS1770_STAGE2_48K, f, 48000)));
    for (const rate of [44100, 88200, 96000, 192000, 384000]) {
      const [s1, s2] = kWeighting(rate);
      for (const f of logGrid(20, 16000, 80)) {
        const h = abs(cmul(digitalResponse(s1, f, rate), digitalResponse(s2, f, rate)));
        expect(Math.abs(toDb(h) - toDb(ref(f))), `${rate} Hz at ${f.toFixed(0)} Hz`).toBeLessThan(0.01);
      }
    }
  });

  it('is stable and sane down to 8 kHz (the high-pass still cuts, the shelf still lifts)', () => {
    const [s1, s2] = kWeighting(8000);
    for (const s of [s1, s2]) expect(Math.abs(s.a2) < 1 && Math.abs(s.a1) < 1 + s.a2).toBe(true);
    const h = (f: number) => abs(cmul(digitalResponse(s1, f, 8000), digitalResponse(s2, f, 8000)));
    expect(toDb(h(10))).toBeLessThan(-10);
    expect(toDb(h(3500))).toBeGreaterThan(3);
  });

  it('BS.1770 calibration: a 0 dBFS 997 Hz sine on one channel reads −3.01 LUFS (±0.01 from 32 kHz up)', () => {
    const read = (rate: number) => {
      const x = new Float32Array(rate * 5).map((_, i) => Math.sin((2 * Math.PI * 997 * i) / rate));
      return measureLoudness([x, new Float32Array(x.length)], rate).integrated;
    };
    for (const rate of [32000, 44100, 48000, 88200, 96000, 192000, 384000]) expect(Math.abs(read(rate) - -3.01), `${rate} Hz`).toBeLessThan(0.01);
    // Below 32 kHz the shelf (1.7 kHz corner) sits close to Nyquist and warps: documented limits.
    expect(Math.abs(read(16000) - -3.01)).toBeLessThan(0.05);
    expect(Math.abs(read(8000) - -3.01)).toBeLessThan(0.25);
  });
});

describe('LoudnessMeter readings', () => {
  it('reads −Infinity for silence (and 0 LU of range)', () => {
    const z = new Float32Array(48000 * 4);
    const r = measureLoudness([z, z], 48000);
    for (const v of [r.momentary, r.shortTerm, r.integrated, r.momentaryMax, r.shortTermMax, r.samplePeak, r.truePeak]) expect(v).toBe(-Infinity);
    expect(r.lra).toBe(0);
  });

  it('weights channels as BS.1770: LFE excluded, surrounds +1.5 dB, dual mono +3.01 dB', () => {
    expect(defaultChannelWeights(6)).toEqual([1, 1, 1, 0, 1.41, 1.41]);
    expect(defaultChannelWeights(9)).toBeNull();
    const x = new Float32Array(48000 * 3).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const z = new Float32Array(x.length);
    expect(measureLoudness([z, z, z, x, z, z], 48000).integrated).toBe(-Infinity); // LFE only
    const front = measureLoudness([x, z, z, z, z, z], 48000).integrated;
    const surround = measureLoudness([z, z, z, z, x, z], 48000).integrated;
    expect(Math.abs(surround - front - 10 * Math.log10(1.41))).toBeLessThan(1e-6);
    const mono = measureLoudness([x], 48000).integrated;
    const dual = measureLoudness([x], 48000, { dualMono: true }).integrated;
    expect(Math.abs(dual - mono - 10 * Math.log10(2))).toBeLessThan(1e-6);
    expect(Math.abs(measureLoudness([x, z], 48000, { channelWeights: [2, 0] }).integrated - dual)).toBeLessThan(1e-9);
  });

  it('keeps a history every 100 ms for plots', () => {
    const m = new LoudnessMeter({ historySeconds: 2 });
    m.prepare({ sampleRate: 48000, maxBlockSize: 480, channels: 1 });
    for (let k = 0; k < 300; k++) m.process([new Float32Array(480).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 1000 * (k * 480 + i)) / 48000))]); // 3 s
    const h = m.history();
    expect(h.momentary.length).toBe(20);
    expect(h.intervalSeconds).toBe(0.1);
    expect(h.startSeconds).toBeCloseTo(1.1, 9); // 20 values, the last measured at 3.0 s
    expect(h.momentary[19]).toBe(Math.fround(m.momentary));
    expect(h.shortTerm[19]).toBe(Math.fround(m.shortTerm));
  });

  it('reports per-channel sample and true peaks', () => {
    const n = 4800;
    const l = new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * i) / 4 + Math.PI / 4) * Math.min(1, i / 480, (n - 1 - i) / 480));
    const r = measureLoudness([l, new Float32Array(n)], 48000);
    expect(r.samplePeakPerChannel[1]).toBe(-Infinity);
    expect(r.truePeakPerChannel[0]).toBeGreaterThan(r.samplePeakPerChannel[0] + 2.5); // 45°: samples at 0.354
    expect(r.truePeak).toBe(r.truePeakPerChannel[0]);
  });

  it('uses an L-th band interpolation filter (designed, not tabulated) whose phases sum to unity gain at DC', () => {
    const h = truePeakFilter(4);
    for (let p = 0; p < 3; p++) {
      let dc = 0;
      for (let k = 0; k < 16; k++) dc += h[p * 16 + k];
      expect(Math.abs(dc - 1)).toBeLessThan(0.01);
    }
  });

  it('rejects bad options and layouts clearly', () => {
    expect(() => new LoudnessMeter({ channelWeights: [1, -1] })).toThrow(/channelWeights\[1\] must be in \[0, 10\], got -1/);
    expect(() => new LoudnessMeter({ historySeconds: NaN })).toThrow(RangeError);
    expect(() => new LoudnessMeter({ truePeak: 'yes' as never })).toThrow(TypeError);
    expect(() => new LoudnessMeter().prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 12 })).toThrow(/no default BS.1770 layout for 12 channels/);
    expect(() => new LoudnessMeter({ channelWeights: [1, 1] }).prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 3 })).toThrow(/2 weights but spec.channels is 3/);
    expect(() => new LoudnessMeter({ dualMono: true }).prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 })).toThrow(/dualMono/);
    expect(() => measureLoudness([new Float32Array(4), new Float32Array(5)], 48000)).toThrow(/same length/);
    // set() checks against the prepared layout before changing anything.
    const m = new LoudnessMeter();
    m.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    expect(() => m.set({ dualMono: true })).toThrow(/dualMono/);
    expect(m.params.dualMono).toBe(false);
    // The meter keeps its own copy of the weights.
    const w = [1, 1];
    const k = new LoudnessMeter({ channelWeights: w });
    w[0] = NaN;
    expect(k.params.channelWeights).toEqual([1, 1]);
  });

  it('rejects sparse, non-number and over-long channelWeights, naming the entry (issue 11)', () => {
    // A hole was skipped by forEach: the meter was built, read −∞ and its own JSON was rejected.
    expect(() => new LoudnessMeter({ channelWeights: [, 1] as number[] })).toThrow(new TypeError('LoudnessMeter.channelWeights[0] must be a number in [0, 10], got undefined'));
    expect(() => new LoudnessMeter({ channelWeights: new Array<number>(3) })).toThrow(/channelWeights\[0\] must be a number in \[0, 10\], got undefined/);
    expect(() => new LoudnessMeter({ channelWeights: [1, 1, '1' as never] })).toThrow(new TypeError('LoudnessMeter.channelWeights[2] must be a number in [0, 10], got "1"'));
    expect(() => new LoudnessMeter({ channelWeights: [1, null as never] })).toThrow(TypeError);
    expect(() => new LoudnessMeter({ channelWeights: 'abc' as never })).toThrow(TypeError);
    // At most one weight per channel a spec can have (SPEC_LIMITS.maxChannels).
    expect(() => new LoudnessMeter({ channelWeights: new Array<number>(SPEC_LIMITS.maxChannels).fill(1) })).not.toThrow();
    expect(() => new LoudnessMeter({ channelWeights: new Array<number>(SPEC_LIMITS.maxChannels + 1).fill(1) })).toThrow(
      new RangeError(`LoudnessMeter.channelWeights must have between 1 and ${SPEC_LIMITS.maxChannels} items, got ${SPEC_LIMITS.maxChannels + 1}`),
    );
    expect(() => new LoudnessMeter({ channelWeights: new Array<number>(2 ** 32 - 1) })).toThrow(RangeError); // checked before any entry
    expect(() => new LoudnessMeter({ channelWeights: [] })).toThrow(RangeError);
    // set() and fromJSON reject them too and change nothing.
    const m = new LoudnessMeter({ channelWeights: [1, 1] });
    expect(() => m.set({ channelWeights: [1, , 1] as number[] })).toThrow(/channelWeights\[1\]/);
    expect(m.params.channelWeights).toEqual([1, 1]);
    expect(() => LoudnessMeter.fromJSON({ type: 'LoudnessMeter', params: { channelWeights: [, 1] } })).toThrow(TypeError);
    // Whatever the constructor accepts, its JSON rebuilds.
    const ok = new LoudnessMeter({ channelWeights: [0, 1.41] });
    expect(LoudnessMeter.fromJSON(JSON.parse(JSON.stringify(ok))).params).toEqual(ok.params);
  });

  it('recovers from a non-finite sample: the hop counts as silence, integrated and maxima stay finite', () => {
    const x = new Float32Array(48000 * 20).map((_, i) => 0.0708 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const bad = x.slice();
    bad[48000 * 10 + 127] = Infinity;
    bad[48000 * 12] = NaN;
    const r = measureLoudness([bad, bad], 48000);
    expect(Math.abs(r.integrated - -23)).toBeLessThan(0.1);
    expect(Math.abs(r.momentaryMax - -23)).toBeLessThan(0.1);
    expect(Math.abs(r.lra)).toBeLessThan(1);
  });

  it('treats channels the caller did not pass as silence', () => {
    const x = new Float32Array(48000 * 3).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const m = new LoudnessMeter();
    m.prepare({ sampleRate: 48000, maxBlockSize: 4800, channels: 2 });
    for (let p = 0; p < x.length; p += 4800) m.process([x.subarray(p, p + 4800)]);
    expect(m.integrated).toBeCloseTo(measureLoudness([x, new Float32Array(x.length)], 48000).integrated, 9);
    expect(m.reading().duration).toBe(3);
  });
});

describe('LoudnessMeter properties (fast-check)', () => {
  const readAll = (m: LoudnessMeter) => [m.momentary, m.shortTerm, m.integrated, m.lra, m.momentaryMax, m.shortTermMax, m.truePeakDb(), m.samplePeakDb()];

  it('a gain of g dB shifts M, S and I by g (±0.01 LU) and leaves LRA alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -20, max: 6, noNaN: true }), (seed, g) => {
        const x = programme(seed, 6, 48000);
        const k = Math.pow(10, g / 20);
        const y = x.map((c) => c.map((v) => v * k));
        const a = measureLoudness(x, 48000);
        const b = measureLoudness(y, 48000);
        for (const key of ['momentary', 'shortTerm', 'integrated'] as const) expect(Math.abs(b[key] - a[key] - g), key).toBeLessThan(0.01);
        expect(Math.abs(b.lra - a.lra)).toBeLessThan(0.02);
      }),
      { numRuns: runs(4, 100) },
    );
  });

  it('swapping L and R changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const [l, r] = programme(seed, 5, 48000);
        const a = measureLoudness([l, r], 48000);
        const b = measureLoudness([r, l], 48000);
        const { samplePeakPerChannel: sa, truePeakPerChannel: ta, ...restA } = a;
        const { samplePeakPerChannel: sb, truePeakPerChannel: tb, ...restB } = b;
        expect(restB).toEqual(restA);
        expect([sb[1], sb[0], tb[1], tb[0]]).toEqual([sa[0], sa[1], ta[0], ta[1]]);
      }),
      { numRuns: runs(3, 50) },
    );
  });

  it('gives identical readings for any partition of the signal into blocks', () => {
    const x = programme(3, 4, 48000);
    const whole = new LoudnessMeter();
    whole.prepare({ sampleRate: 48000, maxBlockSize: 512, channels: 2 });
    render(whole, x, cutsFromSizes([512], x[0].length));
    const expected = readAll(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 30 }), (sizes) => {
        const m = new LoudnessMeter();
        m.prepare({ sampleRate: 48000, maxBlockSize: 512, channels: 2 });
        render(m, x, cutsFromSizes(sizes, x[0].length));
        expect(readAll(m)).toEqual(expected);
      }),
      { numRuns: runs(10, 200) },
    );
  });

  it('reads the same integrated loudness at 44.1, 48 and 96 kHz (within 0.05 LU)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const values = [44100, 48000, 96000].map((rate) => measureLoudness(programme(seed, 5, rate), rate).integrated);
        expect(Math.max(...values) - Math.min(...values), values.join(', ')).toBeLessThan(0.05);
      }),
      { numRuns: runs(2, 40) },
    );
  });
});

describeProcessor<LoudnessMeter>({
  name: 'LoudnessMeter',
  create: () => new LoudnessMeter({ historySeconds: 10 }),
  channels: [1, 2, 6],
  readings: (m) => [m.momentary, m.shortTerm, m.integrated, m.momentaryMax, m.shortTermMax, m.truePeakDb(), m.samplePeakDb()],
  // Busiest path: after reset() the true-peak detector has no maximum yet and interpolates everything.
  ramp: (m) => m.reset(),
  silence: { exact: true, tailSeconds: 0, level: 0 },
  badParams: [
    { label: 'a negative channel weight', call: (p) => p.set({ channelWeights: [1, -2] }), error: RangeError, message: /channelWeights\[1\]/ },
    { label: 'a hole in the channel weights', call: (p) => p.set({ channelWeights: [, 1] as number[] }), error: TypeError, message: /channelWeights\[0\] must be a number/ },
    { label: 'unknown option', call: (p) => p.set({ gate: -70 } as never), error: TypeError, message: /unknown option "gate"/ },
    { label: 'NaN history', call: (p) => p.set({ historySeconds: NaN }), error: RangeError, message: /historySeconds/ },
  ],
});

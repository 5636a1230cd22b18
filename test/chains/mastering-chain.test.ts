/**
 * MasteringChain: the processor contract (partitions, reset, silence, recovery, allocation), the
 * default order, stages added and removed, read-outs through the container contract, presets.
 */
import { describe, expect, it } from 'vitest';
import {
  Chain,
  Compressor,
  Limiter,
  LoudnessMeter,
  MASTERING_CHAIN_DEFAULTS,
  MASTERING_METER_NAMES,
  MASTERING_METER_SLOTS,
  MasteringChain,
  MidSide,
  MultibandCompressor,
  ParametricEQ,
  Saturator,
  StereoWidener,
  measureLoudness,
  processorFromJSON,
} from '../../src/index.js';
import { describeProcessor, render } from '../support/conformance.js';
import { clone, identical, firstDifference, multiChannel, sine } from '../support/signals.js';

const FS = 48000;

const full = () =>
  new MasteringChain({
    eq: { midSide: true, bands: [{ type: 'lowshelf', frequencyHz: 100, gainDb: 1.5 }, { type: 'peaking', frequencyHz: 3000, gainDb: -2, q: 1 }], sideBands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 2 }] },
    compressor: { thresholdDb: -20, ratio: 2, lookaheadMs: 1 },
    saturator: { driveDb: 3, oversampling: 2 },
    widener: { width: 1.2, bassMonoHz: 120 },
    limiter: { ceilingDb: -1, driveDb: 6, lookaheadMs: 2 },
  });

describeProcessor<MasteringChain>({
  name: 'MasteringChain (default stages, meters off: the suite reads meters every block)',
  create: () => new MasteringChain({ meters: false }),
  channels: [2],
  automation: [
    { at: 700, apply: (p) => p.set({ compressor: { ratio: 3 }, limiter: { driveDb: 6 } }) },
    { at: 2000, apply: (p) => p.set({ eq: { bands: [{ type: 'highshelf', frequencyHz: 6000, gainDb: 3 }] } }) },
  ],
  ramp: (p) => p.set({ eq: { outputGainDb: (p.params.eq?.outputGainDb ?? 0) > 0 ? -3 : 3, smoothingMs: 1000 } }),
  silence: { exact: true, tailSeconds: 0.5, level: 0 },
  badParams: [
    { label: 'compressor ratio 0.5', call: (p) => p.set({ compressor: { ratio: 0.5 } }), error: RangeError, message: /MasteringChain\.compressor\.ratio must be in \[1, Infinity\]/ },
    { label: 'limiter ceiling +1', call: (p) => p.set({ limiter: { ceilingDb: 1 } }), error: RangeError, message: /MasteringChain\.limiter\.ceilingDb/ },
    { label: 'unknown stage', call: (p) => p.set({ reverb: {} } as never), error: TypeError, message: /unknown option "reverb"/ },
    { label: 'a side band at −5 Hz', call: (p) => p.set({ eq: { sideBands: [{ type: 'peaking', frequencyHz: -5 }] } }), error: RangeError, message: /MasteringChain\.eq\.sideBands\[0\]\.frequencyHz/ },
    { label: 'meters not a boolean', call: (p) => p.set({ meters: 1 as never }), error: TypeError, message: /meters/ },
  ],
});

describe('MasteringChain: stages', () => {
  it('default order: meter → EQ → compressor → limiter → meter; saturator and widener off', () => {
    const m = new MasteringChain();
    const chain = m.children()[0] as Chain;
    expect(chain.children().map((p) => p.constructor.name)).toEqual(['LoudnessMeter', 'ParametricEQ', 'Compressor', 'Limiter', 'LoudnessMeter']);
    expect(MASTERING_CHAIN_DEFAULTS.saturator).toBeNull();
    expect(MASTERING_CHAIN_DEFAULTS.widener).toBeNull();
    expect(m.limiter?.params.mode).toBe('true-peak');
  });

  it('every stage: the order, the types, the latency the sum of the stages’', () => {
    const m = full();
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const slots = (m.children()[0] as Chain).children();
    expect(slots.map((p) => p.constructor.name)).toEqual(['LoudnessMeter', 'MidSide', 'Compressor', 'Saturator', 'StereoWidener', 'Limiter', 'LoudnessMeter']);
    expect(m.eq).toBeInstanceOf(MidSide);
    expect(m.latency).toBe(slots.reduce((s, p) => s + p.latency, 0));
    expect(m.latency).toBe(m.compressor!.latency + m.saturator!.latency + m.widener!.latency + m.limiter!.latency + (m.eq as MidSide).latency);
    expect(m.channelRange).toEqual({ min: 2, max: 2 });
    expect(() => new MasteringChain({ widener: {} }).prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 })).toThrow(RangeError);
  });

  it('equals the same processors run one after the other (built independently)', () => {
    const m = full();
    m.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    const x = multiChannel(2, 9000, 3);
    const y = render(m, x, [256, 512, 1000, 4000]);
    const o = m.params;
    const eq = new MidSide({ mid: new ParametricEQ({ bands: o.eq!.bands }), side: new ParametricEQ({ bands: o.eq!.sideBands }) });
    const stages = [eq, new Compressor(o.compressor!), new Saturator(o.saturator!), new StereoWidener(o.widener!), new Limiter(o.limiter!)];
    const z = clone(x);
    for (const p of stages) {
      p.prepare({ sampleRate: FS, maxBlockSize: 9000, channels: 2 });
      p.process(z);
    }
    expect(identical(y, z), firstDifference(y, z)).toBe(true);
  });

  it('the multiband compressor as the dynamics stage: order, read-outs, preset, same output as the processors in series', () => {
    const o = { eq: null, compressor: null, multiband: { crossoversHz: [200, 2000], bands: [{ thresholdDb: -30, ratio: 3 }, { thresholdDb: -25 }, { thresholdDb: -20, ratio: 2 }] }, limiter: { driveDb: 3 }, meters: false } as const;
    const m = new MasteringChain({ ...o, multiband: { ...o.multiband, crossoversHz: [...o.multiband.crossoversHz], bands: o.multiband.bands.map((b) => ({ ...b })) } });
    expect((m.children()[0] as Chain).children().map((p) => p.constructor.name)).toEqual(['MultibandCompressor', 'Limiter']);
    expect(m.multiband).toBeInstanceOf(MultibandCompressor);
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 8000, 6);
    const y = render(m, x, [128, 1000, 4001]);
    const mb = new MultibandCompressor(m.params.multiband!);
    const lim = new Limiter(m.params.limiter!);
    const z = clone(x);
    for (const p of [mb, lim]) {
      p.prepare({ sampleRate: FS, maxBlockSize: 8000, channels: 2 });
      p.process(z);
    }
    expect(identical(y, z), firstDifference(y, z)).toBe(true);
    const out = new Float64Array(16);
    m.readMeters(out, 0);
    const bands = new Float64Array(6);
    m.multiband!.readMeters(bands, 0);
    expect(out[MASTERING_METER_SLOTS.dynamicsMaxGainReductionDb]).toBe(bands[1]);
    const copy = processorFromJSON(JSON.parse(JSON.stringify(m))) as MasteringChain;
    expect(copy.params).toEqual(m.params);
  });

  it('every stage off and no meters: the identity, bit for bit', () => {
    const m = new MasteringChain({ eq: null, compressor: null, limiter: null, meters: false });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 1000, 5);
    const y = render(m, x, [128, 256, 384, 512, 640, 768, 896]);
    expect(identical(x, y)).toBe(true);
    expect(m.latency).toBe(0);
  });

  it('mid/side EQ: side bands leave a mono signal (L = R) untouched', () => {
    const m = new MasteringChain({ eq: { midSide: true, sideBands: [{ type: 'highshelf', frequencyHz: 2000, gainDb: 6 }] }, compressor: null, limiter: null, meters: false });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const s = sine(4096, 3000, FS, 0.5);
    const y = render(m, [s, s.slice()], [1000]);
    expect(identical(y, [s, s])).toBe(true);
    // And a side-only signal (L = −R) is boosted by the shelf: +6 dB at 3 kHz, well above 2 kHz (≈ +5 dB).
    const z = render(m, [s.slice(), s.map((v) => -v)], []);
    const gain = 20 * Math.log10(Math.max(...z[0].subarray(2048)) / 0.5);
    expect(gain).toBeGreaterThan(4);
    expect(gain).toBeLessThan(6.1);
  });

  it('adds and removes stages with set(); a stage’s options merge into its current ones', () => {
    const m = new MasteringChain();
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const before = m.compressor;
    m.set({ compressor: { ratio: 3 } });
    expect(m.compressor).toBe(before);
    expect(m.compressor!.params).toMatchObject({ ratio: 3, thresholdDb: -12 });
    m.set({ saturator: {}, compressor: null });
    expect(m.compressor).toBeUndefined();
    expect(m.saturator!.params.driveDb).toBe(2);
    expect((m.children()[0] as Chain).children().map((p) => p.constructor.name)).toEqual(['LoudnessMeter', 'ParametricEQ', 'Saturator', 'Limiter', 'LoudnessMeter']);
    m.set({ eq: { midSide: true } });
    expect(m.eq).toBeInstanceOf(MidSide);
    // Runs after the edits (the Chain fades them in), finite and under the ceiling.
    const x = multiChannel(2, 48000, 2).map((c) => c.map((v) => v * 3));
    const y = render(m, x, []);
    expect(y.every((c) => c.every((v) => Number.isFinite(v) && Math.abs(v) <= 10 ** (-1 / 20)))).toBe(true);
  });

  it('read-outs: the meters measure the chain’s input and output, the limiter its gain reduction', () => {
    const m = new MasteringChain({ limiter: { driveDb: 12 } });
    m.prepare({ sampleRate: FS, maxBlockSize: 512, channels: 2 });
    expect(m.meterNames).toBe(MASTERING_METER_NAMES);
    const x = multiChannel(2, FS * 2, 4).map((c) => c.map((v) => v * 0.5));
    const y = render(m, x, Array.from({ length: 180 }, (_, i) => (i + 1) * 512));
    const out = new Float64Array(20).fill(NaN);
    m.readMeters(out, 2);
    const r = out.subarray(2);
    const a = measureLoudness(x, FS);
    const b = measureLoudness(y, FS);
    expect(r[MASTERING_METER_SLOTS.inputIntegratedLufs]).toBeCloseTo(a.integrated, 6);
    expect(r[MASTERING_METER_SLOTS.outputIntegratedLufs]).toBeCloseTo(b.integrated, 6);
    expect(r[MASTERING_METER_SLOTS.inputSamplePeakDbfs]).toBeCloseTo(a.samplePeak, 6);
    const lim = new Float64Array(2);
    m.limiter!.readMeters(lim, 0);
    expect(r[MASTERING_METER_SLOTS.limiterGainReductionDb]).toBe(lim[0]);
    expect(r[MASTERING_METER_SLOTS.limiterMaxGainReductionDb]).toBeGreaterThan(3);
    const comp = new Float64Array(2);
    m.compressor!.readMeters(comp, 0);
    expect(r[MASTERING_METER_SLOTS.dynamicsMaxGainReductionDb]).toBe(comp[1]);
    expect(out[0]).toBeNaN();
    // Without meters: −Infinity; without a compressor: 0.
    const bare = new MasteringChain({ meters: false, compressor: null });
    bare.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const o2 = new Float64Array(16);
    bare.readMeters(o2, 0);
    expect(o2[MASTERING_METER_SLOTS.inputIntegratedLufs]).toBe(-Infinity);
    expect(o2[MASTERING_METER_SLOTS.dynamicsGainReductionDb]).toBe(0);
  });

  it('is a preset: toJSON → JSON → processorFromJSON rebuilds the same chain (same output)', () => {
    const m = full();
    m.set({ compressor: { ratio: Infinity } });
    const text = JSON.stringify(m);
    expect(text).toContain('"Infinity"');
    const copy = processorFromJSON(JSON.parse(text)) as MasteringChain;
    expect(copy).toBeInstanceOf(MasteringChain);
    expect(copy.params).toEqual(m.params);
    expect(copy.params.compressor?.ratio).toBe(Infinity);
    for (const p of [m, copy]) p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 6000, 8);
    expect(identical(render(m, x, [128]), render(copy, x, [128]))).toBe(true);
    expect(() => processorFromJSON({ type: 'MasteringChain', params: { limiter: { ceilingDb: 'loud' } } })).toThrow(/MasteringChain\.limiter\.ceilingDb/);
  });

  it('the input meter is a LoudnessMeter per BS.1770 (a 997 Hz sine at −20 dBFS in one channel of two reads −23.01 LUFS)', () => {
    const m = new MasteringChain({ meters: true });
    m.prepare({ sampleRate: FS, maxBlockSize: 1000, channels: 2 });
    const s = sine(FS * 3, 997, FS, 0.1);
    render(m, [s, new Float32Array(s.length)], Array.from({ length: 143 }, (_, i) => (i + 1) * 1000));
    expect(m.inputMeter).toBeInstanceOf(LoudnessMeter);
    expect(m.inputMeter!.reading().integrated).toBeCloseTo(-20 - 3.01, 1);
  });
});

describe('MasteringChain with every stage and its meters: the contract, lighter', () => {
  const spec = { sampleRate: FS, maxBlockSize: 256, channels: 2 };
  const x = multiChannel(2, 12000, 9).map((c) => c.map((v) => v * 2));

  it('any partition gives the same output and the same read-outs', () => {
    const readings = (p: MasteringChain) => {
      const o = new Float64Array(16);
      p.readMeters(o, 0);
      return [...o];
    };
    const a = full();
    a.prepare(spec);
    const ya = render(a, x, Array.from({ length: 46 }, (_, i) => (i + 1) * 256));
    for (const cuts of [[1, 2, 3, 100, 356, 357, 5000, 5001], [255, 511, 767, 8000, 11999], Array.from({ length: 300 }, (_, i) => 40 * (i + 1))]) {
      const b = full();
      b.prepare(spec);
      const yb = render(b, x, cuts);
      expect(identical(ya, yb), firstDifference(ya, yb)).toBe(true);
      expect(readings(b)).toEqual(readings(a));
    }
  });

  it('repeats its output after reset(); recovers from NaN / ±Infinity input', () => {
    const a = full();
    a.prepare(spec);
    const y1 = render(a, x, [1000]);
    a.reset();
    const y2 = render(a, x, [3000]);
    expect(identical(y1, y2)).toBe(true);
    const bad = clone(x);
    bad[0][100] = NaN;
    bad[1][200] = Infinity;
    bad[0][300] = -Infinity;
    a.reset();
    render(a, bad, []);
    const y3 = render(a, x, []);
    expect(y3.every((c) => c.subarray(6000).every((v) => Number.isFinite(v)))).toBe(true);
  });

  it('allocates nothing in process() and readMeters() (4000 blocks of 128 frames)', async () => {
    const { allocationFree, measureAllocationSettled } = await import('../support/alloc.js');
    const p = full();
    p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const src = multiChannel(2, 128, 3);
    const block = clone(src);
    const meters = new Float64Array(17);
    const { report, first } = await measureAllocationSettled(() => {
      for (let ch = 0; ch < 2; ch++) block[ch].set(src[ch]);
      p.process(block, 128);
      p.readMeters(meters, 1);
    }, 4000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { Chain } from '../../src/chains/chain.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { LoudnessMeter } from '../../src/metering/loudness-meter.js';
import { Panner } from '../../src/stereo/panner.js';
import { StereoWidener } from '../../src/stereo/stereo-widener.js';
import { MAX_JSON_NESTING, processorFromJSON } from '../../src/registry.js';
import { describeProcessor, render } from '../support/conformance.js';
import { identical, firstDifference, multiChannel } from '../support/signals.js';

const FS = 48000;
const eq = () => new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 1000, gainDb: 4, q: 1 }] });
const master = () => new Chain([eq(), new Compressor({ thresholdDb: -20, ratio: 3, lookaheadMs: 2 }), new Limiter({ ceilingDb: -3, lookaheadMs: 1.5 })]);

describeProcessor<Chain>({
  name: 'Chain (EQ → compressor → limiter)',
  create: master,
  automation: [
    { at: 500, apply: (p) => p.setBypassed(1, true) },
    { at: 1700, apply: (p) => p.set({ bypassed: [true, false, false] }) },
    { at: 2600, apply: (p) => (p.at(0) as ParametricEQ).set({ outputGainDb: -2 }) },
  ],
  ramp: (p) => {
    p.setBypassed(2, !p.isBypassed(2));
    p.setBypassed(0, !p.isBypassed(0));
  },
  badParams: [
    { label: 'a bypass list with a non-boolean', call: (p) => p.set({ bypassed: [1 as unknown as boolean] }), error: TypeError, message: /Chain.bypassed\[0\] must be a boolean/ },
    { label: 'a bypass list longer than the chain', call: (p) => p.set({ bypassed: [false, false, false, false] }), error: RangeError, message: /4 entries for 3 slots/ },
    { label: 'a slot index out of range', call: (p) => p.setBypassed(3, true), error: RangeError, message: /slot index must be an integer in \[0, 2\], got 3/ },
    { label: 'an unknown option', call: (p) => p.set({ bypass: [] } as never), error: TypeError, message: /unknown option "bypass"/ },
  ],
  silence: { exact: true, tailSeconds: 0.5, level: 1e-6 },
});

describeProcessor<Chain>({
  name: 'Chain (empty)',
  create: () => new Chain(),
  badParams: [],
  silence: { exact: true, tailSeconds: 0, level: 0 },
});

describe('Chain', () => {
  it('an empty chain is the identity, bit for bit (including -0, ±Infinity and NaN)', () => {
    const c = new Chain();
    c.prepare({ sampleRate: FS, maxBlockSize: 64, channels: 2 });
    const x = multiChannel(2, 1000, 1);
    x[0][3] = -0;
    x[0][4] = Infinity;
    x[1][5] = NaN;
    const y = x.map((ch) => ch.slice());
    c.process(y);
    for (let ch = 0; ch < 2; ch++) for (let i = 0; i < 1000; i++) expect(Object.is(y[ch][i], x[ch][i])).toBe(true);
    expect(c.latency).toBe(0);
  });

  it('equals its slots run one after another, and reports the sum of their latencies', () => {
    const x = multiChannel(2, 4096, 2);
    const chain = master();
    chain.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const parts = [eq(), new Compressor({ thresholdDb: -20, ratio: 3, lookaheadMs: 2 }), new Limiter({ ceilingDb: -3, lookaheadMs: 1.5 })];
    for (const p of parts) p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const a = render(chain, x, [1000, 1100, 3000]);
    let b = x;
    for (const p of parts) b = render(p, b, [128, 256, 2000]);
    expect(identical(a, b), firstDifference(a, b)).toBe(true);
    expect(chain.latency).toBe(parts[1].latency + parts[2].latency);
    expect(chain.latency).toBe(Math.round(0.002 * FS) + parts[2].latency);
  });

  it('bypassing a slot with latency keeps the chain aligned: an impulse comes out at the same sample, whatever is bypassed', () => {
    const frames = 8192;
    const impulse = [new Float32Array(frames), new Float32Array(frames)];
    impulse[0][100] = 0.25;
    impulse[1][100] = 0.25;
    // Below every threshold, so each slot is a pure delay of its latency (and the EQ is flat).
    const make = () => new Chain([new Compressor({ thresholdDb: 0, lookaheadMs: 2 }), new Limiter({ ceilingDb: -1, lookaheadMs: 3 })]);
    for (const bypassed of [[false, false], [true, false], [false, true], [true, true]]) {
      const c = make();
      c.set({ bypassed });
      c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
      const y = render(c, impulse, [128, 4096]);
      let at = -1;
      for (let i = 0; i < frames; i++) if (y[0][i] !== 0) at = at < 0 ? i : at;
      expect(at, JSON.stringify(bypassed)).toBe(100 + c.latency);
      expect(y[0][100 + c.latency]).toBeCloseTo(0.25, 6);
    }
  });

  it('a bypass change while running cross-fades over 20 ms, with no step larger than the signal allows', () => {
    const c = new Chain([new ParametricEQ({ outputGainDb: -12 })]);
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const x = [new Float32Array(4800).fill(0.5)];
    const y = render(c, x, [], [{ at: 960, apply: (p) => p.setBypassed(0, true) }]);
    const wet = 0.5 * 10 ** (-12 / 20);
    expect(y[0][959]).toBeCloseTo(wet, 5);
    // Linear fade over 960 samples from wet to dry (0.5).
    for (const k of [1, 240, 480, 959]) expect(y[0][959 + k]).toBeCloseTo(wet + (k / 960) * (0.5 - wet), 5);
    expect(y[0][960 + 960]).toBeCloseTo(0.5, 6);
    expect(y[0][4799]).toBe(0.5);
  });

  it('collects its slots’ read-outs in slot order', () => {
    const meter = new LoudnessMeter();
    const comp = new Compressor({ thresholdDb: -30, ratio: 4 });
    const c = new Chain([comp, eq(), meter]);
    expect(c.meterNames).toEqual([...comp.meterNames, ...meter.meterNames]);
    c.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    render(c, multiChannel(2, 48000, 3), []);
    const out = new Float64Array(c.meterNames.length);
    c.readMeters(out, 0);
    expect(out[0]).toBe(comp.gainReductionDb);
    expect(out[2]).toBe(meter.momentary);
    expect(out[4]).toBe(meter.integrated);
  });

  it('takes the intersection of its slots’ channel ranges; rejects impossible mixes and non-processors', () => {
    expect(new Chain([new Panner(), eq()]).channelRange).toEqual({ min: 2, max: 2 });
    expect(() => new Chain([new Panner()]).prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 })).toThrow(/Chain needs 2 channels/);
    expect(() => new Chain([{} as never])).toThrow(/processors\[0\] must be a processor/);
    expect(() => new Chain('eq' as never)).toThrow(TypeError);
    const e = eq();
    expect(() => new Chain([e, e])).toThrow(/already in the chain/);
  });

  it('round-trips through JSON, nested, to identical output', () => {
    const inner = new Chain([new StereoWidener({ width: 1.3 }), new Compressor({ ratio: 2 })], { bypassed: [false, true] });
    const outer = new Chain([eq(), inner, new Limiter()]);
    const copy = processorFromJSON(JSON.parse(JSON.stringify(outer)));
    expect(copy).toBeInstanceOf(Chain);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(outer));
    const spec = { sampleRate: FS, maxBlockSize: 128, channels: 2 };
    outer.prepare(spec);
    copy.prepare(spec);
    const x = multiChannel(2, 4096, 5);
    const a = render(outer, x, [128, 1024]);
    const b = render(copy, x, [128, 1024]);
    expect(identical(a, b), firstDifference(a, b)).toBe(true);
  });

  it('rejects hostile JSON with clear errors: holes, unknown keys, unknown types, nesting beyond the limit', () => {
    expect(() => processorFromJSON({ type: 'Chain', params: { processors: [, { type: 'Limiter', params: {} }] } } as never)).toThrow(/processors\[0\] is missing/);
    expect(() => processorFromJSON({ type: 'Chain', params: { processors: [], extra: 1 } } as never)).toThrow(/unknown option "extra"/);
    expect(() => processorFromJSON({ type: 'Chain', params: { processors: [{ type: 'Flanger', params: {} }] } })).toThrow(/unknown processor type "Flanger"/);
    let deep: unknown = { type: 'Limiter', params: {} };
    for (let i = 0; i < MAX_JSON_NESTING + 2; i++) deep = { type: 'Chain', params: { processors: [deep] } };
    expect(() => processorFromJSON(deep as never)).toThrow(/nested deeper than 32 levels/);
    let ok: unknown = { type: 'Limiter', params: {} };
    for (let i = 0; i < 10; i++) ok = { type: 'Chain', params: { processors: [ok] } };
    expect(processorFromJSON(ok as never)).toBeInstanceOf(Chain);
  });
});

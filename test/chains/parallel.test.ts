import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chain } from '../../src/chains/chain.js';
import { Parallel } from '../../src/chains/parallel.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { Panner } from '../../src/stereo/panner.js';
import { processorFromJSON } from '../../src/registry.js';
import { describeProcessor, render } from '../support/conformance.js';
import { clone, firstDifference, identical, multiChannel, runs } from '../support/signals.js';

const FS = 48000;
const SPEC = { sampleRate: FS, maxBlockSize: 128, channels: 2 };
const squash = () => new Compressor({ thresholdDb: -30, ratio: 8, attackMs: 1, releaseMs: 60, lookaheadMs: 2 });

// The conformance cases wrap a limiter and a chain, not a compressor: a Compressor's process()
// can box a number per call after some histories (deterministic for one channel with lookahead
// after 1-frame blocks, reproduced by test/dynamics/compressor.test.ts alone; intermittent for two
// channels here under load), a Compressor issue reported with this branch. The closed-form tests
// below use the compressor.
describeProcessor<Parallel>({
  name: 'Parallel (limiter, mix 0.6)',
  create: () => new Parallel(new Limiter({ ceilingDb: -8, lookaheadMs: 1.5 }), { mix: 0.6, dryGainDb: -2 }),
  automation: [
    { at: 600, apply: (p) => p.set({ mix: 0.1 }) },
    { at: 1900, apply: (p) => p.set({ mix: 1, wetGainDb: 4, dryGainDb: -Infinity }) },
    { at: 3000, apply: (p) => p.set({ mix: 0 }) },
  ],
  ramp: (p) => p.set({ mix: p.params.mix > 0.5 ? 0.2 : 0.8, wetGainDb: p.params.wetGainDb === 0 ? -6 : 0 }),
  badParams: [
    { label: 'a mix above 1', call: (p) => p.set({ mix: 1.5 }), error: RangeError, message: /Parallel.mix must be in \[0, 1\], got 1.5/ },
    { label: 'a NaN mix', call: (p) => p.set({ mix: NaN }), error: RangeError, message: /Parallel.mix must be in \[0, 1\], got NaN/ },
    { label: 'a dry gain above 24 dB', call: (p) => p.set({ dryGainDb: 30 }), error: RangeError, message: /Parallel.dryGainDb must be in \[-Infinity, 24\] dB, got 30/ },
    { label: 'a wet gain given as text', call: (p) => p.set({ wetGainDb: '3' as unknown as number }), error: TypeError, message: /Parallel.wetGainDb must be a number/ },
    { label: 'an unknown option', call: (p) => p.set({ wet: 1 } as never), error: TypeError, message: /unknown option "wet"/ },
  ],
  silence: { exact: true, tailSeconds: 0.1, level: 0 },
});

describeProcessor<Parallel>({
  name: 'Parallel (chain: EQ → limiter, mix 0.5)',
  create: () => new Parallel(new Chain([new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 2000, gainDb: 9, q: 0.7 }] }), new Limiter({ ceilingDb: -6, lookaheadMs: 3 })]), { mix: 0.5 }),
  channels: [2, 3],
  automation: [{ at: 1000, apply: (p) => p.set({ mix: 0.8, dryGainDb: -3 }) }],
  ramp: (p) => p.set({ mix: p.params.mix > 0.5 ? 0.2 : 0.8 }),
  badParams: [],
  silence: { exact: true, tailSeconds: 0.5, level: 1e-6 },
});

/** `x` delayed by `d` samples (zeros first). */
function delayed(x: readonly Float32Array[], d: number): Float32Array[] {
  return x.map((ch) => {
    const y = new Float32Array(ch.length);
    y.set(ch.subarray(0, ch.length - d), d);
    return y;
  });
}

/** The wet path alone: a fresh, identically configured processor over the same blocks. */
function wetAlone(make: () => Compressor, x: readonly Float32Array[], cuts: number[]): Float32Array[] {
  const c = make();
  c.prepare(SPEC);
  return render(c, x, cuts);
}

describe('Parallel', () => {
  const loud = () => multiChannel(2, 6000, 12).map((ch) => ch.map((v) => 2 * v));

  it('mix 0 is the input delayed by the latency, bit for bit (any float32, NaN and −0 included)', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { minLength: 200, maxLength: 600 }), fc.integer({ min: 1, max: 128 }), (values, block) => {
        const p = new Parallel(squash(), { mix: 0 });
        p.prepare(SPEC);
        const x = [Float32Array.from(values), Float32Array.from(values).reverse()];
        x[0][0] = -0;
        const cuts: number[] = [];
        for (let i = block; i < values.length; i += block) cuts.push(i);
        const y = render(p, x, cuts);
        const want = delayed(x, p.latency);
        if (!identical(y, want)) throw new Error(firstDifference(y, want));
      }),
      { numRuns: runs(60) },
    );
    expect(new Parallel(squash()).latency).toBe(0);
    const p = new Parallel(squash());
    p.prepare(SPEC);
    expect(p.latency).toBe(Math.round(0.002 * FS));
  });

  it('mix 1 is the wet output, bit for bit', () => {
    const p = new Parallel(squash(), { mix: 1 });
    p.prepare(SPEC);
    const x = loud();
    const y = render(p, x, [128, 1000]);
    const wet = wetAlone(squash, x, [128, 1000]);
    expect(identical(y, wet), firstDifference(y, wet)).toBe(true);
    // The dry path is left out, not multiplied by 0: an infinite dry sample (0·∞ = NaN) cannot leak in.
    const q = new Parallel(new Chain(), { mix: 1 });
    q.prepare(SPEC);
    const z = [Float32Array.of(Infinity, -Infinity, NaN, -0, 2 ** -149, 1), Float32Array.of(-0, 3.4028234663852886e38, 0, Infinity, -1, NaN)];
    const out = render(q, z, [2]);
    expect(identical(out, z), firstDifference(out, z)).toBe(true);
  });

  it('mix 0.5 is 0.5·delayed dry + 0.5·wet, the wet computed separately (within float32 rounding)', () => {
    const p = new Parallel(squash(), { mix: 0.5 });
    p.prepare(SPEC);
    const x = loud();
    const y = render(p, x, [77, 1000]);
    const wet = wetAlone(squash, x, [300]);
    const dry = delayed(x, Math.round(0.002 * FS));
    let reduced = 0;
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 6000; i++) {
        const want = 0.5 * dry[c][i] + 0.5 * wet[c][i];
        expect(Math.abs(y[c][i] - want), `channel ${c} sample ${i}`).toBeLessThanOrEqual(2 ** -24 * Math.abs(want));
        if (Math.abs(wet[c][i]) < 0.8 * Math.abs(dry[c][i])) reduced++;
      }
    }
    expect(reduced).toBeGreaterThan(1000); // the compressor really works: the mix is not trivial
  });

  it('applies the dry and wet gains: (1 − mix)·g_dry·dry + mix·g_wet·wet', () => {
    const p = new Parallel(squash(), { mix: 0.3, dryGainDb: -6, wetGainDb: 3 });
    p.prepare(SPEC);
    const x = loud();
    const y = render(p, x, [128]);
    const wet = wetAlone(squash, x, [128]);
    const dry = delayed(x, p.latency);
    const gd = 0.7 * 10 ** (-6 / 20);
    const gw = 0.3 * 10 ** (3 / 20);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 6000; i++) {
        const want = gd * dry[c][i] + gw * wet[c][i];
        expect(Math.abs(y[c][i] - want)).toBeLessThanOrEqual(2 ** -23 * (Math.abs(gd * dry[c][i]) + Math.abs(gw * wet[c][i])) + 1e-12);
      }
    }
  });

  it('lines dry and wet up: an impulse through a lookahead compressor comes out once, whole, at the latency', () => {
    for (const lookaheadMs of [0, 1, 5]) {
      const p = new Parallel(new Compressor({ thresholdDb: 0, ratio: 4, lookaheadMs }), { mix: 0.5 });
      p.prepare(SPEC);
      expect(p.latency).toBe(Math.round((lookaheadMs / 1000) * FS));
      const x = [new Float32Array(2048), new Float32Array(2048)];
      x[0][200] = 0.25;
      x[1][200] = -0.125;
      const y = render(p, x, [128, 129, 1000]);
      const at = 200 + p.latency;
      // Below threshold the compressor is a delay, so dry and wet add to the impulse itself.
      expect(y[0][at]).toBeCloseTo(0.25, 6);
      expect(y[1][at]).toBeCloseTo(-0.125, 6);
      for (let i = 0; i < 2048; i++) if (i !== at) expect(Math.abs(y[0][i]) + Math.abs(y[1][i]), `sample ${i}`).toBeLessThan(1e-7);
    }
  });

  it('smooths a mix change linearly over smoothingMs (closed form)', () => {
    const g = 10 ** (-12 / 20);
    const p = new Parallel(new ParametricEQ({ outputGainDb: -12 }), { mix: 0, smoothingMs: 10 });
    p.prepare({ ...SPEC, channels: 1 });
    const x = [new Float32Array(2400).fill(0.5)];
    const y = render(p, x, [50], [{ at: 960, apply: (q) => q.set({ mix: 1 }) }]);
    expect(y[0][959]).toBe(0.5);
    // 10 ms = 480 samples: after k samples mix = k/480, out = 0.5·((1 − mix) + mix·g).
    for (const k of [1, 120, 240, 479]) expect(y[0][959 + k]).toBeCloseTo(0.5 * (1 - k / 480 + (k / 480) * g), 6);
    expect(y[0][960 + 479]).toBe(Math.fround(0.5 * g));
    expect(y[0][2399]).toBe(Math.fround(0.5 * g));
  });

  it('has the wet processor’s channel range and read-outs', () => {
    const comp = squash();
    const p = new Parallel(comp, { mix: 0.5 });
    expect(p.meterNames).toEqual(comp.meterNames);
    expect(p.channelRange).toEqual(comp.channelRange);
    p.prepare(SPEC);
    render(p, loud(), [128]);
    const out = new Float64Array(3).fill(7);
    p.readMeters(out, 1);
    expect(out[0]).toBe(7);
    expect(out[1]).toBe(comp.gainReductionDb);
    expect(out[1]).toBeGreaterThan(0);
    expect(new Parallel(new Panner()).channelRange).toEqual({ min: 2, max: 2 });
    expect(() => new Parallel(new Panner()).prepare({ ...SPEC, channels: 1 })).toThrow(/Parallel needs 2 channels/);
    expect(() => new Parallel(null as never)).toThrow(/Parallel: wet must be a processor/);
    expect(() => new Parallel(squash(), { mix: -0.1 })).toThrow(RangeError);
  });

  it('round-trips through JSON (−Infinity gain as text, a chain as the wet path) to identical output', () => {
    const p = new Parallel(new Chain([new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 3000, gainDb: 6, q: 1 }] }), squash()]), { mix: 0.4, dryGainDb: -Infinity, wetGainDb: 2 });
    const text = JSON.stringify(p);
    expect(text).toContain('"dryGainDb":"-Infinity"');
    const q = processorFromJSON(JSON.parse(text));
    expect(q).toBeInstanceOf(Parallel);
    expect((q as Parallel).params).toEqual(p.params);
    expect(JSON.stringify(q)).toBe(text);
    p.prepare(SPEC);
    q.prepare(SPEC);
    const x = loud();
    const a = render(p, x, [128, 3000]);
    const b = render(q, clone(x), [500]);
    expect(identical(a, b), firstDifference(a, b)).toBe(true);
    expect(() => processorFromJSON({ type: 'Parallel', params: { mix: 0.5 } })).toThrow(/json.params.wet must be a processor description/);
    expect(() => processorFromJSON({ type: 'Parallel', params: { wet: { type: 'Limiter', params: {} }, mix: 2 } })).toThrow(/Parallel.mix must be in \[0, 1\], got 2/);
    expect(() => processorFromJSON({ type: 'Parallel', params: { wet: { type: 'Limiter', params: {} }, blend: 1 } })).toThrow(/unknown option "blend"/);
  });
});

/**
 * Live edits of a Chain (insert, remove, move, replace while running): the fade-out / swap /
 * fade-in against its closed form, the state after the fade against a chain built with the new
 * layout, block-partition independence, composition, allocation, validation and the slot types.
 */
import { describe, expect, it } from 'vitest';
import { CHAIN_EDIT_FADE_SECONDS, Chain } from '../../src/chains/chain.js';
import type { Processor } from '../../src/core/processor.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { Panner } from '../../src/stereo/panner.js';
import { StereoWidener } from '../../src/stereo/stereo-widener.js';
import { processorFromJSON } from '../../src/registry.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { describeProcessor, render } from '../support/conformance.js';
import { clone, firstDifference, identical, multiChannel } from '../support/signals.js';

const FS = 48000;
/** Samples per half of the edit fade: round(0.01 · 48000). */
const L = 480;
const spec = (channels: number, maxBlockSize = 128) => ({ sampleRate: FS, maxBlockSize, channels });
const gainEq = (db: number) => new ParametricEQ({ outputGainDb: db });
/** Below its threshold for every signal here (|x| < 1), so a pure delay of its lookahead. */
const delayComp = (ms: number) => new Compressor({ thresholdDb: 0, lookaheadMs: ms });

function sine(frames: number, amp: number, hz: number, channels = 1): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / FS + c)));
}

function maxStep(y: Float32Array, from = 1): number {
  let m = 0;
  for (let i = from; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - y[i - 1]));
  return m;
}

describeProcessor<Chain>({
  name: 'Chain edited while running',
  create: (): Chain => new Chain([gainEq(-2), new Compressor({ thresholdDb: -20, ratio: 3, lookaheadMs: 1 })]),
  channels: [2],
  automation: [
    // Latency-neutral edits (the contract's check holds latency constant); latency changes are tested below.
    { at: 512, apply: (p) => p.insert(1, gainEq(3)) },
    { at: 768, apply: (p) => p.move(0, 2) },
    { at: 1536, apply: (p) => void p.replace(0, new StereoWidener({ width: 1.4 })) },
    { at: 2560, apply: (p) => void p.remove(2) },
  ],
  ramp: (p) => {
    if (p.length > 2) p.remove(2);
    else p.insert(2, new Limiter({ ceilingDb: -6, lookaheadMs: 1 }));
  },
  badParams: [
    { label: 'insert at an index past the end', call: (p) => p.insert(3, gainEq(0)), error: RangeError, message: /^Chain\.insert\(index, processor\): index must be an integer in \[0, 2\], got 3$/ },
    { label: 'insert of a non-processor', call: (p) => p.insert(0, {} as never), error: TypeError, message: /^Chain\.insert\(index, processor\): processor must be a processor/ },
    { label: 'remove of a fractional index', call: (p) => p.remove(0.5), error: RangeError, message: /^Chain\.remove\(index\): index must be an integer in \[0, 1\], got 0\.5$/ },
    { label: 'move to a string index', call: (p) => p.move(0, '1' as never), error: TypeError, message: /^Chain\.move\(from, to\): to must be an integer in \[0, 1\], got "1"$/ },
    { label: 'replace by a processor already in the chain', call: (p) => p.replace(0, p.at(1)), error: TypeError, message: /^Chain\.replace\(index, processor\): processor is already in the chain, in slot 1/ },
  ],
  silence: { exact: true, tailSeconds: 0.5, level: 1e-6 },
});

describe('Chain: editing while running', () => {
  it('the fade length is CHAIN_EDIT_FADE_SECONDS', () => {
    expect(Math.round(CHAIN_EDIT_FADE_SECONDS * FS)).toBe(L);
  });

  it('inserting a gain: the output follows the closed-form fade-out / swap / fade-in, and no step exceeds what the sine and the fade allow', () => {
    const amp = 0.5;
    const hz = 1000;
    const n = 4096;
    const E = 1024;
    const g = 10 ** (-12 / 20);
    const x = sine(n, amp, hz);
    const c = new Chain();
    c.prepare(spec(1));
    const y = render(c, x, [128, 300, 2000], [{ at: E, apply: (p) => p.insert(0, gainEq(-12)) }]);
    // y = x before E; x·(L−1−j)/L for the L samples from E; then g·x·(j+1)/L; then g·x.
    const expected = (t: number): number => {
      const s = amp * Math.sin((2 * Math.PI * hz * t) / FS);
      if (t < E) return s;
      if (t < E + L) return (s * (L - 1 - (t - E))) / L;
      if (t < E + 2 * L) return (g * s * (t - E - L + 1)) / L;
      return g * s;
    };
    let worst = 0;
    for (let t = 0; t < n; t++) worst = Math.max(worst, Math.abs(y[0][t] - expected(t)));
    expect(worst).toBeLessThan(1e-6);
    // |Δ(a·s)| ≤ |Δa|·|s| + |a|·|Δs| ≤ amp/L + amp·2π·hz/fs (a the fade gain, s the sine).
    const bound = amp / L + (amp * 2 * Math.PI * hz) / FS + 1e-6;
    expect(maxStep(y[0])).toBeLessThan(bound);
    // A swap without the fade would step by up to amp·(1 − g): the bound would catch it.
    const hard = Float32Array.from({ length: n }, (_, t) => (t < E ? 1 : g) * amp * Math.sin((2 * Math.PI * hz * t) / FS));
    expect(maxStep(hard)).toBeGreaterThan(bound);
  });

  it('inserting a processor with latency: silent for its latency after the swap (its delay line is empty), then the fade-in of the delayed sine; timing jumps only where the output is 0', () => {
    const amp = 0.5;
    const hz = 440;
    const n = 4096;
    const E = 768;
    const x = sine(n, amp, hz);
    const c = new Chain();
    c.prepare(spec(1));
    const comp = delayComp(2);
    const y = render(c, x, [128, 1000], [{ at: E, apply: (p) => p.insert(0, comp) }]);
    const D = Math.round(0.002 * FS);
    expect(comp.latency).toBe(D);
    expect(c.latency).toBe(D);
    const s = (t: number) => amp * Math.sin((2 * Math.PI * hz * t) / FS);
    for (let t = 0; t < n; t++) {
      let e: number;
      if (t < E) e = s(t);
      else if (t < E + L) e = (s(t) * (L - 1 - (t - E))) / L;
      else if (t < E + L + D) e = 0;
      else if (t < E + 2 * L + D) e = (s(t - D) * (t - E - L - D + 1)) / L;
      else e = s(t - D);
      if (Math.abs(y[0][t] - e) > 1e-6) throw new Error(`sample ${t}: ${y[0][t]} vs ${e}`);
    }
    expect(maxStep(y[0])).toBeLessThan(amp / L + (amp * 2 * Math.PI * hz) / FS + 1e-6);
  });

  it('after the fade, the output equals a chain built with the new layout from the start, bit for bit (processors whose memory is shorter than the fade)', () => {
    // Memory of each processor: the panner and the widener have none once their smoothers have
    // settled; the EQ with no bands only its gain smoother; the compressor below threshold its
    // lookahead (48 samples). The edited chain's processors have seen a different history
    // (another position, or nothing before the swap), so only after that memory has been refilled
    // with the new layout's signal can the two agree; the swap plus the hold and the fade-in
    // (≥ 480 samples) covers it.
    const n = 6144;
    const x = multiChannel(2, n, 7).map((ch) => ch.map((v) => v * 0.5));
    const E = 1024;
    const pan = new Panner({ pan: 0.3 });
    const comp = delayComp(1);
    const c: Chain = new Chain([pan, comp]);
    c.prepare(spec(2));
    const y = render(c, x, [128, 700, 3000], [
      {
        at: E,
        apply: (p) => {
          p.insert(0, gainEq(-3));
          p.move(1, 2); // panner after the compressor
          p.insert(3, new StereoWidener({ width: 1.5 }));
        },
      },
    ]);
    const ref = new Chain([gainEq(-3), delayComp(1), new Panner({ pan: 0.3 }), new StereoWidener({ width: 1.5 })]);
    ref.prepare(spec(2));
    const r = render(ref, x, [128]);
    const end = E + L + c.latency + L;
    const tail = (a: Float32Array[]) => a.map((ch) => ch.subarray(end));
    expect(identical(tail(y), tail(r)), firstDifference(tail(y), tail(r))).toBe(true);
    // During the fade they differ (the comparison can fail).
    expect(y[0][E + 100]).not.toBe(r[0][E + 100]);
    expect(c.indexOf(pan)).toBe(2);
    expect(c.latency).toBe(ref.latency);
  });

  it('gives the same output for any block partition, with edits at frames that are boundaries of every partition (multiples of 128)', () => {
    const n = 8192;
    const x = multiChannel(2, n, 3);
    const make = (): Chain => new Chain([gainEq(2), new Compressor({ thresholdDb: -24, ratio: 4, lookaheadMs: 2 })]);
    const edits = () => [
      { at: 1024, apply: (p: Chain) => p.insert(0, new Limiter({ ceilingDb: -2, lookaheadMs: 1 })) },
      { at: 1280, apply: (p: Chain) => p.move(2, 0) }, // during the fade-out of the first edit
      { at: 3072, apply: (p: Chain) => void p.remove(1) },
      { at: 3200, apply: (p: Chain) => void p.replace(0, new StereoWidener({ width: 0.5 })) }, // during the hold / fade-in
      { at: 6144, apply: (p: Chain) => p.setBypassed(1, true) },
    ];
    const run = (maxBlockSize: number, cuts: number[]) => {
      const c = make();
      c.prepare(spec(2, maxBlockSize));
      return render(c, x, cuts, edits());
    };
    const uniform = (b: number) => Array.from({ length: Math.floor((n - 1) / b) }, (_, k) => (k + 1) * b);
    const a = run(128, uniform(128));
    for (const [max, cuts] of [
      [128, uniform(1)],
      [128, uniform(37)],
      [64, [5000]], // blocks far longer than maxBlockSize, split inside
      [1024, [100, 900, 1111, 4000]],
    ] as [number, number[]][]) {
      const b = run(max, cuts);
      expect(identical(a, b), `${max}: ${firstDifference(a, b)}`).toBe(true);
    }
  });

  it('several edits before a block boundary compose: the fade goes straight to the final layout', () => {
    const n = 4096;
    const x = multiChannel(2, n, 11);
    const E = 512;
    const a: Chain = new Chain([gainEq(-1), delayComp(1)]);
    a.prepare(spec(2));
    const ya = render(a, x, [], [
      {
        at: E,
        apply: (p) => {
          p.insert(2, gainEq(-6));
          p.move(0, 2);
          p.remove(1);
          p.insert(0, new Panner({ pan: -0.5 }));
        },
      },
    ]);
    // The same final layout [panner, compressor, −1 dB EQ], reached in two edits.
    const b: Chain = new Chain([gainEq(-1), delayComp(1)]);
    b.prepare(spec(2));
    const yb = render(b, x, [], [
      {
        at: E,
        apply: (p) => {
          p.move(1, 0);
          p.insert(0, new Panner({ pan: -0.5 }));
        },
      },
    ]);
    expect(a.toJSON()).toEqual(b.toJSON());
    // Both fades start at E, so the outputs agree from the start, save the state of the slot
    // that moved (the −1 dB EQ is stateless, so even that is bit for bit).
    expect(identical(ya, yb), firstDifference(ya, yb)).toBe(true);
    // An edit undone before the boundary: no swap; the gain just comes back up.
    const c: Chain = new Chain([gainEq(-1)]);
    c.prepare(spec(2));
    const comp = delayComp(1);
    const yc = render(c, x, [], [{ at: E, apply: (p) => void p.remove(p.insert(0, comp).indexOf(comp)) }]);
    const ref = new Chain([gainEq(-1)]);
    ref.prepare(spec(2));
    const yr = render(ref, x, []);
    expect(identical(yc.map((ch) => ch.subarray(0, E)), yr.map((ch) => ch.subarray(0, E)))).toBe(true);
    // The edit was never heard: no fade at all (the chain saw no block while it was pending).
    expect(identical(yc, yr), firstDifference(yc, yr)).toBe(true);
  });

  it('bypass flags move with their slots; a new slot is not bypassed', () => {
    const eqA = gainEq(-1);
    const eqB = gainEq(-2);
    const c = new Chain([eqA, eqB], { bypassed: [true, false] });
    c.prepare(spec(2));
    c.move(0, 1);
    expect(c.params.bypassed).toEqual([false, true]);
    expect(c.at(1)).toBe(eqA);
    c.insert(0, gainEq(3));
    expect(c.params.bypassed).toEqual([false, false, true]);
    c.replace(2, gainEq(4));
    expect(c.params.bypassed).toEqual([false, false, true]); // the slot keeps its state
    expect(c.remove(0)).toBeInstanceOf(ParametricEQ);
    expect(c.params.bypassed).toEqual([false, true]);
  });

  it('before prepare(), edits apply at once; toJSON and fromJSON reflect the edits', () => {
    const comp = new Compressor({ ratio: 5 });
    const c: Chain = new Chain([gainEq(1)]);
    c.insert(1, comp);
    c.insert(0, new Panner({ pan: 0.25 }));
    c.setBypassed(2, true);
    c.move(2, 0);
    expect(c.editing).toBe(false);
    expect(c.length).toBe(3);
    expect(c.meterNames).toEqual([...comp.meterNames]);
    expect(c.channelRange).toEqual({ min: 2, max: 2 });
    const json = JSON.parse(JSON.stringify(c));
    expect(json.params.processors.map((p: { type: string }) => p.type)).toEqual(['Compressor', 'Panner', 'ParametricEQ']);
    expect(json.params.bypassed).toEqual([true, false, false]);
    const copy = processorFromJSON(json) as Chain;
    expect(JSON.stringify(copy)).toBe(JSON.stringify(c));
    // A running chain: toJSON shows the edits at once, before the swap is heard.
    c.prepare(spec(2));
    c.remove(1);
    expect(c.editing).toBe(true);
    expect(c.toJSON().params.processors).toHaveLength(2);
    const block = [new Float32Array(128), new Float32Array(128)];
    for (let k = 0; k < 12; k++) c.process(block);
    expect(c.editing).toBe(false);
  });

  it('latency, meterNames and channelRange follow the edits', () => {
    const c: Chain = new Chain([gainEq(0)]);
    c.prepare(spec(2));
    const names = c.meterNames;
    expect(c.latency).toBe(0);
    const lim = new Limiter({ lookaheadMs: 1 });
    c.insert(1, lim);
    expect(c.latency).toBe(lim.latency);
    expect(lim.latency).toBeGreaterThan(0);
    expect(c.meterNames).toEqual([...names, ...lim.meterNames]);
    const out = new Float64Array(c.meterNames.length);
    c.readMeters(out, 0); // the new slot's read-outs, prepared and not yet run
    expect(out[0]).toBe(0);
    c.remove(1);
    expect(c.latency).toBe(0);
    expect(c.meterNames).toBe(names); // back to the running layout: the same list
  });

  it('rejects bad edits with the method, the argument, the value and the range, and changes nothing', () => {
    const eq = gainEq(0);
    const c: Chain = new Chain([eq, new Panner()]);
    c.prepare(spec(2));
    const before = JSON.stringify(c);
    expect(() => c.insert(-1, gainEq(0))).toThrow(/^Chain\.insert\(index, processor\): index must be an integer in \[0, 2\], got -1$/);
    expect(() => c.insert(0, eq)).toThrow(/already in the chain, in slot 0/);
    expect(() => c.insert(0, c as never)).toThrow(/processor is this chain/);
    expect(() => c.insert(0, null as never)).toThrow(TypeError);
    expect(() => c.remove(2)).toThrow(/^Chain\.remove\(index\): index must be an integer in \[0, 1\], got 2$/);
    expect(() => c.move(NaN, 0)).toThrow(/^Chain\.move\(from, to\): from must be an integer in \[0, 1\], got NaN$/);
    expect(() => c.replace(5, gainEq(0))).toThrow(RangeError);
    // Channels: a stereo-only processor into a mono chain, running or not.
    const mono: Chain = new Chain([gainEq(0)]);
    mono.prepare(spec(1));
    expect(() => mono.insert(0, new Panner())).toThrow(/^Chain\.insert\(index, processor\): processor needs 2 channels, but the chain runs 1$/);
    expect(mono.length).toBe(1);
    expect(JSON.stringify(c)).toBe(before);
    expect(c.editing).toBe(false);
    expect(() => new Chain().remove(0)).toThrow(/^Chain\.remove\(index\): index must be a slot index, but the chain is empty, got 0$/);
    const stereo: Chain = new Chain([new Panner()]);
    const { StereoOnly, MonoOnly } = rangeProcessors();
    expect(() => stereo.insert(0, new MonoOnly())).toThrow(/^Chain\.insert\(index, processor\): no channel count suits every processor/);
    expect(stereo.length).toBe(1);
    void StereoOnly;
  });

  it('allocates nothing in process() across edits (edits themselves allocate, between blocks)', async () => {
    const c: Chain = new Chain([gainEq(-1), new Compressor({ thresholdDb: -20, lookaheadMs: 1 })]);
    c.prepare(spec(2));
    const src = multiChannel(2, 128, 5);
    const block = clone(src);
    const extra = [new Limiter({ lookaheadMs: 1 }), new StereoWidener({ width: 1.2 })];
    let k = 0;
    // One edit every 8 blocks (8 · 128 = 1024 samples: fade-out, hold, fade-in, idle), made
    // between the measured process() calls in setup and through the list prepared here.
    const edits: (() => void)[] = [() => c.insert(0, extra[0]), () => c.move(0, 2), () => void c.remove(2), () => c.insert(1, extra[1]), () => void c.remove(1)];
    const step = () => {
      for (let ch = 0; ch < 2; ch++) block[ch].set(src[ch]);
      c.process(block, 128);
    };
    // The edits' own allocation (arrays of the new layout) happens in the call, not in process():
    // measure a loop of process() calls that crosses several swaps made before it starts.
    const { report, first } = await measureAllocationSettled(step, 2000, {
      setup: () => {
        for (const e of edits) {
          e();
          k++;
        }
      },
    });
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
    expect(k).toBeGreaterThan(0);
    expect(c.editing).toBe(false);
  });
});

/** Two fake processors with narrow channel ranges (a TypeError-free duck-typed processor). */
function rangeProcessors() {
  class Base implements Processor {
    readonly latency = 0;
    readonly params = {};
    readonly meterNames = [] as const;
    readonly channelRange = { min: 1, max: 64 };
    prepare(): void {}
    process(): void {}
    reset(): void {}
    set(): this {
      return this;
    }
    readMeters(): void {}
    toJSON() {
      return { type: 'Fake', params: {} };
    }
  }
  class StereoOnly extends Base {
    override readonly channelRange = { min: 2, max: 2 };
  }
  class MonoOnly extends Base {
    override readonly channelRange = { min: 1, max: 1 };
  }
  return { StereoOnly, MonoOnly };
}

describe('Chain: slot types', () => {
  it('a chain built from a tuple types at() per slot; find() and indexOf() type any chain', () => {
    const eq = new ParametricEQ();
    const comp = new Compressor();
    const typed = new Chain([eq, comp] as const);
    const c: Compressor = typed.at(1);
    const e: ParametricEQ = typed.at(0);
    expect(c).toBe(comp);
    expect(e).toBe(eq);
    // @ts-expect-error: slot 1 is a Compressor, not a ParametricEQ
    const wrong: ParametricEQ = typed.at(1);
    void wrong;
    typed.at(1).set({ ratio: 3 });
    // @ts-expect-error: a Compressor option the EQ does not have
    expect(() => typed.at(0).set({ ratio: 3 })).toThrow(/unknown option "ratio"/);
    const any: Chain = typed; // a typed chain is a Chain
    const found: Compressor | undefined = any.find(Compressor);
    expect(found).toBe(comp);
    expect(any.find(Limiter)).toBeUndefined();
    expect(any.indexOf(comp)).toBe(1);
    expect(any.indexOf(new Limiter())).toBe(-1);
    // A chain built from an array takes processors of its element type only.
    const eqs = new Chain([new ParametricEQ(), new ParametricEQ()]);
    const first: ParametricEQ = eqs.at(0);
    void first;
    eqs.insert(0, new ParametricEQ());
    // @ts-expect-error: a Limiter in a chain of ParametricEQ
    expect(() => eqs.insert(0, new Limiter())).not.toThrow();
    const open: Chain = new Chain([new ParametricEQ()]);
    open.insert(1, new Limiter()); // `Chain` takes any processor
    expect(open.find(Limiter)).toBeInstanceOf(Limiter);
    expect(() => any.find('Compressor' as never)).toThrow(/^Chain\.find\(cls\): cls must be a class, got "Compressor"$/);
  });
});

/**
 * The worklet processor in Node, in a stand-in AudioWorkletGlobalScope: its process() allocates
 * nothing between meter posts, posts meters at the rate asked, handles commands (set, bypass with
 * a cross-fade, reset, bad input) and never throws from process().
 */
import { describe, expect, it } from 'vitest';
import { processorFromJSON } from '../../src/registry.js';
import { registerMasterbusProcessor, type MasterbusEvent } from '../../src/worklet/index.js';
import { ALLOCATION_BLOCKS, allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { multiChannel } from '../support/signals.js';
import { testChain, useFakeWorkletScope, type FakeProcessor } from './support.js';

const registered = useFakeWorkletScope();
const g = globalThis as unknown as Record<string, unknown>;

function make(meterHz: number, chain = testChain()): FakeProcessor {
  registerMasterbusProcessor('test-chain', (params) => (params as { chain: typeof chain }).chain.map((j) => processorFromJSON(j)));
  const Ctor = registered.get('test-chain')!;
  return new Ctor({ processorOptions: { params: { chain }, channels: 2, meterHz }, outputChannelCount: [2] });
}

describe('worklet processor (stand-in scope)', () => {
  it(`allocates nothing in process() without meter posts (${ALLOCATION_BLOCKS} quanta)`, async () => {
    const p = make(0);
    const input = multiChannel(2, 128, 3);
    const out = [new Float32Array(128), new Float32Array(128)];
    const inputs = [input];
    const outputs = [out];
    const { report, first } = await measureAllocationSettled(() => {
      p.process(inputs, outputs);
    }, ALLOCATION_BLOCKS);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('allocates nothing while bypassed or cross-fading (bypass toggled every 20 quanta)', async () => {
    const p = make(0);
    const input = multiChannel(2, 128, 3);
    const out = [new Float32Array(128), new Float32Array(128)];
    const inputs = [input];
    const outputs = [out];
    const on = { data: { type: 'bypass', value: true } };
    const off = { data: { type: 'bypass', value: false } };
    let k = 0;
    const { report, first } = await measureAllocationSettled(() => {
      if (++k % 20 === 0) p.port.onmessage!((k / 20) % 2 ? on : off);
      p.process(inputs, outputs);
    }, ALLOCATION_BLOCKS);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('a chain that cannot be built posts a fatal error, then passes its input through', () => {
    const p = make(0, [{ type: 'Limitr', params: {} }]);
    const first = p.port.sent[0] as { type: string; message: string; fatal?: boolean };
    expect(first).toMatchObject({ type: 'error', fatal: true });
    expect(first.message).toMatch(/unknown processor type "Limitr"/);
    const input = multiChannel(2, 128, 7);
    const out = [new Float32Array(128), new Float32Array(128)];
    p.process([input], [out]);
    expect(Array.from(out[1])).toEqual(Array.from(input[1]));
  });

  it('posts meters every round(fs / 128 / meterHz) quanta, and announces itself ready with the chain latency', () => {
    const p = make(20);
    const ready = p.port.sent[0] as MasterbusEvent;
    expect(ready.type).toBe('ready');
    const latency = testChain().reduce((s, j) => s + processorFromJSON(j).latency, 0);
    // (Latency needs prepare(): compare with prepared copies.)
    const prepared = testChain().map((j) => processorFromJSON(j));
    for (const q of prepared) q.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    expect(ready).toEqual({ type: 'ready', latency: prepared.reduce((s, q) => s + q.latency, 0), channels: 2 });
    expect(latency).toBeGreaterThanOrEqual(0);
    const input = multiChannel(2, 128, 4);
    const out = [new Float32Array(128), new Float32Array(128)];
    for (let b = 0; b < 190; b++) {
      g.currentFrame = BigInt(b * 128); // node-web-audio-api's type; the browser's is a number
      p.process([input], [out]);
    }
    const meters = p.port.sent.filter((m) => (m as MasterbusEvent).type === 'meters') as Extract<MasterbusEvent, { type: 'meters' }>[];
    expect(meters.length).toBe(10); // 190 quanta / 19
    expect(meters[0].frame).toBe(19 * 128);
    expect(meters[0].meters[7]?.gainReductionDb).toBeTypeOf('number');
    expect(meters[0].meters[0]).toBeNull();
  });

  it('handles commands: set, bad set, unknown command, bypass (cross-fade), reset', () => {
    const p = make(0, [{ type: 'BiquadFilter', params: { type: 'peaking', frequencyHz: 1000, gainDb: 12, q: 1 } }]);
    const input = multiChannel(2, 128, 5);
    const out = [new Float32Array(128), new Float32Array(128)];
    const send = (data: unknown) => p.port.onmessage!({ data });
    // q: the same processor and changes, never bypassed (the reference for the fade below).
    const q = make(0, [{ type: 'BiquadFilter', params: { type: 'peaking', frequencyHz: 1000, gainDb: 12, q: 1 } }]);
    send({ type: 'set', index: 0, params: { gainDb: -6 } });
    q.port.onmessage!({ data: { type: 'set', index: 0, params: { gainDb: -6 } } });
    send({ type: 'set', index: 3, params: { gainDb: 0 } });
    send({ type: 'set', index: 0, params: { gainDb: 99 } });
    send({ type: 'nope' });
    send(null);
    send({ type: 'bypass', value: 'false' });
    const errors = p.port.sent.filter((m) => (m as MasterbusEvent).type === 'error').map((m) => (m as { message: string }).message);
    expect(errors[0]).toMatch(/RangeError: masterbus worklet: set: index must be an integer in \[0, 0\], got 3/);
    expect(errors[1]).toMatch(/RangeError: BiquadFilter\.gainDb/);
    expect(errors[2]).toMatch(/unknown command type "nope"/);
    expect(errors[3]).toMatch(/must be an object/);
    expect(errors[4]).toMatch(/bypass: value must be a boolean, got "false"/);
    // Bypass: a linear 20 ms (960-sample) cross-fade from the processed signal (which a second,
    // unbypassed processor gives) to the input, then the input exactly.
    const wet = [new Float32Array(128), new Float32Array(128)];
    send({ type: 'bypass', value: true });
    for (let b = 0; b < 10; b++) {
      expect(p.process([input], [out])).toBe(true);
      q.process([input], [wet]);
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < 128; i++) {
          const m = Math.min(1, (b * 128 + i + 1) / 960);
          const want = b >= 8 ? input[c][i] : wet[c][i] + m * (input[c][i] - wet[c][i]);
          expect(Math.abs(out[c][i] - want), `block ${b}, sample ${i}`).toBeLessThan(1e-6);
        }
      }
    }
    expect(Array.from(out[0])).toEqual(Array.from(input[0]));
    send({ type: 'bypass', value: false });
    send({ type: 'reset' });
    for (let b = 0; b < 10; b++) p.process([input], [out]);
    let d = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < 128; i++) d = Math.max(d, Math.abs(out[c][i] - input[c][i]));
    expect(d).toBeGreaterThan(0.01);
  });

  it('bypass is latency-compensated: with a limiter in the chain, the bypassed output is the input delayed by the chain\'s latency', () => {
    const chain = [{ type: 'Limiter', params: { ceilingDb: -6, driveDb: 12 } }];
    const p = make(0, chain);
    const ready = p.port.sent[0] as { latency: number };
    expect(ready.latency).toBeGreaterThan(128);
    const frames = 128 * 40;
    const x = multiChannel(2, frames, 6);
    const y = [new Float32Array(frames), new Float32Array(frames)];
    p.port.onmessage!({ data: { type: 'bypass', value: true } });
    const outs = [new Float32Array(128), new Float32Array(128)];
    for (let b = 0; b < frames / 128; b++) {
      p.process([x.map((c) => c.subarray(b * 128, b * 128 + 128))], [outs]);
      for (let c = 0; c < 2; c++) y[c].set(outs[c], b * 128);
    }
    // After the 960-sample fade: exactly the input, delayed.
    for (let c = 0; c < 2; c++) for (let i = 1024; i < frames; i++) expect(y[c][i]).toBe(x[c][i - ready.latency]);
  });

  it('outputs silence for an unconnected input and never throws', () => {
    const p = make(20);
    const out = [new Float32Array(128).fill(1), new Float32Array(128).fill(1)];
    expect(() => p.process([], [out])).not.toThrow();
    expect(() => p.process([[]], [[]])).not.toThrow();
    for (const c of out) for (const v of c) expect(Math.abs(v)).toBe(0);
  });
});

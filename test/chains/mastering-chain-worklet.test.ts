/**
 * A MasteringChain preset in the AudioWorklet host (the stand-in AudioWorkletGlobalScope of
 * test/worklet/processor.test.ts): built from its JSON, allocation-free in process(), its
 * read-outs posted as meters, its latency announced.
 */
import { describe, expect, it } from 'vitest';
import { MasteringChain } from '../../src/index.js';
import { processorFromJSON } from '../../src/registry.js';
import { registerMasterbusProcessor, type MasterbusEvent } from '../../src/worklet/index.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { multiChannel } from '../support/signals.js';
import { useFakeWorkletScope, type FakeProcessor } from '../worklet/support.js';
import type { ProcessorJSON } from '../../src/core/processor.js';

const registered = useFakeWorkletScope();
const g = globalThis as unknown as Record<string, unknown>;

const preset = (): ProcessorJSON[] => [
  new MasteringChain({
    eq: { midSide: true, bands: [{ type: 'lowshelf', frequencyHz: 100, gainDb: 1 }], sideBands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 1.5 }] },
    saturator: { driveDb: 2, oversampling: 2 },
    widener: { width: 1.1, bassMonoHz: 120 },
    limiter: { driveDb: 6 },
  }).toJSON(),
];

function make(meterHz: number): FakeProcessor {
  registerMasterbusProcessor('mastering-chain', (params) => (params as { chain: ProcessorJSON[] }).chain.map((j) => processorFromJSON(j)));
  const Ctor = registered.get('mastering-chain')!;
  return new Ctor({ processorOptions: { params: { chain: preset() }, channels: 2, meterHz }, outputChannelCount: [2] });
}

describe('MasteringChain in the worklet host', () => {
  it('announces its latency and posts its 16 read-outs', () => {
    const p = make(20);
    const copy = processorFromJSON(preset()[0]);
    copy.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    expect(p.port.sent[0]).toEqual({ type: 'ready', latency: copy.latency, channels: 2 });
    const input = multiChannel(2, 128, 4);
    const out = [new Float32Array(128), new Float32Array(128)];
    for (let b = 0; b < 190; b++) {
      g.currentFrame = b * 128;
      p.process([input], [out]);
    }
    const meters = p.port.sent.filter((m) => (m as MasterbusEvent).type === 'meters') as Extract<MasterbusEvent, { type: 'meters' }>[];
    expect(meters.length).toBe(10);
    expect(JSON.stringify(meters.at(-1)!.meters)).toContain('gainReductionDb');
    expect(out.every((c) => c.every((v) => Number.isFinite(v) && Math.abs(v) <= 10 ** (-1 / 20)))).toBe(true);
  });

  it('allocates nothing in process() without meter posts (20 000 quanta)', async () => {
    const p = make(0);
    const inputs = [multiChannel(2, 128, 3)];
    const outputs = [[new Float32Array(128), new Float32Array(128)]];
    const { report, first } = await measureAllocationSettled(() => {
      p.process(inputs, outputs);
    }, 20_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  }, 60_000);
});

/** The allocation check must catch processors that allocate (negative controls). */
import { describe, expect, it } from 'vitest';
import { allocationFree, measureAllocation, measureAllocationSettled } from '../support/alloc.js';

describe('measureAllocation', () => {
  const block = [new Float32Array(128), new Float32Array(128)];
  let sink: unknown;

  it('passes a loop that allocates nothing', async () => {
    const r = await measureAllocation(() => {
      for (const ch of block) for (let i = 0; i < ch.length; i++) ch[i] *= 0.5;
    }, 100_000);
    expect(allocationFree(r), JSON.stringify(r)).toBe(true);
  });

  it('flags one small array per call (on-heap garbage)', async () => {
    const r = await measureAllocation(() => {
      sink = [block[0][0], 1, 2, 3];
    }, 100_000);
    expect(allocationFree(r), JSON.stringify(r)).toBe(false);
  });

  it('flags one 128-sample Float32Array per call (off-heap backing store)', async () => {
    const r = await measureAllocation(() => {
      sink = new Float32Array(128);
    }, 100_000);
    expect(allocationFree(r), JSON.stringify(r)).toBe(false);
  });

  it('flags one boxed number per call (a double stored into a field V8 keeps tagged)', async () => {
    const holder: { x: unknown } = { x: 'tagged' };
    let k = 0;
    const r = await measureAllocation(() => {
      holder.x = (k++ % 7) + 0.5;
    }, 100_000);
    expect(allocationFree(r), JSON.stringify(r)).toBe(false);
  });

  it('flags a closure per call', async () => {
    const r = await measureAllocation(() => {
      sink = () => block;
    }, 100_000);
    expect(allocationFree(r), JSON.stringify(r)).toBe(false);
    void sink;
  });

  it('measureAllocationSettled (the second measurement after a JIT transient) still flags a boxed number per call', async () => {
    const holder: { x: unknown } = { x: 'tagged' };
    let k = 0;
    const { report, first } = await measureAllocationSettled(() => {
      holder.x = (k++ % 7) + 0.5;
    }, 100_000);
    expect(allocationFree(first), JSON.stringify(first)).toBe(false);
    expect(allocationFree(report), JSON.stringify(report)).toBe(false);
  });
});

/**
 * Compressor: importing the module does no work. Its 1 MB power table is built by the first
 * `prepare()` of any compressor and shared, so `sideEffects: false` lets bundlers drop the module
 * and importing `dbToGain` does not pay for the compressor.
 */
import { describe, expect, it, vi } from 'vitest';

type CompressorModule = typeof import('../../src/dynamics/compressor.js');

async function freshModule(): Promise<CompressorModule> {
  vi.resetModules();
  return import('../../src/dynamics/compressor.js');
}

describe('Compressor: no work at import', () => {
  it('importing the module (and what it imports) computes no powers', async () => {
    // The old import-time table took 128 001 calls of Math.pow; a spy sees them whatever the
    // module's internals are called.
    const pow = vi.spyOn(Math, 'pow');
    const log2 = vi.spyOn(Math, 'log2');
    try {
      await freshModule();
      expect(pow).not.toHaveBeenCalled();
      expect(log2).not.toHaveBeenCalled();
    } finally {
      pow.mockRestore();
      log2.mockRestore();
    }
  });

  it('the power table does not exist until the first prepare(); constructing and set() do not build it', async () => {
    const m = await freshModule();
    expect(m.compressorPow2TableIfBuilt()).toBeUndefined();
    const c = new m.Compressor({ autoMakeup: true, thresholdDb: -30 });
    c.set({ ratio: 8 });
    expect(m.compressorGainReductionDb(-10, -30, 4, 6)).toBe(15);
    expect(m.compressorPow2TableIfBuilt()).toBeUndefined();
    c.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const table = m.compressorPow2TableIfBuilt();
    expect(table).toBeInstanceOf(Float64Array);
  });

  it('is built once and shared by all compressors, with 2^(i/64 − 1000) in entry i', async () => {
    const m = await freshModule();
    const a = new m.Compressor();
    a.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 1 });
    const table = m.compressorPow2TableIfBuilt();
    const b = new m.Compressor({ detector: 'rms' });
    b.prepare({ sampleRate: 44100, maxBlockSize: 64, channels: 2 });
    a.prepare({ sampleRate: 96000, maxBlockSize: 32, channels: 2 });
    expect(m.compressorPow2TableIfBuilt()).toBe(table);
    expect(table!.length).toBe(128001);
    // Exact powers of two where the exponent is whole; 2^(1/2) and 2^(−1/64) by their own definitions.
    expect(table![64000]).toBe(1);
    expect(table![64064]).toBe(2);
    expect(table![0]).toBe(2 ** -1000);
    expect(table![128000]).toBe(2 ** 1000);
    expect(table![64032]).toBeCloseTo(Math.SQRT2, 15);
    expect(table![63999] ** 64).toBeCloseTo(0.5, 13);
  });
});

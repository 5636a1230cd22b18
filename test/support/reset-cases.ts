/**
 * The check of test/core/reset-allocation*.test.ts: `reset()` allocates nothing. An AudioWorklet
 * host (src/worklet/processor.ts, the Mixer's worklet) calls it on the audio thread, between two
 * `process()` calls. Every registered processor class with its default options, the containers
 * with children, and a Mixer; each prepared for stereo at 48 kHz, 128 frames, then `reset()`
 * 20 000 times, each followed by a `process()` of 16 frames, measured with test/support/alloc.ts
 * (no GC, no ArrayBuffer growth, young generation under its limit: one boxed number per reset
 * would add 320 kB).
 */
import { describe, expect, it } from 'vitest';
import type { Processor } from '../../src/core/processor.js';
import { PROCESSOR_CLASSES } from '../../src/registry.js';
import { allocationFree, measureAllocationSettled } from './alloc.js';
import type { MasterbusModule } from './dist.js';
import { multiChannel } from './signals.js';

const SPEC = { sampleRate: 48000, maxBlockSize: 128, channels: 2 } as const;
/** Resets measured (each followed by one block); more under SOAK=1. */
const RESETS = process.env.SOAK ? 200_000 : 20_000;
/** Frames processed after each reset (the block, not the reset, is what costs time). */
const FRAMES = 16;

/** Something to reset and to run: a processor, or a Mixer behind the same calls. */
interface Resettable {
  prepare(): void;
  reset(): void;
  /** Process one block of FRAMES frames from `input` (2 channels, copied first). */
  run(input: readonly Float32Array[]): void;
}

function processorCase(p: Processor): Resettable {
  const block = [new Float32Array(FRAMES), new Float32Array(FRAMES)];
  return {
    prepare: () => p.prepare(SPEC),
    reset: () => p.reset(),
    run: (input) => {
      block[0].set(input[0]);
      block[1].set(input[1]);
      p.process(block, FRAMES);
    },
  };
}

const eqBands = [
  { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
  { type: 'lowshelf', frequencyHz: 120, gainDb: 2 },
  { type: 'peaking', frequencyHz: 3000, gainDb: 2, q: 0.8 },
] as const;

/** A deterministic decaying-noise impulse response (channels × length). */
function decayingNoise(channels: number, length: number): Float32Array[] {
  let seed = 7;
  return Array.from({ length: channels }, () => {
    const h = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      h[i] = (seed / 2 ** 32 - 0.5) * Math.exp(-i / (length / 5));
    }
    return h;
  });
}

/**
 * Classes whose reset() is known to allocate, in files this check's author could not edit: the
 * case is skipped, with the reason as its title. Remove an entry once its class is fixed.
 */
const KNOWN: Readonly<Record<string, string>> = {};

/** Every registered class with its default options, then the containers with children, then a Mixer. */
function cases(m: MasterbusModule): [string, () => Resettable][] {
  const out: [string, () => Resettable][] = [];
  for (const type of Object.keys(PROCESSOR_CLASSES)) {
    const cls = (m as unknown as Record<string, new () => Processor>)[type];
    // A Parallel has no default: it needs its wet processor.
    out.push([`${type} (defaults${type === 'Parallel' ? ', a Compressor' : ''})`, () => processorCase(type === 'Parallel' ? new m.Parallel(new m.Compressor()) : new cls())]);
  }
  const eq = () => new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) });
  out.push(
    ['Chain (EQ → Compressor → Limiter, one bypassed)', () => processorCase(new m.Chain([eq(), new m.Compressor({ thresholdDb: -20, lookaheadMs: 2 }), new m.Limiter()], { bypassed: [false, true, false] }))],
    ['MidSide (EQ on mid, Compressor on side)', () => processorCase(new m.MidSide({ mid: eq(), side: new m.Compressor({ thresholdDb: -30, lookaheadMs: 1 }) }))],
    // (The default Convolver has no impulse response: this one runs its partitioned convolution.)
    ['Convolver (stereo IR of 3000 taps, mix 0.5)', () => processorCase(new m.Convolver({ impulseResponse: decayingNoise(2, 3000), mix: 0.5 }))],
    ['Parallel (Chain of Saturator and Compressor, mix 0.5)', () => processorCase(new m.Parallel(new m.Chain([new m.Saturator(), new m.Compressor()]), { mix: 0.5 }))],
    [
      'Mixer (mono and stereo tracks with inserts, a send, a bus, master inserts, an automated insert)',
      () => {
        const mixer = new m.Mixer({
          tracks: [
            { name: 'vox', channels: 1, inserts: [eq(), new m.Compressor({ thresholdDb: -20, lookaheadMs: 1 })], pan: -0.3, sends: [{ bus: 'fx', levelDb: -12 }] },
            { name: 'keys', inserts: [new m.Saturator()], faderDb: -4 },
          ],
          buses: [{ name: 'fx', inserts: [new m.Delay({ timeMs: 30 })] }],
          master: { inserts: [new m.Limiter()], faderDb: -1 },
        });
        // An active insert lane: reset() gives its processor the lane's value at frame 0.
        mixer.automate('tracks.vox.inserts.1.thresholdDb').setValue(-20, 0).linearRamp(-30, 48000);
        const output = [new Float32Array(FRAMES), new Float32Array(FRAMES)];
        const vox = [new Float32Array(FRAMES)];
        const keys = [new Float32Array(FRAMES), new Float32Array(FRAMES)];
        const inputs = [vox, keys];
        return {
          prepare: () => mixer.prepare(SPEC),
          reset: () => mixer.reset(),
          run: (input) => {
            vox[0].set(input[0]);
            keys[0].set(input[0]);
            keys[1].set(input[1]);
            mixer.process(inputs, output, FRAMES);
          },
        };
      },
    ],
  );
  return out;
}

/** A vitest suite: every case's reset() allocates nothing, built from the module `load` gives. */
export function describeResetAllocation(title: string, load: () => MasterbusModule): void {
  describe(title, () => {
    // Titles from the list itself (the module is loaded inside each test, where a missing build
    // fails with its message).
    for (const [name] of cases({ ...PROCESSOR_CLASSES } as unknown as MasterbusModule)) {
      const known = Object.keys(KNOWN).find((type) => name.startsWith(`${type} (`));
      const test = known === undefined ? it : it.skip;
      test(`${name}: reset() allocates nothing (${RESETS} resets, each followed by a block of ${FRAMES} frames)${known === undefined ? '' : ` [skipped, known: ${KNOWN[known]}]`}`, async () => {
        const make = cases(load()).find(([n]) => n === name)![1];
        const r = make();
        r.prepare();
        const input = multiChannel(2, FRAMES, 5);
        const { report, first } = await measureAllocationSettled(() => {
          r.reset();
          r.run(input);
        }, RESETS, { warmup: 1000 });
        expect(allocationFree(report), `${name}: ${JSON.stringify({ report, first })}`).toBe(true);
      });
    }
  });
}

/**
 * The conformance suite every masterbus processor runs (in the spirit of Tone.js's BasicTests):
 * the processor contract of docs/processor-contract.md, checked the same way for every class.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METER_NAMES, type ProcessSpec, type Processor } from '../../src/core/processor.js';
import { processorFromJSON } from '../../src/registry.js';
import { primeAutomation } from '../../src/core/prime.js';
import { ALLOCATION_BLOCKS, allocationFree, measureAllocation, measureAllocationSettled } from './alloc.js';
import { clone, firstDifference, identical, multiChannel, runs } from './signals.js';

/** A parameter change applied just before absolute sample `at` (a block boundary in every partition). */
export interface Automation<P> {
  at: number;
  apply: (p: P) => void;
}

export interface ConformanceCase<P extends Processor> {
  /** Suite title. */
  name: string;
  /** A new, configured, unprepared processor. */
  create: () => P;
  /** Channel counts to run (default [1, 2]). */
  channels?: number[];
  sampleRate?: number;
  maxBlockSize?: number;
  /** Parameter changes made while running, used by the partition and reset checks. */
  automation?: Automation<P>[];
  /**
   * Put the processor into its busiest path (ramps, cross-fades) for about a second of audio;
   * the allocation check runs over it too. Called on a prepared processor.
   */
  ramp?: (p: P) => void;
  /**
   * For processors whose result is a reading rather than audio (meters): the readings, which the
   * partition, reset and recovery checks then compare too. Must be finite for loud input.
   */
  readings?: (p: P) => number[];
  /** Calls that must throw, with the error class expected and a text the message must contain. */
  badParams: { label: string; call: (p: P) => unknown; error: typeof RangeError | typeof TypeError; message?: RegExp }[];
  /**
   * Silence in: `exact` means exact zeros out from a fresh processor; the tail bound says how
   * quickly output must fall below `level` after the signal stops.
   */
  silence: { exact: boolean; tailSeconds: number; level: number };
}

/** Run `p` over `input` cut at `cuts` (sorted absolute positions), applying automation at its positions. */
export function render<P extends Processor>(
  p: P,
  input: readonly Float32Array[],
  cuts: readonly number[],
  automation: readonly Automation<P>[] = [],
): Float32Array[] {
  const out = clone(input);
  const frames = out[0].length;
  const points = [...new Set([0, ...cuts, ...automation.map((a) => a.at), frames])].filter((x) => x >= 0 && x <= frames).sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k];
    for (const a of automation) if (a.at === start) a.apply(p);
    const views = out.map((c) => c.subarray(start, points[k + 1]));
    p.process(views, points[k + 1] - start);
  }
  return out;
}

/** Cut positions for blocks of at most `max` frames, from sizes drawn by fast-check. */
export function cutsFromSizes(sizes: number[], frames: number): number[] {
  const cuts: number[] = [];
  let pos = 0;
  let k = 0;
  while (pos < frames) {
    pos += sizes[k++ % sizes.length];
    if (pos < frames) cuts.push(pos);
  }
  return cuts;
}

function uniformCuts(block: number, frames: number): number[] {
  const cuts: number[] = [];
  for (let p = block; p < frames; p += block) cuts.push(p);
  return cuts;
}

/**
 * The names `p.setParam()` accepts, found from its params: every number at a dotted path
 * (`thresholdDb`, `bands.1.gainDb`) for which `paramRange()` gives a range.
 */
export function automatableNames(p: Processor): string[] {
  if (typeof p.paramRange !== 'function') return [];
  const names: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') {
      if (p.paramRange!(path) !== undefined) names.push(path);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) walk(item, path === '' ? key : `${path}.${key}`);
    }
  };
  walk((p as unknown as { params: unknown }).params, '');
  return names;
}

export function describeProcessor<P extends Processor>(c: ConformanceCase<P>): void {
  const sampleRate = c.sampleRate ?? 48000;
  const maxBlockSize = c.maxBlockSize ?? 256;
  const channelCounts = c.channels ?? [1, 2];
  const automation = c.automation ?? [];
  const readings = c.readings;

  describe(`${c.name}: processor contract`, () => {
    for (const channels of channelCounts) {
      const spec: ProcessSpec = { sampleRate, maxBlockSize, channels };
      const prepared = (): P => {
        const p = c.create();
        p.prepare(spec);
        return p;
      };
      const frames = 4096;
      const input = multiChannel(channels, frames, 7);

      describe(`${channels} channel(s)`, () => {
        it('processes 1-frame and maxBlockSize-frame blocks alike, with finite output', () => {
          const one = render(prepared(), input, uniformCuts(1, frames), automation);
          const max = render(prepared(), input, uniformCuts(maxBlockSize, frames), automation);
          for (const ch of max) for (const v of ch) expect(Number.isFinite(v)).toBe(true);
          expect(identical(one, max), firstDifference(one, max)).toBe(true);
        });

        it('gives identical output (and readings) for any partition into blocks of 1..maxBlockSize (fast-check)', () => {
          const refProc = prepared();
          const reference = render(refProc, input, uniformCuts(maxBlockSize, frames), automation);
          const referenceReadings = readings?.(refProc);
          fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: maxBlockSize }), { minLength: 1, maxLength: 40 }), (sizes) => {
              const p = prepared();
              const out = render(p, input, cutsFromSizes(sizes, frames), automation);
              if (!identical(out, reference)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, reference)}`);
              if (readings) expect(readings(p), `readings, partition ${sizes.join(',')}`).toEqual(referenceReadings);
            }),
            // (40 runs per case was a tenth of the conformance suites' time; SOAK=1 keeps 2000.)
            { numRuns: runs(20, 2000) },
          );
        });

        // A dry/wet ramp that ends at exactly 1 or 0 must still be blended to its last sample:
        // a "fully wet/dry" fast path chosen after the ramp's last chunk was filled once skipped
        // that chunk's blend (a step, and output that depended on the partition).
        if (typeof (c.create().params as Record<string, unknown>).mix === 'number') {
          it('mix 1 → 0 → 1 → 0 while running: identical output for any partition (fast-check)', () => {
            type WithMix = P & { set(o: { mix: number }): unknown };
            const mixes: Automation<P>[] = [
              { at: 0, apply: (p) => (p as WithMix).set({ mix: 1 }) },
              { at: 500, apply: (p) => (p as WithMix).set({ mix: 0 }) },
              { at: 1700, apply: (p) => (p as WithMix).set({ mix: 1 }) },
              { at: 2900, apply: (p) => (p as WithMix).set({ mix: 0 }) },
            ];
            const reference = render(prepared(), input, uniformCuts(maxBlockSize, frames), mixes);
            fc.assert(
              fc.property(fc.array(fc.integer({ min: 1, max: maxBlockSize }), { minLength: 1, maxLength: 40 }), (sizes) => {
                const out = render(prepared(), input, cutsFromSizes(sizes, frames), mixes);
                if (!identical(out, reference)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, reference)}`);
              }),
              { numRuns: runs(10, 1000) },
            );
          });
        }

        it('handles long blocks with a small maxBlockSize (37) like 37-frame blocks', () => {
          const small = { sampleRate, maxBlockSize: 37, channels };
          const a = c.create();
          a.prepare(small);
          const b = c.create();
          b.prepare(small);
          const long = render(a, input, [1000, 2900], automation);
          const short = render(b, input, uniformCuts(37, frames), automation);
          expect(identical(long, short), firstDifference(long, short)).toBe(true);
        });

        it('handles a block larger than maxBlockSize like smaller blocks', () => {
          const big = render(prepared(), input, [], []);
          const small = render(prepared(), input, uniformCuts(maxBlockSize, frames), []);
          expect(identical(big, small), firstDifference(big, small)).toBe(true);
        });

        it('repeats its output exactly after reset()', () => {
          const q = prepared();
          const a = render(q, input, uniformCuts(100, frames));
          const ra = readings?.(q);
          q.reset();
          const b = render(q, input, uniformCuts(100, frames));
          expect(identical(a, b), firstDifference(a, b)).toBe(true);
          if (readings) expect(readings(q)).toEqual(ra);
          // After automation, reset() keeps the final parameters: the output equals a processor
          // configured with them before prepare().
          const p = prepared();
          render(p, input, uniformCuts(128, frames), automation);
          p.reset();
          const again = render(p, input, uniformCuts(128, frames));
          const fresh = c.create();
          for (const step of automation) step.apply(fresh);
          fresh.prepare(spec);
          const expected = render(fresh, input, uniformCuts(128, frames));
          expect(identical(again, expected), firstDifference(again, expected)).toBe(true);
        });

        it('turns silence into silence, and a signal tail decays', () => {
          const p = prepared();
          const zeros = Array.from({ length: channels }, () => new Float32Array(frames));
          const out = render(p, zeros, uniformCuts(128, frames));
          for (const ch of out) for (const v of ch) expect(Math.abs(v)).toBeLessThanOrEqual(c.silence.exact ? 0 : c.silence.level);
          render(p, input, uniformCuts(128, frames));
          const tailFrames = Math.ceil(c.silence.tailSeconds * sampleRate);
          const tail = render(p, Array.from({ length: channels }, () => new Float32Array(tailFrames + 1024)), uniformCuts(128, tailFrames + 1024));
          let peak = 0;
          for (const ch of tail) for (let i = tailFrames; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
          expect(peak).toBeLessThanOrEqual(c.silence.level);
        });

        it('recovers from non-finite input: finite input again gives finite output again', () => {
          const p = prepared();
          const bad = clone(input).map((ch) => ch.subarray(0, 256));
          bad[0][10] = NaN;
          bad[0][20] = Infinity;
          bad[channels - 1][30] = -Infinity;
          p.process(bad);
          const after = render(p, input, uniformCuts(maxBlockSize, frames));
          // At most one block may still carry the poison; everything after it is finite.
          for (const ch of after) for (let i = maxBlockSize; i < ch.length; i++) expect(Number.isFinite(ch[i])).toBe(true);
          if (readings) {
            // Readings recover too: after a second more of loud input every reading is finite.
            for (let t = 0; t < sampleRate; t += frames) render(p, input, uniformCuts(maxBlockSize, frames));
            for (const v of readings(p)) expect(Number.isFinite(v), `reading ${v}`).toBe(true);
          }
        });

        it(`allocates nothing in process() and readMeters() (${ALLOCATION_BLOCKS} blocks of 128 frames)`, async () => {
          const p = c.create();
          p.prepare({ sampleRate, maxBlockSize: 128, channels });
          const src = multiChannel(channels, 128, 3);
          const block = clone(src);
          const meters = new Float64Array(p.meterNames.length + 1);
          let k = 0;
          const { report, first } = await measureAllocationSettled(() => {
            for (let ch = 0; ch < channels; ch++) block[ch].set(src[ch]);
            p.process(block, 128);
            p.readMeters(meters, 1);
            k++;
          }, ALLOCATION_BLOCKS);
          expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
          expect(k).toBeGreaterThan(ALLOCATION_BLOCKS);
        });

        // setParam() is what a mixer's insert automation calls on the audio thread, seldom (once
        // per automation point), so its path may stay cold: unoptimised code boxes every double it
        // computes; primeAutomation() makes it hot first. Every 32nd block here, each automatable
        // option in turn, fractional values.
        if (typeof c.create().setParam === 'function') {
          it('allocates nothing in setParam() interleaved with process() (6000 blocks of 16 frames, a change every 32)', async () => {
            const p = c.create();
            p.prepare({ sampleRate, maxBlockSize: 16, channels });
            // What the Mixer does for the inserts it automates (and the docs ask of direct users).
            primeAutomation(p, { sampleRate, maxBlockSize: 16, channels });
            const names = automatableNames(p);
            expect(names.length, 'setParam() without any paramRange() name').toBeGreaterThan(0);
            const probes = names.map((name) => {
              const r = p.paramRange!(name) as { min: number; max: number };
              const lo = Number.isFinite(r.min) ? r.min : -10;
              const hi = Number.isFinite(r.max) ? r.max : (Number.isFinite(r.min) ? r.min : 0) + 10;
              return Float64Array.of(lo + 0.371 * (hi - lo), lo + 0.613 * (hi - lo));
            });
            const src = multiChannel(channels, 16, 3);
            const block = clone(src);
            let k = 0;
            const step = () => {
              for (let ch = 0; ch < channels; ch++) block[ch].set(src[ch]);
              p.process(block, 16);
              if ((k & 31) === 0) {
                const j = (k >> 5) % names.length;
                p.setParam!(names[j], probes[j], (k >> 5) & 1);
              }
              k++;
            };
            const ok = (r: { gcEvents: number; arrayBuffersDeltaBytes: number; newSpaceDeltaBytes: number }) =>
              r.gcEvents === 0 && r.arrayBuffersDeltaBytes === 0 && r.newSpaceDeltaBytes < 16 * 1024;
            const measure = () => measureAllocation(step, 6000, { warmup: 2000 });
            // A second measurement only if the first is not clean (see measureAllocationSettled).
            const first = await measure();
            const report = ok(first) ? first : await measure();
            // 187 calls: 88 bytes (five or six boxed numbers) per call would add 16 kB.
            expect(report.gcEvents, JSON.stringify({ names, report, first })).toBe(0);
            expect(report.arrayBuffersDeltaBytes, JSON.stringify({ report, first })).toBe(0);
            expect(report.newSpaceDeltaBytes, JSON.stringify({ names, report, first })).toBeLessThan(16 * 1024);
          });
        }

        if (c.ramp) {
          const ramp = c.ramp;
          it('allocates nothing in process() while parameters ramp (3000 blocks of 16 frames)', async () => {
            const p = c.create();
            p.prepare({ sampleRate, maxBlockSize: 16, channels });
            const src = multiChannel(channels, 16, 3);
            const block = clone(src);
            const step = () => {
              for (let ch = 0; ch < channels; ch++) block[ch].set(src[ch]);
              p.process(block, 16);
            };
            for (let w = 0; w < 3; w++) {
              ramp(p);
              for (let i = 0; i < 3000; i++) step();
            }
            const settle = () => {
              ramp(p);
              for (let i = 0; i < 3000; i++) step();
            };
            const ok = (r: { gcEvents: number; arrayBuffersDeltaBytes: number; newSpaceDeltaBytes: number }) =>
              r.gcEvents === 0 && r.arrayBuffersDeltaBytes === 0 && r.newSpaceDeltaBytes < 16 * 1024;
            const measure = () => measureAllocation(step, 3000, { warmup: 0, settle, setup: () => ramp(p) });
            // A second measurement only if the first is not clean (see measureAllocationSettled).
            const first = await measure();
            const report = ok(first) ? first : await measure();
            // 3000 calls: one boxed number (16 bytes) per call would add 48 kB.
            expect(report.gcEvents, JSON.stringify({ report, first })).toBe(0);
            expect(report.arrayBuffersDeltaBytes, JSON.stringify({ report, first })).toBe(0);
            expect(report.newSpaceDeltaBytes, JSON.stringify({ report, first })).toBeLessThan(16 * 1024);
          });
        }
      });
    }

    it('declares its channel range, and prepare() rejects other channel counts with a RangeError', () => {
      const range = c.create().channelRange;
      expect(Number.isInteger(range.min) && Number.isInteger(range.max) && 1 <= range.min && range.min <= range.max && range.max <= 64).toBe(true);
      for (const channels of [1, 2, 3, 6, 64]) {
        const p = c.create();
        const spec = { sampleRate, maxBlockSize, channels };
        if (!(range.min <= channels && channels <= range.max)) expect(() => p.prepare(spec), `${channels} channels`).toThrow(/needs .* channels, got spec.channels/);
        else if (channels !== 3 && channels !== 64) expect(() => p.prepare(spec)).not.toThrow(); // (a meter may need weights for unusual layouts)
      }
    });

    it('offers its read-outs through meterNames/readMeters: known names, fixed, values written at the offset only', () => {
      const p = c.create();
      const names = p.meterNames;
      for (const name of names) expect(METER_NAMES).toContain(name);
      p.prepare({ sampleRate, maxBlockSize, channels: Math.max(2, p.channelRange.min) });
      render(p, multiChannel(Math.max(2, p.channelRange.min), 8192, 4), uniformCuts(maxBlockSize, 8192));
      const out = new Float64Array(names.length + 4).fill(12345);
      p.readMeters(out, 2);
      expect([out[0], out[1], out[names.length + 2], out[names.length + 3]]).toEqual([12345, 12345, 12345, 12345]);
      for (let i = 0; i < names.length; i++) {
        expect(typeof out[2 + i]).toBe('number');
        expect(Number.isNaN(out[2 + i]), names[i]).toBe(false);
        expect(out[2 + i], names[i]).not.toBe(12345);
      }
      expect(p.meterNames).toBe(names);
    });

    it('set(params) with its own current options changes nothing (output identical)', () => {
      const spec = { sampleRate, maxBlockSize, channels: Math.max(2, c.create().channelRange.min) };
      const a = c.create();
      const b = c.create();
      a.prepare(spec);
      b.prepare(spec);
      const x = multiChannel(spec.channels, 2048, 6);
      const first = render(a, x.map((ch) => ch.subarray(0, 1024)), uniformCuts(128, 1024));
      render(b, x.map((ch) => ch.subarray(0, 1024)), uniformCuts(128, 1024));
      expect(b.set(b.params)).toBe(b);
      const ya = render(a, x.map((ch) => ch.subarray(1024)), uniformCuts(128, 1024));
      const yb = render(b, x.map((ch) => ch.subarray(1024)), uniformCuts(128, 1024));
      expect(identical(ya, yb), firstDifference(ya, yb)).toBe(true);
      expect(first.length).toBe(spec.channels);
    });

    it('leaves audio untouched and does not throw before prepare()', () => {
      const p = c.create();
      const x = multiChannel(2, 64, 5);
      const y = clone(x);
      expect(() => p.process(y)).not.toThrow();
      expect(identical(x, y)).toBe(true);
    });

    it('never throws in process() for odd calls (frames 0, NaN, beyond the arrays, fewer arrays)', () => {
      const p = c.create();
      p.prepare({ sampleRate, maxBlockSize, channels: 2 });
      const x = multiChannel(2, 64, 5);
      expect(() => p.process(x, 0)).not.toThrow();
      expect(() => p.process(x, NaN)).not.toThrow();
      expect(() => p.process(x, 10_000)).not.toThrow();
      expect(() => p.process([x[0]])).not.toThrow();
      expect(() => p.process([])).not.toThrow();
    });

    it('treats hostile process() arguments as no audio, without throwing (BigInt frames, null, holes, garbage)', () => {
      const p = c.create();
      p.prepare({ sampleRate, maxBlockSize, channels: 2 });
      const x = multiChannel(2, 64, 5);
      const call = (block: unknown, frames?: unknown) => (p.process as (b: unknown, f?: unknown) => void)(block, frames);
      // A BigInt frame count (a worklet host's counters can be BigInts) is honoured like a number.
      const viaBig = clone(x);
      expect(() => call(viaBig, 48n)).not.toThrow();
      const q = c.create();
      q.prepare({ sampleRate, maxBlockSize, channels: 2 });
      const viaNumber = clone(x);
      q.process(viaNumber, 48);
      expect(identical(viaBig, viaNumber), firstDifference(viaBig, viaNumber)).toBe(true);
      for (const frames of [0n, -5n, 10n ** 30n, '64', {}, Symbol('frames'), -Infinity, 1e300]) expect(() => call(clone(x), frames), String(frames)).not.toThrow();
      for (const block of [null, undefined, 42, 'audio', {}, [null], [undefined, x[1]], [x[0], null], [x[0], [0, 1, 2]], new Array(2), [new Float64Array(64), x[1]]]) {
        expect(() => call(block), String(block)).not.toThrow();
        expect(() => call(block, 32)).not.toThrow();
      }
      // The processor is unharmed: it still gives finite output.
      const y = clone(x);
      p.process(y);
      for (const ch of y) for (const v of ch) expect(Number.isFinite(v)).toBe(true);
    });

    it('reports a constant, non-negative integer latency', () => {
      const p = c.create();
      p.prepare({ sampleRate, maxBlockSize, channels: 2 });
      const l = p.latency;
      expect(Number.isInteger(l) && l >= 0).toBe(true);
      render(p, multiChannel(2, 1024, 1), uniformCuts(64, 1024), automation);
      expect(p.latency).toBe(l);
    });

    it('round-trips through JSON: the rebuilt processor gives the same output', () => {
      const p = c.create();
      const q = processorFromJSON(JSON.parse(JSON.stringify(p.toJSON())));
      expect(q.constructor).toBe(p.constructor);
      const spec = { sampleRate, maxBlockSize, channels: 2 };
      p.prepare(spec);
      q.prepare(spec);
      const x = multiChannel(2, 2048, 9);
      const a = render(p, x, uniformCuts(128, 2048));
      const b = render(q, x, uniformCuts(128, 2048));
      expect(identical(a, b), firstDifference(a, b)).toBe(true);
    });

    it('rejects invalid specs in prepare() with a RangeError', () => {
      const p = c.create();
      for (const bad of [
        { sampleRate: 0, maxBlockSize: 128, channels: 2 },
        { sampleRate: NaN, maxBlockSize: 128, channels: 2 },
        { sampleRate: 48000, maxBlockSize: 0, channels: 2 },
        { sampleRate: 48000, maxBlockSize: 1.5, channels: 2 },
        { sampleRate: 48000, maxBlockSize: 128, channels: 0 },
      ]) {
        expect(() => p.prepare(bad)).toThrow(RangeError);
      }
      // A value of the wrong type is a TypeError that shows the value as given (quoted).
      for (const [bad, shown] of [
        [{ sampleRate: '48000', maxBlockSize: 128, channels: 2 }, /spec\.sampleRate must be a number, got "48000"/],
        [{ sampleRate: 48000, maxBlockSize: 128n, channels: 2 }, /spec\.maxBlockSize must be a number, got 128n/],
        [{ sampleRate: 48000, maxBlockSize: 128, channels: null }, /spec\.channels must be a number, got null/],
        [null, /spec must be an object/],
      ] as const) {
        expect(() => p.prepare(bad as unknown as ProcessSpec)).toThrow(TypeError);
        expect(() => p.prepare(bad as unknown as ProcessSpec)).toThrow(shown);
      }
    });

    for (const bad of c.badParams) {
      it(`rejects ${bad.label} with a ${bad.error.name}`, () => {
        const p = c.create();
        p.prepare({ sampleRate, maxBlockSize, channels: 2 });
        let thrown: unknown;
        try {
          bad.call(p);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(bad.error);
        if (bad.message) expect((thrown as Error).message).toMatch(bad.message);
        // The processor still works afterwards.
        const x = multiChannel(2, 256, 2);
        expect(() => p.process(x)).not.toThrow();
        for (const ch of x) for (const v of ch) expect(Number.isFinite(v)).toBe(true);
      });
    }
  });
}

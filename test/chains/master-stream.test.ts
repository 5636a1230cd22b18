/**
 * masterStream(): the programme read from a source once per pass and written once to a sink. It
 * is the algorithm of master() (master() runs it over arrays), so for any source partition (read
 * sizes, synchronous or asynchronous answers, the length announced or not) and any chain its
 * output and report equal master()'s exactly. Bad sources and sinks fail with messages naming
 * them; abort and progress work while streaming; the heap does not grow with the programme.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { master, masterStream, type MasterProgress, type MasterReport, type MasterSink, type MasterSource, type MasteringOptions } from '../../src/chains/master.js';
import { lcg, runs } from '../support/signals.js';
import { programme } from './programmes.js';

/** A source over arrays that answers `read()` with the sizes in `sizes` (cycled, capped by max), as promises when `async`. */
function arraySource(x: readonly Float32Array[], sampleRate: number, sizes: readonly number[], async: boolean, announce: boolean): MasterSource & { rewinds: number } {
  let pos = 0;
  let k = 0;
  const src = {
    channels: x.length,
    sampleRate,
    frames: announce ? x[0].length : undefined,
    rewinds: 0,
    rewind() {
      pos = 0;
      src.rewinds++;
      return async ? Promise.resolve() : undefined;
    },
    read(out: Float32Array[], max: number) {
      const n = Math.min(max, sizes[k++ % sizes.length], x[0].length - pos);
      for (let c = 0; c < x.length; c++) out[c].set(x[c].subarray(pos, pos + n));
      pos += n;
      return async ? Promise.resolve(n) : n;
    },
  };
  return src;
}

/** A sink that keeps what it is given (copies), checking that the arrays it gets are long enough. */
function collectingSink(channels: number, async: boolean): MasterSink & { out: Float32Array[]; writes: number } {
  const parts: Float32Array[][] = Array.from({ length: channels }, () => []);
  const sink = {
    writes: 0,
    get out() {
      return parts.map((p) => {
        const all = new Float32Array(p.reduce((s, a) => s + a.length, 0));
        let at = 0;
        for (const a of p) {
          all.set(a, at);
          at += a.length;
        }
        return all;
      });
    },
    write(block: readonly Float32Array[], frames: number) {
      sink.writes++;
      for (let c = 0; c < channels; c++) parts[c].push(block[c].slice(0, frames));
      return async ? Promise.resolve() : undefined;
    },
  };
  return sink;
}

/** Long enough for the SOAK=1 run counts on a loaded machine. */
const SOAK_TIMEOUT = process.env.SOAK ? 3_600_000 : 120_000;

/** The report without its count of limiter renders (see the property below). */
const sameBut = (r: MasterReport) => ({ ...r, passes: 0 });

const CHAINS: Record<string, MasteringOptions['chain']> = {
  default: undefined,
  stages: { eq: { bands: [{ type: 'lowshelf', frequencyHz: 120, gainDb: 2 }] }, compressor: { thresholdDb: -20, ratio: 2 } },
};

describe('masterStream', () => {
  it('property: equals master() exactly (audio and report, but for the count of renders) for any read sizes, sync or async, the length announced or not, with and without stages before the limiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('music' as const, 'speech' as const),
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: -35, max: -10, noNaN: true }),
        fc.constantFrom(44100, 48000),
        fc.constantFrom(...Object.keys(CHAINS)),
        fc.array(fc.oneof(fc.integer({ min: 50, max: 700 }), fc.integer({ min: 1, max: 40000 })), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        async (kind, seed, level, rate, chain, sizes, async, announce) => {
          const x = programme(kind, seed, 2, rate, level);
          const x2 = x.map((c) => c.subarray(0, c.length - (seed % 1000))); // any length
          const options: MasteringOptions = { preset: 'streaming', chain: CHAINS[chain] };
          const ref = await master(x2, rate, options);
          const source = arraySource(x2, rate, sizes, async, announce);
          const sink = collectingSink(2, async);
          const report = await masterStream(source, sink, options);
          expect(sink.out).toStrictEqual(ref.audio);
          expect(sameBut(report)).toStrictEqual(sameBut(ref.report));
          // master() keeps the last measuring render when it is the best (its arrays can be written
          // again); the sink is written once, by a final render.
          expect(chain === 'stages' ? [0] : [0, 1]).toContain(report.passes - ref.report.passes);
          // One rewind per pass: the analysis, the stages' render (when any), the limiter's renders.
          expect(source.rewinds).toBe(1 + (chain === 'stages' ? 1 : 0) + report.passes);
        },
      ),
      { numRuns: runs(3, 40) },
    );
  }, SOAK_TIMEOUT);

  it('empty, one-frame and silent programmes: the same as master()', async () => {
    for (const frames of [0, 1, 5000]) {
      const x = [new Float32Array(frames), new Float32Array(frames)];
      if (frames === 1) x[0][0] = 0.5;
      const ref = await master(x, 48000);
      const sink = collectingSink(2, false);
      const report = await masterStream(arraySource(x, 48000, [4096], false, false), sink, {});
      expect(sink.out).toStrictEqual(ref.audio);
      expect(sameBut(report)).toStrictEqual(sameBut(ref.report));
    }
  });

  it('rejects bad sources and sinks, and sources that change between passes, with messages naming them', async () => {
    const x = programme('music', 3, 2, 48000, -20);
    const ok = () => arraySource(x, 48000, [1000], false, true);
    const sink = collectingSink(2, false);
    await expect(masterStream(null as never, sink)).rejects.toThrow(/masterStream.*source/);
    await expect(masterStream({ ...ok(), channels: 9 }, sink)).rejects.toThrow(/source\.channels.*9/);
    await expect(masterStream({ ...ok(), sampleRate: 100 }, sink)).rejects.toThrow(/source\.sampleRate.*100/);
    await expect(masterStream({ ...ok(), frames: -1 }, sink)).rejects.toThrow(/source\.frames must be a whole number.*-1/);
    await expect(masterStream({ ...ok(), read: 3 } as never, sink)).rejects.toThrow(/source\.read must be a function/);
    await expect(masterStream(ok(), {} as never)).rejects.toThrow(/sink\.write must be a function/);
    await expect(masterStream({ ...ok(), frames: 5 }, sink)).rejects.toThrow(/source\.frames is 5, but the source gave more frames/);
    await expect(masterStream({ ...ok(), frames: x[0].length + 5 }, sink)).rejects.toThrow(new RegExp(`source\\.frames is ${x[0].length + 5}, but the source gave ${x[0].length} frames`));
    const liar = ok();
    const read = liar.read;
    liar.read = (out, max) => (read(out, max) as number) * 0 + max + 1;
    await expect(masterStream(liar, sink)).rejects.toThrow(/source\.read\(\) must return a whole number of frames in \[0, \d+\], got \d+/);
    // A source that is shorter after its first rewind.
    let passes = 0;
    const shrinking = ok();
    const rewind = shrinking.rewind;
    const read2 = shrinking.read;
    let left = Infinity;
    shrinking.rewind = () => {
      passes++;
      left = passes === 1 ? Infinity : 10000;
      return rewind();
    };
    shrinking.read = (out, max) => {
      const n = read2(out, Math.min(max, left)) as number;
      left -= n;
      return n;
    };
    await expect(masterStream(shrinking, sink)).rejects.toThrow(new RegExp(`the source ended after 10000 frames in pass 1, but gave ${x[0].length} in the first`));
  });

  it('reports progress (non-decreasing, ending at 1) and aborts while streaming', async () => {
    const x = programme('music', 5, 10, 48000, -20);
    const seen: MasterProgress[] = [];
    await masterStream(arraySource(x, 48000, [3000], true, true), collectingSink(2, false), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
    expect(seen.at(-1)).toEqual({ phase: 'done', pass: 0, fraction: 1, track: -1 });
    expect(new Set(seen.map((p) => p.phase))).toEqual(new Set(['analyse', 'render', 'report', 'done']));
    const signal = { aborted: false, reason: new Error('stop it') };
    let writes = 0;
    const p = masterStream(arraySource(x, 48000, [3000], false, true), { write: () => void writes++ }, { signal, onProgress: (q) => (signal.aborted = q.phase === 'render') });
    await expect(p).rejects.toThrow('stop it');
    expect(writes).toBe(0);
  });

  it('memory: a programme generated on the fly, the output discarded: 3 min more programme grow the peak heap by < 5 MB (storing the output alone would take 11.5 MB more)', async () => {
    const rate = 8000;
    // One second of noise-like material, repeated with a slow level change (deterministic by position).
    const r = lcg(11);
    const pool = Float32Array.from({ length: rate }, () => r());
    const sourceOf = (frames: number): MasterSource => {
      let pos = 0;
      return {
        channels: 2,
        sampleRate: rate,
        frames,
        rewind: () => void (pos = 0),
        read(out, max) {
          const n = Math.min(max, frames - pos);
          for (let i = 0; i < n; i++) {
            const t = pos + i;
            const v = 0.05 * pool[t % rate] * (1.2 + Math.sin(t / 40000));
            out[0][i] = v;
            out[1][i] = 0.7 * v + 0.02 * pool[(t * 7) % rate];
          }
          pos += n;
          return n;
        },
      };
    };
    // What is retained, not what awaits collection: a full collection before each reading.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const mem = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    /** Largest growth of the heap while mastering `minutes` (sampled at progress calls, and with the report alive). */
    const growth = async (minutes: number) => {
      const frames = minutes * 60 * rate;
      const before = mem();
      let peak = 0;
      let calls = 0;
      let written = 0;
      let phase = '';
      const sample = (p: MasterProgress) => {
        // At every change of phase or pass (the same moments in both runs), and now and then.
        if (`${p.phase}${p.pass}` !== phase || calls++ % 50 === 0) peak = Math.max(peak, mem() - before);
        phase = `${p.phase}${p.pass}`;
      };
      const report = await masterStream(sourceOf(frames), { write: (_b, n) => void (written += n) }, { onProgress: sample });
      peak = Math.max(peak, mem() - before);
      expect(written).toBe(frames);
      expect(Math.abs(report.errorLu)).toBeLessThanOrEqual(0.1);
      return peak;
    };
    // A warm-up first: what is made once per process (the processors' priming and what it keeps,
    // compiled code) is not growth with the programme's length, and had made the first reading's
    // baseline drift (0.0 MB for 30 s in one file order, 5.3 MB in another).
    await growth(0.1);
    const short = await growth(0.5);
    const long = await growth(3.5);
    // About 5 MB are fixed (four loudness meters' gating histograms, the spectrum's frames, the
    // true-peak filters), give or take 2 MB of what is live at the moment of a reading; the report's
    // series add about 0.2 KB per 100 ms.
    console.log(`masterStream, stereo at 8 kHz, peak heap + array buffers growth: ${(short / 1e6).toFixed(2)} MB for 30 s, ${(long / 1e6).toFixed(2)} MB for 3.5 min`);
    expect(long - short).toBeLessThan(5e6);
  }, 60_000);
});

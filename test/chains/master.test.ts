/**
 * master(): accuracy over generated programmes from −40 to −5 LUFS (music-like, speech-like
 * bursts with pauses, sparse material), every preset: integrated within ±0.1 LU of the target,
 * true peak ≤ ceiling on the library's meter and ≤ ceiling + 0.05 dB on the independent 16×
 * reference; silence, near-silence and clipping reported; progress, abort, alignment.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOUDNESS_PRESET_NAMES, LOUDNESS_TARGETS, MASTER_MAX_GAIN_DB, master, measureLoudness, type MasterProgress } from '../../src/index.js';
import { referenceTruePeakNear } from '../support/true-peak-reference.js';
import { runs, sine } from '../support/signals.js';
import { programme, type ProgrammeKind } from './programmes.js';

const FS = 48000;
/** Long enough for the SOAK=1 run counts on a loaded machine. */
const SOAK_TIMEOUT = process.env.SOAK ? 3_600_000 : 120_000;
const db = (x: number): number => 20 * Math.log10(x);

/** Largest true peak on the independent reference (segments within 9 dB of `ceilingDb`). */
function referencePeakDb(x: readonly Float32Array[], ceilingDb: number): number {
  const floor = 10 ** ((ceilingDb - 9) / 20);
  return db(Math.max(...x.map((c) => referenceTruePeakNear(c, floor))));
}

/** Worst figures seen, printed at the end (the accuracy the docs quote). */
const worst = { lu: 0, meterOver: -Infinity, referenceOver: -Infinity, passes: 0 };

describe('master(): accuracy over generated programmes', () => {
  it('integrated within ±0.1 LU, true peak ≤ ceiling (meter) and ≤ ceiling + 0.05 dB (16× reference)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ProgrammeKind>('music', 'speech', 'sparse'),
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: -40, max: -5, noNaN: true }),
        fc.constantFrom(...LOUDNESS_PRESET_NAMES),
        async (kind, seed, level, preset) => {
          const x = programme(kind, seed, 8, FS, level);
          const { audio, report } = await master(x, FS, { preset });
          const t = LOUDNESS_TARGETS[preset];
          const m = measureLoudness(audio, FS);
          const err = Math.abs(m.integrated - t.integratedLufs);
          const ref = referencePeakDb(audio, t.truePeakDbtp);
          worst.lu = Math.max(worst.lu, err);
          worst.meterOver = Math.max(worst.meterOver, m.truePeak - t.truePeakDbtp);
          worst.referenceOver = Math.max(worst.referenceOver, ref - t.truePeakDbtp);
          worst.passes = Math.max(worst.passes, report.passes);
          const what = `${kind} seed ${seed} at ${level.toFixed(2)} LUFS → ${preset}: ${m.integrated.toFixed(3)} LUFS, ${m.truePeak.toFixed(3)} dBTP (reference ${ref.toFixed(3)}), ${report.passes} passes`;
          expect(err, what).toBeLessThanOrEqual(0.1);
          expect(m.truePeak, what).toBeLessThanOrEqual(t.truePeakDbtp);
          expect(ref, what).toBeLessThanOrEqual(t.truePeakDbtp + 0.05);
          // The report's figures are the output's.
          expect(report.after.loudness.integrated).toBeCloseTo(m.integrated, 6);
          expect(report.after.loudness.truePeak).toBeCloseTo(m.truePeak, 6);
          expect(report.errorLu).toBeCloseTo(m.integrated - t.integratedLufs, 6);
          expect(audio[0].length).toBe(x[0].length);
        },
      ),
      { numRuns: runs(4, 60) },
    );
    console.log(`[master accuracy] worst |LU error| ${worst.lu.toFixed(4)}, worst true peak − ceiling: meter ${worst.meterOver.toFixed(4)} dB, 16× reference ${worst.referenceOver.toFixed(4)} dB, most passes ${worst.passes}`);
  }, SOAK_TIMEOUT);

  it('the extremes of the range: −40 and −5 LUFS music to −14 LUFS', async () => {
    for (const level of [-40, -5]) {
      const x = programme('music', 7, 8, FS, level);
      const { audio, report } = await master(x, FS, { preset: 'streaming' });
      const m = measureLoudness(audio, FS);
      expect(Math.abs(m.integrated + 14), `${level} LUFS`).toBeLessThanOrEqual(0.1);
      expect(m.truePeak).toBeLessThanOrEqual(-1);
      expect(report.gainCapped).toBe(false);
      expect(report.gainDb).toBeLessThanOrEqual(MASTER_MAX_GAIN_DB);
    }
  }, 60_000);
});

describe('master(): edge cases', () => {
  it('digital silence: a silence warning, no gain, silent output', async () => {
    const x = [new Float32Array(FS * 3), new Float32Array(FS * 3)];
    const { audio, report } = await master(x, FS);
    expect(report.silent).toBe(true);
    expect(report.gainDb).toBe(0);
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'silence', on: 'input' }));
    expect(report.after.silent).toBe(true);
    expect(audio.every((c) => c.every((v) => v === 0))).toBe(true);
  });

  it('near silence below the absolute gate (−80 dBFS hiss): reported as silence, no gain blow-up', async () => {
    const x = programme('music', 3, 3, FS, -20).map((c) => c.map((v) => v * 10 ** (-62 / 20)));
    expect(measureLoudness(x, FS).integrated).toBe(-Infinity);
    const { audio, report } = await master(x, FS);
    expect(report.silent).toBe(true);
    expect(report.gainDb).toBe(0);
    expect(measureLoudness(audio, FS).samplePeak).toBeLessThanOrEqual(measureLoudness(x, FS).samplePeak + 1e-6);
  });

  it('very quiet input (−66 LUFS): the gain stops at the cap, with a warning', async () => {
    const x = programme('music', 5, 6, FS, -66);
    const { audio, report } = await master(x, FS, { preset: 'streaming' });
    expect(report.gainDb).toBeLessThanOrEqual(MASTER_MAX_GAIN_DB + 1e-9);
    expect(report.gainCapped).toBe(true);
    expect(report.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['gain-capped', 'target-missed']));
    // −66 LUFS + 40 dB, give or take what the chain takes: nowhere near −14.
    expect(measureLoudness(audio, FS).integrated).toBeLessThan(-20);
  });

  it('clipped input is reported: runs at full scale (the analysis), samples at or over 0 dBFS', async () => {
    const x = programme('music', 9, 6, FS, -8).map((c) => c.map((v) => Math.max(-1, Math.min(1, v * 2))));
    let full = 0;
    for (const c of x) for (const v of c) if (Math.abs(v) === 1) full++;
    expect(full).toBeGreaterThan(0);
    const { report } = await master(x, FS);
    expect(report.before.clipping.fullScaleSamples).toBe(full);
    expect(report.before.clipping.runs).toBeGreaterThan(0);
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'source-clipping', on: 'input' }));
    // A float source over full scale without flat runs: counted, and a clipped-source warning.
    const y = programme('music', 9, 6, FS, -20);
    y[0][1000] = 1.5;
    const r2 = (await master(y, FS)).report;
    expect(r2.before.clipping.overFullScaleSamples).toBe(1);
    expect(r2.warnings).toContainEqual(expect.objectContaining({ code: 'clipped-source', on: 'input' }));
  });

  it('output aligned with the input: a quiet sine through the limiter alone is the input × the gain', async () => {
    const s = sine(FS * 4, 440, FS, 0.01);
    const { audio, report } = await master([s, s.slice()], FS, { preset: 'ebu-r128', chain: { eq: null, compressor: null } });
    const g = 10 ** (report.gainDb / 20);
    expect(report.limiter.maxDb).toBe(0);
    for (let i = 0; i < s.length; i += 97) expect(audio[0][i]).toBeCloseTo(Math.fround(Math.fround(s[i] * g)), 6);
    expect(Math.abs(measureLoudness(audio, FS).integrated + 23)).toBeLessThanOrEqual(0.1);
  });

  it('gain reduction over time: 0.1 s intervals, zero away from a loud burst, the burst\'s reduction where it is', async () => {
    // A 440 Hz sine with a burst 20 dB louder from 3.0 to 3.2 s (too short to move the integrated
    // loudness much): the limiter works only around the burst.
    const n = FS * 6;
    const x = sine(n, 440, FS, 0.02);
    for (let i = 3 * FS; i < 3.2 * FS; i++) x[i] *= 10;
    const { audio, report } = await master([x, x.slice()], FS, { preset: 'streaming' });
    const gr = report.gainReduction;
    expect(gr.intervalSeconds).toBeCloseTo(0.1, 12);
    expect(gr.startSeconds).toBe(0);
    expect(gr.db.length).toBe(Math.ceil(n / (0.1 * FS)));
    expect(Math.max(...gr.db)).toBeCloseTo(report.limiter.maxDb, 2);
    // Before the burst (less the 5 ms lookahead and a block) nothing is reduced.
    for (let j = 0; j < 29; j++) expect(gr.db[j]).toBe(0);
    // Inside the burst, the reduction read equals what the output shows: 20·log10(input · gain / output) at the burst's peaks.
    const g = 10 ** (report.gainDb / 20);
    for (let j = 30; j < 32; j++) {
      let inPeak = 0, outPeak = 0;
      for (let i = j * 4800; i < (j + 1) * 4800; i++) {
        inPeak = Math.max(inPeak, Math.abs(x[i] * g));
        outPeak = Math.max(outPeak, Math.abs(audio[0][i]));
      }
      expect(gr.db[j]).toBeGreaterThan(3);
      expect(Math.abs(gr.db[j] - 20 * Math.log10(inPeak / outPeak))).toBeLessThan(0.5);
    }
    // Well after the burst (50 ms release), back to zero.
    for (let j = 36; j < gr.db.length; j++) expect(gr.db[j]).toBe(0);
  });

  it('reports progress (non-decreasing, ends at 1) and yields to the event loop', async () => {
    const x = programme('music', 2, 12, FS, -20);
    const seen: MasterProgress[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await master(x, FS, { onProgress: (p) => seen.push(p) });
    clearInterval(timer);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
    expect(ticks, 'timers ran while master() worked').toBeGreaterThan(0);
  });

  it('yields through scheduler.yield() where there is one (browsers), not a timer', async () => {
    const g = globalThis as { scheduler?: unknown };
    const had = 'scheduler' in g;
    const old = g.scheduler;
    let calls = 0;
    g.scheduler = { yield: () => (calls++, Promise.resolve()) };
    try {
      await master(programme('music', 2, 6, FS, -20), FS);
    } finally {
      if (had) g.scheduler = old;
      else delete g.scheduler;
    }
    expect(calls).toBeGreaterThan(2);
  });

  it('aborts: the promise rejects with the signal’s reason', async () => {
    const x = programme('music', 2, 6, FS, -20);
    const ac = new AbortController();
    const p = master(x, FS, { signal: ac.signal, onProgress: () => ac.abort(new Error('stop')) });
    await expect(p).rejects.toThrow('stop');
  });

  it('validates its options', async () => {
    const x = [new Float32Array(100)];
    await expect(master(x, FS, { preset: 'nope' as never })).rejects.toThrow(TypeError);
    await expect(master(x, FS, { preset: 'streaming', target: -14 })).rejects.toThrow(/not both/);
    await expect(master(x, FS, { target: -80 })).rejects.toThrow(RangeError);
    await expect(master(x, FS, { ceiling: 3 })).rejects.toThrow(/ceiling/);
    await expect(master(x, FS, { chain: { limiter: null } })).rejects.toThrow(/limiter/);
    await expect(master([new Float32Array(10), new Float32Array(11)], FS)).rejects.toThrow(/same length/);
    await expect(master(x, 1000)).rejects.toThrow(/sampleRate/);
    await expect(master(x, FS, { target: { integratedLufs: -10, truePeakDbtp: -12 } })).rejects.toThrow(/above/);
  });

  it('with a fuller chain (EQ, glue or multiband compressor, saturator, widener): on target, under the ceiling', async () => {
    const x = programme('music', 21, 8, FS, -24);
    for (const chain of [
      { eq: { bands: [{ type: 'highshelf' as const, frequencyHz: 8000, gainDb: 2 }] }, compressor: {}, saturator: {}, widener: { width: 1.2 } },
      { compressor: null, multiband: { bands: [{ thresholdDb: -20 }, { thresholdDb: -20 }, { thresholdDb: -20 }, { thresholdDb: -20 }] } },
    ]) {
      const { audio, report } = await master(x, FS, { preset: 'apple-music', chain });
      const m = measureLoudness(audio, FS);
      expect(Math.abs(m.integrated + 16), JSON.stringify(chain)).toBeLessThanOrEqual(0.1);
      expect(m.truePeak).toBeLessThanOrEqual(-1);
      expect(report.chain.type).toBe('MasteringChain');
    }
  }, 60_000);

  it('a custom target and ceiling', async () => {
    const x = programme('speech', 4, 8, FS, -30);
    const { audio, report } = await master(x, FS, { target: -18, ceiling: -3 });
    const m = measureLoudness(audio, FS);
    expect(report.target).toMatchObject({ integratedLufs: -18, truePeakDbtp: -3 });
    expect(Math.abs(m.integrated + 18)).toBeLessThanOrEqual(0.1);
    expect(m.truePeak).toBeLessThanOrEqual(-3);
  });
});

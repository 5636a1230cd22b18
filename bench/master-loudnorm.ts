/**
 * Mastering bench, two tables:
 *
 * 1. `master()` (streaming preset: −14 LUFS, −1 dBTP; its default chain, the true-peak limiter)
 *    against ffmpeg's two-pass `loudnorm` (I = −14, TP = −1, default LRA target, `linear=true`)
 *    on the same 133 s music-like programme (−21.3 LUFS, about 4 LU of loudness range), in the
 *    same run, alternating which goes first from round to round. loudnorm reads the programme
 *    from a float WAV in /tmp and writes one (its two passes, wall time); master() works on the
 *    programme in memory (the report's analysis included). Each result is measured alike: the
 *    library's BS.1770 meter (integrated, LRA, true peak) and the independent 16× band-limited
 *    reference (test/support/true-peak-reference.ts) for the true peak.
 * 2. The full MasteringChain (mid/side EQ, glue compressor, saturator 4×, widener with bass mono,
 *    true-peak limiter, meters before and after) in real time, against each of its stages alone:
 *    the chain's time next to the sum of its stages' times (what the container costs).
 *
 *   npm run build && tsx bench/master-loudnorm.ts [--rounds N] [--write]
 *
 * ffmpeg must be on the PATH (the first table is skipped with a message otherwise). `--write`
 * replaces the "## Mastering" section of bench/RESULTS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { median } from './harness.js';
import { benchArgs, report } from './rounds.js';
import { haveFfmpeg, loudnormTwoPass, writeWavFloat } from '../test/support/loudnorm.js';
import { readWav } from '../test/support/wav.js';
import { referenceTruePeakNear } from '../test/support/true-peak-reference.js';
import { programme } from '../test/chains/programmes.js';

const { rounds, write } = benchArgs();
const mb = await loadMasterbus();
const { out, save } = report();
const FS = 48000;
const SECONDS = 133;

/** Integrated, LRA, true peak on the library's meter and on the 16× reference. */
function figures(x: readonly Float32Array[]): { i: number; lra: number; tp: number; ref: number } {
  const m = mb.measureLoudness(x, FS);
  const floor = 10 ** ((-1 - 9) / 20);
  const ref = 20 * Math.log10(Math.max(...x.map((c) => referenceTruePeakNear(c, floor))));
  return { i: m.integrated, lra: m.lra, tp: m.truePeak, ref };
}

out('## Mastering');
out();
out(`### master() vs ffmpeg two-pass loudnorm (${SECONDS} s stereo 48 kHz music-like programme → −14 LUFS, −1 dBTP)`);
out();
const x = programme('music', 11, SECONDS, FS, -21.3, 6);
const input = figures(x);
out(`Input: ${input.i.toFixed(2)} LUFS, LRA ${input.lra.toFixed(2)} LU, true peak ${input.tp.toFixed(2)} dBTP. ${rounds} rounds, the order alternating; median wall time over rounds.`);
out('master(): `master(x, 48000, { preset: "streaming" })` from dist/, the programme in memory, the report included. loudnorm: `ffmpeg -af loudnorm=I=-14:TP=-1:print_format=json` (pass 1), then `loudnorm=…:measured_*:linear=true -ar 48000` to a float WAV (pass 2), wall time of both processes.');
out();
if (!haveFfmpeg()) {
  out('ffmpeg not found: comparison skipped.');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'masterbus-bench-'));
  const inFile = join(dir, 'in.wav');
  const lnFile = join(dir, 'loudnorm.wav');
  writeWavFloat(inFile, x, FS);
  const times = { master: [] as number[], loudnorm: [] as number[] };
  let ours: Float32Array[] = [];
  let passes = 0;
  for (let r = 0; r < rounds; r++) {
    for (const who of r % 2 ? (['loudnorm', 'master'] as const) : (['master', 'loudnorm'] as const)) {
      if (who === 'loudnorm') times.loudnorm.push(loudnormTwoPass(inFile, lnFile, FS).ms);
      else {
        const t0 = performance.now();
        const res = await mb.master(x, FS, { preset: 'streaming' });
        times.master.push(performance.now() - t0);
        ours = res.audio;
        passes = res.report.passes;
      }
    }
  }
  const theirs = readWav(lnFile).channels;
  rmSync(dir, { recursive: true, force: true });
  const a = figures(ours);
  const b = figures(theirs);
  const tm = median(times.master);
  const tl = median(times.loudnorm);
  const row = (name: string, ms: number[], f: ReturnType<typeof figures>) =>
    `| ${name} | ${(median(ms) / 1000).toFixed(2)} | ${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)} | ${(SECONDS / (median(ms) / 1000)).toFixed(0)} | ${f.i.toFixed(2)} | ${(f.i + 14).toFixed(2)} | ${f.tp.toFixed(2)} | ${f.ref.toFixed(2)} | ${f.lra.toFixed(2)} | ${(input.lra - f.lra).toFixed(2)} |`;
  out('| contender | time (s) | rounds (ms) | × real time | I (LUFS) | error (LU) | TP meter (dBTP) | TP 16× ref (dBTP) | LRA (LU) | LRA lost (LU) |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out(row(`masterbus master() (${passes} limiter passes)`, times.master, a));
  out(row('ffmpeg two-pass loudnorm', times.loudnorm, b));
  out();
  out(`- master() / loudnorm speed: **${(tl / tm).toFixed(2)}×** faster — goal ≥ 2×: **${tl / tm >= 2 ? 'met' : 'missed'}**`);
  out(`- on target (±0.1 LU): master() ${Math.abs(a.i + 14) <= 0.1 ? 'yes' : 'no'}, loudnorm ${Math.abs(b.i + 14) <= 0.1 ? 'yes' : 'no'}; under the ceiling on the 16× reference (≤ −0.95 dBTP): master() ${a.ref <= -0.95 ? 'yes' : 'no'}, loudnorm ${b.ref <= -0.95 ? 'yes' : 'no'}; LRA lost: master() ${(input.lra - a.lra).toFixed(2)} LU, loudnorm ${(input.lra - b.lra).toFixed(2)} LU`);
}

// ---- Table 2: the full chain against its stages.
out();
out('### MasteringChain in real time: the full chain against the sum of its stages (30 s stereo 48 kHz)');
out();
const music = programme('music', 5, 30, FS, -16, 6);
const frames = music[0].length - (music[0].length % 4096);
const EQ = { midSide: true, bands: [{ type: 'lowshelf', frequencyHz: 90, gainDb: 1 }, { type: 'peaking', frequencyHz: 300, gainDb: -1.5, q: 1 }, { type: 'highshelf', frequencyHz: 10000, gainDb: 1 }], sideBands: [{ type: 'highshelf', frequencyHz: 6000, gainDb: 1.5 }] } as const;
const chainOptions = {
  eq: { ...EQ, bands: EQ.bands.map((b) => ({ ...b })), sideBands: EQ.sideBands.map((b) => ({ ...b })) },
  compressor: { thresholdDb: -18, ratio: 2, attackMs: 30, releaseMs: 250 },
  saturator: { driveDb: 2, oversampling: 4 as const },
  widener: { width: 1.1, bassMonoHz: 120 },
  limiter: { ceilingDb: -1, driveDb: 4 },
  meters: true,
};
type Make = () => import('../src/index.js').Processor;
const stages: [string, Make][] = [
  ['LoudnessMeter (input)', () => new mb.LoudnessMeter({ historySeconds: 0 })],
  ['MidSide EQ (3 mid bands, 1 side band)', () => new mb.MidSide({ mid: new mb.ParametricEQ({ bands: EQ.bands.map((b) => ({ ...b })) }), side: new mb.ParametricEQ({ bands: EQ.sideBands.map((b) => ({ ...b })) }) })],
  ['Compressor (glue, 2:1)', () => new mb.Compressor(chainOptions.compressor)],
  ['Saturator (tanh, 4× IIR)', () => new mb.Saturator({ ...mb.MASTERING_STAGE_DEFAULTS.saturator, ...chainOptions.saturator })],
  ['StereoWidener (bass mono 120 Hz)', () => new mb.StereoWidener(chainOptions.widener)],
  ['Limiter (true peak, 5 ms)', () => new mb.Limiter({ ...mb.MASTERING_STAGE_DEFAULTS.limiter, ...chainOptions.limiter })],
  ['LoudnessMeter (output)', () => new mb.LoudnessMeter({ historySeconds: 0 })],
];
/** Median ms of running a fresh `make()` over the programme in `block`-frame blocks (5 runs after a warm-up). */
function timeProcessor(make: Make, block: number): number {
  const work = music.map(() => new Float32Array(frames));
  const views: Float32Array[][] = [];
  for (let p = 0; p < frames; p += block) views.push(work.map((c) => c.subarray(p, p + block)));
  const ms: number[] = [];
  for (let r = 0; r < 6; r++) {
    const p = make();
    p.prepare({ sampleRate: FS, maxBlockSize: block, channels: 2 });
    for (let c = 0; c < 2; c++) work[c].set(music[c].subarray(0, frames));
    const t0 = performance.now();
    for (const v of views) p.process(v, block);
    if (r > 0) ms.push(performance.now() - t0);
  }
  return median(ms);
}
const seconds = frames / FS;
out(`Each row: a fresh processor per run, 5 timed runs after a warm-up, median; ${rounds} rounds, median over rounds. Chain: ${JSON.stringify(chainOptions)}.`);
out();
out('| processor | block | time (ms) | × real time |');
out('|---|---:|---:|---:|');
const summary: string[] = [];
for (const block of [128, 4096]) {
  const stageMs = stages.map(([, make]) => median(Array.from({ length: rounds }, () => timeProcessor(make, block))));
  const chainMs = median(Array.from({ length: rounds }, () => timeProcessor(() => new mb.MasteringChain(chainOptions), block)));
  stages.forEach(([name], i) => out(`| ${name} | ${block} | ${stageMs[i].toFixed(1)} | ${(seconds / (stageMs[i] / 1000)).toFixed(0)} |`));
  const sum = stageMs.reduce((s, v) => s + v, 0);
  out(`| **sum of the stages** | ${block} | ${sum.toFixed(1)} | ${(seconds / (sum / 1000)).toFixed(0)} |`);
  out(`| **MasteringChain (all stages)** | ${block} | ${chainMs.toFixed(1)} | ${(seconds / (chainMs / 1000)).toFixed(0)} |`);
  summary.push(`- ${block}-frame blocks: the chain runs at ${(seconds / (chainMs / 1000)).toFixed(0)}× real time; chain / sum of stages = ${(chainMs / sum).toFixed(2)} (container overhead ${((chainMs / sum - 1) * 100).toFixed(0)} %)`);
}
out();
for (const s of summary) out(s);
if (write) save('## Mastering');

/**
 * Convolution bench: masterbus Convolver against node-web-audio-api's ConvolverNode with the same
 * 2.5 s stereo IR, each library in its own process (see worker.ts for why), alternating over
 * rounds. `--write` replaces the "## Convolution" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchArgs, printTable, report, runRounds } from './rounds.js';
import { partitionSchedule } from '../src/space/partitioned-convolution.js';

/** The schedule of an IR of `length` taps in words: '14 partitions of 64, 14 of 512 …'. */
const describeSchedule = (length: number) =>
  partitionSchedule(length)
    .map(([p, , k], i) => `${k}${i === 0 ? ' partitions' : ''} of ${p}`)
    .join(', ');

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./convolution-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Convolution (10 s at 48 kHz, stereo, through a 2.5 s stereo impulse response)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out(`masterbus: \`Convolver\` (no latency: a 64-tap direct head plus non-uniformly partitioned FFT convolution; for this IR ${describeSchedule(2.5 * 48000)} samples, each segment's work spread evenly over its period). node-web-audio-api: \`ConvolverNode\` (\`disableNormalization: true\`) in an OfflineAudioContext, 128-frame quanta; the graph without the convolver shows what the graph itself costs.`);
out();
const rt = printTable(out, times, seconds, 1);
const nwa = rt.get('node-web-audio-api ConvolverNode (same IR)|128 (render quantum)')!;
const c128 = rt.get('masterbus Convolver (2.5 s stereo IR)|128')!;
// The two outputs, first 2 s of channel 0 (every 7th sample), from one more run of each.
const path = fileURLToPath(new URL('./convolution-worker.ts', import.meta.url));
const checks = ['masterbus', 'nwa'].map((g) => {
  const res = spawnSync(process.execPath, ['--import', 'tsx/esm', path, g], { encoding: 'utf8' });
  return (JSON.parse(res.stdout.trim().split('\n').pop()!) as { check: number[] }).check;
});
let e = 0;
let p = 0;
for (let i = 0; i < checks[0].length; i++) {
  e += (checks[0][i] - checks[1][i]) ** 2;
  p += checks[1][i] ** 2;
}
out();
out(`- Convolver @128 vs ConvolverNode (graph included): ${(c128 / nwa).toFixed(2)}× — aim ≥ 1×: **${c128 / nwa >= 1 ? 'met' : 'not met'}**`);
out(`- Same output: masterbus − node-web-audio-api over the first 2 s of the left channel (every 7th sample): ${p > 0 ? (10 * Math.log10(e / p)).toFixed(1) : 'n/a (silent reference)'} dB relative to the output's RMS (node-web-audio-api computes in 32-bit floats).`);

// Real time: every 128-frame call with a long true-stereo IR, one more process.
const calls = spawnSync(process.execPath, ['--import', 'tsx/esm', fileURLToPath(new URL('./convolution-calls.ts', import.meta.url))], { encoding: 'utf8' });
if (calls.status !== 0) throw new Error(`convolution-calls.ts failed: ${calls.stderr}`);
const c = JSON.parse(calls.stdout.trim().split('\n').pop()!) as Record<'mean' | 'p50' | 'p99' | 'p999' | 'max', number>;
out();
out(`Real time, one \`process()\` call of 128 frames (an AudioWorklet quantum lasts 2.667 ms at 48 kHz), 40 s of stereo noise through a 10 s true-stereo IR (${describeSchedule(10 * 48000)} samples):`);
out();
out('| mean | median | 99th percentile | 99.9th percentile | max |');
out('|---:|---:|---:|---:|---:|');
out(`| ${[c.mean, c.p50, c.p99, c.p999, c.max].map((v) => `${v.toFixed(3)} ms`).join(' | ')} |`);

if (write) save('## Convolution');

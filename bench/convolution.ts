/**
 * Convolution bench: masterbus Convolver against node-web-audio-api's ConvolverNode with the same
 * 2.5 s stereo IR, each library in its own process (see worker.ts for why), alternating over
 * rounds. `--write` replaces the "## Convolution" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./convolution-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Convolution (10 s at 48 kHz, stereo, through a 2.5 s stereo impulse response)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('masterbus: `Convolver` (no latency: a 64-tap direct head plus non-uniformly partitioned FFT convolution; for this IR 7 partitions of 64, 15 of 512 and 14 of 8192 samples). node-web-audio-api: `ConvolverNode` (`disableNormalization: true`) in an OfflineAudioContext, 128-frame quanta; the graph without the convolver shows what the graph itself costs.');
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

if (write) save('## Convolution');

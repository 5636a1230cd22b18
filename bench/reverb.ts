/**
 * Algorithmic reverb bench: masterbus Reverb (a 16-line feedback delay network) with
 * node-web-audio-api's ConvolverNode and a 2 s stereo impulse response for scale (Web Audio has no
 * algorithmic reverb), each library in its own process (see worker.ts for why), alternating over
 * rounds. `--write` replaces the "## Reverb" section of bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./reverb-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Reverb (30 s of music-like stereo at 48 kHz; algorithmic FDN reverb, a convolver for scale)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('The network runs in its WebAssembly SIMD kernel (every row but the one marked JavaScript, which is what runs where WebAssembly SIMD is missing; the output is the same to the bit).');
out('Web Audio has no algorithmic reverb: its ConvolverNode with a 2 s stereo impulse response (decaying noise, the tail length of the default reverb) shows what a convolution reverb of that length costs in Rust. node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta.');
out();
const rt = printTable(out, times, seconds, 1);
const r128 = rt.get('masterbus Reverb (16-line FDN, 2 s)|128')!;
const conv = rt.get('node-web-audio-api ConvolverNode (2 s stereo IR)|128 (render quantum)')!;
const js = rt.get('masterbus Reverb, JavaScript kernel (no WebAssembly)|128')!;
out();
out(`- Reverb, stereo @128: ${r128.toFixed(0)}× real time — goal ≥ 300×: **${r128 >= 300 ? 'met' : 'not met'}**; ${(r128 / conv).toFixed(2)}× the ConvolverNode with a 2 s IR`);
out(`- The JavaScript kernel: ${js.toFixed(0)}× real time (the WebAssembly kernel is ${(r128 / js).toFixed(2)}× faster)`);

if (write) save('## Reverb');

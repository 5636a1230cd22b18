/**
 * Delay and Phaser bench: masterbus Delay and Phaser against node-web-audio-api graphs built from
 * DelayNode, GainNode, BiquadFilterNode and OscillatorNode (see space-mod-worker.ts), each library
 * in its own process (see worker.ts for why), alternating over rounds. `--write` replaces the
 * "## Delay and Phaser" section of bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./space-mod-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Delay and Phaser (30 s of stereo programme at 48 kHz)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Delay: stereo, 375 ms, feedback 0.4 through a 80 Hz high-pass and an 8 kHz low-pass, dry/wet. The Web Audio graph: DelayNode, feedback GainNode, two BiquadFilterNodes in the loop, dry and wet GainNodes. Phaser: 8 first-order all-pass stages swept by a 0.4 Hz sine, feedback 0.5; the graph: all-pass BiquadFilterNodes (4 second-order ones have the phase of 8 first-order stages; a row with 8) whose `frequency` an OscillatorNode sweeps, feedback through a GainNode and the one-quantum DelayNode a cycle needs. node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta.');
out();
const rt = printTable(out, times, seconds, 1);
const d128 = rt.get('masterbus Delay (stereo, feedback 0.4, HP 80 Hz + LP 8 kHz in the loop)|128')!;
const dNwa = rt.get('node-web-audio-api DelayNode + feedback GainNode + 2 BiquadFilterNodes|128 (render quantum)')!;
const p128 = rt.get('masterbus Phaser (8 stages, feedback 0.5, sine LFO)|128')!;
const p4 = rt.get('node-web-audio-api 4 all-pass BiquadFilterNodes + OscillatorNode LFO + feedback|128 (render quantum)')!;
const p8 = rt.get('node-web-audio-api 8 all-pass BiquadFilterNodes + OscillatorNode LFO + feedback|128 (render quantum)')!;
out();
out(`- Delay @128 vs the DelayNode feedback graph: ${(d128 / dNwa).toFixed(2)}× — goal ≥ 2×: **${d128 / dNwa >= 2 ? 'met' : 'not met'}**`);
out(`- Phaser @128 vs 4 all-pass BiquadFilterNodes + LFO (the same phase as 8 first-order stages): ${(p128 / p4).toFixed(2)}× — goal ≥ 2×: **${p128 / p4 >= 2 ? 'met' : 'not met'}** (vs 8 BiquadFilterNodes: ${(p128 / p8).toFixed(2)}×)`);

if (write) save('## Delay and Phaser');

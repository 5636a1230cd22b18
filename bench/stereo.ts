/**
 * Stereo placement bench: masterbus Panner against node-web-audio-api's StereoPannerNode, each
 * library in its own process (see worker.ts for why), alternating over rounds. `--write` appends
 * the results to bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./stereo-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Stereo placement (30 s at 48 kHz: a mono source panned to 0.3 into stereo; the stereo programme widened)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Both use an equal-power law (masterbus `law: "-3dB"`; Web Audio\'s StereoPannerNode mono algorithm). node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta; the graph without the panner shows what the graph itself costs, so the panner node\'s own cost is the difference.');
out();
const rt = printTable(out, times, seconds, 2);
const nwa = rt.get('node-web-audio-api StereoPannerNode|128 (render quantum)')!;
const graph = rt.get('node-web-audio-api graph without panner|128 (render quantum)')!;
const p128 = rt.get('masterbus Panner (mono → stereo, −3 dB law)|128')!;
const nodeOnlyMs = (seconds * 1000) / nwa - (seconds * 1000) / graph;
out();
out(`- Panner @128 vs StereoPannerNode (graph included): ${(p128 / nwa).toFixed(2)}× — goal ≥ 2×: **${p128 / nwa >= 2 ? 'met' : 'not met'}**`);
out(`- The panner node's own cost (its graph's time minus the bare graph's): about ${nodeOnlyMs.toFixed(1)} ms for 30 s, against ${((seconds * 1000) / p128).toFixed(1)} ms for masterbus's Panner: in Rust it is cheaper than our JavaScript loop; the graph around it is what an app pays for.`);

if (write) save('## Stereo placement');

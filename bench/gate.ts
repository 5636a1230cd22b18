/**
 * Gate bench: masterbus Gate against the nearest Web Audio node. Web Audio has no gate or
 * expander node, so the peer is node-web-audio-api's DynamicsCompressorNode (the only dynamics
 * node; it does different work, so the ratio is a point of reference, not a like-for-like race).
 * Each library in its own process (see worker.ts for why), alternating over rounds. `--write`
 * replaces the "## Gate" section of bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./gate-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Gate (30 s stereo 48 kHz, music-like programme)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Gate: threshold −20 dBFS, range 60 dB, hysteresis 3 dB, attack 1 ms, hold 20 ms, release 100 ms (one detector and one gain for both channels).');
out('Web Audio has no gate or expander node: the peer is the nearest dynamics node, node-web-audio-api\'s DynamicsCompressorNode (threshold −20, hard knee, 4:1, same attack and release), rendered through an OfflineAudioContext in 128-frame quanta; the graph without the node shows what the graph itself costs.');
out();
const rt = printTable(out, times, seconds);
const nwa = rt.get('node-web-audio-api DynamicsCompressorNode (no gate node exists)|128 (render quantum)')!;
const g128 = rt.get('masterbus Gate (∞:1, linked)|128')!;
out();
out(`- Gate @128 vs DynamicsCompressorNode: ${(g128 / nwa).toFixed(2)}× (reference only: different processing)`);

if (write) save('## Gate');

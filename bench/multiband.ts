/**
 * Multiband bench: masterbus MultibandCompressor (4 bands, stereo) against the nearest Web Audio
 * graph, node-web-audio-api BiquadFilterNode crossovers feeding a DynamicsCompressorNode per band.
 * Each library in its own process (see worker.ts for why), alternating over rounds. `--write`
 * replaces the "## Multiband compressor" section of bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./multiband-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Multiband compressor (30 s stereo 48 kHz, music-like programme)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Four bands split at 120 Hz, 1 kHz and 5 kHz (Linkwitz-Riley 24 dB/oct, all-pass compensated); every band: threshold −24 dBFS, ratio 3, knee 6 dB, attack 10 ms, release 120 ms (masterbus: peak detector, 10 ms hold, full stereo link).');
out('Web Audio has no multiband node: the peer is the nearest graph, node-web-audio-api BiquadFilterNode crossovers (each LR4 filter two Butterworth sections, all-pass nodes for the lower bands) into one DynamicsCompressorNode per band, summed at the destination, rendered through an OfflineAudioContext in 128-frame quanta; the graph without the bands shows what the graph itself costs.');
out();
const rt = printTable(out, times, seconds);
const nwa = rt.get('node-web-audio-api BiquadFilterNode crossovers + 4 DynamicsCompressorNodes|128 (render quantum)')!;
const m128 = rt.get('masterbus MultibandCompressor (4 bands, LR4)|128')!;
const m4096 = rt.get('masterbus MultibandCompressor (4 bands, LR4)|4096')!;
out();
out(`- MultibandCompressor (4 bands, LR4) @128 vs the Web Audio graph: ${(m128 / nwa).toFixed(2)}× (4096 frames: ${m4096.toFixed(0)}× real time)`);

if (write) save('## Multiband compressor');

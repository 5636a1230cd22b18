/**
 * Colour bench: masterbus Saturator against node-web-audio-api's WaveShaperNode, each library in
 * its own process (see worker.ts for why), alternating over rounds. `--write` replaces the section
 * in bench/RESULTS.md.
 */
import { benchArgs, printTable, report, runRounds } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times } = runRounds('./color-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Saturation and chorus (30 s of music-like stereo at 48 kHz; tanh at +12 dB drive; chorus with feedback 0.3)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out("node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta (its graph's own cost is the last row). Anti-aliasing of both at 4× is compared in docs/color.md.");
out();
const rt = printTable(out, times, seconds);
const nwa = rt.get("node-web-audio-api WaveShaperNode tanh '4x'|128 (render quantum)")!;
const iir = rt.get('masterbus Saturator tanh 4× IIR|128')!;
const lin = rt.get('masterbus Saturator tanh 4× linear phase|128')!;
out();
out(`- Saturator 4× (IIR) @128 vs WaveShaperNode '4x': ${(iir / nwa).toFixed(2)}× — goal ≥ 1.5×: **${iir / nwa >= 1.5 ? 'met' : 'not met'}**`);
out(`- Saturator 4× (linear phase) @128 vs WaveShaperNode '4x': ${(lin / nwa).toFixed(2)}×`);
const ch4 = rt.get('masterbus Chorus 4 voices|128')!;
const chNwa = rt.get('node-web-audio-api chorus graph (4 modulated DelayNodes)|128 (render quantum)')!;
out(`- Chorus, 4 voices, stereo @128: ${ch4.toFixed(0)}× real time — goal ≥ 500×: **${ch4 >= 500 ? 'met' : 'not met'}** (mono: ${rt.get('masterbus Chorus 4 voices, mono|128')!.toFixed(0)}×); ${(ch4 / chNwa).toFixed(2)}× the Web Audio chorus graph`);

if (write) save('## Saturation and chorus');

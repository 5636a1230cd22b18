/**
 * Mixer bench: a 32-track session through masterbus's Mixer, the same processors called directly
 * (the Mixer's container cost), and node-web-audio-api rendering the equivalent node graph; each
 * library in its own process (see worker.ts for why), alternating over rounds.
 *
 *   tsx bench/mixer.ts [--rounds N] [--seconds S] [--write]
 *
 * `--seconds` (default 10) is the length of the session; `--write` replaces the "## Mixer" section
 * of bench/RESULTS.md. The session is in mixer-session.ts (shared with mixer-browser.ts, the same
 * session in headless Chromium), the timing in mixer-worker.ts.
 */
import { median } from './harness.js';
import { benchArgs, report, runRounds, summarize } from './rounds.js';

const { rounds, write } = benchArgs();
const s = process.argv.indexOf('--seconds');
if (s >= 0) process.env.MIXBENCH_SECONDS = String(Number(process.argv[s + 1]));
const TRACKS = 32;
const GOAL_VS_NWA = 2.5;
const GOAL_STRIPS = 200;
const GOAL_OVERHEAD = 0.05;

const { seconds, times, last } = runRounds('./mixer-worker.ts', ['masterbus', 'nwa'], rounds);
const key = (prefix: string) => [...times.keys()].find((k) => k.startsWith(prefix))!;
const kMixer = key('masterbus Mixer');
const kDirect = key('masterbus same processors');
const kNwa = key('node-web-audio-api OfflineAudioContext');
const kBare = key('node-web-audio-api same graph without');

const { out, save } = report();
out(`## Mixer (${TRACKS} stereo tracks, 2 aux buses, master; ${seconds.toFixed(1)} s at 48 kHz in 128-frame blocks)`);
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 5 timed passes per process (masterbus: Mixer and direct passes alternating), then median over rounds.`);
out('The session: per track a 4-band ParametricEQ (low shelf, two peaks, high shelf), a Compressor (−24 dB, 4:1, knee 6 dB, 10/100 ms, peak detector), fader (−14 … −18 dB), pan (spread −0.8 … 0.8) and one post-fader send at −10 dB (even tracks to aux A, odd to aux B). Each aux bus has a 2-band ParametricEQ (high-pass 200 Hz, low-pass 6 kHz) as its only insert: the library has no reverb yet, so the aux buses are far cheaper than real reverb returns would be. Master: 4-band EQ, Compressor (−12 dB, 2:1), Limiter (true peak, −1 dB, 5 ms). Inputs: deterministic noise plus three sines per track under a slow swell.');
out('node-web-audio-api renders the equivalent graph in an OfflineAudioContext (per track: AudioBufferSourceNode → 4 BiquadFilterNodes → DynamicsCompressorNode → StereoPannerNode → GainNode fader → master; fader → GainNode send → aux: 2 BiquadFilterNodes → master; master: 4 BiquadFilterNodes → DynamicsCompressorNode → a second DynamicsCompressorNode at 20:1, knee 0, 1 ms attack, since Web Audio has no true-peak limiter, which makes its master bus cheaper than ours). "Without EQs and compressors" is the graph\'s own cost.');
out('"Same processors called directly": the Mixer\'s processors (other instances, same settings) run in the same order, in place, on the signals they see inside the Mixer (bus inputs recorded beforehand), with no summing, gains, sends or copies; the Mixer\'s time above it is its container cost. Untimed check: the Mixer\'s output and the directly processed master bus are identical (max |difference| below).');
out();
// The standard table prints × real time without decimals; a whole session runs at a few × real time.
out('| contender | block | time (ms) | × real time | stereo strips in real time (× 32) | rounds (× rt) |');
out('|---|---|---:|---:|---:|---:|');
const rt = new Map<string, number>();
for (const r of summarize(times, seconds)) {
  rt.set(r.key, r.realtime);
  const ms = times.get(r.key)!;
  const x = (v: number) => ((seconds * 1000) / v).toFixed(2);
  out(`| ${r.id} | ${r.block} | ${r.ms.toFixed(0)} | ${r.realtime.toFixed(2)} | ${(TRACKS * r.realtime).toFixed(0)} | ${x(Math.max(...ms))}–${x(Math.min(...ms))} |`);
}
const mixer = rt.get(kMixer)!;
const direct = rt.get(kDirect)!;
const nwa = rt.get(kNwa)!;
const mixMs = times.get(kMixer)!;
const dirMs = times.get(kDirect)!;
const perRound = mixMs.map((m, r) => m / dirMs[r] - 1);
const overhead = direct / mixer - 1;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const strips = TRACKS * mixer;
const maxDiff = (last.get(kMixer) as { maxDiff?: number } | undefined)?.maxDiff;
out();
out(`- Mixer session vs node-web-audio-api's equivalent graph: ${(mixer / nwa).toFixed(2)}× (rounds ${Math.min(...mixMs.map((m, r) => times.get(kNwa)![r] / m)).toFixed(2)}–${Math.max(...mixMs.map((m, r) => times.get(kNwa)![r] / m)).toFixed(2)}) — goal ≥ ${GOAL_VS_NWA}×: **${mixer / nwa >= GOAL_VS_NWA ? 'met' : 'not met'}**`);
out(`- Channel strips in real time on one core at 128 frames (${TRACKS} × the session's × real time; the buses and master are counted against the strips): ${strips.toFixed(0)} — goal ≥ ${GOAL_STRIPS} (the session at ≥ ${(GOAL_STRIPS / TRACKS).toFixed(2)}× real time): **${strips >= GOAL_STRIPS ? 'met' : 'not met'}** (node-web-audio-api: ${(TRACKS * nwa).toFixed(0)}; the processors alone: ${(TRACKS * direct).toFixed(0)})`);
out(`- Container overhead (Mixer time ÷ the same processors called directly − 1): ${pct(overhead)} (rounds ${pct(Math.min(...perRound))}–${pct(Math.max(...perRound))}, median ${pct(median(perRound))}) — goal ≤ ${pct(GOAL_OVERHEAD)}: **${overhead <= GOAL_OVERHEAD ? 'met' : 'not met'}**`);
const bareShare = rt.get(kNwa)! / rt.get(kBare)!;
out(`- For scale: node-web-audio-api's graph alone (sources, panners, gains, sums; no EQ or compressor) takes ${pct(bareShare)} of its full render; the Mixer's container work (Mixer − direct) takes ${pct(1 - mixer / direct)} of the Mixer's time.`);
out(`- Check: max |Mixer output − directly processed master bus| = ${maxDiff === undefined ? '—' : maxDiff.toExponential(2)} (must be 0)`);

// '## Mixer (' and not '## Mixer': the heading is matched as a prefix, and '## Mixer in Chromium' (mixer-browser.ts) follows.
if (write) save('## Mixer (');

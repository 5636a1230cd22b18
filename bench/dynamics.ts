/**
 * Dynamics bench: masterbus Compressor and Limiter against node-web-audio-api's
 * DynamicsCompressorNode, each library in its own process (see worker.ts for why), alternating
 * over rounds. `--write` appends the results to bench/RESULTS.md.
 */
import { benchArgs, report, runRounds, summarize } from './rounds.js';

const { rounds, write } = benchArgs();
const { seconds, times, last } = runRounds('./dynamics-worker.ts', ['masterbus', 'nwa'], rounds);
const { out, save } = report();
out('## Dynamics (30 s stereo 48 kHz, music-like programme)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Compressor settings on both sides: threshold −24 dBFS, knee 6 dB, ratio 4, attack 10 ms, release 100 ms (masterbus: peak detector, 10 ms hold, full stereo link).');
out('node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta; the graph without the compressor shows what the graph itself costs.');
out();
out('| contender | block | time (ms) | × real time | samples/s | rounds (× rt) | max GR (dB) |');
out('|---|---|---:|---:|---:|---:|---:|');
const rt = new Map<string, number>();
for (const r of summarize(times, seconds)) {
  rt.set(r.key, r.realtime);
  const red = last.get(r.key)?.reductionDb;
  out(
    `| ${r.id} | ${r.block} | ${r.ms.toFixed(1)} | ${r.realtime.toFixed(0)} | ${((r.realtime * 48000 * 2) / 1e6).toFixed(1)} M | ${r.range} | ${red === undefined || red === null ? '—' : red.toFixed(1)} |`,
  );
}
const nwa = rt.get('node-web-audio-api DynamicsCompressorNode|128 (render quantum)')!;
const c128 = rt.get('masterbus Compressor (peak, 6 dB knee, linked)|128')!;
const l128 = rt.get('masterbus Limiter (true peak, 5 ms, +6 dB drive)|128')!;
const l4096 = rt.get('masterbus Limiter (true peak, 5 ms, +6 dB drive)|4096')!;
out();
out(`- Compressor @128 vs DynamicsCompressorNode: ${(c128 / nwa).toFixed(2)}× — goal ≥ 1.5×: **${c128 / nwa >= 1.5 ? 'met' : 'not met'}**`);
out(`- Limiter (true peak, 5 ms) @128: ${l128.toFixed(0)}× real time — goal ≥ 300×: **${l128 >= 300 ? 'met' : 'not met'}** (4096: ${l4096.toFixed(0)}×)`);

if (write) save('## Dynamics');

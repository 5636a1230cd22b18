/**
 * Stereo placement bench: masterbus Panner against node-web-audio-api's StereoPannerNode, each
 * library in its own process (see worker.ts for why), alternating over rounds. `--write` appends
 * the results to bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

interface Row {
  id: string;
  block: string;
  ms: number;
}
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const write = process.argv.includes('--write');
const worker = fileURLToPath(new URL('./stereo-worker.ts', import.meta.url));

function runChild(group: string): { seconds: number; rows: Row[] } {
  const res = spawnSync(process.execPath, ['--import', 'tsx/esm', worker, group], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`stereo worker ${group} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

const lines: string[] = [];
const out = (s = '') => {
  console.log(s);
  lines.push(s);
};
const times = new Map<string, number[]>();
let seconds = 30;
for (let r = 0; r < rounds; r++) {
  for (const group of r % 2 ? ['nwa', 'masterbus'] : ['masterbus', 'nwa']) {
    const res = runChild(group);
    seconds = res.seconds;
    for (const row of res.rows) {
      const key = `${row.id}|${row.block}`;
      times.set(key, [...(times.get(key) ?? []), row.ms]);
    }
  }
}
out('## Stereo placement (30 s at 48 kHz: a mono source panned to 0.3 into stereo; the stereo programme widened)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('Both use an equal-power law (masterbus `law: "-3dB"`; Web Audio\'s StereoPannerNode mono algorithm). node-web-audio-api renders through an OfflineAudioContext in 128-frame quanta; the graph without the panner shows what the graph itself costs, so the panner node\'s own cost is the difference.');
out();
out('| contender | block | time (ms) | × real time | frames/s | rounds (× rt) |');
out('|---|---|---:|---:|---:|---:|');
const rt = new Map<string, number>();
for (const [key, ms] of times) {
  const [id, block] = key.split('|');
  const m = median(ms);
  const x = (seconds * 1000) / m;
  rt.set(key, x);
  out(`| ${id} | ${block} | ${m.toFixed(2)} | ${x.toFixed(0)} | ${((x * 48000) / 1e6).toFixed(1)} M | ${((seconds * 1000) / Math.max(...ms)).toFixed(0)}–${((seconds * 1000) / Math.min(...ms)).toFixed(0)} |`);
}
const nwa = rt.get('node-web-audio-api StereoPannerNode|128 (render quantum)')!;
const graph = rt.get('node-web-audio-api graph without panner|128 (render quantum)')!;
const p128 = rt.get('masterbus Panner (mono → stereo, −3 dB law)|128')!;
const nodeOnlyMs = (seconds * 1000) / nwa - (seconds * 1000) / graph;
out();
out(`- Panner @128 vs StereoPannerNode (graph included): ${(p128 / nwa).toFixed(2)}× — goal ≥ 2×: **${p128 / nwa >= 2 ? 'met' : 'not met'}**`);
out(`- The panner node's own cost (its graph's time minus the bare graph's): about ${nodeOnlyMs.toFixed(1)} ms for 30 s, against ${((seconds * 1000) / p128).toFixed(1)} ms for masterbus's Panner: in Rust it is cheaper than our JavaScript loop; the graph around it is what an app pays for.`);

if (write) {
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  let text = readFileSync(path, 'utf8');
  const at = text.indexOf('## Stereo placement');
  if (at >= 0) {
    const next = text.indexOf('\n## ', at + 5);
    text = text.slice(0, at) + (next >= 0 ? text.slice(next + 1) : '');
  }
  writeFileSync(path, `${text.trimEnd()}\n\n${lines.join('\n')}\n`);
  console.log(`\nwrote ${path}`);
}

/**
 * Loudness bench: masterbus LoudnessMeter against ebur128-wasm, each in its own process (see
 * worker.ts for why), alternating over rounds, on a music-like programme and on a noise-heavy
 * signal. `--write` replaces the "## Loudness meter" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { saveSection } from './rounds.js';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

interface Row {
  id: string;
  block: string;
  ms: number;
  values: Record<string, number>;
}
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const write = process.argv.includes('--write');
const worker = fileURLToPath(new URL('./loudness-worker.ts', import.meta.url));

function runChild(group: string, kind: string): { seconds: number; rows: Row[] } {
  const args = [...(group === 'ebur128' ? ['--experimental-wasm-modules', '--no-warnings'] : []), '--import', 'tsx/esm', worker, group, kind];
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`loudness worker ${group} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

const lines: string[] = [];
const out = (s = '') => {
  console.log(s);
  lines.push(s);
};
out('## Loudness meter (60 s stereo 48 kHz: integrated + LRA + true peak)');
out();
out(`Each library in its own process, groups alternating, ${rounds} rounds; median of 7 timed runs per process, then median over rounds.`);
out('ebur128-wasm 3.0.0 (libebur128 in Rust, compiled to WebAssembly; needs `node --experimental-wasm-modules`) measures a whole buffer only and has no LRA: its row is integrated + true peak.');
for (const kind of ['music', 'noise']) {
  const times = new Map<string, number[]>();
  const values = new Map<string, Record<string, number>>();
  let seconds = 60;
  for (let r = 0; r < rounds; r++) {
    for (const group of r % 2 ? ['ebur128', 'masterbus'] : ['masterbus', 'ebur128']) {
      const res = runChild(group, kind);
      seconds = res.seconds;
      for (const row of res.rows) {
        const key = `${row.id}|${row.block}`;
        times.set(key, [...(times.get(key) ?? []), row.ms]);
        values.set(key, row.values);
      }
    }
  }
  out();
  out(`### ${kind === 'music' ? 'Music-like programme (sections, limited master near −1 dBFS)' : 'Noise-heavy signal (white noise + sines; worst case for true-peak skipping)'}`);
  out();
  out('| contender | block | time (ms) | × real time | rounds (× rt) | I (LUFS) | LRA (LU) | TP (dBTP) |');
  out('|---|---|---:|---:|---:|---:|---:|---:|');
  const rt = new Map<string, number>();
  for (const [key, ms] of times) {
    const [id, block] = key.split('|');
    const m = median(ms);
    rt.set(key, (seconds * 1000) / m);
    const v = values.get(key)!;
    const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
    out(`| ${id} | ${block} | ${m.toFixed(0)} | ${((seconds * 1000) / m).toFixed(0)} | ${((seconds * 1000) / Math.max(...ms)).toFixed(0)}–${((seconds * 1000) / Math.min(...ms)).toFixed(0)} | ${f(v.integrated)} | ${f(v.lra)} | ${f(v.truePeak)} |`);
  }
  const peer = rt.get('ebur128-wasm integrated + true peak (whole buffer)|whole')!;
  const s128 = rt.get('masterbus LoudnessMeter (streamed)|128')!;
  const s4096 = rt.get('masterbus LoudnessMeter (streamed)|4096')!;
  const whole = rt.get('masterbus measureLoudness (whole buffer)|whole')!;
  out();
  out(`- streamed @128 vs ebur128-wasm whole buffer: ${(s128 / peer).toFixed(2)}×; measureLoudness vs ebur128-wasm: ${(whole / peer).toFixed(2)}×; 4096 / 128: ${(s4096 / s128).toFixed(2)}×`);
  out(`- goal ≥ 400× real time streamed at 128 frames: **${s128 >= 400 ? 'met' : 'not met'}** (${s128.toFixed(0)}×)`);
  out(`- goal ≥ 5× ebur128-wasm on the whole file: **${whole / peer >= 5 ? 'met' : 'not met'}** (${(whole / peer).toFixed(2)}×)`);
  out(`- goal 4096-frame blocks no slower than 128: **${s4096 >= s128 * 0.97 ? 'met' : 'not met'}** (${(s4096 / s128).toFixed(2)}×)`);
}

// Only this section is replaced (it used to cut every section after it: a re-run lost ten).
if (write) saveSection('## Loudness meter', lines);

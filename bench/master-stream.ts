/**
 * Streaming mastering in constant memory (issue 15): `masterStream()` over a 1-hour stereo 48 kHz
 * programme generated on the fly by a MasterSource (no file, nothing held in memory), the output
 * discarded by the sink. Prints each phase as it starts, the peak RSS (sampled every 200 ms and at
 * every progress call), the wall and CPU time.
 *
 *   tsx bench/master-stream.ts [seconds]     (default 3600; run it alone)
 *   /usr/bin/time -v tsx bench/master-stream.ts   (the kernel's figure for the peak RSS)
 *
 * It imports the source (src/), not dist/: the memory figure does not depend on the bundle.
 * Measured 2026-12-02 on the 2-core bench machine: peak RSS 102 MB (100 MB by time -v; Node and
 * tsx alone start at 90 MB), 80 s CPU, 120 s wall, 3 limiter renders, −37.28 → −14.00 LUFS, −1.01 dBTP.
 */
import { masterStream, type MasterSource } from '../src/chains/master.js';
const rate = 48000;
const seconds = Number(process.argv[2] ?? 3600);
const frames = seconds * rate;
// Music-like: a pool of 10 s of band-limited noise + tones, repeated with a slow level envelope (deterministic by position).
const poolLen = 10 * rate;
const pool = [new Float32Array(poolLen), new Float32Array(poolLen)];
let s = 1, y1 = 0, y2 = 0;
for (let i = 0; i < poolLen; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const n1 = s / 2 ** 31 - 1;
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const n2 = s / 2 ** 31 - 1;
  y1 = 0.9 * y1 + 0.1 * n1; y2 = 0.9 * y2 + 0.1 * n2;
  const kick = Math.exp(-((i % 24000) / 2000)) * Math.sin((2 * Math.PI * 55 * (i % 24000)) / rate);
  pool[0][i] = 0.3 * y1 + 0.25 * kick + 0.05 * Math.sin((2 * Math.PI * 440 * i) / rate);
  pool[1][i] = 0.3 * y2 + 0.25 * kick + 0.05 * Math.sin((2 * Math.PI * 660 * i) / rate);
}
let pos = 0;
const source: MasterSource = {
  channels: 2, sampleRate: rate, frames,
  rewind() { pos = 0; },
  read(out, max) {
    const n = Math.min(max, frames - pos);
    for (let i = 0; i < n; i++) {
      const t = pos + i; const j = t % poolLen; const g = 0.1 * (1.3 + Math.sin(t / (rate * 37)));
      out[0][i] = g * pool[0][j]; out[1][i] = g * pool[1][j];
    }
    pos += n; return n;
  },
};
let peakRss = 0;
const sample = () => { const r = process.memoryUsage().rss; if (r > peakRss) peakRss = r; };
const timer = setInterval(sample, 200);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now(); const c0 = process.cpuUsage();
let written = 0;
let lastPhase = '';
const report = await masterStream(source, { write: (_b, n) => { written += n; } }, { preset: 'streaming', onProgress: (p) => { sample(); const k = `${p.phase}${p.pass}`; if (k !== lastPhase) { lastPhase = k; console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s ${k} rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`); } } });
clearInterval(timer); sample();
const c = process.cpuUsage(c0);
console.log(`${seconds} s stereo ${rate} Hz: written ${written} frames, passes ${report.passes}, ${report.before.loudness.integrated?.toFixed(2)} → ${report.after.loudness.integrated?.toFixed(3)} LUFS, TP ${report.after.loudness.truePeak?.toFixed(2)} dBTP`);
console.log(`wall ${((performance.now() - t0) / 1000).toFixed(1)} s, cpu ${((c.user + c.system) / 1e6).toFixed(1)} s, rss at start ${(rss0 / 1e6).toFixed(0)} MB, peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);

/**
 * Real-time check of the Convolver (spawned by `bench/convolution.ts`): the duration of every
 * 128-frame `process()` call over 40 s of stereo noise through a 10 s true-stereo impulse response
 * (four decaying noises) at 48 kHz, after 10 s of warm-up; prints JSON with the mean, median,
 * 99th and 99.9th percentiles and the maximum in ms, next to the 2.667 ms a 128-frame
 * AudioWorklet quantum lasts.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';

const mb = await loadMasterbus();
const fs = 48000;
const L = 10 * fs;
let seed = 0x5eed;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
const ir = [0, 1, 2, 3].map(() => {
  const h = new Float32Array(L);
  for (let i = 0; i < L; i++) h[i] = 0.2 * rand() * Math.exp(-i / (1.5 * fs));
  return h;
});
const conv = new mb.Convolver({ impulseResponse: ir, normalize: 'none' });
conv.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 2 });
const B = 128;
const block = [new Float32Array(B), new Float32Array(B)];
const warm = Math.round((10 * fs) / B);
const n = Math.round((40 * fs) / B);
const times = new Float64Array(n);
for (let b = 0; b < warm + n; b++) {
  for (let i = 0; i < B; i++) {
    block[0][i] = rand();
    block[1][i] = rand();
  }
  const t0 = performance.now();
  conv.process(block, B);
  if (b >= warm) times[b - warm] = performance.now() - t0;
}
times.sort();
const q = (f: number) => times[Math.min(n - 1, Math.floor(f * n))];
let sum = 0;
for (const t of times) sum += t;
console.log(JSON.stringify({ mean: sum / n, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: times[n - 1] }));

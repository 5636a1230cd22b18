/**
 * Aliasing table of the Saturator (docs/color.md): a 7 kHz sine at −6 dBFS and 48 kHz through
 * every curve at +18 dB drive, at every oversampling factor, with both filters; and
 * node-web-audio-api's WaveShaperNode with the same tanh and hard-clip curves (4096-point tables)
 * at 'none', '2x' and '4x'. The figure is the strongest aliased (non-harmonic) line of the
 * steady state relative to the fundamental, read from a coherent DFT (test/support/spectrum.ts).
 *
 *   npx tsx bench/aliasing.ts
 */
import { Saturator, SATURATION_CURVES, OVERSAMPLING_FILTERS } from '../src/index.js';
import { strongestAliasDb } from '../test/support/spectrum.js';

const FS = 48000;
const N = 48000;
const x = new Float32Array(N);
for (let i = 0; i < N; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 7000 * i) / FS);
const fmt = (a: { db: number; atHz: number }) => `${a.db.toFixed(1)} (${a.atHz / 1000} k)`;

console.log('| curve | filter | 1× | 2× | 4× | 8× |');
console.log('|---|---|---:|---:|---:|---:|');
for (const curve of SATURATION_CURVES) {
  for (const filter of OVERSAMPLING_FILTERS) {
    const cells: string[] = [];
    for (const f of [1, 2, 4, 8] as const) {
      const sat = new Saturator({ curve, driveDb: 18, oversampling: f, oversamplingFilter: filter });
      sat.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      const y = x.slice();
      for (let p = 0; p < N; p += 128) sat.process([y.subarray(p, p + 128)]);
      cells.push(fmt(strongestAliasDb(y, 24000, 4800, 7000, 1000, FS)));
    }
    console.log(`| ${curve} | ${filter} | ${cells.join(' | ')} |`);
  }
}

const { AudioBuffer, AudioBufferSourceNode, WaveShaperNode, OfflineAudioContext } = await import('node-web-audio-api');
const g = Math.pow(10, 18 / 20);
console.log();
console.log("| WaveShaperNode curve | 'none' | '2x' | '4x' |");
console.log('|---|---:|---:|---:|');
for (const [name, fn] of [
  ['tanh', (v: number) => Math.tanh(v)],
  ['hard', (v: number) => Math.max(-1, Math.min(1, v))],
] as const) {
  const curve = new Float32Array(4096);
  for (let i = 0; i < curve.length; i++) curve[i] = fn(g * ((2 * i) / (curve.length - 1) - 1));
  const cells: string[] = [];
  for (const oversample of ['none', '2x', '4x'] as const) {
    const buffer = new AudioBuffer({ numberOfChannels: 1, length: N, sampleRate: FS });
    buffer.copyToChannel(x, 0);
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: N, sampleRate: FS });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    src.connect(new WaveShaperNode(ctx, { curve, oversample })).connect(ctx.destination);
    src.start();
    const out = await ctx.startRendering();
    cells.push(fmt(strongestAliasDb(out.getChannelData(0), 24000, 4800, 7000, 1000, FS)));
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}

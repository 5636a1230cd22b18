/**
 * `npm run demo`: master a built-in test signal with a small chain, ParametricEQ → Compressor →
 * Saturator → true-peak Limiter, and print what each stage did, with the loudness (LUFS, LRA, true peak)
 * before and after. (Later issues grow this into a full mix-and-master of a built-in session.)
 */
import { Compressor, Limiter, ParametricEQ, Saturator, measureLoudness, type EqBandOptions } from '../src/index.js';

const sampleRate = 48000;
const seconds = 4;
const frames = sampleRate * seconds;
const block = 128;

// Built-in material: a 55 Hz bass line, a chord, hiss and a little DC rumble, in stereo.
function makeSignal(): Float32Array[] {
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const bass = 0.35 * Math.sin(2 * Math.PI * 55 * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t));
    const chord = 0.12 * (Math.sin(2 * Math.PI * 261.6 * t) + Math.sin(2 * Math.PI * 329.6 * t) + Math.sin(2 * Math.PI * 392 * t));
    const rumble = 0.08 * Math.sin(2 * Math.PI * 9 * t);
    left[i] = bass + chord + rumble + 0.02 * rnd();
    right[i] = bass + 0.9 * chord + rumble + 0.02 * rnd();
  }
  return [left, right];
}

const bands: Partial<EqBandOptions>[] = [
  { type: 'butterworth-highpass', frequencyHz: 25, rolloffDbPerOctave: 24 }, // clear sub rumble
  { type: 'lowshelf', frequencyHz: 100, gainDb: 2 }, // a little weight
  { type: 'peaking', frequencyHz: 300, q: 1.2, gainDb: -3 }, // less mud
  { type: 'peaking', frequencyHz: 3000, q: 1, gainDb: 1.5 }, // presence
  { type: 'highshelf', frequencyHz: 10000, gainDb: 2 }, // air
];
const eq = new ParametricEQ({ bands, outputGainDb: -1 });
// Glue: gentle 2.5:1 on the peaks above −18 dBFS, slow enough to keep the bass line's shape.
const comp = new Compressor({ thresholdDb: -18, ratio: 2.5, kneeDb: 8, attackMs: 15, releaseMs: 150, makeupDb: 3 });
// Colour: a little tape saturation in parallel (25 % wet), 4× oversampled, level-matched.
const tape = new Saturator({ curve: 'tape', driveDb: 6, mix: 0.25, autoGain: true });
// The last stage: +8 dB louder, never above −1 dBTP (true peak, as streaming services measure it).
const limiter = new Limiter({ ceilingDb: -1, driveDb: 8, lookaheadMs: 5, releaseMs: 80 });
const spec = { sampleRate, maxBlockSize: block, channels: 2 };
eq.prepare(spec);
comp.prepare(spec);
tape.prepare(spec);
limiter.prepare(spec);

const signal = makeSignal();
const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const db = (v: number) => (20 * Math.log10(v)).toFixed(2).padStart(7);
const before = signal.map((c) => ({ rms: rms(c), peak: peak(c) }));
const loudBefore = measureLoudness(signal, sampleRate);

const t0 = performance.now();
for (let p = 0; p < frames; p += block) {
  const views = [signal[0].subarray(p, p + block), signal[1].subarray(p, p + block)];
  eq.process(views);
  comp.process(views);
  tape.process(views);
  limiter.process(views);
}
const ms = performance.now() - t0;

console.log(`masterbus demo: ${seconds} s of built-in stereo material at ${sampleRate} Hz: 5-band ParametricEQ → Compressor → Saturator → Limiter\n`);
console.log('EQ response (dB):');
const freqs = [10, 25, 55, 100, 300, 1000, 3000, 10000, 16000];
const mag = new Float32Array(freqs.length);
eq.getFrequencyResponse(freqs, mag);
for (let i = 0; i < freqs.length; i++) {
  const v = 20 * Math.log10(mag[i]);
  const bar = v >= 0 ? '+'.repeat(Math.round(v * 4)) : '-'.repeat(Math.min(40, Math.round(-v * 4)));
  console.log(`  ${String(freqs[i]).padStart(6)} Hz ${v.toFixed(2).padStart(7)}  ${bar}`);
}
console.log(`\nCompressor: up to ${comp.maxGainReductionDb.toFixed(1)} dB of gain reduction (2.5:1 above −18 dBFS, +3 dB makeup)`);
console.log(`Saturator:  tape curve, +6 dB drive, 25 % wet, auto gain, 4× oversampled (${tape.latency} samples latency)`);
console.log(`Limiter:    up to ${limiter.maxGainReductionDb.toFixed(1)} dB of gain reduction (+8 dB drive, −1 dBTP ceiling, ${limiter.latency} samples latency)`);
console.log('\nLevels (dBFS)        RMS before  RMS after  peak before  peak after');
signal.forEach((c, ch) => {
  console.log(`  ${ch ? 'right' : 'left '}             ${db(before[ch].rms)}    ${db(rms(c))}      ${db(before[ch].peak)}     ${db(peak(c))}`);
});
const loudAfter = measureLoudness(signal, sampleRate);
const lu = (v: number) => v.toFixed(1).padStart(6);
console.log('\nLoudness (BS.1770-5 / EBU R 128)   before   after');
console.log(`  integrated (LUFS)              ${lu(loudBefore.integrated)}  ${lu(loudAfter.integrated)}`);
console.log(`  loudness range (LU)            ${lu(loudBefore.lra)}  ${lu(loudAfter.lra)}`);
console.log(`  true peak (dBTP)               ${lu(loudBefore.truePeak)}  ${lu(loudAfter.truePeak)}`);
console.log(`\nProcessed in ${ms.toFixed(1)} ms: ${((seconds * 1000) / ms).toFixed(0)}× real time (four processors, 128-frame blocks, first run, JIT warming up).`);

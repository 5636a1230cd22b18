// The example page's script: builds the chain in an AudioWorklet with masterbus/worklet and
// draws its meters. Served by `npm run example` (the repository root, on 127.0.0.1).
import { createMasterbusNode } from '/dist/worklet.js';

/** The chain, as the JSON of masterbus processors (no DSP code needed on the main thread). */
const chain = [
  { type: 'ParametricEQ', params: { bands: [
    { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
    { type: 'peaking', frequencyHz: 300, q: 1.2, gainDb: -2 },
    { type: 'highshelf', frequencyHz: 10000, gainDb: 2 },
  ] } },
  { type: 'Compressor', params: { thresholdDb: -20, ratio: 2.5, kneeDb: 8, attackMs: 15, releaseMs: 150, makeupDb: 3 } },
  { type: 'Limiter', params: { ceilingDb: -1, driveDb: 6 } },
  { type: 'LoudnessMeter', params: {} },
];

const $ = (id) => document.getElementById(id);
let ctx;
let master;
let source;
let setup;

/** A 4-second loop made in place: kick, snare, hi-hat, bass and a chord, at 120 bpm. */
function makeLoop(context) {
  const fs = context.sampleRate;
  const n = 4 * fs;
  const buf = context.createBuffer(2, n, fs);
  const l = buf.getChannelData(0);
  const r = buf.getChannelData(1);
  let seed = 1;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 31 - 1);
  const beat = fs / 2;
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const tb = (i % beat) / fs;
    const bar = Math.floor(i / beat) % 4;
    const kick = (bar % 2 === 0 ? 0.9 : 0) * Math.sin(2 * Math.PI * 55 * tb * (1 + 2 * Math.exp(-tb * 30))) * Math.exp(-tb * 8);
    const snare = (bar % 2 === 1 ? 0.35 : 0) * rnd() * Math.exp(-tb * 18);
    const hat = 0.08 * rnd() * Math.exp(-((i % (beat / 2)) / fs) * 60);
    const bass = 0.25 * Math.sin(2 * Math.PI * [55, 55, 65.4, 49][Math.floor(t) % 4] * t);
    const chord = 0.06 * [220, 277.2, 329.6].reduce((s, f) => s + Math.sin(2 * Math.PI * f * t), 0);
    l[i] = kick + snare + 0.7 * hat + bass + chord;
    r[i] = kick + 0.8 * snare + hat + bass + 0.8 * chord;
  }
  return buf;
}

// One setup, however many clicks arrive while it runs.
function ensureGraph() {
  setup ??= buildGraph();
  return setup;
}

async function buildGraph() {
  ctx = new AudioContext();
  master = await createMasterbusNode(ctx, { moduleUrl: '/dist/masterbus-worklet.js', chain, channels: 2, meterHz: 20 });
  master.node.connect(ctx.destination);
  master.onerror = (m) => ($('status').textContent = `Worklet error: ${m}`);
  const bar = (id, v, lo, hi) => ($(id).style.width = `${Math.max(0, Math.min(1, (v - lo) / (hi - lo))) * 100}%`);
  const show = (v, unit) => (Number.isFinite(v) ? `${v.toFixed(1)} ${unit}` : '–');
  master.onmeters = (m) => {
    const loud = m[3];
    const comp = m[1];
    const lim = m[2];
    $('lufs-m').textContent = show(loud.momentaryLufs, 'LUFS');
    $('lufs-s').textContent = show(loud.shortTermLufs, 'LUFS');
    $('gr-c').textContent = show(comp.gainReductionDb, 'dB');
    $('gr-l').textContent = show(lim.gainReductionDb, 'dB');
    bar('bar-m', loud.momentaryLufs, -40, 0);
    bar('bar-s', loud.shortTermLufs, -40, 0);
    bar('bar-c', comp.gainReductionDb, 0, 12);
    bar('bar-l', lim.gainReductionDb, 0, 12);
  };
}

async function play(buffer, label) {
  await ensureGraph();
  await ctx.resume();
  source?.stop();
  source = new AudioBufferSourceNode(ctx, { buffer, loop: true });
  source.connect(master.node);
  source.start();
  $('status').textContent = `Playing ${label} through the worklet at ${ctx.sampleRate} Hz.`;
}

$('loop').onclick = async () => {
  await ensureGraph();
  await play(makeLoop(ctx), 'the built-in loop');
};
$('file').onchange = async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  await ensureGraph();
  try {
    await play(await ctx.decodeAudioData(await file.arrayBuffer()), file.name);
  } catch (err) {
    $('status').textContent = `Could not decode ${file.name}: ${err.message}`;
  }
};
$('bypass').onchange = (e) => master?.bypass(e.target.checked);
$('stop').onclick = () => {
  source?.stop();
  source = undefined;
  $('status').textContent = 'Stopped.';
};

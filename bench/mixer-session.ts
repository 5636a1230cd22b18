/**
 * The 32-track session of the mixer benches, in one place for the Node bench (mixer-worker.ts:
 * masterbus's Mixer and node-web-audio-api) and the Chromium bench (mixer-browser.ts and the page
 * it bundles, mixer-browser-page.ts): the settings in library-neutral terms, the deterministic
 * track inputs, masterbus's session options, and the equivalent Web Audio node graph built from
 * whichever set of node classes is given (node-web-audio-api's or the browser's).
 *
 * Imports nothing at run time, so the page bundle carries only what it uses.
 */
import type { Processor } from '../src/index.js';
import type { Masterbus } from './biquad.common.js';

export const FS = 48000;
export const BLOCK = 128;
export const TRACKS = 32;

export type Band = { type: 'lowshelf' | 'peaking' | 'highshelf' | 'highpass' | 'lowpass'; frequencyHz: number; gainDb: number; q: number };
/** Track t's EQ: gains spread over ±4 dB by track, peaking Q 1, shelves at slope 1. */
export const trackBands = (t: number): Band[] => {
  const g = (k: number) => (((t * 7 + k * 3) % 9) - 4) * 1;
  return [
    { type: 'lowshelf', frequencyHz: 120, gainDb: g(0), q: Math.SQRT1_2 },
    { type: 'peaking', frequencyHz: 350, gainDb: g(1), q: 1 },
    { type: 'peaking', frequencyHz: 2500, gainDb: g(2), q: 1 },
    { type: 'highshelf', frequencyHz: 9000, gainDb: g(3), q: Math.SQRT1_2 },
  ];
};
export const AUX_BANDS: Band[] = [
  { type: 'highpass', frequencyHz: 200, gainDb: 0, q: Math.SQRT1_2 },
  { type: 'lowpass', frequencyHz: 6000, gainDb: 0, q: Math.SQRT1_2 },
];
export const MASTER_BANDS: Band[] = [
  { type: 'lowshelf', frequencyHz: 80, gainDb: 1, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 250, gainDb: -1, q: 1 },
  { type: 'peaking', frequencyHz: 3000, gainDb: 1, q: 1 },
  { type: 'highshelf', frequencyHz: 12000, gainDb: 1.5, q: Math.SQRT1_2 },
];
export type CompSettings = { thresholdDb: number; kneeDb: number; ratio: number; attackMs: number; releaseMs: number };
/** Compressor settings in Web Audio's parameter set (masterbus: peak detector, default hold, full link). */
export const TRACK_COMP: CompSettings = { thresholdDb: -24, kneeDb: 6, ratio: 4, attackMs: 10, releaseMs: 100 };
export const MASTER_COMP: CompSettings = { thresholdDb: -12, kneeDb: 6, ratio: 2, attackMs: 30, releaseMs: 200 };
export const LIMITER = { ceilingDb: -1, lookaheadMs: 5, releaseMs: 100 };
/** Web Audio has no true-peak limiter: a DynamicsCompressorNode at 20:1, knee 0, 1 ms attack stands in. */
export const LIMITER_STAND_IN: CompSettings = { thresholdDb: LIMITER.ceilingDb, kneeDb: 0, ratio: 20, attackMs: 1, releaseMs: LIMITER.releaseMs };
export const faderDb = (t: number) => -14 - (t % 5);
export const panOf = (t: number) => -0.8 + (1.6 * t) / (TRACKS - 1);
export const SEND_DB = -10;
export const auxOf = (t: number) => t % 2;
export const AUX_NAMES = ['auxA', 'auxB'];
export const dbToGain = (db: number) => 10 ** (db / 20);

/**
 * Track t's input, `frames` long: white noise (±0.1, mulberry32 seeded by t) plus three sines
 * whose frequencies depend on t, under a slow amplitude swell (0.2–1, 0.3–1.9 Hz) so the
 * compressors attack and release; the right channel is detuned by 0.3 %. Sines by rotating phasors
 * (no Math.sin per sample: 32 stereo tracks would take seconds to build).
 */
export function trackSignal(t: number, frames: number): Float32Array<ArrayBuffer>[] {
  let a = (0x9e3779b9 ^ (t * 0x85ebca6b)) >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const tones = [
    { f: 50 + 13 * t, a: 0.2 },
    { f: 220 * 1.05 ** t, a: 0.12 },
    { f: 1500 + 211 * t, a: 0.06 },
  ];
  const swellHz = 0.3 + (1.6 * t) / TRACKS;
  return [0, 1].map((ch) => {
    const x = new Float32Array(frames);
    const rot = [...tones.map((k) => k.f * (1 + 0.003 * ch)), swellHz].map((f) => [Math.cos((2 * Math.PI * f) / FS), Math.sin((2 * Math.PI * f) / FS)]);
    const re = rot.map((_, k) => Math.cos(k + ch + t));
    const im = rot.map((_, k) => Math.sin(k + ch + t));
    for (let i = 0; i < frames; i++) {
      let v = 0.2 * (rand() - 0.5);
      for (let k = 0; k < tones.length; k++) v += tones[k].a * im[k];
      x[i] = v * (0.6 + 0.4 * im[tones.length]);
      for (let k = 0; k < rot.length; k++) {
        const r = re[k] * rot[k][0] - im[k] * rot[k][1];
        im[k] = re[k] * rot[k][1] + im[k] * rot[k][0];
        re[k] = r;
      }
    }
    return x;
  });
}

/**
 * masterbus's Mixer options for the session. `tap(k)`, when given, is put first on aux bus k
 * (k = 0, 1) and on the master (k = 2): mixer-worker.ts records what the buses receive that way.
 */
export function sessionOptions(mb: Masterbus, tap?: (k: number) => Processor) {
  const eq = (bands: Band[]) => new mb.ParametricEQ({ bands: bands.map((b) => ({ ...b })) });
  const first = (k: number, inserts: Processor[]) => (tap ? [tap(k), ...inserts] : inserts);
  return {
    // No strip meters: the Web Audio graph has none either (metering costs about a two-band EQ per strip).
    meters: false,
    tracks: Array.from({ length: TRACKS }, (_, t) => ({
      name: `t${t}`,
      inserts: [eq(trackBands(t)), new mb.Compressor({ ...TRACK_COMP, detector: 'peak' })],
      faderDb: faderDb(t),
      pan: panOf(t),
      sends: [{ bus: AUX_NAMES[auxOf(t)], levelDb: SEND_DB }],
    })),
    buses: AUX_NAMES.map((name, a) => ({ name, inserts: first(a, [eq(AUX_BANDS)]) })),
    master: { inserts: first(2, masterInserts(mb)) },
  };
}

/** The master bus's inserts: 4-band EQ, Compressor, true-peak Limiter. */
export function masterInserts(mb: Masterbus): [Processor, Processor, Processor] {
  return [
    new mb.ParametricEQ({ bands: MASTER_BANDS.map((b) => ({ ...b })) }),
    new mb.Compressor({ ...MASTER_COMP, detector: 'peak' }),
    new mb.Limiter({ ...LIMITER, mode: 'true-peak' }),
  ];
}

/** The least of an audio node the graph builder needs (node-web-audio-api's and the DOM's fit). */
export interface GraphNode {
  connect(destination: GraphNode): GraphNode;
}
/** The node classes {@link buildWebAudioSession} uses, from node-web-audio-api or the browser. */
export interface WebAudioKit {
  AudioBufferSourceNode: new (ctx: never, options: { buffer: unknown }) => GraphNode & { start(): void };
  BiquadFilterNode: new (ctx: never, options: { type: Band['type']; frequency: number; gain: number; Q: number }) => GraphNode;
  DynamicsCompressorNode: new (ctx: never, options: { threshold: number; knee: number; ratio: number; attack: number; release: number }) => GraphNode;
  GainNode: new (ctx: never, options?: { gain: number }) => GraphNode;
  StereoPannerNode: new (ctx: never, options: { pan: number }) => GraphNode;
}

/**
 * Build the session as a Web Audio node graph in `ctx` and start its sources: per track
 * AudioBufferSourceNode → 4 BiquadFilterNodes → DynamicsCompressorNode → StereoPannerNode →
 * GainNode (fader) → master input; fader → GainNode (send) → aux input → 2 BiquadFilterNodes →
 * master input; master: 4 BiquadFilterNodes → DynamicsCompressorNode → a second
 * DynamicsCompressorNode ({@link LIMITER_STAND_IN}) → destination. `full: false` leaves out every
 * EQ and compressor (the graph's own cost).
 *
 * Web Audio's high- and low-pass Q is in dB (Web Audio API §1.13: Q_lin = 10^(Q/20)); peaking Q
 * is linear; shelves ignore Q and have slope 1, as masterbus's default shelfSlope.
 */
export function buildWebAudioSession(ctx: { destination: unknown }, kit: WebAudioKit, buffers: readonly unknown[], full = true): void {
  const c = ctx as never;
  const biquads = (bands: Band[]) =>
    bands.map((b) => new kit.BiquadFilterNode(c, { type: b.type, frequency: b.frequencyHz, gain: b.gainDb, Q: b.type === 'highpass' || b.type === 'lowpass' ? 20 * Math.log10(b.q) : b.q }));
  const comp = (s: CompSettings) => new kit.DynamicsCompressorNode(c, { threshold: s.thresholdDb, knee: s.kneeDb, ratio: s.ratio, attack: s.attackMs / 1000, release: s.releaseMs / 1000 });
  const series = (nodes: GraphNode[]): [GraphNode, GraphNode] => {
    for (let i = 0; i + 1 < nodes.length; i++) nodes[i].connect(nodes[i + 1]);
    return [nodes[0], nodes[nodes.length - 1]];
  };
  const masterIn = new kit.GainNode(c);
  const masterChain = full ? [...biquads(MASTER_BANDS), comp(MASTER_COMP), comp(LIMITER_STAND_IN)] : [];
  series([masterIn, ...masterChain])[1].connect(ctx.destination as GraphNode);
  const auxIn = AUX_NAMES.map(() => {
    const input = new kit.GainNode(c);
    series([input, ...(full ? biquads(AUX_BANDS) : [])])[1].connect(masterIn);
    return input;
  });
  buffers.forEach((buffer, t) => {
    const src = new kit.AudioBufferSourceNode(c, { buffer });
    const fader = new kit.GainNode(c, { gain: dbToGain(faderDb(t)) });
    const inserts = full ? [...biquads(trackBands(t)), comp(TRACK_COMP)] : [];
    series([src, ...inserts, new kit.StereoPannerNode(c, { pan: panOf(t) }), fader]);
    fader.connect(masterIn);
    fader.connect(new kit.GainNode(c, { gain: dbToGain(SEND_DB) })).connect(auxIn[auxOf(t)]);
    src.start();
  });
}

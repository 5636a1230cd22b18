/**
 * One mixer bench group in its own process (spawned by `bench/mixer.ts`):
 *
 *   node --import tsx/esm bench/mixer-worker.ts masterbus|nwa
 *
 * (`MIXBENCH_SECONDS` and `MIXBENCH_RUNS` in the environment override the signal length, 10 s,
 * and the timed runs per process, 5.)
 *
 * The session: 32 stereo tracks at 48 kHz in 128-frame blocks, each with a 4-band EQ and a
 * compressor, then fader, pan and one post-fader send (even tracks to aux A, odd to aux B); two aux
 * buses with a 2-band EQ each (high-pass and low-pass, as on a reverb return: the library has no
 * reverb yet); a master bus with a 4-band EQ, a compressor and a true-peak limiter.
 *
 * masterbus: two contenders, timed alternately in the same process so that load phases hit both:
 * - the {@link Mixer} running the session, block by block (inputs read through `subarray` views
 *   cut before timing; the Mixer does not write its inputs);
 * - the same processors with the same settings (other instances) called directly, in the same
 *   order, in place on the buffers they would see in the Mixer: each track's input (restored,
 *   untimed, before every pass), and for the buses the signals the Mixer feeds them, recorded
 *   once beforehand by a third Mixer whose buses start with a recording insert. No summing,
 *   gains, sends or copies: what is left of the Mixer's time is its container cost. An untimed
 *   check first runs both from fresh state and compares the Mixer's output with the directly
 *   processed master bus (they must be identical).
 *
 * node-web-audio-api: the equivalent graph in an OfflineAudioContext (per track:
 * AudioBufferSourceNode → 4 BiquadFilterNodes → DynamicsCompressorNode → StereoPannerNode →
 * GainNode (fader) → master input; fader → GainNode (send) → aux input → 2 BiquadFilterNodes →
 * master input; master: 4 BiquadFilterNodes → DynamicsCompressorNode → a second
 * DynamicsCompressorNode at ratio 20, knee 0, 1 ms attack as the limiter, since Web Audio has no
 * true-peak limiter), built before the clock starts; and the same graph without the EQs and
 * compressors, to show the graph's own cost. Prints one line of JSON.
 */
import { performance } from 'node:perf_hooks';
import type { Processor, ProcessSpec } from '../src/index.js';
import { loadMasterbus } from './biquad.common.js';
import { median } from './harness.js';

const group = process.argv[2];
const FS = 48000;
const BLOCK = 128;
const TRACKS = 32;
const seconds = Number(process.env.MIXBENCH_SECONDS) || 10;
const runs = Number(process.env.MIXBENCH_RUNS) || 5;
const FRAMES = Math.floor((seconds * FS) / 4096) * 4096;
const BLOCKS = FRAMES / BLOCK;

// ---------------------------------------------------------------------------------------------
// The session, in library-neutral terms.

type Band = { type: 'lowshelf' | 'peaking' | 'highshelf' | 'highpass' | 'lowpass'; frequencyHz: number; gainDb: number; q: number };
/** Track t's EQ: gains spread over ±4 dB by track, peaking Q 1, shelves at slope 1. */
const trackBands = (t: number): Band[] => {
  const g = (k: number) => (((t * 7 + k * 3) % 9) - 4) * 1;
  return [
    { type: 'lowshelf', frequencyHz: 120, gainDb: g(0), q: Math.SQRT1_2 },
    { type: 'peaking', frequencyHz: 350, gainDb: g(1), q: 1 },
    { type: 'peaking', frequencyHz: 2500, gainDb: g(2), q: 1 },
    { type: 'highshelf', frequencyHz: 9000, gainDb: g(3), q: Math.SQRT1_2 },
  ];
};
const AUX_BANDS: Band[] = [
  { type: 'highpass', frequencyHz: 200, gainDb: 0, q: Math.SQRT1_2 },
  { type: 'lowpass', frequencyHz: 6000, gainDb: 0, q: Math.SQRT1_2 },
];
const MASTER_BANDS: Band[] = [
  { type: 'lowshelf', frequencyHz: 80, gainDb: 1, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 250, gainDb: -1, q: 1 },
  { type: 'peaking', frequencyHz: 3000, gainDb: 1, q: 1 },
  { type: 'highshelf', frequencyHz: 12000, gainDb: 1.5, q: Math.SQRT1_2 },
];
/** Compressor settings in Web Audio's parameter set (masterbus: peak detector, default hold, full link). */
const TRACK_COMP = { thresholdDb: -24, kneeDb: 6, ratio: 4, attackMs: 10, releaseMs: 100 };
const MASTER_COMP = { thresholdDb: -12, kneeDb: 6, ratio: 2, attackMs: 30, releaseMs: 200 };
const LIMITER = { ceilingDb: -1, lookaheadMs: 5, releaseMs: 100 };
const faderDb = (t: number) => -14 - (t % 5);
const panOf = (t: number) => -0.8 + (1.6 * t) / (TRACKS - 1);
const SEND_DB = -10;
const auxOf = (t: number) => t % 2;
const AUX_NAMES = ['auxA', 'auxB'];
const dbToGain = (db: number) => 10 ** (db / 20);

/**
 * Track t's input: white noise (±0.1, mulberry32 seeded by t) plus three sines whose frequencies
 * depend on t, under a slow amplitude swell (0.2–1, 0.3–1.9 Hz) so the compressors attack and
 * release; the right channel is detuned by 0.3 %. Sines by rotating phasors (no Math.sin per
 * sample: 32 stereo tracks would take seconds to build).
 */
function trackSignal(t: number): Float32Array<ArrayBuffer>[] {
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
    const x = new Float32Array(FRAMES);
    const rot = [...tones.map((k) => k.f * (1 + 0.003 * ch)), swellHz].map((f) => [Math.cos((2 * Math.PI * f) / FS), Math.sin((2 * Math.PI * f) / FS)]);
    const re = rot.map((_, k) => Math.cos(k + ch + t));
    const im = rot.map((_, k) => Math.sin(k + ch + t));
    for (let i = 0; i < FRAMES; i++) {
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

interface Row {
  id: string;
  block: string;
  ms: number;
  /** Mixer row only: median over the timed runs of (Mixer pass / direct pass) − 1. */
  overhead?: number;
  /** Mixer row only: max |Mixer output − directly processed master| over the check pass. */
  maxDiff?: number;
}

const IDS = {
  mixer: `masterbus Mixer: ${TRACKS} stereo tracks (EQ, comp, pan, fader, send), 2 aux, master (EQ, comp, limiter)`,
  direct: 'masterbus same processors called directly (no Mixer)',
  nwa: 'node-web-audio-api OfflineAudioContext, equivalent graph',
  nwaBare: 'node-web-audio-api same graph without EQs and compressors',
} as const;

const rows: Row[] = [];
const inputs = Array.from({ length: TRACKS }, (_, t) => trackSignal(t));

if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const spec = { sampleRate: FS, maxBlockSize: BLOCK, channels: 2 };
  const eq = (bands: Band[]) => new mb.ParametricEQ({ bands: bands.map((b) => ({ ...b })) });
  const trackComp = () => new mb.Compressor({ ...TRACK_COMP, detector: 'peak' });
  const master = () => [eq(MASTER_BANDS), new mb.Compressor({ ...MASTER_COMP, detector: 'peak' }), new mb.Limiter({ ...LIMITER, mode: 'true-peak' })];

  /** Records what reaches it into `into` (block after block); passes the audio unchanged. */
  class Recorder implements Processor {
    readonly latency = 0;
    readonly params = {};
    readonly channelRange = { min: 1, max: 2 };
    readonly meterNames = [];
    private pos = 0;
    constructor(private readonly into: Float32Array[]) {}
    prepare(_spec: ProcessSpec): void {}
    process(block: readonly Float32Array[], frames = block[0].length): void {
      for (let c = 0; c < this.into.length; c++) this.into[c].set(block[c].subarray(0, frames), this.pos);
      this.pos += frames;
    }
    reset(): void {}
    toJSON() {
      return { type: 'Recorder', params: {} };
    }
    set(): this {
      return this;
    }
    readMeters(): void {}
  }

  const session = (taps?: Float32Array[][]) => ({
    // No strip meters: the Web Audio graph has none either (metering costs about a two-band EQ per strip).
    meters: false,
    tracks: inputs.map((_, t) => ({
      name: `t${t}`,
      inserts: [eq(trackBands(t)), trackComp()],
      faderDb: faderDb(t),
      pan: panOf(t),
      sends: [{ bus: AUX_NAMES[auxOf(t)], levelDb: SEND_DB }],
    })),
    buses: AUX_NAMES.map((name, a) => ({ name, inserts: taps ? [new Recorder(taps[a]), eq(AUX_BANDS)] : [eq(AUX_BANDS)] })),
    master: { inserts: taps ? [new Recorder(taps[2]), ...master()] : master() },
  });
  const stereo = () => [new Float32Array(FRAMES), new Float32Array(FRAMES)];
  const viewsOf = (x: Float32Array[]) => Array.from({ length: BLOCKS }, (_, b) => x.map((c) => c.subarray(b * BLOCK, (b + 1) * BLOCK)));

  // What the buses receive, recorded once by a Mixer of its own (fresh processors, same settings).
  const taps = [stereo(), stereo(), stereo()];
  const out = stereo();
  const outViews = viewsOf(out);
  const inViews = Array.from({ length: BLOCKS }, (_, b) => inputs.map((x) => x.map((c) => c.subarray(b * BLOCK, (b + 1) * BLOCK))));
  {
    const capture = new mb.Mixer(session(taps));
    capture.prepare(spec);
    // Only the master limiter has latency: no path needs a compensation delay.
    const lim = master()[2];
    lim.prepare(spec);
    if (capture.latency !== lim.latency) throw new Error(`mixer bench: expected the limiter's latency ${lim.latency}, got ${capture.latency}`);
    for (let b = 0; b < BLOCKS; b++) capture.process(inViews[b], outViews[b], BLOCK);
  }

  const mixer = new mb.Mixer(session());
  mixer.prepare(spec);
  const mixerPass = (): number => {
    const t0 = performance.now();
    for (let b = 0; b < BLOCKS; b++) mixer.process(inViews[b], outViews[b], BLOCK);
    return performance.now() - t0;
  };

  // The direct run: same processors, prepared alike, in place on working copies.
  const prep = <P extends Processor>(p: P): P => (p.prepare(spec), p);
  const eqs = inputs.map((_, t) => prep(eq(trackBands(t))));
  const comps = inputs.map(() => prep(trackComp()));
  const auxEqs = AUX_NAMES.map(() => prep(eq(AUX_BANDS)));
  const [mEq, mComp, mLim] = master().map(prep);
  const pristine = [...inputs, taps[0], taps[1], taps[2]];
  const work = pristine.map(() => stereo());
  const trackViews = inputs.map((_, t) => viewsOf(work[t]));
  const auxViews = [viewsOf(work[TRACKS]), viewsOf(work[TRACKS + 1])];
  const masterViews = viewsOf(work[TRACKS + 2]);
  const directPass = (): number => {
    for (let k = 0; k < work.length; k++) for (let c = 0; c < 2; c++) work[k][c].set(pristine[k][c]); // untimed restore
    const t0 = performance.now();
    for (let b = 0; b < BLOCKS; b++) {
      for (let t = 0; t < TRACKS; t++) {
        const v = trackViews[t][b];
        eqs[t].process(v);
        comps[t].process(v);
      }
      auxEqs[0].process(auxViews[0][b]);
      auxEqs[1].process(auxViews[1][b]);
      const m = masterViews[b];
      mEq.process(m);
      mComp.process(m);
      mLim.process(m);
    }
    return performance.now() - t0;
  };

  // Untimed check, from fresh state: the Mixer's output is the directly processed master bus.
  mixerPass();
  directPass();
  let maxDiff = 0;
  const done = work[TRACKS + 2];
  for (let c = 0; c < 2; c++) for (let i = 0; i < FRAMES; i++) maxDiff = Math.max(maxDiff, Math.abs(out[c][i] - done[c][i]));

  // One more warm-up pass each, then `runs` timed passes of each, alternating which goes first.
  mixerPass();
  directPass();
  const mixMs: number[] = [];
  const dirMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2) {
      dirMs.push(directPass());
      mixMs.push(mixerPass());
    } else {
      mixMs.push(mixerPass());
      dirMs.push(directPass());
    }
  }
  const overhead = median(mixMs.map((m, r) => m / dirMs[r] - 1));
  rows.push({ id: IDS.mixer, block: String(BLOCK), ms: median(mixMs), overhead, maxDiff });
  rows.push({ id: IDS.direct, block: String(BLOCK), ms: median(dirMs) });
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, BiquadFilterNode, DynamicsCompressorNode, GainNode, OfflineAudioContext, StereoPannerNode } = await import('node-web-audio-api');
  type Ctx = InstanceType<typeof OfflineAudioContext>;
  type AnyNode = { connect(n: AnyNode): AnyNode };
  const buffers = inputs.map((x) => {
    const buf = new AudioBuffer({ numberOfChannels: 2, length: FRAMES, sampleRate: FS });
    x.forEach((c, ch) => buf.copyToChannel(c, ch));
    return buf;
  });
  /**
   * Web Audio's high- and low-pass Q is in dB (Web Audio API §1.13: Q_lin = 10^(Q/20)); peaking Q
   * is linear; shelves ignore Q and have slope 1, as masterbus's default shelfSlope.
   */
  const biquads = (ctx: Ctx, bands: Band[]) =>
    bands.map((b) => new BiquadFilterNode(ctx, { type: b.type, frequency: b.frequencyHz, gain: b.gainDb, Q: b.type === 'highpass' || b.type === 'lowpass' ? 20 * Math.log10(b.q) : b.q }));
  const series = (nodes: AnyNode[]): [AnyNode, AnyNode] => {
    for (let i = 0; i + 1 < nodes.length; i++) nodes[i].connect(nodes[i + 1]);
    return [nodes[0], nodes[nodes.length - 1]];
  };
  const comp = (ctx: Ctx, c: { thresholdDb: number; kneeDb: number; ratio: number; attackMs: number; releaseMs: number }) =>
    new DynamicsCompressorNode(ctx, { threshold: c.thresholdDb, knee: c.kneeDb, ratio: c.ratio, attack: c.attackMs / 1000, release: c.releaseMs / 1000 });
  const render = (full: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: FRAMES, sampleRate: FS });
    const masterIn = new GainNode(ctx);
    const masterChain: AnyNode[] = full ? [...biquads(ctx, MASTER_BANDS), comp(ctx, MASTER_COMP), comp(ctx, { thresholdDb: LIMITER.ceilingDb, kneeDb: 0, ratio: 20, attackMs: 1, releaseMs: LIMITER.releaseMs })] : [];
    series([masterIn, ...masterChain]).at(-1)!.connect(ctx.destination as unknown as AnyNode);
    const auxIn = AUX_NAMES.map(() => {
      const input = new GainNode(ctx);
      series([input, ...(full ? biquads(ctx, AUX_BANDS) : [])])[1].connect(masterIn);
      return input;
    });
    buffers.forEach((buffer, t) => {
      const src = new AudioBufferSourceNode(ctx, { buffer });
      const fader = new GainNode(ctx, { gain: dbToGain(faderDb(t)) });
      const inserts: AnyNode[] = full ? [...biquads(ctx, trackBands(t)), comp(ctx, TRACK_COMP)] : [];
      series([src, ...inserts, new StereoPannerNode(ctx, { pan: panOf(t) }), fader]);
      fader.connect(masterIn);
      fader.connect(new GainNode(ctx, { gain: dbToGain(SEND_DB) })).connect(auxIn[auxOf(t)]);
      src.start();
    });
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  for (const [id, full] of [
    [IDS.nwa, true],
    [IDS.nwaBare, false],
  ] as const) {
    const fn = render(full);
    await fn(); // warm-up
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) ms.push(await fn());
    rows.push({ id, block: '128 (render quantum)', ms: median(ms) });
  }
} else {
  throw new RangeError(`mixer worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: FRAMES / FS, rows })}\n`);

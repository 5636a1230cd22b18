/**
 * One mixer bench group in its own process (spawned by `bench/mixer.ts`):
 *
 *   node --import tsx/esm bench/mixer-worker.ts masterbus|nwa
 *
 * (`MIXBENCH_SECONDS` and `MIXBENCH_RUNS` in the environment override the signal length, 10 s,
 * and the timed runs per process, 5.)
 *
 * The session (defined in mixer-session.ts, shared with the Chromium bench): 32 stereo tracks at 48 kHz in 128-frame blocks, each with a 4-band EQ and a
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
import { AUX_BANDS, AUX_NAMES, BLOCK, buildWebAudioSession, FS, masterInserts, sessionOptions, TRACK_COMP, trackBands, trackSignal, TRACKS, type Band, type WebAudioKit } from './mixer-session.js';

const group = process.argv[2];
const seconds = Number(process.env.MIXBENCH_SECONDS) || 10;
const runs = Number(process.env.MIXBENCH_RUNS) || 5;
const FRAMES = Math.floor((seconds * FS) / 4096) * 4096;
const BLOCKS = FRAMES / BLOCK;

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
const inputs = Array.from({ length: TRACKS }, (_, t) => trackSignal(t, FRAMES));

if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const spec = { sampleRate: FS, maxBlockSize: BLOCK, channels: 2 };
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

  const session = (taps?: Float32Array[][]) => sessionOptions(mb, taps ? (k) => new Recorder(taps[k]) : undefined);
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
    const lim = masterInserts(mb)[2];
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
  const eq = (bands: Band[]) => new mb.ParametricEQ({ bands: bands.map((b) => ({ ...b })) });
  const eqs = inputs.map((_, t) => prep(eq(trackBands(t))));
  const comps = inputs.map(() => prep(new mb.Compressor({ ...TRACK_COMP, detector: 'peak' })));
  const auxEqs = AUX_NAMES.map(() => prep(eq(AUX_BANDS)));
  const [mEq, mComp, mLim] = masterInserts(mb).map(prep);
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
  const nwa = await import('node-web-audio-api');
  const buffers = inputs.map((x) => {
    const buf = new nwa.AudioBuffer({ numberOfChannels: 2, length: FRAMES, sampleRate: FS });
    x.forEach((c, ch) => buf.copyToChannel(c, ch));
    return buf;
  });
  const render = (full: boolean) => async (): Promise<number> => {
    const ctx = new nwa.OfflineAudioContext({ numberOfChannels: 2, length: FRAMES, sampleRate: FS });
    buildWebAudioSession(ctx, nwa as unknown as WebAudioKit, buffers, full);
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

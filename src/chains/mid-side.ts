/**
 * MidSide: run one processor on the mid (sum) signal of a stereo pair and another on the side
 * (difference) signal, then decode back to left/right. The mid/side EQ and the "compress only the
 * centre" of mastering.
 *
 * **Matrix** (the sum/difference matrix, Zölzer, *DAFX* 2nd ed., §5.3; Blumlein's M/S):
 * encode M = (L + R)/2, S = (L − R)/2; decode L = M + S, R = M − S. This is the normalisation
 * with a unity-gain round trip (no 1/√2 on either side), so a mono signal (L = R) comes out of the
 * mid path at its own level, and a gain g on the side path is exactly a width change:
 * L' = M + g·S, R' = M − g·S (the same convention as `StereoWidener`).
 *
 * **Exactness.** The mid and side signals are `Float32Array`s (the children are ordinary
 * processors), so the encode rounds, and no such pair of float32 values can be inverted for
 * every input: L = 1, R = 2⁻¹⁴⁹ and L = 1, R = 0 both encode to M = S = 0.5. The decode therefore
 * adds back what the encode lost. With M, S the encoded (delayed) input and M', S' what the
 * paths return, it writes
 *
 *     L' = L − ((M − M') + (S − S')),   R' = R − ((M − M') − (S − S')),
 *
 * which equals M' + S' and M' − S' in exact arithmetic (because L = M + S and R = M − S before
 * rounding) up to the encode's own rounding error (half a float32 ulp of M and of S), and gives
 * the input back bit for bit (including −0) whenever both paths return their input unchanged:
 * empty chains, bypassed paths, a compressor below threshold. Arithmetic is in float64; L and R
 * are the input delayed by {@link MidSide.latency}. When both paths are `null` the processor
 * passes the audio through untouched (identity even for ±Infinity and NaN, which the matrix
 * would mix into the other channel).
 *
 * **Latency.** Each path runs as a one-channel processor. `latency` is the larger of the two
 * paths' latencies; the shorter path is delayed by the difference (the library's delay kernel,
 * `delayInPlace`), so mid and side stay aligned.
 *
 * **Bypass.** `midBypassed` / `sideBypassed` cross-fade a path against its input delayed by its
 * latency over 20 ms (`BypassFade`, as `Chain` does); the path keeps running, the latency stays.
 *
 * @module
 */
import { BypassFade, delayInPlace } from '../core/delay-line.js';
import { fillPrimingBlock, runPrimingBlocks } from '../core/prime.js';
import { paramsToJSON } from '../core/json.js';
import {
  STEREO_ONLY,
  safeFrameCount,
  usableChannels,
  validateSpec,
  type ChannelRange,
  type MeterName,
  type ProcessSpec,
  type Processor,
  type ProcessorJSON,
} from '../core/processor.js';
import { checkKnownKeys, checkObject, defineRules, describeValue, validateOptions, type OptionRules } from '../core/validate.js';
import { CHAIN_BYPASS_FADE_SECONDS, MAX_NESTING, PrimeSlot, isProcessor, processorTree, type ProcessorBuilder } from './chain.js';

/** Options of {@link MidSide} (the paths' processors are given to the constructor). */
export interface MidSideOptions {
  /** Bypass the mid path (20 ms cross-fade to its delayed input; the latency is kept). @defaultValue false */
  midBypassed: boolean;
  /** Bypass the side path (20 ms cross-fade to its delayed input; the latency is kept). @defaultValue false */
  sideBypassed: boolean;
}

/** The two paths of a {@link MidSide}: a processor (or `Chain`) each, or `null` for none. */
export interface MidSidePaths {
  /** Runs on M = (L + R)/2 as a one-channel processor; `null`: M passes unchanged. */
  mid?: Processor | null;
  /** Runs on S = (L − R)/2 as a one-channel processor; `null`: S passes unchanged. */
  side?: Processor | null;
}

/** Defaults of {@link MidSideOptions}: nothing bypassed. */
export const MID_SIDE_DEFAULTS: Readonly<MidSideOptions> = Object.freeze({ midBypassed: false, sideBypassed: false });

/** Validation rules of {@link MidSideOptions}. */
export const MID_SIDE_RULES: OptionRules<MidSideOptions> = defineRules<MidSideOptions>({
  midBypassed: { kind: 'boolean', description: 'Bypass the mid path (cross-faded, latency kept)' },
  sideBypassed: { kind: 'boolean', description: 'Bypass the side path (cross-faded, latency kept)' },
});

const OWNER = 'MidSide';
const NO_LINE = new Float32Array(0);

/** Ring positions in `pos`: left, right (input delay), mid, side (path compensation). */
const POS_LEFT = 0;
const POS_RIGHT = 1;
const POS_MID = 2;
const POS_SIDE = 3;

/**
 * Mid/side processing: one processor on the mid signal, another on the side signal, decoded
 * back to stereo, latency-compensated. A {@link Processor} itself (stereo only), so it nests in a
 * `Chain` or a mixer slot.
 *
 * @example
 * ```ts
 * import { MidSide, ParametricEQ, Compressor } from 'masterbus';
 * const ms = new MidSide({
 *   mid: new Compressor({ thresholdDb: -20, ratio: 2, lookaheadMs: 2 }),
 *   side: new ParametricEQ({ bands: [{ type: 'highshelf', frequencyHz: 6000, gainDb: 2 }] }),
 * });
 * ms.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128), new Float32Array(128)];
 * ms.process(block);
 * ms.set({ sideBypassed: true });           // A/B the side EQ, 20 ms cross-fade
 * console.log(ms.latency);                  // 96: the compressor's lookahead; the side path is delayed to match
 * ```
 */
export class MidSide implements Processor<MidSideOptions> {
  /** Type name used by {@link MidSide.toJSON}. */
  static readonly type = 'MidSide';
  /** Defaults of its options. */
  static readonly defaults = MID_SIDE_DEFAULTS;
  /** Validation rules of its options (see `describeOptions`). */
  static readonly rules = MID_SIDE_RULES;
  /** Exactly two channels. */
  readonly channelRange: ChannelRange = STEREO_ONLY;
  /** The mid processor's read-out names, then the side processor's. */
  readonly meterNames: readonly MeterName[];
  /** The processor on the mid path (`null`: none). */
  readonly mid: Processor | null;
  /** The processor on the side path (`null`: none). */
  readonly side: Processor | null;
  private opts: MidSideOptions;
  private spec: ProcessSpec | undefined;
  private lat = 0;
  private m = new Float32Array(0);
  private s = new Float32Array(0);
  /** `[m]` and `[s]`: the one-channel blocks handed to the paths (built in prepare, not per call). */
  private mBlock: Float32Array[] = [];
  private sBlock: Float32Array[] = [];
  private midFade: BypassFade | undefined;
  private sideFade: BypassFade | undefined;
  /** Input delay of L and R (the total latency) and the shorter path's compensation. */
  private lineL = NO_LINE;
  private lineR = NO_LINE;
  private lineM = NO_LINE;
  private lineS = NO_LINE;
  private readonly pos = new Int32Array(4);

  /**
   * Build a mid/side processor from its two paths (configured, not yet prepared: `prepare()`
   * prepares them with one channel). Each must accept one channel; one object cannot be both.
   */
  constructor(paths: MidSidePaths = {}, options: Partial<MidSideOptions> = {}) {
    const p = checkObject(OWNER, 'paths', paths);
    checkKnownKeys(OWNER, p, ['mid', 'side']);
    this.mid = checkPath('mid', p.mid);
    this.side = checkPath('side', p.side);
    if (this.mid !== null && this.mid === this.side) throw new TypeError(`${OWNER}: mid and side must be different objects (one object cannot run twice per block)`);
    if (this.mid !== null && this.side !== null) {
      const m = processorTree(this.mid).all;
      for (const q of processorTree(this.side).all) if (m.has(q)) throw new TypeError(`${OWNER}: mid and side share a ${q.constructor.name} object (one object cannot run twice per block)`);
    }
    for (const path of [this.mid, this.side]) {
      if (path === null) continue;
      const t = processorTree(path);
      if (t.repeated !== undefined) throw new TypeError(`${OWNER}: a path holds one ${t.repeated.constructor.name} object twice (one object cannot run twice per block)`);
      if (t.depth >= MAX_NESTING) throw new RangeError(`${OWNER}: a path nests containers ${t.depth} deep; at most ${MAX_NESTING - 1} inside a MidSide`);
    }
    this.meterNames = Object.freeze([...(this.mid?.meterNames ?? []), ...(this.side?.meterNames ?? [])]);
    this.opts = { ...MID_SIDE_DEFAULTS, ...validateOptions<MidSideOptions>(OWNER, options, MID_SIDE_RULES) };
  }

  /**
   * Rebuild from {@link MidSide.toJSON} output; `build` turns each path back into a processor
   * (pass `processorFromJSON`, or your own registry's).
   */
  static fromJSON(json: ProcessorJSON, build: ProcessorBuilder): MidSide {
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== MidSide.type) throw new TypeError(`MidSide.fromJSON: expected type "MidSide", got ${describeValue(j.type)}`);
    const params = checkObject(OWNER, 'json.params', j.params ?? {});
    checkKnownKeys(OWNER, params, ['mid', 'side', ...Object.keys(MID_SIDE_RULES)]);
    const { mid, side, ...options } = params;
    const path = (v: unknown): Processor | null => (v === undefined || v === null ? null : build(v as ProcessorJSON));
    return new MidSide({ mid: path(mid), side: path(side) }, options as Partial<MidSideOptions>);
  }

  /** The larger of the two paths' latencies, in samples (0 before `prepare()`). */
  get latency(): number {
    return this.lat;
  }

  /** The current options. */
  get params(): MidSideOptions {
    return { ...this.opts };
  }

  /** Change options (validated first: a bad value throws and changes nothing). */
  set(options: Partial<MidSideOptions>): this {
    const o = validateOptions<MidSideOptions>(OWNER, options, MID_SIDE_RULES);
    this.opts = { ...this.opts, ...o };
    this.applyBypass(this.spec !== undefined);
    return this;
  }

  private applyBypass(running: boolean): void {
    for (const [fade, value] of [[this.midFade, this.opts.midBypassed], [this.sideFade, this.opts.sideBypassed]] as const) {
      if (fade === undefined) continue;
      if (running) fade.setBypassed(value);
      else fade.setBypassedImmediate(value);
    }
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const mono: ProcessSpec = Object.freeze({ sampleRate: s.sampleRate, maxBlockSize: s.maxBlockSize, channels: 1 });
    const fadeSamples = Math.max(1, Math.round(CHAIN_BYPASS_FADE_SECONDS * s.sampleRate));
    let latM = 0;
    let latS = 0;
    this.midFade = undefined;
    this.sideFade = undefined;
    if (this.mid !== null) {
      this.mid.prepare(mono);
      latM = this.mid.latency;
      this.midFade = new BypassFade(1, latM, s.maxBlockSize, fadeSamples);
    }
    if (this.side !== null) {
      this.side.prepare(mono);
      latS = this.side.latency;
      this.sideFade = new BypassFade(1, latS, s.maxBlockSize, fadeSamples);
    }
    const lat = latM > latS ? latM : latS;
    this.m = new Float32Array(s.maxBlockSize);
    this.s = new Float32Array(s.maxBlockSize);
    this.mBlock = [this.m];
    this.sBlock = [this.s];
    this.lineL = new Float32Array(lat);
    this.lineR = new Float32Array(lat);
    this.lineM = new Float32Array(lat - latM);
    this.lineS = new Float32Array(lat - latS);
    this.pos.fill(0);
    this.lat = lat;
    this.spec = s;
    this.applyBypass(false);
    primeMidSideChanges(s);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    // Fewer than two arrays: no stereo pair to encode, the audio is left as it is.
    if (usableChannels(block, 2) < 2) return;
    const n = safeFrameCount(block, 2, frames);
    if (this.mid === null && this.side === null) return; // identity, bit for bit (NaN and ±Infinity too)
    const max = spec.maxBlockSize;
    for (let pos = 0; pos < n; pos += max) this.run(block[0], block[1], pos, n - pos < max ? n - pos : max);
  }

  /** Encode, run both paths, align, decode `len` ≤ maxBlockSize frames from `start`. */
  private run(left: Float32Array, right: Float32Array, start: number, len: number): void {
    const m = this.m;
    const s = this.s;
    const end = start + len;
    for (let i = start, k = 0; i < end; i++, k++) {
      const l = left[i];
      const r = right[i];
      m[k] = (l + r) * 0.5;
      s[k] = (l - r) * 0.5;
    }
    const mid = this.mid;
    if (mid !== null) {
      const fade = this.midFade as BypassFade;
      if (fade.needsCapture) fade.capture(this.mBlock, 1, len);
      mid.process(this.mBlock, len);
      if (fade.active) fade.mix(this.mBlock, 1, len);
    }
    const side = this.side;
    if (side !== null) {
      const fade = this.sideFade as BypassFade;
      if (fade.needsCapture) fade.capture(this.sBlock, 1, len);
      side.process(this.sBlock, len);
      if (fade.active) fade.mix(this.sBlock, 1, len);
    }
    // Align: the input by the total latency (in place: left/right now hold the delayed input),
    // the shorter path by the difference.
    const pos = this.pos;
    pos[POS_LEFT] = delayInPlace(this.lineL, pos[POS_LEFT], left, start, len);
    pos[POS_RIGHT] = delayInPlace(this.lineR, pos[POS_RIGHT], right, start, len);
    pos[POS_MID] = delayInPlace(this.lineM, pos[POS_MID], m, 0, len);
    pos[POS_SIDE] = delayInPlace(this.lineS, pos[POS_SIDE], s, 0, len);
    // Decode with the encode's rounding added back (see the module comment).
    for (let i = start, k = 0; i < end; i++, k++) {
      const l = left[i];
      const r = right[i];
      const dm = Math.fround((l + r) * 0.5) - m[k];
      const ds = Math.fround((l - r) * 0.5) - s[k];
      left[i] = l - (dm + ds);
      right[i] = r - (dm - ds);
    }
  }

  reset(): void {
    this.mid?.reset();
    this.side?.reset();
    this.midFade?.reset();
    this.sideFade?.reset();
    this.lineL.fill(0);
    this.lineR.fill(0);
    this.lineM.fill(0);
    this.lineS.fill(0);
    this.pos.fill(0);
  }

  /** The mid processor's read-outs, then the side's (see {@link MidSide.meterNames}); allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const mid = this.mid;
    if (mid !== null) {
      mid.readMeters(out, offset);
      offset += mid.meterNames.length;
    }
    this.side?.readMeters(out, offset);
  }

  /** `{ type: "MidSide", params: { mid, side (each toJSON() or null), midBypassed, sideBypassed } }`. */
  /** The processors on the mid and side paths (those that are set). */
  children(): readonly Processor[] {
    return [this.mid, this.side].filter((p): p is Processor => p !== null);
  }

  toJSON(): ProcessorJSON {
    return {
      type: MidSide.type,
      params: { mid: this.mid?.toJSON() ?? null, side: this.side?.toJSON() ?? null, ...paramsToJSON(this.opts) },
    };
  }
}

function checkPath(name: 'mid' | 'side', p: unknown): Processor | null {
  if (p === undefined || p === null) return null;
  if (!isProcessor(p)) throw new TypeError(`${OWNER}.${name} must be a processor or null, got ${describeValue(p)}`);
  if (!(p.channelRange.min <= 1 && 1 <= p.channelRange.max)) {
    throw new RangeError(`${OWNER}.${name} runs on one channel, but its processor needs ${p.channelRange.min} to ${p.channelRange.max} channels`);
  }
  return p;
}

/** Whether the MidSide's bypass paths have been primed in this realm. */
let midSidePrimed = false;
/**
 * The priming's MidSide, kept: once its PrimeSlots were collected, their hidden classes died, and
 * V8 deoptimised every function compiled with them in view ("weak objects") at the next full GC,
 * so the first bypass after it ran unoptimised again.
 */
const primedMidSides: MidSide[] = [];

/**
 * Priming of the MidSide's bypass paths: on a throwaway MidSide (a path with latency and one
 * without), each path bypassed and brought back through its cross-fade many times, in blocks of
 * full and odd sizes; once per realm, in `prepare()`.
 *
 * Why: a bypass switched after a long steady run took code that V8 met without type feedback; the
 * encoder and decoder then ran unoptimised, boxing every sample (45 kB per block, 0.75 MB and two
 * GCs over the 200 blocks after the first bypass, measured 2026-12-02).
 */
function primeMidSideChanges(spec: ProcessSpec): void {
  if (midSidePrimed) return;
  midSidePrimed = true;
  const max = Math.min(256, Math.max(64, spec.maxBlockSize));
  const ms = new MidSide({ mid: new PrimeSlot(0), side: new PrimeSlot(300) });
  primedMidSides.push(ms);
  try {
    ms.prepare({ ...spec, maxBlockSize: max });
  } catch {
    return;
  }
  const block = [new Float32Array(max), new Float32Array(max)];
  const states: [boolean, boolean][] = [[true, false], [false, false], [false, true], [true, true], [false, false]];
  const fade = Math.ceil(CHAIN_BYPASS_FADE_SECONDS * spec.sampleRate);
  let t = 0;
  for (let round = 0; round < 12; round++) {
    for (const [midBypassed, sideBypassed] of states) {
      ms.set({ midBypassed, sideBypassed });
      t += runPrimingBlocks(max, fade + 2 * max, t, (t0, n) => {
        fillPrimingBlock(block, t0, n);
        ms.process(block, n);
      });
    }
  }
}


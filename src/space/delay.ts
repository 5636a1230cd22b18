/**
 * Delay: mono, stereo and ping-pong echoes with filtered feedback, optional modulation and
 * click-free time changes.
 *
 * Signal flow, per line ℓ (one line in `mono` mode, one per channel otherwise):
 * ```
 *   r_ℓ[n]  = line_ℓ read D[n] samples back (cubic Hermite)
 *   f_ℓ[n]  = LP(HP(g · r_ℓ[n]))                     feedback through the loop filters
 *   line_d[n] = in_d[n] + f_src(d)[n]                 src(d) = d, or d − 1 in ping-pong
 *   y_c[n]  = x_c[n] + mix · (r_ℓ(c)[n] − x_c[n])      dry/wet
 * ```
 * So echo k (k ≥ 1) of a sine at f has amplitude (|g|·|H_HP(f)|·|H_LP(f)|)^(k − 1), the first echo
 * unfiltered. `mono` feeds the channels' mean into one line heard on every channel; `stereo` runs
 * one line per channel; `ping-pong` feeds the mean into line 0 and each line's feedback into the
 * next (L → R → L … with two channels).
 *
 * - Loop filters: 2nd-order Butterworth high- and low-pass (RBJ Audio EQ Cookbook, Q = 1/√2),
 *   whose bilinear-transform magnitudes are |H_LP|² = 1/(1 + (tan(ω/2)/tan(ω_c/2))⁴) and
 *   |H_HP|² = 1/(1 + (tan(ω_c/2)/tan(ω/2))⁴), never above 1. `highCutHz` above 0.45·fs acts as 0.45·fs.
 * - Fractional reads: 4-point cubic Hermite (Catmull-Rom, Niemitalo's x-form): an impulse comes
 *   out as the weights ((−t³ + 2t² − t)/2, (3t³ − 5t² + 2)/2, (−3t³ + 4t² + t)/2, (t³ − t²)/2) at
 *   whole delays ⌊D⌋ − 1 … ⌊D⌋ + 2 for D = ⌊D⌋ + t, exact at whole delays. Its magnitude response
 *   is at most 1 at every fraction (checked numerically over a dense grid in the tests).
 * - Stability: for fixed settings the loop's gain is |g|·|H_interp|·|H_HP|·|H_LP| ≤ |g| < 1 at
 *   every frequency, so the loop is stable (small-gain theorem) for |feedback| < 1 at any filter
 *   setting. A clamp at ±10⁴ (+80 dBFS) on the line's input only guards against hostile input.
 * - Time changes: `crossfade` reads the old and the new time with two heads and fades linearly
 *   over `timeChangeMs` (changes arriving during a fade wait for it to end, then fade to the
 *   latest time); `glide` ramps the delay linearly over `timeChangeMs`, so the pitch bends like a
 *   tape machine's. Either way the output never jumps.
 * - Modulation: a sine LFO adds `modDepthMs · sin(2π·modRateHz·t)` to the delay. Evaluated on a
 *   grid of 32 samples of absolute time with the delay linear in between (as in the Chorus).
 * - Denormals: values below 1e−20 (−400 dBFS) written to the line and below 1e−30 left in the
 *   filter states are set to 0, per sample, so after a signal stops the loop empties to exact
 *   zeros. (The line's threshold lies far above the states': zeroing a state disturbs the loop by
 *   about 1e−30, too little to be written back, so the flush cannot keep the loop alive.)
 * - Non-finite input becomes 0 on its way into the line (the dry path passes it through).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { ANY_CHANNELS, NO_METERS, safeFrameCount, usableChannels, validateSpec, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { BPM_RANGE, NOTE_VALUES, noteToMs, type NoteValue } from '../core/tempo.js';
import { defineRules, validateOptions, type OptionRules } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';

/** Routing of a {@link Delay}. */
export type DelayMode = 'mono' | 'stereo' | 'ping-pong';
/** The routings a {@link Delay} offers. */
export const DELAY_MODES = Object.freeze(['mono', 'stereo', 'ping-pong'] as const);
/** How a {@link Delay} changes its time: two heads cross-fading, or one head gliding (tape). */
export type DelayTimeChange = 'crossfade' | 'glide';
/** The time-change styles a {@link Delay} offers. */
export const DELAY_TIME_CHANGES = Object.freeze(['crossfade', 'glide'] as const);
/** Longest delay time, in ms. */
export const MAX_DELAY_MS = 4000;

/** Options of {@link Delay}. */
export interface DelayOptions {
  /** `mono` (the channels' mean, heard on every channel), `stereo` (a line per channel) or `ping-pong` (the mean bouncing across the channels). Not smoothed. @defaultValue 'stereo' */
  mode: DelayMode;
  /** Delay time in ms, [1, 4000], used when `note` is null. Changes follow `timeChange`. @defaultValue 375 */
  timeMs: number;
  /** A note value (`'1/4'`, `'1/8d'` dotted, `'1/8t'` triplet …) at `bpm`; null uses `timeMs`. @defaultValue null */
  note: NoteValue | null;
  /** Tempo for `note`, in quarter notes per minute, [20, 400]. @defaultValue 120 */
  bpm: number;
  /** Feedback gain, (−1, 1). Smoothed. @defaultValue 0.4 */
  feedback: number;
  /** Cutoff of the high-pass filter in the feedback loop, in Hz, [20, 2000]. Smoothed. @defaultValue 80 */
  lowCutHz: number;
  /** Cutoff of the low-pass filter in the feedback loop, in Hz, [500, 20000] (at most 0.45·fs takes effect). Smoothed. @defaultValue 8000 */
  highCutHz: number;
  /** Rate of the delay-time modulation in Hz, [0.05, 10]. @defaultValue 0.5 */
  modRateHz: number;
  /** Depth of the delay-time modulation in ms, [0, 10]; 0 turns it off. Smoothed. @defaultValue 0 */
  modDepthMs: number;
  /** Dry/wet mix, [0, 1]: 0 is the input unchanged, 1 only the echoes. Smoothed. @defaultValue 0.35 */
  mix: number;
  /** How time changes sound: `crossfade` (clean) or `glide` (tape-style pitch bend). @defaultValue 'crossfade' */
  timeChange: DelayTimeChange;
  /** Length of a time change's cross-fade or glide, in ms, [1, 5000]. @defaultValue 150 */
  timeChangeMs: number;
  /** Ramp time of the other parameter changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link DelayOptions}: a dotted-eighth-like stereo echo with dark, thin repeats. */
export const DELAY_DEFAULTS: Readonly<DelayOptions> = Object.freeze({
  mode: 'stereo',
  timeMs: 375,
  note: null,
  bpm: 120,
  feedback: 0.4,
  lowCutHz: 80,
  highCutHz: 8000,
  modRateHz: 0.5,
  modDepthMs: 0,
  mix: 0.35,
  timeChange: 'crossfade',
  timeChangeMs: 150,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link DelayOptions} (a note's length at the tempo must be at most 4000 ms too). */
export const DELAY_RULES: OptionRules<DelayOptions> = defineRules<DelayOptions>({
  mode: { kind: 'enum', values: DELAY_MODES },
  timeMs: { kind: 'number', range: { min: 1, max: MAX_DELAY_MS, unit: 'ms' } },
  note: { kind: 'enum', values: NOTE_VALUES, nullable: true },
  bpm: { kind: 'number', range: BPM_RANGE },
  feedback: { kind: 'number', range: { min: -1, max: 1, minOpen: true, maxOpen: true } },
  lowCutHz: { kind: 'number', range: { min: 20, max: 2000, unit: 'Hz' } },
  highCutHz: { kind: 'number', range: { min: 500, max: 20000, unit: 'Hz' } },
  modRateHz: { kind: 'number', range: { min: 0.05, max: 10, unit: 'Hz' } },
  modDepthMs: { kind: 'number', range: { min: 0, max: 10, unit: 'ms' } },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  timeChange: { kind: 'enum', values: DELAY_TIME_CHANGES },
  timeChangeMs: { kind: 'number', range: { min: 1, max: 5000, unit: 'ms' } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

const OWNER = 'Delay';
/** Control grid (LFO, coefficient updates), in samples of absolute time. */
const SEG = 32;
/** Reads never come closer than this many samples (the interpolator reaches 2 samples ahead). */
const MIN_DELAY_SAMPLES = 3;
/** Largest magnitude written to a line. */
const CLAMP = 1e4;
/** Filter states below this magnitude become 0. */
const FLUSH = 1e-30;
/**
 * Values below this magnitude (−400 dBFS) are written to the lines as 0. Far above FLUSH: zeroing a
 * filter state disturbs the loop by about FLUSH, which must not reach the line, or the loop
 * could keep itself alive near the threshold (a limit cycle the tests once found at 1e−29).
 */
const LINE_FLUSH = 1e-20;

// `st` (Float64Array) slots.
/** Crossfade: delay (samples) of head A (the one heard when no fade runs). */
const HEAD_A = 0;
/** Crossfade: delay of head B (faded in). */
const HEAD_B = 1;
/** Crossfade: gain of head B now, [0, 1]. */
const FADE = 2;
/** Crossfade: gain change per sample. */
const FADE_STEP = 3;
/** Crossfade: time waiting for the fade in progress to end (−1: none). */
const PENDING = 4;
/** LFO: cos and sin at the end of the current grid step, sin at its start. */
const LFO_C = 5;
const LFO_S = 6;
const LFO_S0 = 7;
/** LFO: cos and sin of one grid step. */
const ROT_C = 8;
const ROT_S = 9;
/** Target delay, in samples. */
const TIME_TARGET = 10;
/** Scratch for smoother read-outs (no boxed doubles in process()). */
const TMP_A = 11;
const TMP_B = 12;
const TMP_C = 13;
const TMP_D = 14;
/** Steady path: the Hermite weights of the fixed fraction (4 slots from here), feedback and mix. */
const WEIGHTS = 16;
const FB_NOW = 20;
const MIX_NOW = 21;
const ST_SLOTS = 24;
// `ist` (Int32Array) slots.
/** Samples into the current grid step. */
const PHASE = 0;
/** Write index of the lines. */
const WRITE = 1;
/** YES while a cross-fade runs. */
const FADING = 2;
/** YES when the loop filters' coefficients must be recomputed at the next grid point. */
const DIRTY = 3;
const MODE = 4;
const GLIDE = 5;
/** Steady path: whole samples from the write position back to the y0 sample of the read. */
const OFFSET = 6;
const NO = 0;
const YES = 1;
const MODE_MONO = 0;
const MODE_STEREO = 1;
const MODE_PING_PONG = 2;

// Loop filter coefficients in `co`: HP b0 b1 b2 a1 a2, then LP b0 b1 b2 a1 a2.
const HP = 0;
const LP = 5;
// Per line filter state in `fst` at ℓ·4: HP s1 s2, LP s1 s2 (transposed direct form II).
const FS_SLOTS = 4;

/**
 * A delay with filtered feedback: mono, stereo or ping-pong; time in ms or as a note value at a
 * tempo; optional modulation; click-free time changes. Latency 0 (the dry signal is not delayed).
 *
 * @example
 * ```ts
 * import { Delay } from 'masterbus';
 * const delay = new Delay({ mode: 'ping-pong', note: '1/8d', bpm: 120, feedback: 0.5, mix: 0.3 });
 * delay.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.2), new Float32Array(128).fill(0.2)];
 * delay.process(block);                 // in place
 * delay.set({ note: '1/4' });           // cross-fades to the new time
 * ```
 */
export class Delay implements Processor<DelayOptions> {
  /** Type name used by {@link Delay.toJSON}. */
  static readonly type = 'Delay';
  /** Defaults of its options. */
  static readonly defaults = DELAY_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units. */
  static readonly rules = DELAY_RULES;
  /** Any channel count (ping-pong bounces across all of them, in order). */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: DelayOptions;
  private spec: ProcessSpec | undefined;
  private lines: Float32Array[] = [];
  private mask = 0;
  private size = 0;
  private readonly st = new Float64Array(ST_SLOTS);
  private readonly ist = new Int32Array(8);
  private readonly co = new Float64Array(10);
  private fst = new Float64Array(0);
  private readonly time = new SmoothedValue('linear', 0);
  private readonly fb = new SmoothedValue('linear', 0);
  private readonly mixer = new SmoothedValue('linear', 0);
  private readonly depth = new SmoothedValue('linear', 0);
  private readonly lowCut = new SmoothedValue('multiplicative', 100);
  private readonly highCut = new SmoothedValue('multiplicative', 8000);
  /** The smoothers other than `time`, for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: readonly SmoothedValue[] = [this.fb, this.mixer, this.depth, this.lowCut, this.highCut];
  // Per-sample buffers of one grid step.
  private readonly posA = new Float64Array(SEG);
  private readonly posB = new Float64Array(SEG);
  private readonly gainB = new Float64Array(SEG);
  private readonly fbBuf = new Float64Array(SEG);
  private readonly mixBuf = new Float64Array(SEG);
  private readonly tBuf = new Float64Array(SEG);
  private readonly dBuf = new Float64Array(SEG);
  private readonly inBuf = new Float64Array(SEG);
  /** Per line: the reads of the step (wet), then the filtered feedback. */
  private wet = new Float64Array(0);
  private loop = new Float64Array(0);
  private silence = new Float32Array(SEG);

  /** Create a delay; omitted options take {@link DELAY_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<DelayOptions> = {}) {
    this.opts = Delay.check({ ...DELAY_DEFAULTS }, options);
    this.targets(false);
  }

  /** Rebuild from {@link Delay.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Delay {
    return new Delay(paramsFromJSON(Delay, json));
  }

  /** The current parameters (ramping values are given as their targets). */
  get params(): DelayOptions {
    return { ...this.opts };
  }

  /** The delay time the options ask for, in ms (`note` at `bpm`, else `timeMs`). */
  get effectiveTimeMs(): number {
    return Delay.timeOf(this.opts);
  }

  private static timeOf(o: DelayOptions): number {
    return o.note === null ? o.timeMs : noteToMs(o.note, o.bpm, OWNER);
  }

  private static check(current: DelayOptions, options: Partial<DelayOptions>): DelayOptions {
    const o = validateOptions<DelayOptions>(OWNER, options, DELAY_RULES);
    const next = { ...current, ...o };
    if (next.note !== null) {
      const ms = noteToMs(next.note, next.bpm, OWNER);
      if (ms > MAX_DELAY_MS) {
        throw new RangeError(`Delay.note "${next.note}" at ${next.bpm} bpm lasts ${ms} ms, beyond the longest delay [1, ${MAX_DELAY_MS}] ms`);
      }
    }
    return next;
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<DelayOptions>): this {
    const next = Delay.check(this.opts, options);
    const before = this.opts;
    this.opts = next;
    const fs = this.spec?.sampleRate;
    if (fs !== undefined) {
      if (next.smoothingMs !== before.smoothingMs) {
        for (const v of this.smoothed) v.setRampLength(fs, next.smoothingMs / 1000);
      }
      if (next.timeChangeMs !== before.timeChangeMs) {
        this.time.setRampLength(fs, next.timeChangeMs / 1000);
        this.st[FADE_STEP] = 1 / Math.max(1, Math.round((next.timeChangeMs * fs) / 1000));
      }
      if (next.modRateHz !== before.modRateHz) this.setRate(fs);
      if (next.timeChange !== before.timeChange) this.switchTimeChange();
      if (next.mode !== before.mode) {
        // Lines the old routing did not use (or used differently) start empty.
        for (let l = 1; l < this.lines.length; l++) this.lines[l].fill(0);
        this.fst.fill(0, FS_SLOTS);
      }
    }
    this.targets(fs !== undefined);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const need = Math.ceil(((MAX_DELAY_MS + 10) * s.sampleRate) / 1000) + SEG + 8;
    let size = 1;
    while (size < need) size *= 2;
    this.size = size;
    this.mask = size - 1;
    this.lines = [];
    for (let c = 0; c < s.channels; c++) this.lines.push(new Float32Array(size));
    this.fst = new Float64Array(s.channels * FS_SLOTS);
    this.wet = new Float64Array(s.channels * SEG);
    this.loop = new Float64Array(s.channels * SEG);
    this.silence = new Float32Array(SEG);
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.time.reset(s.sampleRate, this.opts.timeChangeMs / 1000);
    this.st[FADE_STEP] = 1 / Math.max(1, Math.round((this.opts.timeChangeMs * s.sampleRate) / 1000));
    this.setRate(s.sampleRate);
    this.targets(false);
    this.reset();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.lines.length; i++) this.lines[i].fill(0);
    this.fst.fill(0);
    this.wet.fill(0);
    this.loop.fill(0);
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
    const st = this.st;
    const ist = this.ist;
    this.time.setImmediate(st[TIME_TARGET]);
    st[HEAD_A] = st[TIME_TARGET];
    st[HEAD_B] = st[TIME_TARGET];
    st[FADE] = 0;
    st[PENDING] = -1;
    st[LFO_C] = 1;
    st[LFO_S] = 0;
    st[LFO_S0] = 0;
    ist[PHASE] = 0;
    ist[WRITE] = 0;
    ist[FADING] = NO;
    ist[DIRTY] = YES;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const ist = this.ist;
    const st = this.st;
    const C = spec.channels;
    const mode = ist[MODE];
    const L = mode === MODE_MONO ? 1 : C;
    const mask = this.mask;
    const wet = this.wet;
    const loop = this.loop;
    const co = this.co;
    const fst = this.fst;
    const inBuf = this.inBuf;
    const posA = this.posA;
    const posB = this.posB;
    const gainB = this.gainB;
    for (let pos = 0; pos < n; ) {
      const phase = ist[PHASE];
      if (phase === 0) this.gridPoint();
      let k = n - pos < SEG - phase ? n - pos : SEG - phase;
      if (mode === MODE_STEREO && this.steady()) {
        // Nothing moves (one head, no modulation, steady feedback and mix): a fixed fraction, so
        // fixed Hermite weights, and one fused pass per channel (each read precedes its write).
        const w0 = ist[WRITE];
        for (let c = 0; c < C; c++) {
          steadyLine(this.lines[c], c < channels ? block[c] : this.silence, c < channels ? pos : 0, c < channels ? 1 : 0, k, w0, mask, ist[OFFSET], st, co, fst, c * FS_SLOTS);
        }
        ist[WRITE] = (w0 + k) & mask;
        ist[PHASE] = phase + k === SEG ? 0 : phase + k;
        pos += k;
        continue;
      }
      const safe = this.safeLength();
      if (safe < k) k = safe;
      const w0 = ist[WRITE];
      this.heads(k, phase, w0);
      // Reads of every line for the whole step (all precede the step: k ≤ safe).
      for (let l = 0; l < L; l++) readLine(this.lines[l], posA, posB, gainB, k, mask, wet, l * SEG);
      // Feedback through the loop filters, per line.
      const fbn = this.fb.isSmoothing ? k : 1;
      this.fb.fill(this.fbBuf, fbn);
      for (let l = 0; l < L; l++) loopFilter(wet, loop, l * SEG, k, this.fbBuf, fbn === 1 ? 0 : 1, co, fst, l * FS_SLOTS);
      // Line inputs, then the writes.
      if (mode !== MODE_STEREO) {
        for (let i = 0; i < k; i++) inBuf[i] = 0;
        for (let c = 0; c < C; c++) {
          if (c >= channels) continue;
          const x = block[c];
          for (let i = 0; i < k; i++) inBuf[i] += x[pos + i];
        }
        for (let i = 0; i < k; i++) inBuf[i] /= C;
      }
      for (let d = 0; d < L; d++) {
        const src = mode === MODE_PING_PONG ? (d === 0 ? L - 1 : d - 1) : d;
        const line = this.lines[d];
        if (mode === MODE_STEREO) {
          writeLine(line, w0, mask, k, d < channels ? block[d] : this.silence, d < channels ? pos : 0, null, loop, src * SEG);
        } else {
          writeLine(line, w0, mask, k, this.silence, 0, d === 0 ? inBuf : null, loop, src * SEG);
        }
      }
      // Output.
      const mn = this.mixer.isSmoothing ? k : 1;
      this.mixer.fill(this.mixBuf, mn);
      for (let c = 0; c < channels; c++) mixOut(block[c], pos, k, wet, (mode === MODE_MONO ? 0 : c) * SEG, this.mixBuf, mn === 1 ? 0 : 1);
      ist[WRITE] = (w0 + k) & mask;
      ist[PHASE] = phase + k === SEG ? 0 : phase + k;
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Delay.type, this.params);
  }

  /** At a grid point: the LFO's next step and, when needed, the loop filters' coefficients. */
  private gridPoint(): void {
    const st = this.st;
    const ist = this.ist;
    const c = st[LFO_C];
    const s = st[LFO_S];
    let nc = c * st[ROT_C] - s * st[ROT_S];
    let ns = s * st[ROT_C] + c * st[ROT_S];
    const r = 1.5 - 0.5 * (nc * nc + ns * ns);
    nc *= r;
    ns *= r;
    st[LFO_S0] = s;
    st[LFO_C] = nc;
    st[LFO_S] = ns;
    const smoothing = this.lowCut.isSmoothing || this.highCut.isSmoothing;
    if (smoothing || ist[DIRTY] === YES) {
      this.lowCut.writeCurrent(st, TMP_A);
      this.highCut.writeCurrent(st, TMP_B);
      designLoop(this.co, st, this.spec!.sampleRate);
      ist[DIRTY] = smoothing ? YES : NO;
    }
    // (Filter cutoffs ramp per sample in the smoother, the coefficients follow per grid step.)
    this.lowCut.skip(SEG);
    this.highCut.skip(SEG);
  }

  /**
   * True when nothing moves over the next step: one head at a fixed delay, modulation depth 0,
   * feedback and mix steady. Then writes the fixed read's weights, offset, feedback and mix.
   */
  private steady(): boolean {
    const ist = this.ist;
    const st = this.st;
    if (!this.depth.isSteadyAt(0) || this.fb.isSmoothing || this.mixer.isSmoothing) return false;
    let d: number;
    if (ist[GLIDE] === YES) {
      if (this.time.isSmoothing) return false;
      this.time.writeCurrent(st, TMP_C);
      d = st[TMP_C];
    } else {
      if (ist[FADING] === YES) return false;
      d = st[HEAD_A];
    }
    if (d < MIN_DELAY_SAMPLES) d = MIN_DELAY_SAMPLES;
    // The read at n − d: y0 = line[n − off], fraction t (0 for a whole number of samples).
    const whole = Math.floor(d);
    const f = d - whole;
    const t = f === 0 ? 0 : 1 - f;
    ist[OFFSET] = f === 0 ? whole : whole + 1;
    // Catmull-Rom weights of y[−1], y[0], y[1], y[2] at t (Keys 1981, a = −½).
    st[WEIGHTS] = ((-t + 2) * t - 1) * t * 0.5;
    st[WEIGHTS + 1] = ((3 * t - 5) * t * t + 2) * 0.5;
    st[WEIGHTS + 2] = ((-3 * t + 4) * t + 1) * t * 0.5;
    st[WEIGHTS + 3] = (t - 1) * t * t * 0.5;
    this.fb.writeCurrent(st, FB_NOW);
    this.mixer.writeCurrent(st, MIX_NOW);
    return true;
  }

  /**
   * The longest step whose reads all precede it: the smallest delay any head can have until the
   * ramps in flight end, less the interpolator's reach (2 samples); at least 1.
   */
  private safeLength(): number {
    const st = this.st;
    let d: number;
    if (this.ist[GLIDE] === YES) {
      this.time.writeCurrent(st, TMP_C);
      d = st[TMP_C] < st[TIME_TARGET] ? st[TMP_C] : st[TIME_TARGET];
    } else {
      d = st[HEAD_A];
      if (this.ist[FADING] === YES && st[HEAD_B] < d) d = st[HEAD_B];
      if (st[PENDING] >= 0 && st[PENDING] < d) d = st[PENDING];
    }
    this.depth.writeCurrent(st, TMP_C);
    this.depth.writeTarget(st, TMP_D);
    const depth = st[TMP_C] > st[TMP_D] ? st[TMP_C] : st[TMP_D];
    d -= (depth * this.spec!.sampleRate) / 1000;
    const safe = Math.floor(d) - 2;
    return safe < 1 ? 1 : safe > SEG ? SEG : safe;
  }

  /** Read positions (and head B's gain) of the next k samples, from `phase` in the grid step. */
  private heads(k: number, phase: number, w0: number): void {
    const st = this.st;
    const ist = this.ist;
    const posA = this.posA;
    const posB = this.posB;
    const gainB = this.gainB;
    const dn = this.depth.isSmoothing ? k : 1;
    this.depth.fill(this.dBuf, dn);
    const ds = dn === 1 ? 0 : 1;
    const dBuf = this.dBuf;
    const s0 = st[LFO_S0];
    const slope = (st[LFO_S] - s0) / SEG;
    const msToSamples = this.spec!.sampleRate / 1000;
    const modOn = dn > 1 || dBuf[0] !== 0;
    const base = w0 + this.size;
    if (ist[GLIDE] === YES) {
      const tn = this.time.isSmoothing ? k : 1;
      this.time.fill(this.tBuf, tn);
      const ts = tn === 1 ? 0 : 1;
      const tBuf = this.tBuf;
      for (let i = 0; i < k; i++) {
        let d = tBuf[i * ts];
        if (modOn) d += dBuf[i * ds] * (s0 + (phase + i) * slope) * msToSamples;
        if (d < MIN_DELAY_SAMPLES) d = MIN_DELAY_SAMPLES;
        posA[i] = base + i - d;
        gainB[i] = 0;
      }
      return;
    }
    let headA = st[HEAD_A];
    let headB = st[HEAD_B];
    let fade = st[FADE];
    let fading = ist[FADING];
    const step = st[FADE_STEP];
    for (let i = 0; i < k; i++) {
      if (fading === YES) {
        fade += step;
        if (fade >= 1) {
          headA = headB;
          fade = 0;
          fading = NO;
          const p = st[PENDING];
          if (p >= 0 && p !== headA) {
            headB = p;
            fading = YES;
          }
          st[PENDING] = -1;
        }
      }
      const m = modOn ? dBuf[i * ds] * (s0 + (phase + i) * slope) * msToSamples : 0;
      let da = headA + m;
      if (da < MIN_DELAY_SAMPLES) da = MIN_DELAY_SAMPLES;
      posA[i] = base + i - da;
      if (fading === YES) {
        let db = headB + m;
        if (db < MIN_DELAY_SAMPLES) db = MIN_DELAY_SAMPLES;
        posB[i] = base + i - db;
        gainB[i] = fade;
      } else gainB[i] = 0;
    }
    st[HEAD_A] = headA;
    st[HEAD_B] = headB;
    st[FADE] = fade;
    ist[FADING] = fading;
  }

  private setRate(sampleRate: number): void {
    const w = (2 * Math.PI * this.opts.modRateHz * SEG) / sampleRate;
    this.st[ROT_C] = Math.cos(w);
    this.st[ROT_S] = Math.sin(w);
  }

  /** Switching between crossfade and glide: continue from the delay heard now. */
  private switchTimeChange(): void {
    const st = this.st;
    if (this.opts.timeChange === 'glide') {
      // The head being faded in wins (a fade in progress ends at once).
      const now = this.ist[FADING] === YES ? st[HEAD_B] : st[HEAD_A];
      this.time.setImmediate(now);
    } else {
      this.time.writeCurrent(st, TMP_C);
      st[HEAD_A] = st[TMP_C];
      st[HEAD_B] = st[TMP_C];
      this.time.setImmediate(st[TMP_C]);
    }
    this.ist[FADING] = NO;
    st[FADE] = 0;
    st[PENDING] = -1;
  }

  /** Set the smoothers' targets and the time target from the options (`ramp`: ramp, else jump). */
  private targets(ramp: boolean): void {
    const o = this.opts;
    const fs = this.spec?.sampleRate ?? 48000;
    const apply = (v: SmoothedValue, x: number) => (ramp ? v.setTarget(x) : v.setImmediate(x));
    apply(this.fb, o.feedback);
    apply(this.mixer, o.mix);
    apply(this.depth, o.modDepthMs);
    apply(this.lowCut, o.lowCutHz);
    apply(this.highCut, Math.min(o.highCutHz, 0.45 * fs));
    this.ist[MODE] = o.mode === 'mono' ? MODE_MONO : o.mode === 'stereo' ? MODE_STEREO : MODE_PING_PONG;
    this.ist[GLIDE] = o.timeChange === 'glide' ? YES : NO;
    this.ist[DIRTY] = YES;
    const target = (Delay.timeOf(o) * fs) / 1000;
    const st = this.st;
    st[TIME_TARGET] = target;
    if (!ramp) {
      this.time.setImmediate(target);
      st[HEAD_A] = target;
      st[HEAD_B] = target;
      st[FADE] = 0;
      st[PENDING] = -1;
      this.ist[FADING] = NO;
      return;
    }
    if (o.timeChange === 'glide') {
      this.time.setTarget(target);
    } else if (this.ist[FADING] === YES) {
      st[PENDING] = target === st[HEAD_B] ? -1 : target;
    } else if (target !== st[HEAD_A]) {
      st[HEAD_B] = target;
      st[FADE] = 0;
      this.ist[FADING] = YES;
    }
  }
}

/**
 * Loop filter coefficients: RBJ cookbook Butterworth (Q = 1/√2) high-pass at st[TMP_A] Hz and
 * low-pass at st[TMP_B] Hz, normalised by a0, into `co` (HP at 0, LP at 5).
 */
function designLoop(co: Float64Array, st: Float64Array, fs: number): void {
  for (let f = 0; f < 2; f++) {
    const w0 = (2 * Math.PI * st[f === 0 ? TMP_A : TMP_B]) / fs;
    const cw = Math.cos(w0);
    const alpha = Math.sin(w0) / Math.SQRT2; // sin(w0)/(2Q), Q = 1/√2
    const a0 = 1 + alpha;
    const o = f === 0 ? HP : LP;
    const b = f === 0 ? (1 + cw) / 2 : (1 - cw) / 2;
    co[o] = b / a0;
    co[o + 1] = (f === 0 ? -2 * b : 2 * b) / a0;
    co[o + 2] = b / a0;
    co[o + 3] = (-2 * cw) / a0;
    co[o + 4] = (1 - alpha) / a0;
  }
}

/**
 * The steady path for one channel: read at the fixed offset and weights, feed back through the
 * loop filters, write the line and the output (when `write` is 1), all in one pass.
 */
function steadyLine(line: Float32Array, x: Float32Array, xo: number, write: number, k: number, w0: number, mask: number, off: number, st: Float64Array, co: Float64Array, fst: Float64Array, so: number): void {
  const wm = st[WEIGHTS];
  const w0w = st[WEIGHTS + 1];
  const w1 = st[WEIGHTS + 2];
  const w2 = st[WEIGHTS + 3];
  const fb = st[FB_NOW];
  const mix = st[MIX_NOW];
  const hb0 = co[HP];
  const hb1 = co[HP + 1];
  const hb2 = co[HP + 2];
  const ha1 = co[HP + 3];
  const ha2 = co[HP + 4];
  const lb0 = co[LP];
  const lb1 = co[LP + 1];
  const lb2 = co[LP + 2];
  const la1 = co[LP + 3];
  const la2 = co[LP + 4];
  let h1 = fst[so];
  let h2 = fst[so + 1];
  let l1 = fst[so + 2];
  let l2 = fst[so + 3];
  for (let i = 0; i < k; i++) {
    const n = w0 + i;
    const r = n - off;
    const wet = wm * line[(r - 1) & mask] + w0w * line[r & mask] + w1 * line[(r + 1) & mask] + w2 * line[(r + 2) & mask];
    const v = fb * wet;
    const h = hb0 * v + h1;
    h1 = hb1 * v - ha1 * h + h2;
    h2 = hb2 * v - ha2 * h;
    const y = lb0 * h + l1;
    l1 = lb1 * h - la1 * y + l2;
    l2 = lb2 * h - la2 * y;
    if (!(Math.abs(h1) >= FLUSH)) h1 = 0;
    if (!(Math.abs(h2) >= FLUSH)) h2 = 0;
    if (!(Math.abs(l1) >= FLUSH)) l1 = 0;
    if (!(Math.abs(l2) >= FLUSH)) l2 = 0;
    const dry = x[xo + i];
    let u = dry + y;
    const au = Math.abs(u);
    if (!(au >= LINE_FLUSH && au <= CLAMP)) u = u - u === 0 && au > CLAMP ? (u > 0 ? 1e4 : -1e4) : 0;
    line[n & mask] = u;
    if (write !== 0) x[xo + i] = mix === 0 ? dry : mix === 1 ? wet : dry + mix * (wet - dry);
  }
  fst[so] = h1;
  fst[so + 1] = h2;
  fst[so + 2] = l1;
  fst[so + 3] = l2;
}

/** wet[wo + i] = the line read at posA[i] (and posB[i], faded by gainB[i]), cubic Hermite. */
function readLine(line: Float32Array, posA: Float64Array, posB: Float64Array, gainB: Float64Array, k: number, mask: number, wet: Float64Array, wo: number): void {
  for (let i = 0; i < k; i++) {
    const p = posA[i];
    const fl = p | 0; // p > 0: truncation is floor
    const t = p - fl;
    const ym = line[(fl - 1) & mask];
    const y0 = line[fl & mask];
    const y1 = line[(fl + 1) & mask];
    const y2 = line[(fl + 2) & mask];
    // Niemitalo's x-form of the Catmull-Rom spline.
    const c1 = 0.5 * (y1 - ym);
    const c3 = 1.5 * (y0 - y1) + 0.5 * (y2 - ym);
    const c2 = ym - y0 + c1 - c3;
    const ra = ((c3 * t + c2) * t + c1) * t + y0;
    const g = gainB[i];
    if (g === 0) {
      wet[wo + i] = ra;
      continue;
    }
    const q = posB[i];
    const fq = q | 0;
    const u = q - fq;
    const zm = line[(fq - 1) & mask];
    const z0 = line[fq & mask];
    const z1 = line[(fq + 1) & mask];
    const z2 = line[(fq + 2) & mask];
    const d1 = 0.5 * (z1 - zm);
    const d3 = 1.5 * (z0 - z1) + 0.5 * (z2 - zm);
    const d2 = zm - z0 + d1 - d3;
    const rb = ((d3 * u + d2) * u + d1) * u + z0;
    wet[wo + i] = ra + g * (rb - ra);
  }
}

/** loop[o + i] = LP(HP(fb · wet[o + i])), transposed direct form II, states flushed below 1e−30. */
function loopFilter(wet: Float64Array, loop: Float64Array, o: number, k: number, fb: Float64Array, fs: number, co: Float64Array, fst: Float64Array, so: number): void {
  const hb0 = co[HP];
  const hb1 = co[HP + 1];
  const hb2 = co[HP + 2];
  const ha1 = co[HP + 3];
  const ha2 = co[HP + 4];
  const lb0 = co[LP];
  const lb1 = co[LP + 1];
  const lb2 = co[LP + 2];
  const la1 = co[LP + 3];
  const la2 = co[LP + 4];
  let h1 = fst[so];
  let h2 = fst[so + 1];
  let l1 = fst[so + 2];
  let l2 = fst[so + 3];
  for (let i = 0; i < k; i++) {
    const x = fb[i * fs] * wet[o + i];
    const h = hb0 * x + h1;
    h1 = hb1 * x - ha1 * h + h2;
    h2 = hb2 * x - ha2 * h;
    const y = lb0 * h + l1;
    l1 = lb1 * h - la1 * y + l2;
    l2 = lb2 * h - la2 * y;
    if (!(Math.abs(h1) >= FLUSH)) h1 = 0;
    if (!(Math.abs(h2) >= FLUSH)) h2 = 0;
    if (!(Math.abs(l1) >= FLUSH)) l1 = 0;
    if (!(Math.abs(l2) >= FLUSH)) l2 = 0;
    loop[o + i] = y;
  }
  fst[so] = h1;
  fst[so + 1] = h2;
  fst[so + 2] = l1;
  fst[so + 3] = l2;
}

/**
 * Write k samples of a line from w0: input (`x` from xo, or `mean` when given) plus the filtered
 * feedback loop[lo + i]; non-finite values and values below 1e−20 as 0, clamped to ±1e4.
 */
function writeLine(line: Float32Array, w0: number, mask: number, k: number, x: Float32Array, xo: number, mean: Float64Array | null, loop: Float64Array, lo: number): void {
  for (let i = 0; i < k; i++) {
    let u = (mean !== null ? mean[i] : x[xo + i]) + loop[lo + i];
    const au = Math.abs(u);
    if (!(au >= LINE_FLUSH && au <= CLAMP)) u = u - u === 0 && au > CLAMP ? (u > 0 ? 1e4 : -1e4) : 0;
    line[(w0 + i) & mask] = u;
  }
}

/** x ← x + mix·(wet − x) in place (mix 0 leaves x bit-exact). */
function mixOut(x: Float32Array, xo: number, k: number, wet: Float64Array, wo: number, mb: Float64Array, ms: number): void {
  for (let i = 0; i < k; i++) {
    const dry = x[xo + i];
    const m = mb[i * ms];
    x[xo + i] = m === 0 ? dry : m === 1 ? wet[wo + i] : dry + m * (wet[wo + i] - dry);
  }
}

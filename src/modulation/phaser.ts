/**
 * Phaser: a cascade of 2–24 first-order all-pass filters whose break frequency an LFO sweeps,
 * with feedback and dry/wet mix (Zölzer, *DAFX*, 2nd ed., §2.4 "phaser"; Smith, *Physical
 * Audio Signal Processing*, "Phasing with first-order allpass filters").
 *
 * Per channel and sample:
 * ```
 *   u = x + feedback · W[n − 1]         input of the cascade (feedback from its last output)
 *   W = A_N(u)                          N first-order all-passes, each (a + z⁻¹)/(1 + a·z⁻¹)
 *   P = (u + W)/2                       the phased signal
 *   y = x + mix · (P − x)               dry/wet
 * ```
 * Since P = u·(1 + A_N)/2 whatever u is, P has exact zeros (notches) where the cascade's phase is
 * an odd multiple of π, at any feedback; feedback only raises the peaks between them (by up to
 * 1/(1 − |feedback|)). Each stage's coefficient puts its −90° point at the break frequency f_b:
 * a = (tan(π·f_b/fs) − 1)/(tan(π·f_b/fs) + 1), the bilinear transform of the analog all-pass
 * (1 − s/ω_b)/(1 + s/ω_b), whose phase is φ(ω) = −2·atan(tan(ω/2)/tan(π·f_b/fs)). So the notches
 * of N stages lie where tan(ω/2) = tan(π·f_b/fs)·tan((2k + 1)π/(2N)), k = 0, 1, …
 *
 * - Sweep: f_b = centreHz · 2^(depth · sweepOctaves/2 · lfo), lfo ∈ [−1, 1] (sine or triangle),
 *   kept within [10 Hz, 0.45·fs]; channel c of C runs the LFO `stereoPhaseDeg · c/(C − 1)` ahead.
 *   The coefficient is computed on a grid of 32 samples of absolute time and interpolated
 *   linearly in between, so it moves every sample (no zipper noise) and the output does not
 *   depend on block sizes.
 * - Stability: |feedback| ≤ 0.95 < 1 and |A_N| = 1, so the loop gain is below 1 at every
 *   frequency.
 * - Changing the number of stages cross-fades the cascade's output between the two taps.
 * - Denormals: stage states and the cascade's output below 1e−30 become 0, and its input (signal
 *   plus feedback) below 1e−20 (−400 dBFS), per sample. With no input a state shrinks by |a| < 1
 *   per sample, so each stage empties to exact zeros in turn; the input's higher threshold keeps
 *   the disturbance of zeroing a state (about 1e−30) from re-entering through the feedback, so the
 *   flush cannot sustain itself (rounding every value to a grid, tried first, left a limit cycle
 *   near 1e−33 at high feedback). Stage outputs a·v + state stay far above the subnormal range.
 * - Non-finite input: the cascade and the feedback take 0 instead (the dry path passes it).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { ANY_CHANNELS, NO_METERS, safeFrameCount, usableChannels, validateSpec, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { BPM_RANGE, NOTE_VALUES, noteToHz, type NoteValue } from '../core/tempo.js';
import { defineRules, validateOptions, type OptionRules } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';

/** LFO waveform of a {@link Phaser}. */
export type PhaserLfoShape = 'sine' | 'triangle';
/** The LFO waveforms a {@link Phaser} offers. */
export const PHASER_LFO_SHAPES = Object.freeze(['sine', 'triangle'] as const);
/** Most all-pass stages of a {@link Phaser}. */
export const MAX_PHASER_STAGES = 24;

/** Options of {@link Phaser}. */
export interface PhaserOptions {
  /** Number of first-order all-pass stages, an integer in [2, 24] (N stages: about N/2 notches). Cross-fades. @defaultValue 8 */
  stages: number;
  /** Centre of the sweep (the break frequency with the LFO at 0), in Hz, [50, 5000]. Smoothed. @defaultValue 700 */
  centerHz: number;
  /** Span of the sweep at depth 1, in octaves, [0, 8] (half above, half below the centre). Smoothed. @defaultValue 4 */
  sweepOctaves: number;
  /** LFO waveform. @defaultValue 'sine' */
  lfoShape: PhaserLfoShape;
  /** LFO rate in Hz, [0.01, 20], used when `syncNote` is null. The phase stays continuous. @defaultValue 0.4 */
  rateHz: number;
  /** One LFO cycle per this note value at `bpm` (the rate must land in [0.01, 20] Hz); null uses `rateHz`. @defaultValue null */
  syncNote: NoteValue | null;
  /** Tempo for `syncNote`, in quarter notes per minute, [20, 400]. @defaultValue 120 */
  bpm: number;
  /** Share of the sweep used, [0, 1]; 0 holds the break frequency at the centre. Smoothed. @defaultValue 1 */
  depth: number;
  /** Feedback from the cascade's output to its input, [−0.95, 0.95]. Smoothed. @defaultValue 0.5 */
  feedback: number;
  /** LFO phase offset between the outer channels, in degrees, [0, 180]. Glides. @defaultValue 90 */
  stereoPhaseDeg: number;
  /** Dry/wet mix, [0, 1]: 0 is the input unchanged, 1 the phased signal with full-depth notches. Smoothed. @defaultValue 1 */
  mix: number;
  /** Ramp time of parameter changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link PhaserOptions}: an 8-stage stereo phaser, slow and deep. */
export const PHASER_DEFAULTS: Readonly<PhaserOptions> = Object.freeze({
  stages: 8,
  centerHz: 700,
  sweepOctaves: 4,
  lfoShape: 'sine',
  rateHz: 0.4,
  syncNote: null,
  bpm: 120,
  depth: 1,
  feedback: 0.5,
  stereoPhaseDeg: 90,
  mix: 1,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link PhaserOptions} (a synced rate must land in [0.01, 20] Hz too). */
export const PHASER_RULES: OptionRules<PhaserOptions> = defineRules<PhaserOptions>({
  stages: { kind: 'number', range: { min: 2, max: MAX_PHASER_STAGES }, integer: true },
  centerHz: { kind: 'number', range: { min: 50, max: 5000, unit: 'Hz' } },
  sweepOctaves: { kind: 'number', range: { min: 0, max: 8, unit: 'octaves' } },
  lfoShape: { kind: 'enum', values: PHASER_LFO_SHAPES },
  rateHz: { kind: 'number', range: { min: 0.01, max: 20, unit: 'Hz' } },
  syncNote: { kind: 'enum', values: NOTE_VALUES, nullable: true },
  bpm: { kind: 'number', range: BPM_RANGE },
  depth: { kind: 'number', range: { min: 0, max: 1 } },
  feedback: { kind: 'number', range: { min: -0.95, max: 0.95 } },
  stereoPhaseDeg: { kind: 'number', range: { min: 0, max: 180, unit: '°' } },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

const OWNER = 'Phaser';
/** Coefficient grid, in samples of absolute time. */
const SEG = 32;
/** Stage states and the cascade's output below this magnitude become 0. */
const FLUSH = 1e-30;
/** The cascade's input (signal plus feedback) below this magnitude (−400 dBFS) becomes 0. */
const INPUT_FLUSH = 1e-20;

// `st` (Float64Array) slots.
/** LFO phase (cycles, [0, 1)) at the end of the current grid step, and its increment per step. */
const LFO_PHASE = 0;
const LFO_INC = 1;
/** Scratch for smoother read-outs. */
const CENTRE = 2;
const SWEEP = 3;
const DEPTH = 4;
const SPREAD = 5;
/** Stage cross-fade: gain of the new tap now, and its change per sample. */
const FADE = 6;
const FADE_STEP = 7;
// `ist` (Int32Array) slots.
const PHASE = 0;
/** Taps (stage counts) faded from and to; equal when no fade runs. */
const TAP_OLD = 1;
const TAP_NEW = 2;
/** Stage count waiting for the fade in progress (0: none). */
const PENDING = 3;
const SHAPE = 4;
const TRIANGLE = 1;
const SINE = 0;

/**
 * A stereo (any channel count) phaser: 2–24 swept first-order all-passes with feedback. Latency 0.
 *
 * @example
 * ```ts
 * import { Phaser } from 'masterbus';
 * const phaser = new Phaser({ stages: 8, rateHz: 0.3, feedback: 0.6, stereoPhaseDeg: 90 });
 * phaser.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.2), new Float32Array(128).fill(0.2)];
 * phaser.process(block);                          // in place
 * phaser.set({ syncNote: '1/2', bpm: 96 });       // one sweep per half note
 * ```
 */
export class Phaser implements Processor<PhaserOptions> {
  /** Type name used by {@link Phaser.toJSON}. */
  static readonly type = 'Phaser';
  /** Defaults of its options. */
  static readonly defaults = PHASER_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units. */
  static readonly rules = PHASER_RULES;
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: PhaserOptions;
  private spec: ProcessSpec | undefined;
  private readonly st = new Float64Array(8);
  private readonly ist = new Int32Array(8);
  /** Per channel: stage states (MAX_PHASER_STAGES), then the last cascade output. */
  private state = new Float64Array(0);
  /** Per channel: coefficient at the start of the grid step and its change per sample. */
  private coef = new Float64Array(0);
  private readonly centre = new SmoothedValue('multiplicative', 700);
  private readonly sweep = new SmoothedValue('linear', 0);
  private readonly depth = new SmoothedValue('linear', 0);
  private readonly spread = new SmoothedValue('linear', 0);
  private readonly fb = new SmoothedValue('linear', 0);
  private readonly mixer = new SmoothedValue('linear', 0);
  /** Every smoother, for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: readonly SmoothedValue[] = [this.centre, this.sweep, this.depth, this.spread, this.fb, this.mixer];
  private readonly fbBuf = new Float64Array(SEG);
  private readonly mixBuf = new Float64Array(SEG);
  private readonly fadeBuf = new Float64Array(SEG);
  private silence = new Float32Array(SEG);

  /** Create a phaser; omitted options take {@link PHASER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<PhaserOptions> = {}) {
    this.opts = Phaser.check({ ...PHASER_DEFAULTS }, options);
    this.targets(false);
  }

  /** Rebuild from {@link Phaser.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Phaser {
    return new Phaser(paramsFromJSON(Phaser, json));
  }

  /** The current parameters (ramping values are given as their targets). */
  get params(): PhaserOptions {
    return { ...this.opts };
  }

  /** The LFO rate the options ask for, in Hz (`syncNote` at `bpm`, else `rateHz`). */
  get effectiveRateHz(): number {
    return Phaser.rateOf(this.opts);
  }

  private static rateOf(o: PhaserOptions): number {
    return o.syncNote === null ? o.rateHz : noteToHz(o.syncNote, o.bpm, OWNER);
  }

  private static check(current: PhaserOptions, options: Partial<PhaserOptions>): PhaserOptions {
    const o = validateOptions<PhaserOptions>(OWNER, options, PHASER_RULES);
    const next = { ...current, ...o };
    if (next.syncNote !== null) {
      const hz = noteToHz(next.syncNote, next.bpm, OWNER);
      if (!(hz >= 0.01 && hz <= 20)) {
        throw new RangeError(`Phaser.syncNote "${next.syncNote}" at ${next.bpm} bpm is ${Number(hz.toPrecision(6))} Hz, outside the LFO's [0.01, 20] Hz`);
      }
    }
    return next;
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<PhaserOptions>): this {
    const next = Phaser.check(this.opts, options);
    const before = this.opts;
    this.opts = next;
    const fs = this.spec?.sampleRate;
    if (fs !== undefined) {
      if (next.smoothingMs !== before.smoothingMs) {
        for (const v of this.smoothed) v.setRampLength(fs, next.smoothingMs / 1000);
        this.setFadeStep(fs);
      }
      if (next.stages !== before.stages) this.changeStages(next.stages);
    }
    this.targets(fs !== undefined);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    this.state = new Float64Array(s.channels * (MAX_PHASER_STAGES + 1));
    this.coef = new Float64Array(s.channels * 2);
    this.silence = new Float32Array(SEG);
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.setFadeStep(s.sampleRate);
    this.targets(false);
    this.reset();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    this.state.fill(0);
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
    const st = this.st;
    const ist = this.ist;
    ist[PHASE] = 0;
    ist[TAP_OLD] = this.opts.stages;
    ist[TAP_NEW] = this.opts.stages;
    ist[PENDING] = 0;
    st[FADE] = 0;
    st[LFO_PHASE] = 0;
    const spec = this.spec;
    if (!spec) return;
    // (The LFO rate, st[LFO_INC], is set by prepare() and set(): here, off its call, Phaser.rateOf's
    // double result was boxed once a run of option changes had stopped V8 inlining it.)
    // The coefficient at phase 0 becomes the first grid step's start (see gridPoint()).
    this.coefficients(spec, true);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const ist = this.ist;
    const st = this.st;
    const C = spec.channels;
    for (let pos = 0; pos < n; ) {
      const phase = ist[PHASE];
      if (phase === 0) this.gridPoint(spec);
      let k = n - pos < SEG - phase ? n - pos : SEG - phase;
      const tapOld = ist[TAP_OLD];
      const tapNew = ist[TAP_NEW];
      const fading = tapOld !== tapNew;
      if (fading) {
        // The fade ends at the end of this step at the latest.
        // `| 0`: an int32 (the fade is at most 1 s long). Math.ceil gives a double, which made `k`
        // a double on every path once a stage change had run.
        const left = Math.ceil((1 - st[FADE]) / st[FADE_STEP]) | 0;
        if (left < k) k = left < 1 ? 1 : left;
        const fb = this.fadeBuf;
        let g = st[FADE];
        const step = st[FADE_STEP];
        for (let i = 0; i < k; i++) {
          g += step;
          fb[i] = g < 1 ? g : 1;
        }
        st[FADE] = g;
      }
      const fn = this.fb.isSmoothing ? k : 1;
      this.fb.fill(this.fbBuf, fn);
      const mn = this.mixer.isSmoothing ? k : 1;
      this.mixer.fill(this.mixBuf, mn);
      const run = tapOld > tapNew ? tapOld : tapNew;
      for (let c = 0; c < C; c++) {
        const has = c < channels;
        phaserKernel(has ? block[c] : this.silence, has ? pos : 0, k, has ? 1 : 0, this.state, c * (MAX_PHASER_STAGES + 1), run, tapOld, fading ? tapNew : tapOld, this.fadeBuf, this.coef, c * 2, phase, this.fbBuf, fn === 1 ? 0 : 1, this.mixBuf, mn === 1 ? 0 : 1);
      }
      if (fading && st[FADE] >= 1) this.endFade(C);
      ist[PHASE] = phase + k === SEG ? 0 : phase + k;
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Phaser.type, this.params);
  }

  private setFadeStep(fs: number): void {
    // The stage cross-fade lasts the smoothing time (at least one grid step).
    this.st[FADE_STEP] = 1 / Math.max(SEG, Math.round((this.opts.smoothingMs * fs) / 1000));
  }

  private setRate(fs: number): void {
    this.st[LFO_INC] = (Phaser.rateOf(this.opts) * SEG) / fs;
  }

  /** At a grid point: the LFO one step on, and each channel's coefficient ramp over the step. */
  private gridPoint(spec: ProcessSpec): void {
    const st = this.st;
    let p = st[LFO_PHASE] + st[LFO_INC];
    if (p >= 1) p -= 1;
    st[LFO_PHASE] = p;
    this.centre.skip(SEG);
    this.sweep.skip(SEG);
    this.depth.skip(SEG);
    this.spread.skip(SEG);
    this.coefficients(spec, false);
  }

  /**
   * Coefficients at the LFO phase st[LFO_PHASE] (cycles) for every channel: with `initial`, the
   * start of the first step; else the end of the step beginning now (start = the previous end).
   * (The phase is read here, not passed: a double passed to a call V8 does not inline is boxed.)
   */
  private coefficients(spec: ProcessSpec, initial: boolean): void {
    const st = this.st;
    const p = st[LFO_PHASE];
    const coef = this.coef;
    const fs = spec.sampleRate;
    const C = spec.channels;
    this.centre.writeCurrent(st, CENTRE);
    this.sweep.writeCurrent(st, SWEEP);
    this.depth.writeCurrent(st, DEPTH);
    this.spread.writeCurrent(st, SPREAD);
    const amount = st[DEPTH] * st[SWEEP] * 0.5;
    const triangle = this.ist[SHAPE] === TRIANGLE;
    for (let c = 0; c < C; c++) {
      let q = p + (C > 1 ? (st[SPREAD] * c) / (C - 1) : 0);
      q -= Math.floor(q);
      const lfo = triangle ? (q < 0.25 ? 4 * q : q < 0.75 ? 2 - 4 * q : 4 * q - 4) : Math.sin(2 * Math.PI * q);
      let f = st[CENTRE] * Math.pow(2, amount * lfo);
      if (f < 10) f = 10;
      if (f > 0.45 * fs) f = 0.45 * fs;
      const t = Math.tan((Math.PI * f) / fs);
      const a = (t - 1) / (t + 1);
      if (initial) {
        coef[2 * c] = a;
        coef[2 * c + 1] = 0;
      } else {
        const a0 = coef[2 * c] + SEG * coef[2 * c + 1];
        coef[2 * c] = a0;
        coef[2 * c + 1] = (a - a0) / SEG;
      }
    }
  }

  /** A new stage count while running: cross-fade to its tap (or queue it behind a fade). */
  private changeStages(stages: number): void {
    const ist = this.ist;
    if (ist[TAP_OLD] !== ist[TAP_NEW]) {
      ist[PENDING] = stages === ist[TAP_NEW] ? 0 : stages;
      return;
    }
    if (stages === ist[TAP_OLD]) return;
    this.startFade(stages);
  }

  private startFade(stages: number): void {
    const ist = this.ist;
    const spec = this.spec!;
    // Stages that start running start from rest.
    if (stages > ist[TAP_OLD]) {
      for (let c = 0; c < spec.channels; c++) this.state.fill(0, c * (MAX_PHASER_STAGES + 1) + ist[TAP_OLD], c * (MAX_PHASER_STAGES + 1) + stages);
    }
    ist[TAP_NEW] = stages;
    this.st[FADE] = 0;
  }

  private endFade(channels: number): void {
    const ist = this.ist;
    ist[TAP_OLD] = ist[TAP_NEW];
    this.st[FADE] = 0;
    const pending = ist[PENDING];
    ist[PENDING] = 0;
    if (pending !== 0 && pending !== ist[TAP_OLD]) {
      if (pending > ist[TAP_OLD]) {
        for (let c = 0; c < channels; c++) {
          const o = c * (MAX_PHASER_STAGES + 1);
          for (let s = ist[TAP_OLD]; s < pending; s++) this.state[o + s] = 0;
        }
      }
      ist[TAP_NEW] = pending;
    }
  }

  /** Set the smoothers' targets from the options (`ramp`: ramp to them, else jump). */
  private targets(ramp: boolean): void {
    const o = this.opts;
    const apply = (v: SmoothedValue, x: number) => (ramp ? v.setTarget(x) : v.setImmediate(x));
    apply(this.centre, o.centerHz);
    apply(this.sweep, o.sweepOctaves);
    apply(this.depth, o.depth);
    apply(this.spread, o.stereoPhaseDeg / 360);
    apply(this.fb, o.feedback);
    apply(this.mixer, o.mix);
    this.ist[SHAPE] = o.lfoShape === 'triangle' ? TRIANGLE : SINE;
    if (this.spec) this.setRate(this.spec.sampleRate);
    if (!ramp) {
      this.ist[TAP_OLD] = o.stages;
      this.ist[TAP_NEW] = o.stages;
      this.ist[PENDING] = 0;
    }
  }
}

/**
 * One channel, k samples: the swept cascade of `run` stages with feedback, output tap `tapOld`
 * faded to `tapNew` by fade[i] (taps equal: no fade), then the dry/wet mix in place (when
 * `write` is 1). The coefficient at sample i is coef[co] + (j0 + i)·coef[co + 1].
 */
function phaserKernel(x: Float32Array, xo: number, k: number, write: number, state: Float64Array, so: number, run: number, tapOld: number, tapNew: number, fade: Float64Array, coef: Float64Array, co: number, j0: number, fbb: Float64Array, fs: number, mb: Float64Array, ms: number): void {
  const a0 = coef[co];
  const da = coef[co + 1];
  const lastIdx = so + MAX_PHASER_STAGES;
  let wp = state[lastIdx];
  const fading = tapOld !== tapNew;
  if (!fading) {
    // One tap: the common path, without the tap bookkeeping.
    for (let i = 0; i < k; i++) {
      const a = a0 + (j0 + i) * da;
      const dry = x[xo + i];
      const xin = dry - dry === 0 ? dry : 0; // non-finite input: 0 into the cascade
      let u = xin + fbb[i * fs] * wp;
      if (!(Math.abs(u) >= INPUT_FLUSH)) u = 0;
      let v = u;
      for (let s = so; s < so + run; s++) {
        const w = a * v + state[s];
        const ns = v - a * w;
        state[s] = ns >= 1e-30 || ns <= -1e-30 ? ns : 0; // (literals: FLUSH)
        v = w;
      }
      if (!(Math.abs(v) >= FLUSH)) v = 0;
      wp = v;
      if (write !== 0) {
        const m = mb[i * ms];
        const wet = 0.5 * (u + v);
        x[xo + i] = m === 0 ? dry : m === 1 ? wet : dry + m * (wet - dry);
      }
    }
    state[lastIdx] = wp;
    return;
  }
  for (let i = 0; i < k; i++) {
    const a = a0 + (j0 + i) * da;
    const dry = x[xo + i];
    const xin = dry - dry === 0 ? dry : 0;
    let u = xin + fbb[i * fs] * wp;
    if (!(Math.abs(u) >= INPUT_FLUSH)) u = 0;
    let v = u;
    let vOld = u;
    let vNew = u;
    for (let s = 0; s < run; s++) {
      const w = a * v + state[so + s];
      const ns = v - a * w;
      state[so + s] = ns >= 1e-30 || ns <= -1e-30 ? ns : 0;
      v = w;
      if (s + 1 === tapOld) vOld = v;
      if (s + 1 === tapNew) vNew = v;
    }
    let W = vOld + fade[i] * (vNew - vOld);
    if (!(Math.abs(W) >= FLUSH)) W = 0;
    wp = W;
    if (write !== 0) {
      const m = mb[i * ms];
      const wet = 0.5 * (u + W);
      x[xo + i] = m === 0 ? dry : m === 1 ? wet : dry + m * (wet - dry);
    }
  }
  state[lastIdx] = wp;
}

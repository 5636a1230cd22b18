/**
 * The engine shared by {@link BiquadFilter} and every band of {@link ParametricEQ}: one filter
 * design (a single RBJ biquad or a Butterworth / Linkwitz-Riley cascade of up to four sections)
 * over any number of channels, with smoothed parameters and a click-free bypass.
 *
 * Smoothing: frequency and Q ramp multiplicatively, gain (dB) and shelf slope linearly, over the
 * owner's smoothing time. While a ramp runs, coefficients are designed at a control rate of one
 * update per {@link CONTROL_INTERVAL} samples, on boundaries of the *absolute* sample count (so
 * the output does not depend on how the signal is cut into blocks), and interpolated linearly
 * per sample in between, so a sweep has no control-rate steps (zipper noise).
 *
 * Bypass cross-fades (linearly, over the smoothing time) between the filtered and the dry signal;
 * a bypassed stage keeps filtering a scratch copy so its state stays warm and switching it back on
 * does not click (as JUCE's IIR filter does).
 *
 * @internal
 * @module
 */
import type { ProcessSpec } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { LiveNumbers } from '../core/options.js';
import { checkNumber, defineRules, validateOptions, type NumberRange, type OptionRule, type OptionRules } from '../core/validate.js';
import {
  FILTER_TYPES,
  MAX_SECTIONS,
  ROLLOFFS,
  DesignParam,
  accumulateResponse,
  designFromParams,
  writeFilterCoefficients,
  type FilterType,
  type Rolloff,
} from './biquad-coefficients.js';
import { biquadCascade, biquadRampCascade, sanitize } from './biquad-kernel.js';

/** Samples between coefficient updates while a parameter ramps. */
export const CONTROL_INTERVAL = 32;

/**
 * Longest distance, in samples, between two state checks (see {@link FilterStage.sanitize}). The
 * owners check the state on a grid of the *absolute* sample count with a spacing of
 * {@link stateCheckInterval}, never "once per `process()` call": a NaN recovers within one grid
 * step (so within `maxBlockSize` samples) however long the call is, and state flushed to zero
 * (a denormal-bound `-1e-60` becoming `+0`, which decides the sign of a silent output sample)
 * is flushed at the same sample in every block partition, so the output stays bit-identical.
 * 128 is the Web Audio render quantum: hosts calling with aligned 128-frame blocks pay one check
 * per call, as before.
 */
export const STATE_CHECK_INTERVAL = 128;

/** The state-check grid spacing for a given `maxBlockSize`: at most one block, at most {@link STATE_CHECK_INTERVAL}. */
export function stateCheckInterval(maxBlockSize: number): number {
  return (maxBlockSize < STATE_CHECK_INTERVAL ? maxBlockSize : STATE_CHECK_INTERVAL) | 0;
}

/** The parameters of one filter (a {@link BiquadFilter} or one band of a {@link ParametricEQ}). */
export interface FilterOptions {
  /**
   * Filter type: the eight RBJ cookbook types, or a Butterworth / Linkwitz-Riley cascade.
   * @defaultValue `"peaking"`
   */
  type: FilterType;
  /**
   * Cutoff or centre frequency in Hz, in (0, sampleRate/2). Before `prepare()` the sample rate is
   * unknown and values up to 192000 are accepted; `prepare()` checks against the real Nyquist.
   * Smoothed (multiplicatively).
   * @defaultValue 1000
   */
  frequencyHz: number;
  /**
   * Quality factor, in [0.001, 100]; 0.7071 is the Butterworth value. Used by every RBJ type
   * except the shelves. Smoothed (multiplicatively).
   * @defaultValue 0.7071 (√½)
   */
  q: number;
  /**
   * Gain in dB for `peaking`, `lowshelf`, `highshelf`, in [-48, 48]. Smoothed (linearly in dB).
   * @defaultValue 0
   */
  gainDb: number;
  /**
   * Shelf slope S of the cookbook shelves, in [0.01, 1]; 1 is the steepest slope that does not
   * overshoot. Smoothed (linearly).
   * @defaultValue 1
   */
  shelfSlope: number;
  /**
   * Slope of the Butterworth / Linkwitz-Riley types in dB per octave: 12, 24, 36 or 48.
   * Changing it while running resets the added sections (it may click).
   * @defaultValue 12
   */
  rolloffDbPerOctave: Rolloff;
  /**
   * Bypass: when true the signal passes unfiltered. Switching cross-fades over the smoothing time.
   * @defaultValue false
   */
  bypass: boolean;
}

/** Defaults of {@link FilterOptions}: a 1 kHz peaking filter at 0 dB, i.e. transparent. */
export const FILTER_DEFAULTS: Readonly<FilterOptions> = Object.freeze({
  type: 'peaking',
  frequencyHz: 1000,
  q: Math.SQRT1_2,
  gainDb: 0,
  shelfSlope: 1,
  rolloffDbPerOctave: 12,
  bypass: false,
});

/** Frequencies accepted before the sample rate is known (the Nyquist of the highest rate). */
const MAX_FREQUENCY_UNPREPARED = 192000;

/**
 * Validation rules of {@link FilterOptions}: the single source of the ranges (a UI can list them;
 * the defaults are {@link FILTER_DEFAULTS}). `frequencyHz` is checked here against the widest
 * Nyquist, (0, 192000) Hz; once the sample rate is known the owners also require it below that
 * rate's Nyquist, in code after the table check.
 */
export const FILTER_RULES: OptionRules<FilterOptions> = defineRules<FilterOptions>({
  type: { kind: 'enum', values: FILTER_TYPES, description: 'Filter type' },
  frequencyHz: {
    kind: 'number',
    range: { min: 0, max: MAX_FREQUENCY_UNPREPARED, minOpen: true, maxOpen: true, unit: 'Hz' },
    description: 'Cutoff or centre frequency, below Nyquist of the prepared rate',
  },
  q: { kind: 'number', range: { min: 0.001, max: 100 }, description: 'Quality factor (RBJ types except the shelves)' },
  gainDb: { kind: 'number', range: { min: -48, max: 48, unit: 'dB' }, description: 'Gain of peaking and shelf types' },
  shelfSlope: { kind: 'number', range: { min: 0.01, max: 1 }, description: 'Shelf slope S' },
  rolloffDbPerOctave: { kind: 'enum', values: ROLLOFFS, description: 'Slope of the Butterworth / Linkwitz-Riley types, dB per octave' },
  bypass: { kind: 'boolean', description: 'Pass the signal unfiltered (cross-faded)' },
});

/**
 * Valid ranges of the numeric filter parameters.
 * @deprecated Read the ranges from {@link FILTER_RULES} (`FILTER_RULES.q.range`); kept for
 * compatibility, it holds the same objects.
 */
export const FILTER_RANGES: Readonly<{ q: NumberRange; gainDb: NumberRange; shelfSlope: NumberRange }> = Object.freeze({
  q: rangeOf(FILTER_RULES.q),
  gainDb: rangeOf(FILTER_RULES.gainDb),
  shelfSlope: rangeOf(FILTER_RULES.shelfSlope),
});

function rangeOf(rule: OptionRule): NumberRange {
  if (rule.kind !== 'number') throw new TypeError('not a number rule');
  return rule.range;
}

/**
 * The number options of a band that {@link FilterStage.setNumber} changes, in the order of its
 * `which` argument (STAGE_FREQUENCY …).
 */
export const STAGE_NUMBERS = Object.freeze(['frequencyHz', 'q', 'gainDb', 'shelfSlope'] as const);
/** Indices into {@link STAGE_NUMBERS}. */
export const STAGE_FREQUENCY = 0;
export const STAGE_Q = 1;
export const STAGE_GAIN = 2;
export const STAGE_SLOPE = 3;
/** The ranges of {@link STAGE_NUMBERS}, in order (frequency: the widest, before a rate is known). */
export const STAGE_RANGES: readonly NumberRange[] = Object.freeze([rangeOf(FILTER_RULES.frequencyHz), rangeOf(FILTER_RULES.q), rangeOf(FILTER_RULES.gainDb), rangeOf(FILTER_RULES.shelfSlope)]);

/**
 * Throw a `RangeError` unless `frequencyHz` lies below the Nyquist frequency of `sampleRate`: the
 * cross-field check that follows the rule table once the sample rate is known.
 */
export function checkBelowNyquist(owner: string, frequencyHz: number, sampleRate: number): void {
  checkNumber(owner, 'frequencyHz', frequencyHz, {
    min: 0,
    max: sampleRate / 2,
    minOpen: true,
    maxOpen: true,
    unit: `Hz (below Nyquist at ${sampleRate} Hz)`,
  });
}

/**
 * Validate a partial set of filter options against `rules` (default {@link FILTER_RULES}; an owner
 * passes its own table with its extra keys), then, when `sampleRate` (the prepared rate) is
 * known, the frequency against its Nyquist. Throws `TypeError`/`RangeError` naming the
 * parameter; returns a copy of the given options.
 */
export function validateFilterOptions<T extends FilterOptions = FilterOptions>(
  owner: string,
  options: unknown,
  sampleRate: number | undefined,
  rules: OptionRules<T> = FILTER_RULES as OptionRules<T>,
): Partial<T> {
  const o = validateOptions<T>(owner, options, rules);
  if (o.frequencyHz !== undefined && sampleRate !== undefined) checkBelowNyquist(owner, o.frequencyHz, sampleRate);
  return o;
}

/**
 * Work buffers of a {@link FilterStage}, used only inside one `process()` segment, so stages that
 * run one after another can share them.
 * @internal
 */
export interface StageBuffers {
  /** One `maxBlockSize` array per channel: the filtered copy while bypassed or cross-fading. */
  readonly scratch: Float32Array[];
  /** `maxBlockSize` per-sample cross-fade values. */
  readonly ramp: Float64Array;
}

/** Allocate {@link StageBuffers} for `spec`. @internal */
export function stageBuffers(spec: ProcessSpec): StageBuffers {
  const scratch: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) scratch.push(new Float32Array(spec.maxBlockSize));
  return { scratch, ramp: new Float64Array(spec.maxBlockSize) };
}

/** @internal */
export class FilterStage {
  private readonly p: FilterOptions;
  private readonly freq: SmoothedValue;
  private readonly q: SmoothedValue;
  private readonly gain: SmoothedValue;
  private readonly slope: SmoothedValue;
  /** Wet amount: 1 = filtered, 0 = bypassed. */
  private readonly mix: SmoothedValue;
  private readonly coefs = new Float64Array(5 * MAX_SECTIONS);
  /** Design parameters of the current coefficients (see {@link DesignParam}). */
  private readonly design = new Float64Array(5);
  /** Per-sample bypass cross-fade values (maxBlockSize long). */
  private ramp: Float64Array = new Float64Array(0);
  private sections = 1;
  private state = new Float64Array(0);
  private scratch: Float32Array[] = [];
  private sampleRate = 0;
  private channels = 0;
  private prepared = false;
  /** True while coefficients move (control-rate design + per-sample interpolation). */
  private interp = false;
  /** An interpolation interval is in progress: sample j of it uses `from + j·delta`. */
  private intervalOpen = false;
  /** Phase (within the control interval) at which the open interval started. */
  private intervalStart = 0;
  /** Coefficients at the start of the open interval, and their per-sample increments. */
  private readonly from = new Float64Array(5 * MAX_SECTIONS);
  private readonly delta = new Float64Array(5 * MAX_SECTIONS);
  /** A parameter changed since the last coefficient update. */
  private dirty = false;
  /**
   * How many samples the coefficient smoothers are ahead of the processing position (they are
   * advanced to the end of each control interval when it begins). Every integer here stays a
   * small integer (a V8 "Smi"): a double-valued counter passed into the kernels would be boxed.
   */
  private ahead = 0;

  /** The band's number options as the smoothers are set from them (see {@link LiveNumbers}). */
  private readonly live = new LiveNumbers(STAGE_NUMBERS, FILTER_RULES);

  constructor(options: FilterOptions) {
    this.p = { ...options };
    this.live.load(this.p);
    this.freq = new SmoothedValue('multiplicative', this.p.frequencyHz);
    this.q = new SmoothedValue('multiplicative', this.p.q);
    this.gain = new SmoothedValue('linear', this.p.gainDb);
    this.slope = new SmoothedValue('linear', this.p.shelfSlope);
    this.mix = new SmoothedValue('linear', this.p.bypass ? 0 : 1);
  }

  /** A copy of the current (target) parameters. */
  get params(): FilterOptions {
    this.live.sync(this.p);
    return { ...this.p };
  }

  /**
   * Allocate state for `spec`. `buffers` are the scratch and cross-fade buffers: stages that run
   * one after another (the bands of an EQ) share one set, so a band costs its state only.
   */
  prepare(spec: ProcessSpec, smoothingSeconds: number, buffers: StageBuffers = stageBuffers(spec)): void {
    this.sampleRate = spec.sampleRate;
    // Frequencies setNumber() accepts from now on: below this rate's Nyquist.
    this.live.setRange(STAGE_FREQUENCY, { ...STAGE_RANGES[STAGE_FREQUENCY], max: spec.sampleRate / 2 });
    this.channels = spec.channels;
    this.state = new Float64Array(spec.channels * MAX_SECTIONS * 2);
    this.scratch = buffers.scratch;
    this.ramp = buffers.ramp;
    this.prepared = true;
    this.ahead = 0;
    this.initSmoothing(smoothingSeconds);
  }

  /** Start from the targets, with ramps of `seconds` (prepare). */
  private initSmoothing(seconds: number): void {
    const fs = this.sampleRate;
    this.freq.reset(fs, seconds);
    this.q.reset(fs, seconds);
    this.gain.reset(fs, seconds);
    this.slope.reset(fs, seconds);
    this.mix.reset(fs, seconds);
    this.interp = false;
    this.intervalOpen = false;
    this.updateCoefficients();
  }

  /**
   * Change the ramp time while running. Ramps in progress carry on from where they are over the
   * new time (no jump); a time of 0 finishes them at once.
   */
  setSmoothingTime(seconds: number): void {
    if (!this.prepared) return; // prepare() sets it
    const fs = this.sampleRate;
    this.freq.setRampLength(fs, seconds);
    this.q.setRampLength(fs, seconds);
    this.gain.setRampLength(fs, seconds);
    this.slope.setRampLength(fs, seconds);
    this.mix.setRampLength(fs, seconds);
    if (this.freq.rampLength === 0) this.applyNow();
  }

  /** Smoothing is off: use the target coefficients from the next sample on. */
  private applyNow(): void {
    this.updateCoefficients();
    this.interp = false;
    this.intervalOpen = false;
    this.dirty = false;
  }

  /** Clear filter memories and finish any ramp (parameters jump to their targets). */
  reset(): void {
    this.state.fill(0);
    // Each smoother's target is its option's value (set() and setNumber() put it there). Jumping
    // to it writes no option field: after setParam(), syncing the options here would store doubles
    // into an object's fields, which V8 may box (reset() runs on the audio thread).
    this.freq.jumpToTarget();
    this.q.jumpToTarget();
    this.gain.jumpToTarget();
    this.slope.jumpToTarget();
    this.mix.jumpToTarget();
    this.interp = false;
    this.intervalOpen = false;
    this.ahead = 0;
    this.updateCoefficients();
  }

  /** Apply already-validated options. Unprepared: immediate; prepared: ramps. */
  set(o: Partial<FilterOptions>): void {
    const p = this.p;
    const oldSections = this.sections;
    const structural = (o.type !== undefined && o.type !== p.type) || (o.rolloffDbPerOctave !== undefined && o.rolloffDbPerOctave !== p.rolloffDbPerOctave);
    this.live.sync(p);
    Object.assign(p, o);
    this.live.load(p);
    if (!this.prepared) {
      this.freq.setImmediate(p.frequencyHz);
      this.q.setImmediate(p.q);
      this.gain.setImmediate(p.gainDb);
      this.slope.setImmediate(p.shelfSlope);
      this.mix.setImmediate(p.bypass ? 0 : 1);
      this.updateCoefficients();
      return;
    }
    this.freq.setTarget(p.frequencyHz);
    this.q.setTarget(p.q);
    this.gain.setTarget(p.gainDb);
    this.slope.setTarget(p.shelfSlope);
    this.mix.setTarget(p.bypass ? 0 : 1);
    if (this.freq.rampLength === 0) {
      this.applyNow(); // smoothingMs 0: changes take effect at once, no interpolation
    } else {
      if (!this.interp) this.ahead = 0;
      this.interp = true;
      this.dirty = true;
    }
    if (structural) {
      // A new structure cannot be interpolated from the old one: switch at once.
      this.updateCoefficients();
      this.intervalOpen = false;
      // Sections that were not running before start from silence.
      if (this.sections > oldSections) {
        for (let ch = 0; ch < this.channels; ch++) {
          const base = ch * MAX_SECTIONS * 2;
          this.state.fill(0, base + oldSections * 2, base + MAX_SECTIONS * 2);
        }
      }
    }
  }

  /**
   * Set number option `STAGE_NUMBERS[which]` to `values[index]` without allocating (for
   * automation), as `set()` would: placed in its range (a frequency, once prepared, below the
   * rate's Nyquist; one at or above it is ignored), ramped while running. Never throws.
   */
  setNumber(which: number, values: Float64Array, index: number): void {
    if (!(which >= 0 && which < STAGE_NUMBERS.length)) return;
    const live = this.live;
    if (!live.put(which, values, index)) return;
    const n = live.values;
    const v = which === STAGE_FREQUENCY ? this.freq : which === STAGE_Q ? this.q : which === STAGE_GAIN ? this.gain : this.slope;
    if (!this.prepared) {
      v.setImmediate(n[which]);
      this.updateCoefficients();
      return;
    }
    // (From the typed array: a number passed to a call that is not inlined is boxed.)
    v.setTargetAt(n, which);
    if (this.freq.rampLength === 0) {
      this.applyNow();
    } else {
      if (!this.interp) this.ahead = 0;
      this.interp = true;
      this.dirty = true;
    }
  }

  private updateCoefficients(): void {
    const d = this.design;
    d[DesignParam.Frequency] = this.freq.current;
    d[DesignParam.SampleRate] = this.sampleRate || 2 * MAX_FREQUENCY_UNPREPARED;
    d[DesignParam.Q] = this.q.current;
    d[DesignParam.GainDb] = this.gain.current;
    d[DesignParam.ShelfSlope] = this.slope.current;
    this.sections = designFromParams(this.coefs, 0, this.p.type, this.p.rolloffDbPerOctave, d);
  }

  /** True if this stage needs the owner to cut blocks at control-rate boundaries. */
  get needsControlRate(): boolean {
    return this.interp;
  }

  private rampsActive(): boolean {
    return this.freq.isSmoothing || this.q.isSmoothing || this.gain.isSmoothing || this.slope.isSmoothing;
  }

  /**
   * At a control boundary (or after a change mid-interval): design the coefficients for the end of
   * this control interval and set up the per-sample interpolation towards them.
   */
  private beginInterval(phase: number): void {
    const from = this.from;
    const delta = this.delta;
    const coefs = this.coefs;
    const n = 5 * MAX_SECTIONS;
    // The coefficients in use at the last processed sample.
    if (this.intervalOpen && phase !== 0) {
      const steps = phase - this.intervalStart;
      for (let k = 0; k < n; k++) from[k] += steps * delta[k];
    } else {
      for (let k = 0; k < n; k++) from[k] = coefs[k];
    }
    if (!this.dirty && !this.rampsActive()) {
      this.interp = false;
      this.intervalOpen = false;
      return;
    }
    const toEnd = CONTROL_INTERVAL - phase;
    const advance = toEnd - this.ahead;
    this.ahead = toEnd;
    this.freq.skip(advance);
    this.q.skip(advance);
    this.gain.skip(advance);
    this.slope.skip(advance);
    const before = this.sections;
    this.updateCoefficients();
    // Sections added by a structural change start at their target (no interpolation).
    for (let k = 5 * before; k < n; k++) from[k] = coefs[k];
    const steps = CONTROL_INTERVAL - phase;
    for (let k = 0; k < n; k++) delta[k] = (coefs[k] - from[k]) / steps;
    this.intervalStart = phase;
    this.intervalOpen = true;
    this.dirty = false;
  }

  /**
   * Process `[start, end)` of `channels` arrays in place. `phase` is the position of `start`
   * within the control interval (absolute sample index mod {@link CONTROL_INTERVAL}); the owner
   * keeps segments within one control interval while any stage ramps.
   */
  process(block: readonly Float32Array[], channels: number, start: number, end: number, phase: number): void {
    if (this.interp && (this.dirty || phase === 0)) this.beginInterval(phase);
    if (this.ahead > 0) this.ahead = this.ahead > end - start ? this.ahead - (end - start) : 0;
    const mix = this.mix;
    if (!mix.isSmoothing && mix.current === 1) {
      this.filter(block, channels, start, end, phase);
      return;
    }
    // Bypassed or cross-fading: filter a copy so the state stays warm. The owner keeps
    // segments within maxBlockSize, the scratch length.
    const scratch = this.scratch;
    const len = end - start;
    for (let ch = 0; ch < channels; ch++) {
      const src = block[ch];
      const dst = scratch[ch];
      for (let i = 0; i < len; i++) dst[i] = src[start + i];
    }
    this.filter(scratch, channels, 0, len, phase);
    if (!mix.isSmoothing) return; // fully bypassed: the dry signal stays in `block`.
    const m = this.ramp;
    mix.fill(m, len);
    for (let ch = 0; ch < channels; ch++) {
      const out = block[ch];
      const wet = scratch[ch];
      for (let i = 0; i < len; i++) {
        const x = out[start + i];
        out[start + i] = x + m[i] * (wet[i] - x);
      }
    }
  }

  private filter(block: readonly Float32Array[], channels: number, start: number, end: number, phase: number): void {
    if (this.intervalOpen) {
      // `| 0`: an int32 argument travels as a small integer; a float64 one would be boxed.
      biquadRampCascade(block, channels, start, end, this.from, this.delta, (phase - this.intervalStart) | 0, this.sections, this.state, MAX_SECTIONS);
    } else {
      biquadCascade(block, channels, start, end, this.coefs, this.sections, this.state, MAX_SECTIONS);
    }
  }

  /**
   * Flush denormal-bound, non-finite and runaway state. The owner calls it at every point of its
   * absolute state-check grid (see {@link STATE_CHECK_INTERVAL}), so it happens at the same
   * samples whatever the block partition.
   */
  sanitize(): void {
    // Only the live sections of each channel (the rest is zero).
    const live = this.sections * 2;
    for (let ch = 0; ch < this.channels; ch++) {
      const base = ch * MAX_SECTIONS * 2;
      sanitize(this.state, base, base + live);
    }
  }

  /** Multiply this stage's response at the target parameters into `re`/`im`. */
  accumulateResponse(frequencies: ArrayLike<number>, sampleRate: number, re: Float64Array, im: Float64Array): void {
    if (this.p.bypass) return;
    this.live.sync(this.p);
    const c = new Float64Array(5 * MAX_SECTIONS);
    const n = writeFilterCoefficients(c, 0, this.p, sampleRate);
    accumulateResponse(c, 0, n, frequencies, sampleRate, re, im);
  }
}

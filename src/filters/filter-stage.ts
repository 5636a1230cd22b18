/**
 * The engine shared by {@link BiquadFilter} and every band of {@link ParametricEQ}: one filter
 * design (a single RBJ biquad or a Butterworth / Linkwitz-Riley cascade of up to four sections)
 * over any number of channels, with smoothed parameters and a click-free bypass.
 *
 * Smoothing: frequency and Q ramp multiplicatively, gain (dB) and shelf slope linearly, over the
 * owner's smoothing time. While a ramp runs, coefficients are recomputed at a control rate of one
 * update per {@link CONTROL_INTERVAL} samples, on boundaries of the *absolute* sample count, so
 * the output does not depend on how the signal is cut into blocks.
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
import { checkBoolean, checkKnownKeys, checkNumber, checkOneOf, checkObject } from '../core/validate.js';
import {
  FILTER_TYPES,
  MAX_SECTIONS,
  ROLLOFFS,
  DesignParam,
  accumulateResponse,
  designFromParams,
  sectionCount,
  writeFilterCoefficients,
  type FilterType,
  type Rolloff,
} from './biquad-coefficients.js';
import { biquadCascade, sanitize } from './biquad-kernel.js';

/** Samples between coefficient updates while a parameter ramps. */
export const CONTROL_INTERVAL = 32;

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

/** Valid ranges of the numeric filter parameters. */
export const FILTER_RANGES = Object.freeze({
  q: { min: 0.001, max: 100 },
  gainDb: { min: -48, max: 48, unit: 'dB' },
  shelfSlope: { min: 0.01, max: 1 },
});

/** Frequencies accepted before the sample rate is known (the Nyquist of the highest rate). */
const MAX_FREQUENCY_UNPREPARED = 192000;

const FILTER_KEYS = Object.keys(FILTER_DEFAULTS);

/**
 * Validate a partial set of filter options (throws `TypeError`/`RangeError` naming the parameter);
 * `sampleRate` is the prepared rate, if any. `extraKeys` are other keys the owner accepts.
 */
export function validateFilterOptions(
  owner: string,
  options: unknown,
  sampleRate: number | undefined,
  extraKeys: readonly string[] = [],
): Partial<FilterOptions> {
  const o = checkObject(owner, 'options', options);
  checkKnownKeys(owner, o, extraKeys.length ? [...FILTER_KEYS, ...extraKeys] : FILTER_KEYS);
  if (o.type !== undefined) checkOneOf(owner, 'type', o.type, FILTER_TYPES);
  if (o.frequencyHz !== undefined) {
    const nyq = sampleRate === undefined ? MAX_FREQUENCY_UNPREPARED : sampleRate / 2;
    checkNumber(owner, 'frequencyHz', o.frequencyHz, {
      min: 0,
      max: nyq,
      minOpen: true,
      maxOpen: true,
      unit: sampleRate === undefined ? 'Hz' : `Hz (below Nyquist at ${sampleRate} Hz)`,
    });
  }
  if (o.q !== undefined) checkNumber(owner, 'q', o.q, FILTER_RANGES.q);
  if (o.gainDb !== undefined) checkNumber(owner, 'gainDb', o.gainDb, FILTER_RANGES.gainDb);
  if (o.shelfSlope !== undefined) checkNumber(owner, 'shelfSlope', o.shelfSlope, FILTER_RANGES.shelfSlope);
  if (o.rolloffDbPerOctave !== undefined) checkOneOf(owner, 'rolloffDbPerOctave', o.rolloffDbPerOctave, ROLLOFFS);
  if (o.bypass !== undefined) checkBoolean(owner, 'bypass', o.bypass);
  return o as Partial<FilterOptions>;
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
  private ramp = new Float64Array(0);
  private sections = 1;
  private state = new Float64Array(0);
  private scratch: Float32Array[] = [];
  private sampleRate = 0;
  private channels = 0;
  private prepared = false;
  /** True while a coefficient parameter ramps (control-rate updates needed). */
  coefSmoothing = false;
  /** A parameter changed since the last coefficient update. */
  private dirty = false;
  /** Absolute sample index just after the last processed segment. */
  private position = 0;
  /** Absolute sample index the coefficient smoothers have been advanced to. */
  private advancedTo = 0;

  constructor(options: FilterOptions) {
    this.p = { ...options };
    this.freq = new SmoothedValue('multiplicative', this.p.frequencyHz);
    this.q = new SmoothedValue('multiplicative', this.p.q);
    this.gain = new SmoothedValue('linear', this.p.gainDb);
    this.slope = new SmoothedValue('linear', this.p.shelfSlope);
    this.mix = new SmoothedValue('linear', this.p.bypass ? 0 : 1);
  }

  /** A copy of the current (target) parameters. */
  get params(): FilterOptions {
    return { ...this.p };
  }

  prepare(spec: ProcessSpec, smoothingSeconds: number): void {
    this.sampleRate = spec.sampleRate;
    this.channels = spec.channels;
    this.state = new Float64Array(spec.channels * MAX_SECTIONS * 2);
    this.scratch = [];
    for (let c = 0; c < spec.channels; c++) this.scratch.push(new Float32Array(spec.maxBlockSize));
    this.ramp = new Float64Array(spec.maxBlockSize);
    this.prepared = true;
    this.position = 0;
    this.advancedTo = 0;
    this.setSmoothingTime(smoothingSeconds);
  }

  setSmoothingTime(seconds: number): void {
    const fs = this.sampleRate || 48000;
    this.freq.reset(fs, seconds);
    this.q.reset(fs, seconds);
    this.gain.reset(fs, seconds);
    this.slope.reset(fs, seconds);
    this.mix.reset(fs, seconds);
    this.coefSmoothing = false;
    this.updateCoefficients();
  }

  /** Clear filter memories and finish any ramp (parameters jump to their targets). */
  reset(): void {
    this.state.fill(0);
    this.freq.setImmediate(this.p.frequencyHz);
    this.q.setImmediate(this.p.q);
    this.gain.setImmediate(this.p.gainDb);
    this.slope.setImmediate(this.p.shelfSlope);
    this.mix.setImmediate(this.p.bypass ? 0 : 1);
    this.coefSmoothing = false;
    this.position = 0;
    this.advancedTo = 0;
    this.updateCoefficients();
  }

  /** Apply already-validated options. Unprepared: immediate; prepared: ramps. */
  set(o: Partial<FilterOptions>): void {
    const p = this.p;
    const oldSections = this.sections;
    const structural = (o.type !== undefined && o.type !== p.type) || (o.rolloffDbPerOctave !== undefined && o.rolloffDbPerOctave !== p.rolloffDbPerOctave);
    Object.assign(p, o);
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
    if (!this.coefSmoothing) this.advancedTo = this.position;
    this.coefSmoothing = this.freq.isSmoothing || this.q.isSmoothing || this.gain.isSmoothing || this.slope.isSmoothing;
    this.dirty = true;
    if (structural) {
      this.updateCoefficients();
      // Sections that were not running before start from silence.
      if (this.sections > oldSections) {
        for (let ch = 0; ch < this.channels; ch++) {
          const base = ch * MAX_SECTIONS * 2;
          this.state.fill(0, base + oldSections * 2, base + MAX_SECTIONS * 2);
        }
      }
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
    return this.coefSmoothing;
  }

  /**
   * Process `[start, end)` of `channels` arrays in place. `counter` is the absolute sample index
   * of `start`; the owner keeps segments within one control interval while any stage ramps.
   */
  process(block: readonly Float32Array[], channels: number, start: number, end: number, counter: number): void {
    if (this.coefSmoothing) {
      const phase = counter % CONTROL_INTERVAL;
      if (this.dirty || phase === 0) {
        // Coefficients for this control interval: the ramp's value at its end.
        const next = counter - phase + CONTROL_INTERVAL;
        const advance = next - this.advancedTo;
        this.advancedTo = next;
        this.freq.skip(advance);
        this.q.skip(advance);
        this.gain.skip(advance);
        this.slope.skip(advance);
        this.updateCoefficients();
        this.dirty = false;
        this.coefSmoothing = this.freq.isSmoothing || this.q.isSmoothing || this.gain.isSmoothing || this.slope.isSmoothing;
      }
    } else if (this.dirty) {
      this.updateCoefficients();
      this.dirty = false;
    }
    this.position = counter + (end - start);
    const mix = this.mix;
    if (!mix.isSmoothing && mix.current === 1) {
      biquadCascade(block, channels, start, end, this.coefs, this.sections, this.state, MAX_SECTIONS);
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
    biquadCascade(scratch, channels, 0, len, this.coefs, this.sections, this.state, MAX_SECTIONS);
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

  /** Flush denormal-bound, non-finite and runaway state (called once per block). */
  sanitize(): void {
    sanitize(this.state, 0, this.state.length);
  }

  /** Multiply this stage's response at the target parameters into `re`/`im`. */
  accumulateResponse(frequencies: ArrayLike<number>, sampleRate: number, re: Float64Array, im: Float64Array): void {
    if (this.p.bypass) return;
    const c = new Float64Array(5 * MAX_SECTIONS);
    const n = writeFilterCoefficients(c, 0, this.p, sampleRate);
    accumulateResponse(c, 0, n, frequencies, sampleRate, re, im);
  }

  /** Number of sections the current design uses. */
  get sectionCount(): number {
    return sectionCount(this.p);
  }
}

/**
 * A multichannel biquad filter: any of the eight RBJ cookbook types, or a Butterworth /
 * Linkwitz-Riley low/high-pass cascade of 12–48 dB per octave, with smoothed (click-free)
 * frequency, Q, gain and shelf-slope changes.
 *
 * Coefficients: RBJ *Audio EQ Cookbook* (see `biquad-coefficients.ts`). Structure: transposed
 * direct form II with float64 state (see `biquad-kernel.ts` for why).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { defineRules, type NumberRange, type OptionRules } from '../core/validate.js';
import { designFilter, writeMagnitudePhase, type BiquadCoefficients } from './biquad-coefficients.js';
import {
  CONTROL_INTERVAL,
  FILTER_DEFAULTS,
  FILTER_RULES,
  FilterStage,
  STAGE_FREQUENCY,
  STAGE_NUMBERS,
  STAGE_RANGES,
  checkBelowNyquist,
  stateCheckInterval,
  validateFilterOptions,
  type FilterOptions,
} from './filter-stage.js';
import { ANY_CHANNELS, NO_METERS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { primeChanges, primeProcessor } from '../core/prime.js';

/** Options of {@link BiquadFilter}: the filter's parameters plus the smoothing time. */
export interface BiquadFilterOptions extends FilterOptions {
  /**
   * Ramp time of parameter changes made while running, in ms, [0, 1000]. Changes made before
   * `prepare()` apply at once.
   * @defaultValue 20
   */
  smoothingMs: number;
}

/** Defaults of {@link BiquadFilterOptions}: a transparent 1 kHz peaking filter at 0 dB. */
export const BIQUAD_FILTER_DEFAULTS: Readonly<BiquadFilterOptions> = Object.freeze({
  ...FILTER_DEFAULTS,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/**
 * Validation rules of {@link BiquadFilterOptions}: {@link FILTER_RULES} plus `smoothingMs`. Once
 * prepared, `frequencyHz` must also lie below the sample rate's Nyquist (checked after the table).
 */
export const BIQUAD_FILTER_RULES: OptionRules<BiquadFilterOptions> = defineRules<BiquadFilterOptions>({
  ...FILTER_RULES,
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE, description: 'Ramp time of changes made while running' },
});

const OWNER = 'BiquadFilter';

/**
 * A biquad filter (or a cascade of up to four for the Butterworth / Linkwitz-Riley types) over any
 * number of channels, processed in place.
 *
 * @example
 * ```ts
 * import { BiquadFilter } from 'masterbus';
 * const hp = new BiquadFilter({ type: 'butterworth-highpass', frequencyHz: 80, rolloffDbPerOctave: 24 });
 * hp.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * hp.process([left, right]);          // in place
 * hp.set({ frequencyHz: 120 });       // ramps over 20 ms, no click
 * ```
 */
export class BiquadFilter implements Processor<BiquadFilterOptions> {
  /** Type name used by {@link BiquadFilter.toJSON}. */
  static readonly type = 'BiquadFilter';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0: a biquad adds no delay. */
  readonly latency = 0;
  private readonly stage: FilterStage;
  private smoothingMs: number;
  private spec: ProcessSpec | undefined;
  /** Absolute sample index mod CONTROL_INTERVAL (kept small so it never becomes a boxed double). */
  private phase = 0;
  /** Absolute sample index mod {@link BiquadFilter.checkInterval}: where the state-check grid is. */
  private checkPhase = 0;
  /** Spacing of the state-check grid (see `STATE_CHECK_INTERVAL`), set by `prepare()`. */
  private checkInterval = 1;

  /** Create a filter; omitted options take {@link BIQUAD_FILTER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<BiquadFilterOptions> = {}) {
    const o = validateFilterOptions(OWNER, options, undefined, BIQUAD_FILTER_RULES);
    const { smoothingMs, ...filter } = { ...BIQUAD_FILTER_DEFAULTS, ...o };
    this.smoothingMs = smoothingMs;
    this.stage = new FilterStage(filter);
  }

  /** Defaults of its options. */
  static readonly defaults = BIQUAD_FILTER_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = BIQUAD_FILTER_RULES;

  /** Rebuild from {@link BiquadFilter.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): BiquadFilter {
    return new BiquadFilter(paramsFromJSON(BiquadFilter, json));
  }

  /** The current parameters (targets, if a ramp is running). */
  get params(): BiquadFilterOptions {
    return { ...this.stage.params, smoothingMs: this.smoothingMs };
  }

  /**
   * Change parameters. Validated at once (a bad value throws and changes nothing); while
   * running, frequency, Q, gain, shelf slope and bypass ramp over `smoothingMs`.
   */
  set(options: Partial<BiquadFilterOptions>): this {
    const o = validateFilterOptions(OWNER, options, this.spec?.sampleRate, BIQUAD_FILTER_RULES);
    const { smoothingMs, ...filter } = o;
    // The new ramp time first, so the changes made in the same call ramp over it.
    if (smoothingMs !== undefined && smoothingMs !== this.smoothingMs) {
      this.smoothingMs = smoothingMs;
      this.stage.setSmoothingTime(smoothingMs / 1000);
    }
    this.stage.set(filter);
    return this;
  }

  /**
   * The range of `frequencyHz` (below the prepared rate's Nyquist, once prepared), `q`, `gainDb` or
   * `shelfSlope`: the options {@link BiquadFilter.setParam} can change.
   */
  paramRange(name: string): NumberRange | undefined {
    const which = typeof name === 'string' ? STAGE_NUMBERS.indexOf(name as (typeof STAGE_NUMBERS)[number]) : -1;
    if (which < 0) return undefined;
    if (which === STAGE_FREQUENCY && this.spec) return { ...STAGE_RANGES[which], max: this.spec.sampleRate / 2 };
    return STAGE_RANGES[which];
  }

  /**
   * Change `frequencyHz`, `q`, `gainDb` or `shelfSlope` to `values[index]` without allocating (for
   * automation; the contract's `setParam`), ramped as `set()` ramps; a frequency at or above the
   * prepared rate's Nyquist is ignored.
   */
  setParam(name: string, values: Float64Array, index: number): void {
    this.stage.setNumber(STAGE_NUMBERS.indexOf(name as (typeof STAGE_NUMBERS)[number]), values, index);
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    // Re-check the frequency against this sample rate's Nyquist.
    checkBelowNyquist(OWNER, this.stage.params.frequencyHz, s.sampleRate);
    this.spec = s;
    this.phase = 0;
    this.checkPhase = 0;
    this.checkInterval = stateCheckInterval(s.maxBlockSize);
    this.stage.prepare(s, this.smoothingMs / 1000);
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const stage = this.stage;
    // Segments end on the state-check grid (absolute sample count, spacing ≤ maxBlockSize, so no
    // segment is longer than the scratch buffers) and, while a ramp runs, on the control grid.
    const grid = this.checkInterval;
    let pos = 0;
    while (pos < n) {
      let end = pos + grid - this.checkPhase;
      if (end > n) end = n;
      if (stage.needsControlRate) {
        const e = pos + CONTROL_INTERVAL - this.phase;
        if (e < end) end = e;
      }
      stage.process(block, channels, pos, end, this.phase);
      const len = end - pos;
      this.phase = (this.phase + len) % CONTROL_INTERVAL;
      const check = this.checkPhase + len;
      if (check === grid) {
        this.checkPhase = 0;
        stage.sanitize();
      } else {
        this.checkPhase = check;
      }
      pos = end;
    }
  }

  reset(): void {
    this.phase = 0;
    this.checkPhase = 0;
    this.stage.reset();
  }

  toJSON(): ProcessorJSON {
    return processorJSON(BiquadFilter.type, this.params);
  }

  /**
   * The coefficients of every section at the target parameters, normalised so a0 = 1.
   * @param sampleRate - defaults to the prepared sample rate.
   */
  coefficients(sampleRate?: number): BiquadCoefficients[] {
    return designFilter(this.stage.params, this.rateFor('coefficients', sampleRate));
  }

  /**
   * Like Web Audio's `BiquadFilterNode.getFrequencyResponse`: the magnitude (linear) and phase
   * (radians) at each frequency in Hz, for the target parameters (the response being ramped to).
   * Frequencies outside [0, sampleRate/2] give NaN. A bypassed filter reads 1 and 0.
   * @param sampleRate - defaults to the prepared sample rate (required before `prepare()`).
   */
  getFrequencyResponse(
    frequencyHz: ArrayLike<number>,
    magResponse: Float32Array | Float64Array,
    phaseResponse?: Float32Array | Float64Array,
    sampleRate?: number,
  ): void {
    const fs = this.rateFor('getFrequencyResponse', sampleRate);
    const re = new Float64Array(frequencyHz.length).fill(1);
    const im = new Float64Array(frequencyHz.length);
    this.stage.accumulateResponse(frequencyHz, fs, re, im);
    writeMagnitudePhase(frequencyHz, fs / 2, re, im, magResponse, phaseResponse);
  }

  private rateFor(method: string, sampleRate: number | undefined): number {
    const fs = sampleRate ?? this.spec?.sampleRate;
    if (fs === undefined) throw new TypeError(`BiquadFilter.${method}: pass a sampleRate or call prepare() first`);
    validateSpec(OWNER, { sampleRate: fs, maxBlockSize: 1, channels: 1 });
    checkBelowNyquist(OWNER, this.stage.params.frequencyHz, fs);
    return fs;
  }
}

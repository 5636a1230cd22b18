/**
 * A parametric equaliser: any number of bands, each any {@link FilterType} (bells, shelves,
 * cuts, Butterworth / Linkwitz-Riley slopes), each with its own click-free bypass, plus a
 * smoothed output gain.
 *
 * @module
 */
import { dbToGain } from '../core/db.js';
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE } from '../core/options.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { defineRules, validateOptions, type NumberRange, type OptionRules } from '../core/validate.js';
import { writeMagnitudePhase } from './biquad-coefficients.js';
import {
  CONTROL_INTERVAL,
  FILTER_DEFAULTS,
  FILTER_RULES,
  FilterStage,
  STAGE_FREQUENCY,
  STAGE_NUMBERS,
  STAGE_RANGES,
  checkBelowNyquist,
  stageBuffers,
  stateCheckInterval,
  validateFilterOptions,
  type FilterOptions,
  type StageBuffers,
} from './filter-stage.js';
import { ANY_CHANNELS, NO_METERS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { primeChanges, primeProcessor } from '../core/prime.js';

/** One EQ band: the same parameters as a {@link BiquadFilter} (bypass is per band). */
export type EqBandOptions = FilterOptions;

/** Options of {@link ParametricEQ}. */
export interface ParametricEQOptions {
  /**
   * The bands, in processing order, at most {@link MAX_EQ_BANDS} (64); each omitted field takes
   * {@link FILTER_DEFAULTS}.
   * @defaultValue `[]` (no bands: the EQ is a gain stage)
   */
  bands: Partial<EqBandOptions>[];
  /**
   * Output gain in dB, [-48, 48]. Smoothed (linearly in amplitude).
   * @defaultValue 0
   */
  outputGainDb: number;
  /**
   * Ramp time of changes made while running, in ms, [0, 1000].
   * @defaultValue 20
   */
  smoothingMs: number;
}

/** Defaults of {@link ParametricEQOptions}. */
export const PARAMETRIC_EQ_DEFAULTS: Readonly<ParametricEQOptions> = Object.freeze({
  // (Frozen too: a shared default must not be changed through a nested array.)
  bands: Object.freeze<Partial<EqBandOptions>[]>([]) as Partial<EqBandOptions>[],
  outputGainDb: 0,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/**
 * Most bands a {@link ParametricEQ} takes. A mastering EQ uses a handful; 64 leaves room for
 * corrective work (a dense notch set) while bounding the work per sample and the memory a
 * careless `bands` array can claim (each band holds its own state and design buffers).
 */
export const MAX_EQ_BANDS = 64;

/**
 * Validation rules of {@link ParametricEQOptions}. `bands` is a dense array of at most
 * {@link MAX_EQ_BANDS} band option bags, each checked against {@link FILTER_RULES} (defaults:
 * {@link FILTER_DEFAULTS}); a hole or a non-object band is a `TypeError` naming its index. Once
 * prepared, every band's `frequencyHz` must also lie below the sample rate's Nyquist (checked
 * after the table).
 */
export const PARAMETRIC_EQ_RULES: OptionRules<ParametricEQOptions> = defineRules<ParametricEQOptions>({
  bands: {
    kind: 'array',
    items: { kind: 'object', rules: FILTER_RULES, noun: 'a band options object', description: 'One band' },
    maxLength: MAX_EQ_BANDS,
    description: 'The bands, in processing order',
  },
  outputGainDb: { kind: 'number', range: { min: -48, max: 48, unit: 'dB' }, description: 'Output gain' },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE, description: 'Ramp time of changes made while running' },
});

const OWNER = 'ParametricEQ';
/** The range of `outputGainDb`. */
const OUTPUT_GAIN_RANGE: NumberRange = Object.freeze({ min: -48, max: 48, unit: 'dB' });
/** Prefix of a band option's path, `bands.<k>.<option>`. */
const BANDS_PREFIX = 'bands.';

/**
 * `bands.<k>.<option>` (k a decimal index without sign or leading zeros, the option one of
 * STAGE_NUMBERS) as `k · 8 + which`, else -1. Allocates nothing (character codes, no substrings):
 * setParam() parses its name on the audio thread.
 */
function bandPath(name: string): number {
  if (typeof name !== 'string' || !name.startsWith(BANDS_PREFIX)) return -1;
  const first = BANDS_PREFIX.length;
  let i = first;
  let k = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (i > first && k === 0) return -1; // a leading zero
    k = k * 10 + (c - 48);
    if (k >= MAX_EQ_BANDS) return -1;
    i++;
  }
  if (i === first || i >= name.length || name.charCodeAt(i) !== 46) return -1;
  const rest = name.length - i - 1;
  for (let w = 0; w < STAGE_NUMBERS.length; w++) {
    const key = STAGE_NUMBERS[w];
    if (key.length === rest && name.endsWith(key)) return k * 8 + w;
  }
  return -1;
}

/** The owner name of band `i` in messages: `ParametricEQ.bands[i]`. */
function bandOwner(i: number): string {
  return `${OWNER}.bands[${i}]`;
}

/**
 * A multiband parametric EQ over any number of channels, processed in place.
 *
 * @example
 * ```ts
 * import { ParametricEQ } from 'masterbus';
 * const eq = new ParametricEQ({
 *   bands: [
 *     { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
 *     { type: 'lowshelf', frequencyHz: 120, gainDb: 2 },
 *     { type: 'peaking', frequencyHz: 350, q: 1.2, gainDb: -3 },
 *     { type: 'highshelf', frequencyHz: 10000, gainDb: 1.5 },
 *   ],
 * });
 * eq.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * eq.process([new Float32Array(128), new Float32Array(128)]);
 * eq.setBand(2, { bypass: true });   // cross-fades out over 20 ms
 * ```
 */
export class ParametricEQ implements Processor<ParametricEQOptions> {
  /** Type name used by {@link ParametricEQ.toJSON}. */
  static readonly type = 'ParametricEQ';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private stages: FilterStage[] = [];
  /** [outputGainDb] (see {@link LiveNumbers}: setParam() changes it on the audio thread). */
  private readonly live = new LiveNumbers(['outputGainDb'], PARAMETRIC_EQ_RULES);
  /** [the output gain's linear target] handed to its smoother by setParam(). */
  private readonly gainTarget = new Float64Array(1);
  private readonly gain: SmoothedValue;
  private smoothingMs: number;
  /** Per-sample output-gain values while the gain ramps (maxBlockSize long). */
  private ramp = new Float64Array(0);
  private spec: ProcessSpec | undefined;
  /** Scratch buffers shared by the bands (allocated by `prepare()`). */
  private buffers: StageBuffers | undefined;
  /** Absolute sample index mod CONTROL_INTERVAL (kept small so it never becomes a boxed double). */
  private phase = 0;
  /** Absolute sample index mod {@link ParametricEQ.checkInterval}: where the state-check grid is. */
  private checkPhase = 0;
  /** Spacing of the state-check grid (see `STATE_CHECK_INTERVAL`), set by `prepare()`. */
  private checkInterval = 1;

  /** Create an EQ; omitted options take {@link PARAMETRIC_EQ_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<ParametricEQOptions> = {}) {
    const o = ParametricEQ.validate(options, undefined);
    const full = { ...PARAMETRIC_EQ_DEFAULTS, ...o };
    this.smoothingMs = full.smoothingMs;
    this.live.values[0] = full.outputGainDb;
    this.gain = new SmoothedValue('linear', dbToGain(full.outputGainDb));
    this.stages = full.bands.map((b) => new FilterStage({ ...FILTER_DEFAULTS, ...b }));
  }

  /** Defaults of its options. */
  static readonly defaults = PARAMETRIC_EQ_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = PARAMETRIC_EQ_RULES;

  /** Rebuild from {@link ParametricEQ.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): ParametricEQ {
    return new ParametricEQ(paramsFromJSON(ParametricEQ, json));
  }

  /** The rule table, then each band's frequency against the prepared rate's Nyquist. */
  private static validate(options: unknown, sampleRate: number | undefined): Partial<ParametricEQOptions> {
    const o = validateOptions<ParametricEQOptions>(OWNER, options, PARAMETRIC_EQ_RULES);
    if (o.bands !== undefined && sampleRate !== undefined) {
      o.bands.forEach((b, i) => {
        if (b.frequencyHz !== undefined) checkBelowNyquist(bandOwner(i), b.frequencyHz, sampleRate);
      });
    }
    return o;
  }

  /** Number of bands. */
  get bandCount(): number {
    return this.stages.length;
  }

  /** The current parameters (targets, if ramps are running), bands filled in with defaults. */
  get params(): ParametricEQOptions {
    return { bands: this.stages.map((s) => s.params), outputGainDb: this.live.values[0], smoothingMs: this.smoothingMs };
  }

  /** The parameters of band `index`. */
  getBand(index: number): EqBandOptions {
    return this.stageAt('getBand', index).params;
  }

  /**
   * Change parameters. `bands`, when given, replaces the band list: bands at existing positions
   * ramp to their new settings, new bands fade in, removed bands stop at once (bypass a band
   * first to remove it without a click). Validated before anything changes.
   */
  set(options: Partial<ParametricEQOptions>): this {
    const o = ParametricEQ.validate(options, this.spec?.sampleRate);
    // The new ramp time first, so the changes made in the same call ramp over it.
    if (o.smoothingMs !== undefined && o.smoothingMs !== this.smoothingMs) {
      this.smoothingMs = o.smoothingMs;
      if (this.spec) {
        for (const s of this.stages) s.setSmoothingTime(o.smoothingMs / 1000);
        this.gain.setRampLength(this.spec.sampleRate, o.smoothingMs / 1000);
      }
    }
    if (o.bands !== undefined) {
      const bands = o.bands;
      const kept = Math.min(bands.length, this.stages.length);
      for (let i = 0; i < kept; i++) this.stages[i].set({ ...FILTER_DEFAULTS, ...bands[i] });
      this.stages.length = kept;
      for (let i = kept; i < bands.length; i++) this.stages.push(this.newStage(bands[i]));
    }
    if (o.outputGainDb !== undefined) {
      this.live.values[0] = o.outputGainDb;
      if (this.spec) this.gain.setTarget(dbToGain(o.outputGainDb));
      else this.gain.setImmediate(dbToGain(o.outputGainDb));
    }
    return this;
  }

  /**
   * The range of a number option {@link ParametricEQ.setParam} can change: `outputGainDb`, or
   * `bands.<k>.frequencyHz` (below the prepared rate's Nyquist, once prepared), `.q`, `.gainDb`,
   * `.shelfSlope` of an existing band k. Not `smoothingMs`, not a band's type or rolloff.
   */
  paramRange(name: string): NumberRange | undefined {
    if (name === 'outputGainDb') return OUTPUT_GAIN_RANGE;
    const code = bandPath(name);
    if (code < 0 || code >> 3 >= this.stages.length) return undefined;
    const which = code & 7;
    if (which === STAGE_FREQUENCY && this.spec) return { ...STAGE_RANGES[which], max: this.spec.sampleRate / 2 };
    return STAGE_RANGES[which];
  }

  /**
   * Change `outputGainDb` or a band's `frequencyHz`, `q`, `gainDb` or `shelfSlope`
   * (`bands.<k>.gainDb`) to `values[index]` without allocating (for automation; the contract's
   * `setParam`), ramped as `set()` ramps. A frequency at or above the prepared rate's Nyquist is
   * ignored (the band keeps its frequency); a band that no longer exists is ignored.
   */
  setParam(name: string, values: Float64Array, index: number): void {
    if (name === 'outputGainDb') {
      const live = this.live;
      if (!live.put(0, values, index)) return;
      this.gainTarget[0] = Math.pow(10, live.values[0] / 20);
      if (this.spec) this.gain.setTargetAt(this.gainTarget, 0);
      else this.gain.setImmediate(this.gainTarget[0]);
      return;
    }
    const code = bandPath(name);
    if (code < 0 || code >> 3 >= this.stages.length) return;
    this.stages[code >> 3].setNumber(code & 7, values, index);
  }

  /** Change some parameters of band `index` (ramped while running). */
  setBand(index: number, options: Partial<EqBandOptions>): this {
    const stage = this.stageAt('setBand', index);
    stage.set(validateFilterOptions(bandOwner(index), options, this.spec?.sampleRate));
    return this;
  }

  /** Append a band (it fades in while running); returns its index. */
  addBand(options: Partial<EqBandOptions> = {}): number {
    const n = this.stages.length;
    if (n >= MAX_EQ_BANDS) throw new RangeError(`ParametricEQ.addBand: an EQ has at most ${MAX_EQ_BANDS} bands (MAX_EQ_BANDS), this one has ${n}`);
    const band = validateFilterOptions(bandOwner(n), options, this.spec?.sampleRate);
    this.stages.push(this.newStage(band));
    return this.stages.length - 1;
  }

  /** Remove band `index` at once (bypass it first and wait for the fade to avoid a click). */
  removeBand(index: number): this {
    this.stageAt('removeBand', index);
    this.stages.splice(index, 1);
    return this;
  }

  private newStage(band: Partial<EqBandOptions>): FilterStage {
    const full = { ...FILTER_DEFAULTS, ...band };
    if (!this.spec) return new FilterStage(full);
    // While running, a new band starts bypassed and fades in.
    const stage = new FilterStage({ ...full, bypass: true });
    stage.prepare(this.spec, this.smoothingMs / 1000, this.buffers);
    if (!full.bypass) stage.set({ bypass: false });
    return stage;
  }

  private stageAt(method: string, index: number): FilterStage {
    if (!(Number.isInteger(index) && index >= 0 && index < this.stages.length)) {
      throw new RangeError(`ParametricEQ.${method}: band index must be an integer in [0, ${this.stages.length - 1}], got ${String(index)}`);
    }
    return this.stages[index];
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.stages.forEach((st, i) => checkBelowNyquist(bandOwner(i), st.params.frequencyHz, s.sampleRate));
    this.spec = s;
    this.phase = 0;
    this.checkPhase = 0;
    this.checkInterval = stateCheckInterval(s.maxBlockSize);
    // One set of scratch buffers for all bands: they run one after another.
    this.buffers = stageBuffers(s);
    for (const st of this.stages) st.prepare(s, this.smoothingMs / 1000, this.buffers);
    this.gain.setImmediate(dbToGain(this.live.values[0]));
    this.gain.reset(s.sampleRate, this.smoothingMs / 1000);
    this.ramp = new Float64Array(s.maxBlockSize);
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const stages = this.stages;
    const count = stages.length;
    // Segments end on the state-check grid (absolute sample count, spacing ≤ maxBlockSize) and,
    // while any band ramps, on the control grid.
    const grid = this.checkInterval;
    let pos = 0;
    while (pos < n) {
      let end = pos + grid - this.checkPhase;
      if (end > n) end = n;
      for (let b = 0; b < count; b++) {
        if (stages[b].needsControlRate) {
          const e = pos + CONTROL_INTERVAL - this.phase;
          if (e < end) end = e;
          break;
        }
      }
      for (let b = 0; b < count; b++) stages[b].process(block, channels, pos, end, this.phase);
      this.applyGain(block, channels, pos, end);
      const len = end - pos;
      this.phase = (this.phase + len) % CONTROL_INTERVAL;
      const check = this.checkPhase + len;
      if (check === grid) {
        this.checkPhase = 0;
        for (let b = 0; b < count; b++) stages[b].sanitize();
      } else {
        this.checkPhase = check;
      }
      pos = end;
    }
  }

  private applyGain(block: readonly Float32Array[], channels: number, start: number, end: number): void {
    const gain = this.gain;
    if (gain.isSmoothing) {
      const g = this.ramp;
      const len = end - start;
      gain.fill(g, len);
      for (let ch = 0; ch < channels; ch++) {
        const x = block[ch];
        for (let i = 0; i < len; i++) x[start + i] *= g[i];
      }
      return;
    }
    const g = gain.current;
    if (g === 1) return;
    for (let ch = 0; ch < channels; ch++) {
      const x = block[ch];
      for (let i = start; i < end; i++) x[i] *= g;
    }
  }

  reset(): void {
    this.phase = 0;
    this.checkPhase = 0;
    for (let i = 0; i < this.stages.length; i++) this.stages[i].reset();
    // (Its target is dbToGain(outputGainDb); no number crosses a call.)
    this.gain.jumpToTarget();
  }

  toJSON(): ProcessorJSON {
    return processorJSON(ParametricEQ.type, this.params);
  }

  /**
   * The EQ's combined response (product of the active bands and the output gain) at the target
   * parameters, like Web Audio's `getFrequencyResponse`: magnitude (linear), phase (radians).
   * @param sampleRate - defaults to the prepared sample rate (required before `prepare()`).
   */
  getFrequencyResponse(
    frequencyHz: ArrayLike<number>,
    magResponse: Float32Array | Float64Array,
    phaseResponse?: Float32Array | Float64Array,
    sampleRate?: number,
  ): void {
    const fs = sampleRate ?? this.spec?.sampleRate;
    if (fs === undefined) throw new TypeError('ParametricEQ.getFrequencyResponse: pass a sampleRate or call prepare() first');
    validateSpec(OWNER, { sampleRate: fs, maxBlockSize: 1, channels: 1 });
    this.stages.forEach((st, i) => checkBelowNyquist(bandOwner(i), st.params.frequencyHz, fs));
    const g = dbToGain(this.live.values[0]);
    const re = new Float64Array(frequencyHz.length).fill(g);
    const im = new Float64Array(frequencyHz.length);
    for (const st of this.stages) st.accumulateResponse(frequencyHz, fs, re, im);
    writeMagnitudePhase(frequencyHz, fs / 2, re, im, magResponse, phaseResponse);
  }
}

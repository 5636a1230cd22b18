/**
 * A multiband compressor: 2 to 5 bands split by phase-coherent Linkwitz-Riley crossovers, one
 * {@link Compressor} per band, per-band bypass, solo and output gain.
 *
 * Crossovers. Each crossover k at f_k is a Linkwitz-Riley pair (Linkwitz, "Active Crossover
 * Networks for Noncoincident Drivers", JAES 24(1), 1976): LR4 (24 dB/oct, the default) is a
 * 2nd-order Butterworth section squared, LP = 1/D², HP = s⁴/D² with D = s² + √2·s + 1; LR8
 * (48 dB/oct) is the 4th-order Butterworth B₄ squared. The sections are the RBJ cookbook low- and
 * high-passes at the Butterworth Q values (`writeCascadeQs` in `filters/biquad-coefficients.ts`),
 * pre-warped at f_k, so the digital filters are the bilinear transforms of the analog ones. A
 * pair sums to an all-pass: LP + HP = (1 + s⁴)/D² = (s² − √2·s + 1)/(s² + √2·s + 1) for LR4
 * (1 + s⁴ = D(s)·D(−s)), and B₄(−s)/B₄(s) for LR8 (1 + s⁸ = B₄(s)·B₄(−s)): one RBJ all-pass
 * section with Q = 1/√2, or two with the Q values of B₄.
 *
 * The band tree (the classic arrangement, e.g. Rane Note 160, "Linkwitz-Riley Crossovers: A
 * Primer"; D'Appolito, *Testing Loudspeakers*, 1998): crossover 1 splits the input into band 1
 * (LP₁) and the rest (HP₁); crossover 2 splits the rest, and so on; the last band is what is left
 * after the last high-pass. Band k has not passed through crossovers k+1 … N−1, so it goes through
 * their all-passes AP_j = LP_j + HP_j instead (all-pass compensation). Then, with every band at
 * unity gain, the sum is one all-pass, by induction from the top:
 *
 * ```
 * LP₁·AP₂·…·AP_{N−1} + HP₁·(LP₂·AP₃·… + HP₂·(…)) = (LP₁ + HP₁)·AP₂·…·AP_{N−1} = AP₁·AP₂·…·AP_{N−1}
 * ```
 *
 * a flat magnitude (measured within 2e-6 dB, see the tests) with the phase of the crossovers'
 * all-passes in cascade.
 *
 * Per band: the band signal runs through its Compressor (all its options: threshold, ratio, knee,
 * attack, release, detector, stereo link, makeup, mix, lookahead, sidechain high-pass), then a
 * whole-sample delay that aligns it with the band of the longest lookahead (`latency` = the
 * largest lookahead of any band, in samples, at `prepare()`), then its gain: the band's
 * `outputGainDb`, 0 when another band is soloed and this one is not. `bypass` takes the band's
 * compressor out (its `mix` goes to 0, a cross-fade over `smoothingMs`; the detector keeps running
 * so switching back does not jump, and its read-outs show what it would do) and its output gain;
 * the band stays aligned. Solo: when any band is soloed only soloed bands are heard (each with its
 * own compression unless bypassed). Band gains ramp linearly over `smoothingMs`.
 *
 * Crossover changes while running: each frequency ramps multiplicatively over `smoothingMs`; the
 * coefficients of every section are designed from the ramped frequency at a control rate of one
 * update per 32 samples on the absolute sample count, and interpolated linearly per sample in
 * between (the scheme of `filters/filter-stage.ts`, which these filters are). Every interpolated
 * coefficient set is itself a stable design (the stability triangle |a₂| < 1, |a₁| < 1 + a₂ is
 * convex), and all the sections of one crossover (low-pass, high-pass, the all-passes of the
 * lower bands) follow the same frequency trajectory, so the compensation stays matched during the
 * ramp. A change of slope (24 ↔ 48 dB/oct) restarts the crossover filters at once (it may click).
 *
 * Hostile input and denormals: the filter states are checked on a grid of the absolute sample
 * count (every `min(128, maxBlockSize)` samples) and cleared of non-finite, runaway (≥ 1e30) and
 * denormal-bound (< 1e-50) values; the compressors read non-finite detector input as 0 and flush
 * their own state (see `compressor.ts`). Any block partition gives bit-identical output.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE } from '../core/options.js';
import { ANY_CHANNELS, SPEC_LIMITS, safeFrameCount, usableChannels, validateSpec, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { checkNumber, defineRules, describeValue, validateOptions, type NumberRange, type OptionRules } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { delayInPlace } from '../core/delay-line.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { writeCascadeQs, type Rolloff } from '../filters/biquad-coefficients.js';
import { CONTROL_INTERVAL, FILTER_DEFAULTS, FilterStage, stageBuffers, stateCheckInterval, type FilterOptions } from '../filters/filter-stage.js';
import { COMPRESSOR_DEFAULTS, COMPRESSOR_RULES, Compressor, type CompressorOptions } from './compressor.js';

/** One band of a {@link MultibandCompressor}: the options of its {@link Compressor} (but `smoothingMs`, which is the multiband's) plus bypass, solo and output gain. */
export interface MultibandBandOptions extends Omit<CompressorOptions, 'smoothingMs'> {
  /** Take this band's compression and output gain out (cross-faded over `smoothingMs`). @defaultValue false */
  bypass: boolean;
  /** Solo: while any band is soloed, only soloed bands are heard. @defaultValue false */
  solo: boolean;
  /** Gain of this band after its compressor, in dB, [-24, 24]; smoothed. @defaultValue 0 */
  outputGainDb: number;
}

/** Crossover slopes: 24 dB/octave (Linkwitz-Riley 4th order) or 48 (8th order). */
export const MULTIBAND_ROLLOFFS = Object.freeze([24, 48] as const);
/** A crossover slope of {@link MULTIBAND_ROLLOFFS}. */
export type MultibandRolloff = (typeof MULTIBAND_ROLLOFFS)[number];

/** Options of {@link MultibandCompressor}. */
export interface MultibandCompressorOptions {
  /**
   * Crossover frequencies in Hz, 1 to 4 of them (2 to 5 bands), ascending, each in (20, 0.45·fs)
   * and at least a third of an octave above the previous one (f_{k+1} ≥ 2^(1/3)·f_k). Before
   * `prepare()` the sample rate is unknown and values up to 0.45·384000 are accepted. The number
   * of crossovers (the band count) is fixed when the compressor is built; the frequencies ramp
   * when changed while running.
   * @defaultValue [120, 1000, 5000] (four bands)
   */
  crossoversHz: number[];
  /** Crossover slope in dB/octave: 24 (LR4) or 48 (LR8). A change while running restarts the crossover filters. @defaultValue 24 */
  rolloffDbPerOctave: MultibandRolloff;
  /**
   * The bands, lowest first: one options object per band (crossoversHz.length + 1), omitted
   * fields taking {@link MULTIBAND_BAND_DEFAULTS}; `[]` or no `bands` at all gives every band the
   * defaults.
   * @defaultValue four bands of {@link MULTIBAND_BAND_DEFAULTS}
   */
  bands: Partial<MultibandBandOptions>[];
  /** Ramp time of changes made while running (crossovers, band gains, bypass, the compressors' makeup and mix), ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Most bands a {@link MultibandCompressor} takes (four crossovers). */
export const MAX_MULTIBAND_BANDS = 5;
/** Fewest bands a {@link MultibandCompressor} takes (one crossover). */
export const MIN_MULTIBAND_BANDS = 2;
/** Smallest ratio between adjacent crossovers: a third of an octave. */
export const MIN_CROSSOVER_RATIO = 2 ** (1 / 3);
/** Crossovers must lie below this fraction of the sample rate. */
export const MAX_CROSSOVER_FRACTION = 0.45;
/** Crossovers must lie above this frequency (Hz). */
export const MIN_CROSSOVER_HZ = 20;

/** `o` without its `smoothingMs` (a band's compressor takes the multiband's). */
function omitSmoothing<T extends { smoothingMs: unknown }>(o: T): Omit<T, 'smoothingMs'> {
  const { smoothingMs: _s, ...rest } = o;
  return rest;
}

/** Defaults of one band: the {@link Compressor}'s defaults, not bypassed, not soloed, 0 dB. */
export const MULTIBAND_BAND_DEFAULTS: Readonly<MultibandBandOptions> = /* @__PURE__ */ Object.freeze({
  .../* @__PURE__ */ omitSmoothing(COMPRESSOR_DEFAULTS),
  bypass: false,
  solo: false,
  outputGainDb: 0,
});

/** Validation rules of one band ({@link MultibandBandOptions}). */
export const MULTIBAND_BAND_RULES: OptionRules<MultibandBandOptions> = /* @__PURE__ */ defineRules<MultibandBandOptions>({
  .../* @__PURE__ */ omitSmoothing(COMPRESSOR_RULES),
  bypass: { kind: 'boolean', description: 'Take the band’s compression and output gain out (cross-faded)' },
  solo: { kind: 'boolean', description: 'While any band is soloed, only soloed bands are heard' },
  outputGainDb: { kind: 'number', range: { min: -24, max: 24, unit: 'dB' }, description: 'Band gain after its compressor' },
});

/** Defaults of {@link MultibandCompressorOptions}: four bands split at 120 Hz, 1 kHz and 5 kHz, LR4. */
export const MULTIBAND_COMPRESSOR_DEFAULTS: Readonly<MultibandCompressorOptions> = /* @__PURE__ */ Object.freeze({
  // (Frozen too: a shared default must not be changed through a nested array.)
  crossoversHz: /* @__PURE__ */ Object.freeze([120, 1000, 5000]) as number[],
  rolloffDbPerOctave: 24,
  bands: /* @__PURE__ */ Object.freeze([MULTIBAND_BAND_DEFAULTS, MULTIBAND_BAND_DEFAULTS, MULTIBAND_BAND_DEFAULTS, MULTIBAND_BAND_DEFAULTS]) as Partial<MultibandBandOptions>[],
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/**
 * Validation rules of {@link MultibandCompressorOptions}. The table checks each value; the
 * constructor and `set()` then check what involves two values: crossovers ascending a third of an
 * octave apart, `bands` empty or one per band, the band count unchanged, and (once prepared) every
 * crossover below 0.45·fs.
 */
export const MULTIBAND_COMPRESSOR_RULES: OptionRules<MultibandCompressorOptions> = /* @__PURE__ */ defineRules<MultibandCompressorOptions>({
  crossoversHz: {
    kind: 'array',
    items: { kind: 'number', range: { min: MIN_CROSSOVER_HZ, max: MAX_CROSSOVER_FRACTION * SPEC_LIMITS.maxSampleRate, minOpen: true, maxOpen: true, unit: 'Hz' } },
    minLength: MIN_MULTIBAND_BANDS - 1,
    maxLength: MAX_MULTIBAND_BANDS - 1,
    description: 'Crossover frequencies, ascending',
  },
  rolloffDbPerOctave: { kind: 'enum', values: MULTIBAND_ROLLOFFS, description: 'Crossover slope (Linkwitz-Riley 24 or 48 dB/octave)' },
  bands: {
    kind: 'array',
    items: { kind: 'object', rules: MULTIBAND_BAND_RULES, noun: 'a band options object', description: 'One band' },
    maxLength: MAX_MULTIBAND_BANDS,
    description: 'The bands, lowest first: [] or one per band',
  },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE, description: 'Ramp time of changes made while running' },
});

const OWNER = 'MultibandCompressor';
/** `which` of a band's `outputGainDb` in a parameter code (band · 32 + which); below it, an index into the compressor options. */
const W_OUTPUT_GAIN = 31;
/** The range of a band's `outputGainDb`. */
const OUTPUT_GAIN_RANGE: NumberRange = Object.freeze({ min: -24, max: 24, unit: 'dB' });
/** The band options a band's Compressor takes. */
type CompressorKey = keyof Omit<CompressorOptions, 'smoothingMs'>;

/** One band's compressor options (those of MultibandBandOptions the Compressor takes), with `mix` 0 when bypassed. */
function compressorOptions(b: MultibandBandOptions): Partial<CompressorOptions> {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(COMPRESSOR_RULES) as (CompressorKey | 'smoothingMs')[]) if (k !== 'smoothingMs') o[k] = b[k];
  if (b.bypass) o.mix = 0;
  return o as Partial<CompressorOptions>;
}

/** The design of one LR low-/high-pass or all-pass section set at `frequencyHz`. */
function stageOptions(type: FilterOptions['type'], frequencyHz: number, rolloff: Rolloff, q: number): FilterOptions {
  return { ...FILTER_DEFAULTS, type, frequencyHz, q, rolloffDbPerOctave: rolloff };
}

/** The Q values of the all-pass sections of one crossover: those of the Butterworth filter an LR filter squares. */
function allpassQs(rolloff: MultibandRolloff): number[] {
  const qs = new Float64Array(4);
  const n = writeCascadeQs(qs, (rolloff / 2) as Rolloff, false);
  return Array.from(qs.subarray(0, n));
}

/**
 * Multiband compressor on Linkwitz-Riley crossovers whose bands sum to an all-pass, with a
 * {@link Compressor} per band, per-band bypass, solo and output gain, and per-band gain-reduction
 * read-outs (`meterNames`: `gainReductionDb`, `maxGainReductionDb` for each band, lowest first).
 *
 * @example
 * ```ts
 * import { MultibandCompressor } from 'masterbus';
 * const mb = new MultibandCompressor({
 *   crossoversHz: [150, 2500],                      // three bands
 *   bands: [
 *     { thresholdDb: -24, ratio: 3, attackMs: 20, releaseMs: 200 },
 *     { thresholdDb: -20, ratio: 2 },
 *     { thresholdDb: -22, ratio: 2.5, attackMs: 3, releaseMs: 80 },
 *   ],
 * });
 * mb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * mb.process([left, right]);
 * mb.setBand(1, { solo: true });                    // listen to the mids alone
 * mb.set({ crossoversHz: [200, 3000] });            // ramps over 20 ms
 * console.log(mb.bandCount, mb.bandGainReductionDb(0));
 * ```
 */
export class MultibandCompressor implements Processor<MultibandCompressorOptions> {
  /** Type name used by {@link MultibandCompressor.toJSON}. */
  static readonly type = 'MultibandCompressor';
  /** Defaults of its options. */
  static readonly defaults = MULTIBAND_COMPRESSOR_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = MULTIBAND_COMPRESSOR_RULES;
  /** Any channel count (the band compressors link channels as their `stereoLink` says). */
  readonly channelRange = ANY_CHANNELS;
  /** `gainReductionDb`, `maxGainReductionDb` of each band, lowest band first (fixed: the band count is). */
  readonly meterNames: readonly MeterName[];

  private crossovers: number[];
  private rolloff: MultibandRolloff;
  private bandOpts: MultibandBandOptions[];
  private smoothingMs: number;
  private readonly comps: Compressor[];
  /** Band gains (linear), smoothed: output gain × solo/mute, 1 while bypassed. */
  private readonly gains: SmoothedValue[];
  /** Per crossover: the LR low-pass and high-pass. */
  private lows: FilterStage[] = [];
  private highs: FilterStage[] = [];
  /** All-pass compensation: `apStages[i]` runs on band `apBand[i]`, for crossover `apCrossover[i]`. */
  private apStages: FilterStage[] = [];
  private apBand = new Int32Array(0);
  private apCrossover = new Int32Array(0);
  private spec: ProcessSpec | undefined;
  private delay = 0;
  /** Per band, per channel: the segment's band signal (length: the state-check grid). */
  private bandBufs: Float32Array[][] = [];
  /** Per band, per channel: the alignment delay (latency − that band's compressor latency). */
  private alignRings: Float32Array[][] = [];
  /** Ring positions, band·channels + channel. */
  private alignPos = new Int32Array(0);
  /** Per band: that segment's gains. */
  private gainBufs: Float64Array[] = [];
  /** The segment's sum, one channel at a time. */
  private acc = new Float64Array(0);
  /** Per band: [outputGainDb] (see {@link LiveNumbers}: setParam() changes it on the audio thread). */
  private readonly outputLive: LiveNumbers[];
  /** Per band: 1 while audible (no solo elsewhere), and 1 while bypassed (set on the control side). */
  private readonly audible: Int32Array;
  private readonly bypassed: Int32Array;
  /** [a band gain target] handed to its smoother by setParam(). */
  private readonly gainTarget = new Float64Array(1);
  /** Automatable paths (`bands.<k>.<option>`) → band · 32 + which, and the compressor option names by `which`. */
  private readonly paramCodes = new Map<string, number>();
  private readonly paramKeys: string[] = [];
  /** Absolute sample count mod CONTROL_INTERVAL, and mod the state-check grid. */
  private phase = 0;
  private checkPhase = 0;
  private checkInterval = 1;

  /** Create a multiband compressor; omitted options take {@link MULTIBAND_COMPRESSOR_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<MultibandCompressorOptions> = {}) {
    const o = validateOptions<MultibandCompressorOptions>(OWNER, options, MULTIBAND_COMPRESSOR_RULES);
    const crossovers = o.crossoversHz ?? [...MULTIBAND_COMPRESSOR_DEFAULTS.crossoversHz];
    checkCrossovers(crossovers, undefined);
    const count = crossovers.length + 1;
    const bands = o.bands ?? [];
    checkBandCount(bands.length, count, true);
    this.crossovers = [...crossovers];
    this.rolloff = o.rolloffDbPerOctave ?? MULTIBAND_COMPRESSOR_DEFAULTS.rolloffDbPerOctave;
    this.smoothingMs = o.smoothingMs ?? MULTIBAND_COMPRESSOR_DEFAULTS.smoothingMs;
    this.bandOpts = Array.from({ length: count }, (_, b) => ({ ...MULTIBAND_BAND_DEFAULTS, ...bands[b] }));
    this.comps = this.bandOpts.map((b) => new Compressor({ ...compressorOptions(b), smoothingMs: this.smoothingMs }));
    this.gains = this.bandOpts.map(() => new SmoothedValue('linear', 1));
    this.meterNames = Object.freeze(this.bandOpts.flatMap(() => ['gainReductionDb', 'maxGainReductionDb'] as MeterName[]));
    this.outputLive = this.bandOpts.map(() => new LiveNumbers(['outputGainDb'], MULTIBAND_BAND_RULES));
    this.audible = new Int32Array(count);
    this.bypassed = new Int32Array(count);
    // Automation: a band's compressor options that its Compressor can automate (not `mix`, which
    // bypass drives), and its output gain.
    for (const key of Object.keys(COMPRESSOR_RULES)) if (key !== 'mix' && this.comps[0].paramRange(key) !== undefined) this.paramKeys.push(key);
    for (let b = 0; b < count; b++) {
      this.paramKeys.forEach((key, w) => this.paramCodes.set(`bands.${b}.${key}`, b * 32 + w));
      this.paramCodes.set(`bands.${b}.outputGainDb`, b * 32 + W_OUTPUT_GAIN);
    }
    this.updateGains(false);
    this.buildStages();
  }

  /** Rebuild from {@link MultibandCompressor.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): MultibandCompressor {
    return new MultibandCompressor(paramsFromJSON(MultibandCompressor, json));
  }

  /** Number of bands (crossovers + 1), fixed for the object's life. */
  get bandCount(): number {
    return this.bandOpts.length;
  }

  /** Delay in samples: the largest band lookahead, round(lookaheadMs · fs / 1000), at `prepare()` (0 before). */
  get latency(): number {
    return this.delay;
  }

  /** The current options (targets of ramps in progress), every band filled in. */
  get params(): MultibandCompressorOptions {
    this.syncBands();
    return {
      crossoversHz: [...this.crossovers],
      rolloffDbPerOctave: this.rolloff,
      bands: this.bandOpts.map((b) => ({ ...b })),
      smoothingMs: this.smoothingMs,
    };
  }

  /** The options of band `index` (0: the lowest). */
  getBand(index: number): MultibandBandOptions {
    const b = this.bandIndex('getBand', index);
    this.syncBands();
    return { ...this.bandOpts[b] };
  }

  /** Current gain reduction of band `index` in dB (≥ 0). */
  bandGainReductionDb(index: number): number {
    return this.comps[this.bandIndex('bandGainReductionDb', index)].gainReductionDb;
  }

  /** Largest gain reduction of band `index` in dB since `prepare()`, `reset()` or {@link MultibandCompressor.resetMeters}. */
  bandMaxGainReductionDb(index: number): number {
    return this.comps[this.bandIndex('bandMaxGainReductionDb', index)].maxGainReductionDb;
  }

  /** Restart every band's maximum gain-reduction read-out. */
  resetMeters(): void {
    for (const c of this.comps) c.resetMeters();
  }

  /** Write {@link MultibandCompressor.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const comps = this.comps;
    for (let b = 0; b < comps.length; b++) comps[b].readMeters(out, offset + 2 * b);
  }

  /**
   * Change options. Validated first (a bad value throws and changes nothing). `crossoversHz` must
   * keep its length (the band count); `bands`, when given, holds one object per band and replaces
   * each band's options (omitted fields take the defaults; use {@link MultibandCompressor.setBand}
   * to change a few). While running, crossovers, band gains, bypass, makeup and mix ramp over
   * `smoothingMs`.
   */
  set(options: Partial<MultibandCompressorOptions>): this {
    const o = validateOptions<MultibandCompressorOptions>(OWNER, options, MULTIBAND_COMPRESSOR_RULES);
    this.syncBands();
    const count = this.bandOpts.length;
    if (o.crossoversHz !== undefined) {
      if (o.crossoversHz.length !== count - 1) {
        throw new RangeError(
          `${OWNER}.crossoversHz must keep its ${count - 1} entries (the band count is fixed when the compressor is built; build a new one for another count), got ${o.crossoversHz.length}`,
        );
      }
      checkCrossovers(o.crossoversHz, this.spec?.sampleRate);
    }
    if (o.bands !== undefined) checkBandCount(o.bands.length, count, false);
    if (o.smoothingMs !== undefined && o.smoothingMs !== this.smoothingMs) {
      this.smoothingMs = o.smoothingMs;
      for (const c of this.comps) c.set({ smoothingMs: o.smoothingMs });
      if (this.spec) {
        const s = o.smoothingMs / 1000;
        for (const st of this.allStages()) st.setSmoothingTime(s);
        for (const g of this.gains) g.setRampLength(this.spec.sampleRate, s);
      }
    }
    if (o.bands !== undefined) {
      this.bandOpts = o.bands.map((b) => ({ ...MULTIBAND_BAND_DEFAULTS, ...b }));
      this.bandOpts.forEach((b, i) => this.comps[i].set(compressorOptions(b)));
      this.updateGains(this.spec !== undefined);
    }
    if (o.rolloffDbPerOctave !== undefined && o.rolloffDbPerOctave !== this.rolloff) {
      this.rolloff = o.rolloffDbPerOctave;
      if (o.crossoversHz !== undefined) this.crossovers = [...o.crossoversHz];
      this.buildStages();
      if (this.spec) this.prepareStages(this.spec);
    } else if (o.crossoversHz !== undefined) {
      this.crossovers = [...o.crossoversHz];
      this.retuneStages();
    }
    return this;
  }

  /** Change some options of band `index` (0: the lowest); the others keep their values. Ramped while running. */
  setBand(index: number, options: Partial<MultibandBandOptions>): this {
    const b = this.bandIndex('setBand', index);
    const o = validateOptions<MultibandBandOptions>(`${OWNER}.bands[${b}]`, options, MULTIBAND_BAND_RULES);
    this.syncBands();
    this.bandOpts[b] = { ...this.bandOpts[b], ...o };
    this.comps[b].set(compressorOptions(this.bandOpts[b]));
    this.updateGains(this.spec !== undefined);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    checkCrossovers(this.crossovers, s.sampleRate);
    // The change paths first, and the crossover filters built after them: filters made before
    // the priming kept hidden classes that its compiled ramp code no longer accepted ("wrong map"),
    // and the first crossover change after a long run boxed 0.5 MB.
    primeChanges(this, s);
    this.buildStages();
    this.spec = s;
    this.checkInterval = stateCheckInterval(s.maxBlockSize);
    const seg = this.checkInterval;
    // The compressors run segment by segment (at most one state-check interval long).
    const inner = { sampleRate: s.sampleRate, maxBlockSize: seg, channels: s.channels };
    for (const c of this.comps) c.prepare(inner);
    let delay = 0;
    for (const c of this.comps) if (c.latency > delay) delay = c.latency;
    this.delay = delay;
    const count = this.comps.length;
    this.bandBufs = [];
    this.alignRings = [];
    this.gainBufs = [];
    for (let b = 0; b < count; b++) {
      const bufs: Float32Array[] = [];
      const rings: Float32Array[] = [];
      for (let c = 0; c < s.channels; c++) {
        bufs.push(new Float32Array(seg));
        rings.push(new Float32Array(delay - this.comps[b].latency));
      }
      this.bandBufs.push(bufs);
      this.alignRings.push(rings);
      this.gainBufs.push(new Float64Array(seg));
    }
    this.alignPos = new Int32Array(count * s.channels);
    this.acc = new Float64Array(seg);
    for (const g of this.gains) g.reset(s.sampleRate, this.smoothingMs / 1000);
    this.prepareStages(s);
    primeProcessor(this, s);
    this.reset();
  }

  reset(): void {
    this.phase = 0;
    this.checkPhase = 0;
    // Index loops only: reset() runs on the audio thread in a worklet host and allocates nothing.
    for (let i = 0; i < this.lows.length; i++) this.lows[i].reset();
    for (let i = 0; i < this.highs.length; i++) this.highs[i].reset();
    for (let i = 0; i < this.apStages.length; i++) this.apStages[i].reset();
    for (let i = 0; i < this.comps.length; i++) this.comps[i].reset();
    for (let b = 0; b < this.alignRings.length; b++) {
      const rings = this.alignRings[b];
      for (let c = 0; c < rings.length; c++) rings[c].fill(0);
    }
    this.alignPos.fill(0);
    for (let i = 0; i < this.gains.length; i++) this.gains[i].jumpToTarget();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    if (channels === 0) return;
    const lows = this.lows;
    const grid = this.checkInterval;
    let pos = 0;
    while (pos < n) {
      let end = pos + grid - this.checkPhase;
      if (end > n) end = n;
      // While a crossover ramps, segments end on the control grid (all stages of one crossover ramp alike).
      for (let k = 0; k < lows.length; k++) {
        if (lows[k].needsControlRate) {
          const e = pos + CONTROL_INTERVAL - this.phase;
          if (e < end) end = e;
          break;
        }
      }
      const len = end - pos;
      this.segment(block, channels, spec.channels, pos, len);
      this.phase = (this.phase + len) % CONTROL_INTERVAL;
      const check = this.checkPhase + len;
      if (check === grid) {
        this.checkPhase = 0;
        this.sanitize();
      } else this.checkPhase = check;
      pos = end;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(MultibandCompressor.type, this.params);
  }

  /** Split `block[·][pos, pos + len)` into bands, compress, align, weight and sum them back. */
  private segment(block: readonly Float32Array[], channels: number, allChannels: number, pos: number, len: number): void {
    const bands = this.bandBufs;
    const count = bands.length;
    const phase = this.phase;
    // The rest after crossover k lives in the last band's buffers.
    const rest = bands[count - 1];
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      const r = rest[c];
      for (let i = 0; i < len; i++) r[i] = x[pos + i];
    }
    // Channels the host did not hand over this time: silence for the compressors' detectors.
    for (let c = channels; c < allChannels; c++) for (let b = 0; b < count; b++) bands[b][c].fill(0, 0, len);
    const lows = this.lows;
    const highs = this.highs;
    for (let k = 0; k < count - 1; k++) {
      const low = bands[k];
      for (let c = 0; c < channels; c++) {
        const r = rest[c];
        const l = low[c];
        for (let i = 0; i < len; i++) l[i] = r[i];
      }
      lows[k].process(low, channels, 0, len, phase);
      highs[k].process(rest, channels, 0, len, phase);
    }
    const ap = this.apStages;
    const apBand = this.apBand;
    for (let i = 0; i < ap.length; i++) ap[i].process(bands[apBand[i]], channels, 0, len, phase);
    const comps = this.comps;
    const rings = this.alignRings;
    const alignPos = this.alignPos;
    for (let b = 0; b < count; b++) {
      const band = bands[b];
      comps[b].process(band, len);
      const rb = rings[b];
      for (let c = 0; c < channels; c++) {
        const k = b * allChannels + c;
        alignPos[k] = delayInPlace(rb[c], alignPos[k], band[c], 0, len);
      }
    }
    // Weighted sum, in float64, band by band in a fixed order.
    const gains = this.gains;
    const gb = this.gainBufs;
    const acc = this.acc;
    let unity = true;
    for (let b = 0; b < count; b++) {
      if (!gains[b].isSteadyAt(1)) unity = false;
      gains[b].fill(gb[b], len);
    }
    for (let c = 0; c < channels; c++) {
      const b0 = bands[0][c];
      if (unity) {
        for (let i = 0; i < len; i++) acc[i] = b0[i];
        for (let b = 1; b < count; b++) {
          const bb = bands[b][c];
          for (let i = 0; i < len; i++) acc[i] += bb[i];
        }
      } else {
        const g0 = gb[0];
        for (let i = 0; i < len; i++) acc[i] = g0[i] * b0[i];
        for (let b = 1; b < count; b++) {
          const bb = bands[b][c];
          const g = gb[b];
          for (let i = 0; i < len; i++) acc[i] += g[i] * bb[i];
        }
      }
      const x = block[c];
      for (let i = 0; i < len; i++) x[pos + i] = acc[i];
    }
  }

  /** State checks on the absolute grid: crossover filters (the compressors keep their own grid). */
  private sanitize(): void {
    const lows = this.lows;
    const highs = this.highs;
    const ap = this.apStages;
    for (let k = 0; k < lows.length; k++) {
      lows[k].sanitize();
      highs[k].sanitize();
    }
    for (let i = 0; i < ap.length; i++) ap[i].sanitize();
  }

  /** Band gain targets from the options: output gain (1 while bypassed) × (0 for a band muted by another's solo). */
  private updateGains(ramp: boolean): void {
    const anySolo = this.bandOpts.some((b) => b.solo);
    this.bandOpts.forEach((b, i) => {
      this.outputLive[i].load(b);
      this.audible[i] = !anySolo || b.solo ? 1 : 0;
      this.bypassed[i] = b.bypass ? 1 : 0;
      this.writeGainTarget(i);
      if (ramp) this.gains[i].setTargetAt(this.gainTarget, 0);
      else this.gains[i].setImmediate(this.gainTarget[0]);
    });
  }

  /** Band b's gain target into gainTarget[0], from typed arrays only (setParam() runs this on the audio thread). */
  private writeGainTarget(b: number): void {
    const t = this.gainTarget;
    t[0] = this.bypassed[b] === 1 ? 1 : Math.pow(10, this.outputLive[b].values[0] / 20);
    if (this.audible[b] === 0) t[0] = 0;
  }

  /** Write values setParam() changed (in the compressors and the output-gain mirrors) back into the band options (control side). */
  private syncBands(): void {
    const keys = this.paramKeys;
    for (let b = 0; b < this.bandOpts.length; b++) {
      const o = this.bandOpts[b] as unknown as Record<string, unknown>;
      this.outputLive[b].sync(o);
      const cp = this.comps[b].params as unknown as Record<string, unknown>;
      for (const k of keys) o[k] = cp[k];
    }
  }

  /**
   * The range of a number option {@link MultibandCompressor.setParam} can change:
   * `bands.<k>.<option>` for band k's compressor options that a {@link Compressor} can automate
   * (threshold, ratio, knee, attack, release, hold, RMS window, stereo link, makeup, sidechain
   * high-pass; not `mix`, which bypass drives, nor `lookaheadMs`) and `bands.<k>.outputGainDb`.
   * Not the crossovers (their order and spacing are checked on the control side).
   */
  paramRange(name: string): NumberRange | undefined {
    if (typeof name !== 'string') return undefined;
    const code = this.paramCodes.get(name);
    if (code === undefined) return undefined;
    const w = code & 31;
    return w === W_OUTPUT_GAIN ? OUTPUT_GAIN_RANGE : this.comps[code >> 5].paramRange(this.paramKeys[w]);
  }

  /** Change one of those options to `values[index]` without allocating (for automation; the contract's `setParam`), ramped as `set()` ramps; clamped to its range. */
  setParam(name: string, values: Float64Array, index: number): void {
    const code = this.paramCodes.get(name);
    if (code === undefined) return;
    const b = code >> 5;
    const w = code & 31;
    if (w !== W_OUTPUT_GAIN) {
      this.comps[b].setParam(this.paramKeys[w], values, index);
      return;
    }
    if (!this.outputLive[b].put(0, values, index)) return;
    this.writeGainTarget(b);
    if (this.spec !== undefined) this.gains[b].setTargetAt(this.gainTarget, 0);
    else this.gains[b].setImmediate(this.gainTarget[0]);
  }

  /** The crossover filters for the current frequencies and slope (unprepared). */
  private buildStages(): void {
    const rolloff = this.rolloff;
    const f = this.crossovers;
    this.lows = f.map((fk) => new FilterStage(stageOptions('linkwitz-riley-lowpass', fk, rolloff, Math.SQRT1_2)));
    this.highs = f.map((fk) => new FilterStage(stageOptions('linkwitz-riley-highpass', fk, rolloff, Math.SQRT1_2)));
    const qs = allpassQs(rolloff);
    const stages: FilterStage[] = [];
    const bandOf: number[] = [];
    const crossoverOf: number[] = [];
    // Band b (not split by crossovers b+1 … N−2) gets their all-passes.
    for (let b = 0; b < f.length - 1; b++) {
      for (let j = b + 1; j < f.length; j++) {
        for (const q of qs) {
          stages.push(new FilterStage(stageOptions('allpass', f[j], rolloff, q)));
          bandOf.push(b);
          crossoverOf.push(j);
        }
      }
    }
    this.apStages = stages;
    this.apBand = Int32Array.from(bandOf);
    this.apCrossover = Int32Array.from(crossoverOf);
  }

  private prepareStages(s: ProcessSpec): void {
    const inner = { sampleRate: s.sampleRate, maxBlockSize: this.checkInterval, channels: s.channels };
    // Shared scratch: never used (these stages are never bypassed), but the stages take one set.
    const buffers = stageBuffers(inner);
    for (const st of this.allStages()) st.prepare(inner, this.smoothingMs / 1000, buffers);
  }

  /** New crossover frequencies: every stage of a crossover ramps to it (at once before prepare()). */
  private retuneStages(): void {
    const f = this.crossovers;
    for (let k = 0; k < f.length; k++) {
      this.lows[k].set({ frequencyHz: f[k] });
      this.highs[k].set({ frequencyHz: f[k] });
    }
    for (let i = 0; i < this.apStages.length; i++) this.apStages[i].set({ frequencyHz: f[this.apCrossover[i]] });
  }

  private allStages(): FilterStage[] {
    return [...this.lows, ...this.highs, ...this.apStages];
  }

  private bandIndex(method: string, index: number): number {
    const n = this.bandOpts.length;
    if (typeof index !== 'number') throw new TypeError(`${OWNER}.${method}: band index must be an integer in [0, ${n - 1}], got ${describeValue(index)}`);
    if (!(Number.isInteger(index) && index >= 0 && index < n)) {
      throw new RangeError(`${OWNER}.${method}: band index must be an integer in [0, ${n - 1}], got ${describeValue(index)}`);
    }
    return index;
  }
}

/** `bands` must be one per band (or, when `allowEmpty`, empty). */
function checkBandCount(given: number, count: number, allowEmpty: boolean): void {
  if (given === count || (allowEmpty && given === 0)) return;
  throw new RangeError(`${OWNER}.bands must have ${allowEmpty ? `0 or ${count}` : count} items (one per band: crossoversHz.length + 1), got ${given}`);
}

/** Ascending, a third of an octave apart, and (with a sample rate) below 0.45·fs. */
function checkCrossovers(f: readonly number[], sampleRate: number | undefined): void {
  for (let k = 1; k < f.length; k++) {
    const min = f[k - 1] * MIN_CROSSOVER_RATIO;
    if (!(f[k] >= min)) {
      throw new RangeError(
        `${OWNER}.crossoversHz[${k}] must be at least a third of an octave above crossoversHz[${k - 1}] = ${f[k - 1]} Hz (≥ ${min.toFixed(2)} Hz: ascending, 2^(1/3) apart), got ${f[k]}`,
      );
    }
  }
  if (sampleRate !== undefined) {
    const range = { min: MIN_CROSSOVER_HZ, max: MAX_CROSSOVER_FRACTION * sampleRate, minOpen: true, maxOpen: true, unit: `Hz (0.45·fs at ${sampleRate} Hz)` };
    f.forEach((v, k) => checkNumber(OWNER, `crossoversHz[${k}]`, v, range));
  }
}


/**
 * MasteringChain: the processors of a stereo master in their usual order, as one processor.
 *
 *     input meter → EQ (stereo or mid/side) → glue compressor or multiband compressor → saturator → stereo widener
 *     (bass mono) → true-peak limiter → output meter
 *
 * Every stage is optional (`null` leaves it out) and configured by the options of the processor it
 * builds (`compressor: { ratio: 2 }` is a `Partial<CompressorOptions>`), so a mastering preset is
 * plain JSON, validated by the same rule tables as the processors themselves and described by
 * the published schema (`npm run schemas`).
 *
 * Built on the contract alone: the stages run in a {@link Chain} (in place, latency = the sum of the
 * stages', any block partition gives the same output, `process()` allocates nothing), the mid/side
 * EQ is a {@link MidSide} of two `ParametricEQ`s, and the read-outs are collected from the stages'
 * `readMeters()` into a fixed list ({@link MASTERING_METER_NAMES}).
 *
 * Changing options while running: a stage's own options go to its processor's `set()` (smoothed
 * where it smooths; options that set a latency, such as the limiter's lookahead, take effect at
 * the next `prepare()`). Adding or removing a stage (`null` ↔ options), or switching the EQ between
 * stereo and mid/side, is a `Chain` edit: the chain fades out over 10 ms, swaps, and fades back in
 * (see `Chain.insert`), and `latency` changes with it as it does for a Chain.
 *
 * @module
 */
import { paramsFromJSON, paramsToJSON } from '../core/json.js';
import { validateSpec, type ChannelRange, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { defineRules, validateOptions, type OptionRules } from '../core/validate.js';
import { Compressor, COMPRESSOR_RULES, type CompressorOptions } from '../dynamics/compressor.js';
import { MultibandCompressor, MULTIBAND_COMPRESSOR_RULES, type MultibandCompressorOptions } from '../dynamics/multiband-compressor.js';
import { Limiter, LIMITER_RULES, type LimiterOptions } from '../dynamics/limiter.js';
import { Saturator, SATURATOR_RULES, type SaturatorOptions } from '../color/saturator.js';
import { StereoWidener, STEREO_WIDENER_RULES, type StereoWidenerOptions } from '../stereo/stereo-widener.js';
import { ParametricEQ, PARAMETRIC_EQ_RULES, type EqBandOptions } from '../filters/parametric-eq.js';
import { LoudnessMeter } from '../metering/loudness-meter.js';
import { SMOOTHING_RANGE, DEFAULT_SMOOTHING_MS } from '../core/options.js';
import { Chain } from './chain.js';
import { MidSide } from './mid-side.js';

/** Options of the EQ stage of a {@link MasteringChain}. */
export interface MasteringEqOptions {
  /**
   * EQ the mid (L+R)/2 and side (L−R)/2 signals separately (`bands` on mid, `sideBands` on side,
   * through a `MidSide`); false: `bands` on both channels alike. Stereo input only when true.
   * @defaultValue false
   */
  midSide: boolean;
  /** The bands (on both channels, or on mid in mid/side mode), as `ParametricEQ` bands. @defaultValue [] */
  bands: Partial<EqBandOptions>[];
  /** The side signal's bands, used in mid/side mode only (kept otherwise, so a preset can switch modes). @defaultValue [] */
  sideBands: Partial<EqBandOptions>[];
  /** Output gain in dB, [-48, 48], smoothed. @defaultValue 0 */
  outputGainDb: number;
  /** Ramp time of changes made while running, in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Options of {@link MasteringChain}: one options bag per stage, `null` for a stage left out. */
export interface MasteringChainOptions {
  /** The EQ (first stage). @defaultValue `{ midSide: false, bands: [], … }` (flat) */
  eq: Partial<MasteringEqOptions> | null;
  /**
   * The glue compressor: a `Compressor`'s options; omitted ones take
   * {@link MASTERING_STAGE_DEFAULTS}.compressor (a gentle 1.5:1 above −12 dBFS, 30 ms / 250 ms).
   */
  compressor: Partial<CompressorOptions> | null;
  /**
   * The multiband compressor: a `MultibandCompressor`'s options (2–5 bands on Linkwitz–Riley
   * crossovers). An alternative to the glue compressor (set `compressor: null`); with both, the
   * compressor runs first. @defaultValue null (off)
   */
  multiband: Partial<MultibandCompressorOptions> | null;
  /** The saturator: a `Saturator`'s options. @defaultValue null (off) */
  saturator: Partial<SaturatorOptions> | null;
  /** The stereo widener with bass mono: a `StereoWidener`'s options; stereo only. @defaultValue null (off) */
  widener: Partial<StereoWidenerOptions> | null;
  /** The true-peak limiter: a `Limiter`'s options. @defaultValue `{ ceilingDb: -1, mode: 'true-peak' }` */
  limiter: Partial<LimiterOptions> | null;
  /** Loudness meters before and after the stages (read through `readMeters()`). @defaultValue true */
  meters: boolean;
}

/** The stages that hold a processor, in processing order. */
export const MASTERING_STAGES = Object.freeze(['eq', 'compressor', 'multiband', 'saturator', 'widener', 'limiter'] as const);
/** One of {@link MASTERING_STAGES}. */
export type MasteringStage = (typeof MASTERING_STAGES)[number];

/**
 * What a stage starts from when it is turned on (`set({ saturator: {} })`) or given only some of
 * its options: mastering settings rather than the processors' own defaults (a mastering saturator
 * drives 2 dB, not 6; the widener starts with bass mono at 120 Hz).
 */
export const MASTERING_STAGE_DEFAULTS: Readonly<{
  eq: Readonly<MasteringEqOptions>;
  compressor: Readonly<Partial<CompressorOptions>>;
  multiband: Readonly<Partial<MultibandCompressorOptions>>;
  saturator: Readonly<Partial<SaturatorOptions>>;
  widener: Readonly<Partial<StereoWidenerOptions>>;
  limiter: Readonly<Partial<LimiterOptions>>;
}> = Object.freeze({
  eq: Object.freeze({ midSide: false, bands: Object.freeze([]) as [], sideBands: Object.freeze([]) as [], outputGainDb: 0, smoothingMs: DEFAULT_SMOOTHING_MS }),
  compressor: Object.freeze({ thresholdDb: -12, ratio: 1.5, kneeDb: 6, attackMs: 30, releaseMs: 250, detector: 'peak' as const, stereoLink: 1 }),
  multiband: Object.freeze({}),
  saturator: Object.freeze({ curve: 'tanh' as const, driveDb: 2, mix: 1, oversampling: 4 as const }),
  widener: Object.freeze({ width: 1, bassMonoHz: 120 }),
  limiter: Object.freeze({ ceilingDb: -1, mode: 'true-peak' as const, lookaheadMs: 5, releaseMs: 100 }),
});

/** Defaults of {@link MasteringChainOptions}: flat EQ, glue compressor, limiter at −1 dBTP, meters on. */
export const MASTERING_CHAIN_DEFAULTS: Readonly<MasteringChainOptions> = Object.freeze({
  eq: MASTERING_STAGE_DEFAULTS.eq,
  compressor: MASTERING_STAGE_DEFAULTS.compressor,
  multiband: null,
  saturator: null,
  widener: null,
  limiter: MASTERING_STAGE_DEFAULTS.limiter,
  meters: true,
});

/** Validation rules of {@link MasteringEqOptions}. */
export const MASTERING_EQ_RULES: OptionRules<MasteringEqOptions> = defineRules<MasteringEqOptions>({
  midSide: { kind: 'boolean', description: 'EQ mid and side separately (stereo only)' },
  bands: { ...PARAMETRIC_EQ_RULES.bands, description: 'Bands on both channels (mid in mid/side mode)' },
  sideBands: { ...PARAMETRIC_EQ_RULES.bands, description: 'Bands on the side signal (mid/side mode only)' },
  outputGainDb: PARAMETRIC_EQ_RULES.outputGainDb,
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE, description: 'Ramp time of changes made while running' },
});

/** Validation rules of {@link MasteringChainOptions}: each stage by its processor's own table. */
export const MASTERING_CHAIN_RULES: OptionRules<MasteringChainOptions> = defineRules<MasteringChainOptions>({
  eq: { kind: 'object', rules: MASTERING_EQ_RULES, nullable: true, noun: 'EQ options', description: 'EQ stage (null: none)' },
  compressor: { kind: 'object', rules: COMPRESSOR_RULES, nullable: true, noun: 'Compressor options', description: 'Glue compressor (null: none)' },
  multiband: { kind: 'object', rules: MULTIBAND_COMPRESSOR_RULES, nullable: true, noun: 'MultibandCompressor options', description: 'Multiband compressor (null: none)' },
  saturator: { kind: 'object', rules: SATURATOR_RULES, nullable: true, noun: 'Saturator options', description: 'Saturator (null: none)' },
  widener: { kind: 'object', rules: STEREO_WIDENER_RULES, nullable: true, noun: 'StereoWidener options', description: 'Stereo widener with bass mono (null: none; stereo only)' },
  limiter: { kind: 'object', rules: LIMITER_RULES, nullable: true, noun: 'Limiter options', description: 'True-peak limiter (null: none)' },
  meters: { kind: 'boolean', description: 'Loudness meters before and after the stages' },
});

/**
 * The read-outs of a {@link MasteringChain}, always these 16 in this order (slots in
 * {@link MASTERING_METER_SLOTS}): the input meter's six, the compressor's two (with the multiband
 * compressor instead, its lowest band's; read `multiband.readMeters()` for every band), the limiter's two,
 * the output meter's six. A stage that is left out reads 0 dB of gain reduction; meters that are
 * off read `-Infinity`.
 */
export const MASTERING_METER_NAMES: readonly MeterName[] = Object.freeze([
  'momentaryLufs',
  'shortTermLufs',
  'integratedLufs',
  'loudnessRangeLu',
  'truePeakDbtp',
  'samplePeakDbfs',
  'gainReductionDb',
  'maxGainReductionDb',
  'gainReductionDb',
  'maxGainReductionDb',
  'momentaryLufs',
  'shortTermLufs',
  'integratedLufs',
  'loudnessRangeLu',
  'truePeakDbtp',
  'samplePeakDbfs',
] as const);

/** Where each read-out of {@link MASTERING_METER_NAMES} sits. */
export const MASTERING_METER_SLOTS = Object.freeze({
  inputMomentaryLufs: 0,
  inputShortTermLufs: 1,
  inputIntegratedLufs: 2,
  inputLoudnessRangeLu: 3,
  inputTruePeakDbtp: 4,
  inputSamplePeakDbfs: 5,
  dynamicsGainReductionDb: 6,
  dynamicsMaxGainReductionDb: 7,
  limiterGainReductionDb: 8,
  limiterMaxGainReductionDb: 9,
  outputMomentaryLufs: 10,
  outputShortTermLufs: 11,
  outputIntegratedLufs: 12,
  outputLoudnessRangeLu: 13,
  outputTruePeakDbtp: 14,
  outputSamplePeakDbfs: 15,
});

const OWNER = 'MasteringChain';
const METER_OPTIONS = Object.freeze({ historySeconds: 0 });
const METER_COUNT = 16;

/** The processors of the stages present, by stage. */
interface Stages {
  eq: ParametricEQ | MidSide | null;
  compressor: Compressor | null;
  multiband: MultibandCompressor | null;
  saturator: Saturator | null;
  widener: StereoWidener | null;
  limiter: Limiter | null;
  inputMeter: LoudnessMeter | null;
  outputMeter: LoudnessMeter | null;
}

/**
 * A mastering chain: EQ → glue compressor → saturator → widener → true-peak limiter, with loudness
 * meters before and after; every stage optional, the whole a {@link Processor} and a preset.
 *
 * @example
 * ```ts
 * import { MasteringChain, MASTERING_METER_SLOTS, processorFromJSON } from 'masterbus';
 * const master = new MasteringChain({
 *   eq: { midSide: true, bands: [{ type: 'lowshelf', frequencyHz: 100, gainDb: 1 }], sideBands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 1.5 }] },
 *   compressor: { thresholdDb: -16, ratio: 2 },
 *   widener: { width: 1.1, bassMonoHz: 120 },
 *   limiter: { ceilingDb: -1 },
 * });
 * master.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.5), new Float32Array(128).fill(0.4)];
 * master.process(block);
 * const meters = new Float64Array(master.meterNames.length);
 * master.readMeters(meters, 0);
 * console.log(meters[MASTERING_METER_SLOTS.limiterGainReductionDb]);
 * const copy = processorFromJSON(JSON.parse(JSON.stringify(master)));   // a preset
 * ```
 */
export class MasteringChain implements Processor<MasteringChainOptions> {
  /** Type name used by {@link MasteringChain.toJSON}. */
  static readonly type = 'MasteringChain';
  /** Defaults of its options. */
  static readonly defaults = MASTERING_CHAIN_DEFAULTS;
  /** Validation rules of its options (see `describeOptions`). */
  static readonly rules = MASTERING_CHAIN_RULES;
  /** The read-outs, fixed: see {@link MASTERING_METER_NAMES}. */
  readonly meterNames: readonly MeterName[] = MASTERING_METER_NAMES;
  private opts: MasteringChainOptions;
  private stages: Stages;
  private readonly chain: Chain;
  /** The chain's read-outs (all its slots'), and where each of ours is among them (−1: none, `meterFallback`). */
  private meterScratch = new Float64Array(0);
  private readonly meterMap = new Int32Array(METER_COUNT);
  private readonly meterFallback = new Float64Array(METER_COUNT);

  /** Build a chain; omitted options take {@link MASTERING_CHAIN_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<MasteringChainOptions> = {}) {
    const next = MasteringChain.merge(MASTERING_CHAIN_DEFAULTS, MasteringChain.validate(options));
    this.stages = MasteringChain.build(next);
    this.chain = new Chain(MasteringChain.slots(this.stages));
    this.opts = next;
    this.mapMeters();
  }

  /** Where each of our read-outs sits among the chain's (after every change of the slots). */
  private mapMeters(): void {
    const chain = this.chain;
    this.meterScratch = new Float64Array(chain.meterNames.length);
    const s = this.stages;
    const at = (p: Processor | null, name: MeterName, slot: number, fallback: number): void => {
      this.meterFallback[slot] = fallback;
      this.meterMap[slot] = -1;
      if (p === null) return;
      let offset = 0;
      for (const q of chain.children()) {
        if (q === p) {
          const k = q.meterNames.indexOf(name);
          if (k >= 0) this.meterMap[slot] = offset + k;
          return;
        }
        offset += q.meterNames.length;
      }
    };
    for (let i = 0; i < 6; i++) {
      at(s.inputMeter, MASTERING_METER_NAMES[i], i, -Infinity);
      at(s.outputMeter, MASTERING_METER_NAMES[i], MASTERING_METER_SLOTS.outputMomentaryLufs + i, -Infinity);
    }
    // The glue compressor's, else the multiband compressor's lowest band's (its `readMeters()` has every band's).
    const dyn = s.compressor ?? s.multiband;
    at(dyn, 'gainReductionDb', MASTERING_METER_SLOTS.dynamicsGainReductionDb, 0);
    at(dyn, 'maxGainReductionDb', MASTERING_METER_SLOTS.dynamicsMaxGainReductionDb, 0);
    at(s.limiter, 'gainReductionDb', MASTERING_METER_SLOTS.limiterGainReductionDb, 0);
    at(s.limiter, 'maxGainReductionDb', MASTERING_METER_SLOTS.limiterMaxGainReductionDb, 0);
  }

  /** Rebuild from {@link MasteringChain.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): MasteringChain {
    return new MasteringChain(paramsFromJSON(MasteringChain, json));
  }

  private static validate(options: unknown): Partial<MasteringChainOptions> {
    const o = validateOptions<MasteringChainOptions>(OWNER, options, MASTERING_CHAIN_RULES);
    return o;
  }

  /** `base` with `o` applied: a stage given as options is merged into the stage's current options. */
  private static merge(base: Readonly<MasteringChainOptions>, o: Partial<MasteringChainOptions>): MasteringChainOptions {
    const out: MasteringChainOptions = { ...base };
    for (const k of MASTERING_STAGES) {
      const v = o[k];
      if (v === undefined) continue;
      if (v === null) {
        out[k] = null;
        continue;
      }
      const current = (base[k] ?? MASTERING_STAGE_DEFAULTS[k]) as object;
      (out as unknown as Record<string, unknown>)[k] = { ...current, ...v };
    }
    if (o.meters !== undefined) out.meters = o.meters;
    return out;
  }

  /** New processors for every stage of `o`. */
  private static build(o: MasteringChainOptions): Stages {
    return {
      eq: o.eq === null ? null : buildEq(o.eq),
      compressor: o.compressor === null ? null : new Compressor(o.compressor),
      multiband: o.multiband === null ? null : new MultibandCompressor(o.multiband),
      saturator: o.saturator === null ? null : new Saturator(o.saturator),
      widener: o.widener === null ? null : new StereoWidener(o.widener),
      limiter: o.limiter === null ? null : new Limiter(o.limiter),
      inputMeter: o.meters ? new LoudnessMeter(METER_OPTIONS) : null,
      outputMeter: o.meters ? new LoudnessMeter(METER_OPTIONS) : null,
    };
  }

  /** The chain's slots for `s`, in processing order. */
  private static slots(s: Stages): Processor[] {
    return [s.inputMeter, s.eq, s.compressor, s.multiband, s.saturator, s.widener, s.limiter, s.outputMeter].filter((p): p is NonNullable<typeof p> => p !== null);
  }

  /** The current options (every stage's full options bag, or `null`). */
  get params(): MasteringChainOptions {
    return JSON.parse(JSON.stringify(paramsToJSON(this.opts)), (_k, v: unknown) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v)) as MasteringChainOptions;
  }

  /**
   * Change options (validated first; a bad value throws and changes nothing). A stage's options
   * are merged into its current ones (`set({ compressor: { ratio: 2 } })` keeps the threshold);
   * `null` removes a stage, options for an absent stage add it (see the module comment).
   */
  set(options: Partial<MasteringChainOptions>): this {
    const o = MasteringChain.validate(options);
    const next = MasteringChain.merge(this.opts, o);
    const prev = this.opts;
    const s = this.stages;
    const built: Stages = { ...s };
    // Stages that stay: their processor takes the change; stages that come or go: new processors.
    if (o.eq !== undefined) {
      if (next.eq === null) built.eq = null;
      else if (prev.eq === null || s.eq === null || Boolean(prev.eq.midSide) !== Boolean(next.eq.midSide)) built.eq = buildEq(next.eq);
      else updateEq(s.eq, o.eq as Partial<MasteringEqOptions>);
    }
    if (o.compressor !== undefined) built.compressor = next.compressor === null ? null : (s.compressor?.set(o.compressor as Partial<CompressorOptions>) ?? new Compressor(next.compressor));
    if (o.multiband !== undefined) built.multiband = next.multiband === null ? null : (s.multiband?.set(o.multiband as Partial<MultibandCompressorOptions>) ?? new MultibandCompressor(next.multiband));
    if (o.saturator !== undefined) built.saturator = next.saturator === null ? null : (s.saturator?.set(o.saturator as Partial<SaturatorOptions>) ?? new Saturator(next.saturator));
    if (o.widener !== undefined) built.widener = next.widener === null ? null : (s.widener?.set(o.widener as Partial<StereoWidenerOptions>) ?? new StereoWidener(next.widener));
    if (o.limiter !== undefined) built.limiter = next.limiter === null ? null : (s.limiter?.set(o.limiter as Partial<LimiterOptions>) ?? new Limiter(next.limiter));
    if (o.meters !== undefined && o.meters !== prev.meters) {
      built.inputMeter = next.meters ? new LoudnessMeter(METER_OPTIONS) : null;
      built.outputMeter = next.meters ? new LoudnessMeter(METER_OPTIONS) : null;
    }
    this.relayout(MasteringChain.slots(built));
    this.stages = built;
    this.opts = next;
    this.mapMeters();
    return this;
  }

  /** Turn the chain's slots into `next` by Chain edits (faded while running). */
  private relayout(next: readonly Processor[]): void {
    const chain = this.chain;
    for (let i = chain.length - 1; i >= 0; i--) if (!next.includes(chain.at(i))) chain.remove(i);
    for (let i = 0; i < next.length; i++) if (i >= chain.length || chain.at(i) !== next[i]) chain.insert(i, next[i]);
  }

  /** The limiter stage's processor, if there is one (its gain reduction: `readMeters`). */
  get limiter(): Limiter | undefined {
    return this.stages.limiter ?? undefined;
  }

  /** The glue compressor's processor, if there is one. */
  get compressor(): Compressor | undefined {
    return this.stages.compressor ?? undefined;
  }

  /** The EQ stage's processor (a `ParametricEQ`, or a `MidSide` of two in mid/side mode), if there is one. */
  get eq(): ParametricEQ | MidSide | undefined {
    return this.stages.eq ?? undefined;
  }

  /** The multiband compressor's processor, if there is one (its read-outs: every band's gain reduction). */
  get multiband(): MultibandCompressor | undefined {
    return this.stages.multiband ?? undefined;
  }

  /** The saturator's processor, if there is one. */
  get saturator(): Saturator | undefined {
    return this.stages.saturator ?? undefined;
  }

  /** The widener's processor, if there is one. */
  get widener(): StereoWidener | undefined {
    return this.stages.widener ?? undefined;
  }

  /** The meter before the stages, when `meters` is on. */
  get inputMeter(): LoudnessMeter | undefined {
    return this.stages.inputMeter ?? undefined;
  }

  /** The meter after the stages, when `meters` is on. */
  get outputMeter(): LoudnessMeter | undefined {
    return this.stages.outputMeter ?? undefined;
  }

  /** The channel counts every stage accepts (1 to 64; exactly 2 with a mid/side EQ or a widener). */
  get channelRange(): ChannelRange {
    return this.chain.channelRange;
  }

  /** Sum of the stages' latencies, in samples (0 before `prepare()`). */
  get latency(): number {
    return this.chain.latency;
  }

  prepare(spec: ProcessSpec): void {
    validateSpec(OWNER, spec, this.chain.channelRange);
    this.chain.prepare(spec);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    this.chain.process(block, frames);
  }

  reset(): void {
    this.chain.reset();
  }

  /** The 16 read-outs of {@link MASTERING_METER_NAMES} into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const scratch = this.meterScratch;
    this.chain.readMeters(scratch, 0);
    const map = this.meterMap;
    const fallback = this.meterFallback;
    for (let i = 0; i < METER_COUNT; i++) {
      const k = map[i];
      out[offset + i] = k >= 0 ? scratch[k] : fallback[i];
    }
  }

  /** The one processor it holds directly: its `Chain` of stages. */
  children(): readonly Processor[] {
    return [this.chain];
  }

  /** `{ type: "MasteringChain", params: { eq, compressor, saturator, widener, limiter, meters } }`. */
  toJSON(): ProcessorJSON {
    return { type: MasteringChain.type, params: paramsToJSON(this.opts) };
  }
}

function buildEq(o: Partial<MasteringEqOptions>): ParametricEQ | MidSide {
  const e = { ...MASTERING_STAGE_DEFAULTS.eq, ...o };
  if (!e.midSide) return new ParametricEQ({ bands: e.bands, outputGainDb: e.outputGainDb, smoothingMs: e.smoothingMs });
  return new MidSide({
    mid: new ParametricEQ({ bands: e.bands, outputGainDb: e.outputGainDb, smoothingMs: e.smoothingMs }),
    side: new ParametricEQ({ bands: e.sideBands, outputGainDb: e.outputGainDb, smoothingMs: e.smoothingMs }),
  });
}

/** Pass the EQ options given (only those: setting `bands` again would re-design every band) to the EQ stage. */
function updateEq(eq: ParametricEQ | MidSide, given: Partial<MasteringEqOptions>): void {
  const common: { outputGainDb?: number; smoothingMs?: number } = {};
  if (given.outputGainDb !== undefined) common.outputGainDb = given.outputGainDb;
  if (given.smoothingMs !== undefined) common.smoothingMs = given.smoothingMs;
  const main = given.bands === undefined ? common : { ...common, bands: given.bands };
  if (eq instanceof ParametricEQ) {
    eq.set(main);
    return;
  }
  (eq.mid as ParametricEQ).set(main);
  (eq.side as ParametricEQ).set(given.sideBands === undefined ? common : { ...common, bands: given.sideBands });
}

/**
 * Parallel: dry/wet mixing around one processor (or `Chain`): parallel ("New York") compression,
 * a blend of saturation, any effect with a mix knob it does not have itself.
 *
 * out = (1 − mix)·g_dry·dry[n − D] + mix·g_wet·wet[n], with D the wet processor's latency: the
 * dry path is delayed by D so both line up sample for sample (as JUCE's `dsp::DryWetMixer` does
 * with `setWetLatency`), and `latency` is D. The mix law is linear (JUCE's `MixingRule::linear`):
 * dry and wet of a parallel compressor are strongly correlated, so amplitudes add, and a linear
 * law keeps the level of identical signals constant across the knob (an equal-power law would
 * bump it by up to 3 dB in the middle).
 *
 * `mix`, `dryGainDb` and `wetGainDb` are smoothed per sample (`SmoothedValue`, linear in the
 * mix and in the linear gains), so any block partition gives the same output. Exactness: at
 * mix = 0 (dry gain 0 dB) the output is the delayed input bit for bit, and at mix = 1 (wet gain
 * 0 dB) the wet output bit for bit: a path whose weight is exactly 0 is left out of the sum
 * rather than multiplied by 0, so a NaN, an infinity or the sign of a −0 on the other path does
 * not reach the output.
 *
 * @module
 */
import { DelayLine } from '../core/delay-line.js';
import { dbToGain } from '../core/db.js';
import { paramsFromJSON, paramsToJSON } from '../core/json.js';
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import {
  safeFrameCount,
  usableChannels,
  validateSpec,
  type ChannelRange,
  type MeterName,
  type ProcessSpec,
  type Processor,
  type ProcessorJSON,
} from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { checkKnownKeys, checkObject, defineRules, describeValue, validateOptions, type OptionRules } from '../core/validate.js';
import { MAX_NESTING, isProcessor, processorTree, type ProcessorBuilder } from './chain.js';

/** Options of {@link Parallel} (the wet processor is given to the constructor). */
export interface ParallelOptions {
  /** Wet share, [0, 1]: 0 the delayed input only, 1 the processor's output only. Smoothed. @defaultValue 1 */
  mix: number;
  /** Gain of the dry path in dB, [-Infinity, 24] (-Infinity mutes it). Smoothed. @defaultValue 0 */
  dryGainDb: number;
  /** Gain of the wet path in dB, [-Infinity, 24] (-Infinity mutes it). Smoothed. @defaultValue 0 */
  wetGainDb: number;
  /** Ramp time of changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link ParallelOptions}: fully wet (the processor as it is), unity gains. */
export const PARALLEL_DEFAULTS: Readonly<ParallelOptions> = Object.freeze({
  mix: 1,
  dryGainDb: 0,
  wetGainDb: 0,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link ParallelOptions}. */
export const PARALLEL_RULES: OptionRules<ParallelOptions> = defineRules<ParallelOptions>({
  mix: { kind: 'number', range: { min: 0, max: 1 }, description: 'Wet share: 0 dry only, 1 wet only' },
  dryGainDb: { kind: 'number', range: { min: -Infinity, max: 24, unit: 'dB' }, description: 'Gain of the dry path' },
  wetGainDb: { kind: 'number', range: { min: -Infinity, max: 24, unit: 'dB' }, description: 'Gain of the wet path' },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

const OWNER = 'Parallel';

/**
 * Dry/wet mixing around a processor, the dry path delayed by the processor's latency. A
 * {@link Processor} itself, with the wet processor's channel range and read-outs.
 *
 * @example
 * ```ts
 * import { Compressor, Parallel } from 'masterbus';
 * // Parallel compression: a hard-squashed copy under the untouched drums.
 * const nyc = new Parallel(new Compressor({ thresholdDb: -35, ratio: 8, attackMs: 1, lookaheadMs: 1 }), { mix: 0.4 });
 * nyc.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128), new Float32Array(128)];
 * nyc.process(block);
 * console.log(nyc.latency, nyc.meterNames);   // 48 [ 'gainReductionDb', 'maxGainReductionDb' ]
 * ```
 */
export class Parallel implements Processor<ParallelOptions> {
  /** Type name used by {@link Parallel.toJSON}. */
  static readonly type = 'Parallel';
  /** Defaults of its options. */
  static readonly defaults = PARALLEL_DEFAULTS;
  /** Validation rules of its options (see `describeOptions`). */
  static readonly rules = PARALLEL_RULES;
  /** The wet processor's channel range. */
  readonly channelRange: ChannelRange;
  /** The wet processor's read-out names. */
  readonly meterNames: readonly MeterName[];
  /** The processor on the wet path. */
  readonly wet: Processor;
  private opts: ParallelOptions;
  private spec: ProcessSpec | undefined;
  private lat = 0;
  private readonly mixValue: SmoothedValue;
  private readonly dryGain: SmoothedValue;
  private readonly wetGain: SmoothedValue;
  /** The three smoothers, for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: readonly SmoothedValue[];
  /** Per-sample ramps; after `weights()`: dry weight (in `dryRamp`) and wet weight (in `wetRamp`). */
  private mixRamp = new Float64Array(0);
  private dryRamp = new Float64Array(0);
  private wetRamp = new Float64Array(0);
  private dry: Float32Array[] = [];
  private dryLine: DelayLine | undefined;
  private scratch: Float32Array[] = [];
  /** `scratchViews[k]`: the first k scratch arrays (a block of k channels, built in prepare). */
  private scratchViews: Float32Array[][] = [];

  /** Wrap `wet` (configured, not yet prepared: `prepare()` prepares it with the same spec). */
  constructor(wet: Processor, options: Partial<ParallelOptions> = {}) {
    if (!isProcessor(wet)) throw new TypeError(`${OWNER}: wet must be a processor (prepare, process, reset, latency, readMeters …), got ${describeValue(wet)}`);
    this.wet = wet;
    const tree = processorTree(wet);
    if (tree.repeated !== undefined) throw new TypeError(`${OWNER}: wet holds one ${tree.repeated.constructor.name} object twice, or holds itself (one object cannot run twice per block)`);
    if (tree.depth >= MAX_NESTING) throw new RangeError(`${OWNER}: wet nests containers ${tree.depth} deep; at most ${MAX_NESTING - 1} inside a Parallel`);
    this.channelRange = Object.freeze({ min: wet.channelRange.min, max: wet.channelRange.max });
    this.meterNames = Object.freeze([...wet.meterNames]);
    this.opts = { ...PARALLEL_DEFAULTS, ...validateOptions<ParallelOptions>(OWNER, options, PARALLEL_RULES) };
    this.mixValue = new SmoothedValue('linear', this.opts.mix);
    this.dryGain = new SmoothedValue('linear', dbToGain(this.opts.dryGainDb));
    this.wetGain = new SmoothedValue('linear', dbToGain(this.opts.wetGainDb));
    this.smoothed = [this.mixValue, this.dryGain, this.wetGain];
  }

  /**
   * Rebuild from {@link Parallel.toJSON} output; `build` turns the wet processor back into a
   * processor (pass `processorFromJSON`, or your own registry's).
   */
  static fromJSON(json: ProcessorJSON, build: ProcessorBuilder): Parallel {
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== Parallel.type) throw new TypeError(`Parallel.fromJSON: expected type "Parallel", got ${describeValue(j.type)}`);
    const params = checkObject(OWNER, 'json.params', j.params ?? {});
    checkKnownKeys(OWNER, params, ['wet', ...Object.keys(PARALLEL_RULES)]);
    const { wet, ...options } = params;
    if (wet === undefined || wet === null) throw new TypeError(`${OWNER}: json.params.wet must be a processor description, got ${describeValue(wet)}`);
    return new Parallel(build(wet as ProcessorJSON), paramsFromJSON(Parallel, { type: Parallel.type, params: options }));
  }

  /** The wet processor's latency, in samples (0 before `prepare()`). */
  get latency(): number {
    return this.lat;
  }

  /** The current options (targets of ramps in progress). */
  get params(): ParallelOptions {
    return { ...this.opts };
  }

  /** Change options (validated first: a bad value throws and changes nothing); smoothed while running. */
  set(options: Partial<ParallelOptions>): this {
    const o = validateOptions<ParallelOptions>(OWNER, options, PARALLEL_RULES);
    this.opts = { ...this.opts, ...o };
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) {
      for (const v of this.smoothed) v.setRampLength(fs, o.smoothingMs / 1000);
    }
    const apply = (v: SmoothedValue, x: number) => (fs !== undefined ? v.setTarget(x) : v.setImmediate(x));
    apply(this.mixValue, this.opts.mix);
    apply(this.dryGain, dbToGain(this.opts.dryGainDb));
    apply(this.wetGain, dbToGain(this.opts.wetGainDb));
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.wet.prepare(s);
    const lat = this.wet.latency;
    const max = s.maxBlockSize;
    this.mixRamp = new Float64Array(max);
    this.dryRamp = new Float64Array(max);
    this.wetRamp = new Float64Array(max);
    this.dry = [];
    this.scratch = [];
    this.scratchViews = [[]];
    for (let c = 0; c < s.channels; c++) {
      this.dry.push(new Float32Array(max));
      this.scratch.push(new Float32Array(max));
      this.scratchViews.push(this.scratch.slice(0, c + 1));
    }
    this.dryLine = new DelayLine(s.channels, lat);
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.lat = lat;
    this.spec = s;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    if (n === 0) return;
    const max = spec.maxBlockSize;
    if (n <= max) {
      this.run(block, channels, n);
      return;
    }
    // Longer than maxBlockSize: in pieces through the scratch buffers (no views, no allocation).
    const scratch = this.scratch;
    const views = this.scratchViews[channels];
    for (let pos = 0; pos < n; pos += max) {
      const len = n - pos < max ? n - pos : max;
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) t[i] = x[pos + i];
      }
      this.run(views, channels, len);
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) x[pos + i] = t[i];
      }
    }
  }

  /** Capture and delay the dry input, run the wet processor in place, mix; `n` ≤ maxBlockSize. */
  private run(block: readonly Float32Array[], channels: number, n: number): void {
    const dry = this.dry;
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      const d = dry[c];
      for (let i = 0; i < n; i++) d[i] = x[i];
    }
    (this.dryLine as DelayLine).process(dry, n, 0, channels);
    this.wet.process(block, n);
    // Weights per sample: a = (1 − mix)·g_dry (into dryRamp), b = mix·g_wet (into wetRamp).
    const mixR = this.mixRamp;
    const a = this.dryRamp;
    const b = this.wetRamp;
    this.mixValue.fill(mixR, n);
    this.dryGain.fill(a, n);
    this.wetGain.fill(b, n);
    for (let i = 0; i < n; i++) {
      const m = mixR[i];
      a[i] = (1 - m) * a[i];
      b[i] = m * b[i];
    }
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      const d = dry[c];
      for (let i = 0; i < n; i++) {
        const wa = a[i];
        const wb = b[i];
        // A weight of exactly 0 leaves its path out (exact endpoints; see the module comment).
        x[i] = wa === 0 ? wb * x[i] : wb === 0 ? wa * d[i] : wa * d[i] + wb * x[i];
      }
    }
  }

  reset(): void {
    this.wet.reset();
    this.dryLine?.reset();
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
  }

  /** The wet processor's read-outs; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    this.wet.readMeters(out, offset);
  }

  /** `{ type: "Parallel", params: { wet: wet.toJSON(), mix, dryGainDb, wetGainDb, smoothingMs } }` (±Infinity as strings). */
  /** The processor this wrapper holds. */
  children(): readonly Processor[] {
    return [this.wet];
  }

  toJSON(): ProcessorJSON {
    return { type: Parallel.type, params: { wet: this.wet.toJSON(), ...paramsToJSON(this.opts) } };
  }
}

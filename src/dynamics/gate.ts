/**
 * A noise gate and downward expander in one class, `Gate`: with `ratio: Infinity` (the default)
 * it gates, with a finite ratio it expands. Feed-forward, one detector for all channels (the
 * largest level over the key's channels), one gain for all channels.
 *
 * Signal flow per sample:
 * 1. Key: the main input or an external sidechain (`process(block, frames, sidechain)`), each
 *    channel through an optional 12 dB/oct Butterworth high-pass and low-pass (RBJ Audio EQ
 *    Cookbook, Q = 1/√2). Non-finite or absurd key samples (|x| ≥ 1e30) are read as 0 before the
 *    filters, so no state is poisoned.
 * 2. Level L: the largest |key| over all channels and over the last `peakWindowMs` (an exact
 *    sliding maximum by the van Herk / Gil & Werman block method: van Herk, "A fast algorithm
 *    for local minimum and maximum filters on rectangular and octagonal kernels", Pattern
 *    Recognition Letters 13, 1992; Gil & Werman, IEEE PAMI 15(5), 1993: a running maximum of
 *    the current block of W samples and suffix maxima of the previous block, about three
 *    comparisons per sample and no data-dependent loop). A steady tone reads its exact peak down
 *    to 1/(2·window) Hz.
 * 3. State with hysteresis (a Schmitt trigger): the gate opens when L ≥ T (the threshold), and
 *    closes when L has stayed below T − H (H = `hysteresisDb`) for `holdMs` (counted in whole
 *    samples: it closes on the (hold + 1)-th consecutive sample below T − H).
 * 4. Target gain: 1 while open. While closed, in dB: −min(range, (R − 1)·(T − L)) (downward
 *    expansion, the expander branch of Zölzer, DAFX 2nd ed. §4.2.2 / Giannoulis, Massberg &
 *    Reiss 2012 eq. 4 mirrored below the threshold: output level T + R·(L − T)); with R = ∞ the
 *    closed gate sits at −range. Computed linearly: (L/T)^(R − 1), floored at 10^(−range/20).
 * 5. Ballistics: the linear gain g moves towards the target at a constant rate, a straight line
 *    in amplitude: full scale (0 → 1) per `attackMs` when rising (opening), per `releaseMs` when
 *    falling (closing). A full opening from the floor f = 10^(−range/20) takes exactly
 *    (1 − f)·attackMs (rounded up to whole samples); a full closing (1 − f)·releaseMs.
 * 6. Lookahead: the audio (and, in key-listen mode, the key) is delayed by `latency` samples and
 *    the detector is not, so the gate opens that much before the onset: with lookahead ≥ attack
 *    a transient passes whole.
 * 7. Output: x_delayed·g; in key-listen mode the filtered key (delayed by `latency`) instead,
 *    cross-faded over `smoothingMs`.
 *
 * Denormals: the gain never goes below the floor (≥ 1e-6) and the key filters' state is
 * cleared of values heading for subnormal numbers at fixed points of the absolute sample count
 * (every 256 samples), like the compressor's, so any block partition gives bit-identical output.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { ANY_CHANNELS, SPEC_LIMITS, safeFrameCount, usableChannels, validateSpec, type MeterName, type ProcessSpec, type ProcessorJSON, type SidechainProcessor } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type OptionRule } from '../core/validate.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { delayInPlace } from '../core/delay-line.js';
import { writeRbjCoefficients } from '../filters/biquad-coefficients.js';
import { sanitize } from '../filters/biquad-kernel.js';

/** Options of {@link Gate}. */
export interface GateOptions {
  /** Threshold T in dBFS (sample peak), [-100, 0]: the gate opens when the key's level reaches it. @defaultValue -40 */
  thresholdDb: number;
  /** Range in dB, [0, 120]: the largest attenuation (a closed gate sits at −range). 0 does nothing. @defaultValue 80 */
  rangeDb: number;
  /**
   * Expansion ratio R, [1, ∞]: below the threshold the output level falls R dB per dB of input.
   * `Infinity` (in JSON `"Infinity"`) is a gate; 1 does nothing. @defaultValue Infinity
   */
  ratio: number;
  /** Hysteresis H in dB, [0, 40]: opens at T, closes below T − H, so a level hovering at T does not chatter. @defaultValue 3 */
  hysteresisDb: number;
  /** Attack in ms, [0, 1000]: the time of a full opening (gain 0 → 1 as a straight line in amplitude). @defaultValue 1 */
  attackMs: number;
  /** Hold in ms, [0, 2000]: how long the level must stay below T − H before the gate closes. @defaultValue 20 */
  holdMs: number;
  /** Release in ms, [1, 10000]: the time of a full closing (gain 1 → 0 as a straight line in amplitude). @defaultValue 100 */
  releaseMs: number;
  /** Detector window in ms, [0, 50]: the level is the largest |key| over this window (0: the current sample). @defaultValue 10 */
  peakWindowMs: number;
  /**
   * Lookahead in ms, [0, 20]. `latency` is set from it at `prepare()`; a change while running
   * applies at the next `prepare()`.
   * @defaultValue 0
   */
  lookaheadMs: number;
  /** Key high-pass frequency in Hz, [0, 20000]; 0 turns it off. Capped at 0.45·fs. @defaultValue 0 */
  keyHighpassHz: number;
  /** Key low-pass frequency in Hz, [0, 20000]; 0 turns it off. Capped at 0.45·fs. @defaultValue 0 */
  keyLowpassHz: number;
  /**
   * Key listen: output the filtered key (delayed by `latency`) instead of the gated audio, to tune
   * the key filter; cross-faded over `smoothingMs`. The key's delay line runs only while
   * listening: for the first `latency` samples after switching on, the fade starts from silence
   * or an older key.
   * @defaultValue false
   */
  keyListen: boolean;
  /** Cross-fade time of key-listen changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link GateOptions}: a gate at −40 dBFS with 80 dB range, 3 dB hysteresis, 1 ms attack, 20 ms hold, 100 ms release. */
export const GATE_DEFAULTS: Readonly<GateOptions> = /* @__PURE__ */ Object.freeze({
  thresholdDb: -40,
  rangeDb: 80,
  ratio: Infinity,
  hysteresisDb: 3,
  attackMs: 1,
  holdMs: 20,
  releaseMs: 100,
  peakWindowMs: 10,
  lookaheadMs: 0,
  keyHighpassHz: 0,
  keyLowpassHz: 0,
  keyListen: false,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

const MAX_WINDOW_MS = 50;
const MAX_LOOKAHEAD_MS = 20;

/** Validation rules of {@link GateOptions}. */
export const GATE_RULES: { readonly [K in keyof GateOptions]: OptionRule } = /* @__PURE__ */ Object.freeze({
  thresholdDb: { kind: 'number', range: { min: -100, max: 0, unit: 'dB' } },
  rangeDb: { kind: 'number', range: { min: 0, max: 120, unit: 'dB' } },
  ratio: { kind: 'number', range: { min: 1, max: Infinity } },
  hysteresisDb: { kind: 'number', range: { min: 0, max: 40, unit: 'dB' } },
  attackMs: { kind: 'number', range: { min: 0, max: 1000, unit: 'ms' } },
  holdMs: { kind: 'number', range: { min: 0, max: 2000, unit: 'ms' } },
  releaseMs: { kind: 'number', range: { min: 1, max: 10000, unit: 'ms' } },
  peakWindowMs: { kind: 'number', range: { min: 0, max: MAX_WINDOW_MS, unit: 'ms' } },
  lookaheadMs: { kind: 'number', range: { min: 0, max: MAX_LOOKAHEAD_MS, unit: 'ms' } },
  keyHighpassHz: { kind: 'number', range: { min: 0, max: 20000, unit: 'Hz' } },
  keyLowpassHz: { kind: 'number', range: { min: 0, max: 20000, unit: 'Hz' } },
  keyListen: { kind: 'boolean' },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

/**
 * The static gain reduction in dB (≥ 0) of a closed gate or expander for a steady level of
 * `levelDb` (the detector's peak): min(range, (R − 1)·(T − x)) below the threshold T, 0 at or
 * above it; R = ∞ gives `rangeDb` below T. For plotting transfer curves. (With hysteresis, levels
 * in [T − H, T) read 0 when the gate is already open.)
 *
 * @example
 * ```ts
 * import { gateGainReductionDb } from 'masterbus';
 * gateGainReductionDb(-50, -40, 2, 60);         // 10: 1:2 expansion, 10 dB under → 20 dB under
 * gateGainReductionDb(-50, -40, Infinity, 60);  // 60: a gate sits at −range
 * ```
 */
export function gateGainReductionDb(levelDb: number, thresholdDb: number, ratio: number, rangeDb: number): number {
  if (levelDb >= thresholdDb) return 0;
  if (ratio === Infinity) return rangeDb;
  const gr = (ratio - 1) * (thresholdDb - levelDb);
  return gr < rangeDb ? gr : rangeDb;
}

const OWNER = 'Gate';
/** Chunks of at most CHUNK samples, cut on a grid of the absolute sample count (see compressor.ts). */
const CHUNK = 256;

// Slots of `Gate.k` (Float64Array): parameters for the audio path, state and read-outs.
/** Opening level 10^(T/20). */
const K_OPEN_LEVEL = 0;
/** Closing level 10^((T − H)/20). */
const K_CLOSE_LEVEL = 1;
/** Gain floor 10^(−range/20). */
const K_FLOOR = 2;
/** R − 1 (0 for a gate: unused there). */
const K_EXPONENT = 3;
/** 1 / opening level. */
const K_INV_THRESHOLD = 4;
/** Level at or below which a closed expander's target is the floor (−1: none). */
const K_FLOOR_LEVEL = 5;
/** Gain step per sample while opening (full scale / attack samples; 2 for attack 0). */
const K_ATTACK_STEP = 6;
/** Gain step per sample while closing. */
const K_RELEASE_STEP = 7;
/** The gain envelope g (linear). */
const K_GAIN = 8;
/** The lowest gain since prepare/reset/resetMeters (for maxGainReductionDb). */
const K_MIN_GAIN = 9;
/** The last level the expander took the power of (−1: none), and its target. */
const K_LAST_LEVEL = 10;
const K_LAST_TARGET = 11;
/** Running maximum of the detector's current block (see `gateGain`). */
const K_PREFIX = 12;
const K_SIZE = 13;

// Slots of `Gate.st` (Int32Array).
/** OPEN or CLOSED. */
const ST_STATE = 0;
/** Consecutive samples below the closing level while open. */
const ST_HOLD_COUNT = 1;
/** Hold in samples. */
const ST_HOLD = 2;
/** Detector window in samples (≥ 1). */
const ST_WINDOW = 3;
/** Sliding maximum: write index of the level history ring, and the position in the current block. */
const ST_HIST_POS = 4;
const ST_BLOCK_POS = 5;
/** The window the suffix maxima were built for (a change of ST_WINDOW rebuilds them). */
const ST_WINDOW_ACTIVE = 6;
/** Ring index of the audio and key delay lines. */
const ST_LINE_INDEX = 7;
/** Absolute sample count modulo CHUNK. */
const ST_GRID_PHASE = 8;
/** FILTER_ON or FILTER_OFF. */
const ST_HIGHPASS = 9;
const ST_LOWPASS = 10;
/** YES for ratio ∞ (gate), NO for an expander. */
const ST_GATE_MODE = 11;
/** The prepared latency. */
const ST_DELAY = 12;
/** Number of open/close transitions since prepare/reset (read by `transitions`). */
const ST_TRANSITIONS = 13;
const ST_SIZE = 14;

const CLOSED = 0;
const OPEN = 1;
const NO = 0;
const YES = 1;
const FILTER_OFF = 0;
const FILTER_ON = 1;

// Key filter coefficients (writeRbjCoefficients' layout): high-pass at 0, low-pass at 5.
const HP = 0;
const LP = 5;
const B0 = 0;
const B1 = 1;
const B2 = 2;
const A1 = 3;
const A2 = 4;
/** Per channel: [hp z1, hp z2, lp z1, lp z2]. */
const KEY_STATE_SIZE = 4;

/**
 * Noise gate / downward expander with threshold, range, ratio, hysteresis, attack / hold /
 * release, lookahead, an external sidechain (key) with high- and low-pass key filters, and a
 * key-listen mode. `ratio: Infinity` (the default) gates; a finite ratio expands.
 *
 * @example
 * ```ts
 * import { Gate } from 'masterbus';
 * const gate = new Gate({ thresholdDb: -45, rangeDb: 40, hysteresisDb: 4, holdMs: 30, lookaheadMs: 2 });
 * gate.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128), kick = new Float32Array(128);
 * gate.process([left, right]);               // the key is the input
 * gate.process([left, right], 128, [kick]);  // the key is the kick (keyed gate)
 * console.log(gate.latency, gate.gainReductionDb); // 96 40
 * ```
 */
export class Gate implements SidechainProcessor<GateOptions> {
  /** Type name used by {@link Gate.toJSON}. */
  static readonly type = 'Gate';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** The read-outs {@link Gate.readMeters} writes: `gainReductionDb`, `maxGainReductionDb`. */
  readonly meterNames: readonly MeterName[] = Object.freeze(['gainReductionDb', 'maxGainReductionDb'] as const);
  /** Write {@link Gate.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const k = this.k;
    out[offset] = k[K_GAIN] >= 1 ? 0 : -20 * Math.log10(k[K_GAIN]);
    out[offset + 1] = k[K_MIN_GAIN] >= 1 ? 0 : -20 * Math.log10(k[K_MIN_GAIN]);
  }
  private opts: GateOptions;
  private spec: ProcessSpec | undefined;
  private delay = 0;
  private readonly listen = new SmoothedValue('linear', 0);
  /** Everything `process()` reads (K_* doubles, ST_* integers): never `this.opts` in the audio path. */
  private readonly k = new Float64Array(K_SIZE);
  private readonly st = new Int32Array(ST_SIZE);
  /** Key filter coefficients (HP at 0, LP at 5). */
  private readonly kc = new Float64Array(10);
  /** Per channel KEY_STATE_SIZE filter states. */
  private keyState = new Float64Array(0);
  /** Sliding maximum: the last (largest window) levels, a ring; suffix maxima of the previous block. */
  private history = new Float64Array(0);
  private suffix = new Float64Array(0);
  /** Detector level, then gain, per sample of a chunk. */
  private level = new Float64Array(0);
  private listenBuf = new Float64Array(0);
  /** Per channel: the filtered key of a chunk. */
  private keys: Float64Array[] = [];
  /** Per channel: audio delay line (length `delay`, at least 1). */
  private lines: Float32Array[] = [];
  /** Per channel: key delay line for key listen (length `delay`, at least 1). */
  private keyLines: Float64Array[] = [];

  /** Create a gate; omitted options take {@link GATE_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<GateOptions> = {}) {
    this.opts = { ...GATE_DEFAULTS, ...validateOptions<GateOptions>(OWNER, options, GATE_RULES) };
    this.listen.setImmediate(this.opts.keyListen ? 1 : 0);
    this.k[K_GAIN] = 1;
    this.k[K_MIN_GAIN] = 1;
    this.updateCoefficients();
  }

  /** Defaults of its options. */
  static readonly defaults = GATE_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units. */
  static readonly rules = GATE_RULES;

  /** Rebuild from {@link Gate.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Gate {
    return new Gate(paramsFromJSON(Gate, json));
  }

  /** The current parameters. */
  get params(): GateOptions {
    return { ...this.opts };
  }

  /** Delay in samples: round(lookaheadMs · fs / 1000) at `prepare()` (0 before). */
  get latency(): number {
    return this.delay;
  }

  /** Current attenuation in dB (≥ 0): −20·log10 of the gain applied to the last sample. */
  get gainReductionDb(): number {
    const g = this.k[K_GAIN];
    return g >= 1 ? 0 : -20 * Math.log10(g);
  }

  /** Largest attenuation in dB since `prepare()`, `reset()` or {@link Gate.resetMeters}. */
  get maxGainReductionDb(): number {
    const g = this.k[K_MIN_GAIN];
    return g >= 1 ? 0 : -20 * Math.log10(g);
  }

  /** Whether the gate is open (the detector's state after the last sample; hold counts as open). */
  get isOpen(): boolean {
    return this.st[ST_STATE] === OPEN;
  }

  /** How many times the gate has opened or closed since `prepare()` or `reset()`. */
  get transitions(): number {
    return this.st[ST_TRANSITIONS];
  }

  /** Restart the maximum attenuation read-out. */
  resetMeters(): void {
    this.k[K_MIN_GAIN] = this.k[K_GAIN];
  }

  /** Change parameters. Validated first: a bad value throws and changes nothing. */
  set(options: Partial<GateOptions>): this {
    const o = validateOptions<GateOptions>(OWNER, options, GATE_RULES);
    this.opts = { ...this.opts, ...o };
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) this.listen.setRampLength(fs, o.smoothingMs / 1000);
    if (fs !== undefined) this.listen.setTarget(this.opts.keyListen ? 1 : 0);
    else this.listen.setImmediate(this.opts.keyListen ? 1 : 0);
    this.updateCoefficients();
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const fs = s.sampleRate;
    this.spec = s;
    this.delay = Math.round((this.opts.lookaheadMs * fs) / 1000);
    const cap = Math.max(1, Math.round((MAX_WINDOW_MS * fs) / 1000));
    this.history = new Float64Array(cap);
    this.suffix = new Float64Array(cap);
    this.level = new Float64Array(CHUNK);
    this.listenBuf = new Float64Array(CHUNK);
    this.keyState = new Float64Array(KEY_STATE_SIZE * s.channels);
    this.keys = [];
    this.lines = [];
    this.keyLines = [];
    for (let c = 0; c < s.channels; c++) {
      this.keys.push(new Float64Array(CHUNK));
      this.lines.push(new Float32Array(Math.max(1, this.delay)));
      this.keyLines.push(new Float64Array(Math.max(1, this.delay)));
    }
    this.listen.reset(fs, this.opts.smoothingMs / 1000);
    this.updateCoefficients();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.lines.length; i++) this.lines[i].fill(0);
    for (let i = 0; i < this.keyLines.length; i++) this.keyLines[i].fill(0);
    this.keyState.fill(0);
    this.listen.jumpToTarget();
    const st = this.st;
    st[ST_STATE] = CLOSED;
    st[ST_HOLD_COUNT] = 0;
    this.history.fill(0);
    this.suffix.fill(0);
    st[ST_HIST_POS] = 0;
    st[ST_BLOCK_POS] = 0;
    st[ST_WINDOW_ACTIVE] = st[ST_WINDOW];
    st[ST_LINE_INDEX] = 0;
    st[ST_GRID_PHASE] = 0;
    st[ST_TRANSITIONS] = 0;
    const k = this.k;
    // A fresh gate is closed and starts where silence puts it: at its floor (1 for ratio 1, which
    // does nothing), and opens at the attack speed.
    const start = st[ST_GATE_MODE] === NO && k[K_EXPONENT] === 0 ? 1 : k[K_FLOOR];
    k[K_GAIN] = start;
    k[K_MIN_GAIN] = start;
    k[K_LAST_LEVEL] = -1;
    k[K_LAST_TARGET] = 1;
    k[K_PREFIX] = 0;
  }

  /**
   * Gate `block` in place. With `sidechain` (one array per channel, or fewer: channel c uses
   * `sidechain[min(c, length − 1)]`) the detector listens to it (the key) instead of the input;
   * `frames` is then also clamped to the sidechain arrays' length.
   */
  process(block: readonly Float32Array[], frames?: number, sidechain?: readonly Float32Array[]): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    let n = safeFrameCount(block, channels, frames);
    const scCount = sidechain === undefined ? 0 : usableChannels(sidechain, SPEC_LIMITS.maxChannels);
    const sc = scCount > 0 ? sidechain : undefined;
    if (sc !== undefined) for (let i = 0; i < scCount; i++) if (sc[i].length < n) n = sc[i].length;
    if (!(n > 0)) return;
    const st = this.st;
    let pos = 0;
    while (pos < n) {
      const phase = st[ST_GRID_PHASE];
      const len = n - pos < CHUNK - phase ? n - pos : CHUNK - phase;
      if (sc === undefined) this.chunk(block, channels, pos, len, block, channels);
      else this.chunk(block, channels, pos, len, sc, scCount);
      pos += len;
      if (phase + len === CHUNK) {
        st[ST_GRID_PHASE] = 0;
        // Key filter state heading for subnormals (< 1e-50) or absurd is cleared, on the grid.
        sanitize(this.keyState, 0, this.keyState.length);
      } else st[ST_GRID_PHASE] = phase + len;
    }
  }

  private chunk(block: readonly Float32Array[], channels: number, pos: number, n: number, source: readonly Float32Array[], sources: number): void {
    const st = this.st;
    const highpass = st[ST_HIGHPASS];
    const lowpass = st[ST_LOWPASS];
    const listening = !this.listen.isSteadyAt(0);
    const lvl = this.level;
    const keyed = sources < channels ? sources : channels;
    // 1–2: the key's level, max over channels.
    if (highpass === FILTER_OFF && lowpass === FILTER_OFF && !listening) {
      detectMax(source, keyed, pos, n, lvl);
    } else {
      const keys = this.keys;
      for (let c = 0; c < channels; c++) {
        keyInto(source[c < sources ? c : sources - 1], pos, n, keys[c], this.kc, this.keyState, KEY_STATE_SIZE * c, highpass, lowpass);
      }
      maxAbs(keys, keyed, n, lvl);
    }
    // 2–5: sliding maximum, state, target and ballistics: lvl becomes the gain.
    gateGain(lvl, n, this.k, st, this.history, this.suffix);
    // 6–7: delay and apply (or listen to the key).
    const delay = st[ST_DELAY];
    const at = st[ST_LINE_INDEX];
    if (listening) this.listen.fill(this.listenBuf, n);
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      if (delay > 0) delayInPlace(this.lines[c], at, x, pos, n);
      if (!listening) {
        for (let i = 0; i < n; i++) x[pos + i] *= lvl[i];
      } else {
        const key = this.keys[c];
        if (delay > 0) delayKey(this.keyLines[c], at, key, n);
        const m = this.listenBuf;
        for (let i = 0; i < n; i++) {
          const wet = x[pos + i] * lvl[i];
          x[pos + i] = wet + m[i] * (key[i] - wet);
        }
      }
    }
    if (delay > 0) st[ST_LINE_INDEX] = (at + n) % delay;
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Gate.type, this.params);
  }

  private updateCoefficients(): void {
    const o = this.opts;
    const fs = this.spec?.sampleRate ?? 48000;
    const k = this.k;
    const st = this.st;
    const openLevel = Math.pow(10, o.thresholdDb / 20);
    const floor = Math.pow(10, -o.rangeDb / 20);
    const gate = o.ratio === Infinity;
    const exponent = gate ? 0 : o.ratio - 1;
    k[K_OPEN_LEVEL] = openLevel;
    k[K_CLOSE_LEVEL] = Math.pow(10, (o.thresholdDb - o.hysteresisDb) / 20);
    k[K_FLOOR] = floor;
    k[K_EXPONENT] = exponent;
    k[K_INV_THRESHOLD] = 1 / openLevel;
    // (L/T)^(R − 1) ≤ floor ⇔ L ≤ T·floor^(1/(R − 1)); none for ratio 1 (the target is always 1).
    k[K_FLOOR_LEVEL] = !gate && exponent > 0 ? openLevel * Math.pow(floor, 1 / exponent) : -1;
    k[K_LAST_LEVEL] = -1;
    k[K_ATTACK_STEP] = o.attackMs > 0 ? 1000 / (o.attackMs * fs) : 2;
    k[K_RELEASE_STEP] = 1000 / (o.releaseMs * fs);
    st[ST_GATE_MODE] = gate ? YES : NO;
    st[ST_DELAY] = this.delay;
    if (this.spec) {
      st[ST_HOLD] = Math.round((o.holdMs * fs) / 1000);
      st[ST_WINDOW] = Math.min(this.history.length, Math.max(1, Math.round((o.peakWindowMs * fs) / 1000)));
      const cap = 0.45 * fs;
      st[ST_HIGHPASS] = o.keyHighpassHz > 0 ? FILTER_ON : FILTER_OFF;
      st[ST_LOWPASS] = o.keyLowpassHz > 0 ? FILTER_ON : FILTER_OFF;
      if (o.keyHighpassHz > 0) writeRbjCoefficients(this.kc, HP, 'highpass', Math.min(o.keyHighpassHz, cap), fs, Math.SQRT1_2, 0, 1);
      if (o.keyLowpassHz > 0) writeRbjCoefficients(this.kc, LP, 'lowpass', Math.min(o.keyLowpassHz, cap), fs, Math.SQRT1_2, 0, 1);
    }
  }
}

/** lvl[i] = max over the first `count` key arrays of |key[pos + i]|, non-finite or ≥ 1e30 read as 0. */
function detectMax(src: readonly Float32Array[], count: number, pos: number, n: number, lvl: Float64Array): void {
  const s0 = src[0];
  for (let i = 0; i < n; i++) {
    const v = s0[pos + i];
    const a = v < 0 ? -v : v;
    lvl[i] = a < 1e30 ? a : 0;
  }
  for (let c = 1; c < count; c++) {
    const s = src[c];
    for (let i = 0; i < n; i++) {
      const v = s[pos + i];
      const a = v < 0 ? -v : v;
      if (a < 1e30 && a > lvl[i]) lvl[i] = a;
    }
  }
}

/** lvl[i] = max over the first `count` filtered keys of |key[i]|. */
function maxAbs(keys: readonly Float64Array[], count: number, n: number, lvl: Float64Array): void {
  const k0 = keys[0];
  for (let i = 0; i < n; i++) lvl[i] = k0[i] < 0 ? -k0[i] : k0[i];
  for (let c = 1; c < count; c++) {
    const kc = keys[c];
    for (let i = 0; i < n; i++) {
      const a = kc[i] < 0 ? -kc[i] : kc[i];
      if (a > lvl[i]) lvl[i] = a;
    }
  }
}

/**
 * The key of one channel into `out[0..n)`: `src[pos..pos + n)` with non-finite or absurd samples
 * read as 0, then the optional high-pass and low-pass (RBJ cookbook biquads, transposed direct
 * form II as in filters/biquad-kernel.ts; state at `state[so..so + 4)`).
 */
function keyInto(src: Float32Array, pos: number, n: number, out: Float64Array, c: Float64Array, state: Float64Array, so: number, highpass: number, lowpass: number): void {
  for (let i = 0; i < n; i++) {
    const x = src[pos + i];
    out[i] = x < 1e30 && x > -1e30 ? x : 0;
  }
  if (highpass === FILTER_ON) biquad(out, n, c, HP, state, so);
  if (lowpass === FILTER_ON) biquad(out, n, c, LP, state, so + 2);
}

/** One biquad section in place over out[0..n), coefficients at c[co..co + 5), state [z1, z2] at s[so..so + 2). */
function biquad(out: Float64Array, n: number, c: Float64Array, co: number, s: Float64Array, so: number): void {
  const b0 = c[co + B0], b1 = c[co + B1], b2 = c[co + B2], a1 = c[co + A1], a2 = c[co + A2];
  let z1 = s[so];
  let z2 = s[so + 1];
  for (let i = 0; i < n; i++) {
    const x = out[i];
    const y = b0 * x + z1;
    z1 = b1 * x + z2 - a1 * y;
    z2 = b2 * x - a2 * y;
    out[i] = y;
  }
  s[so] = z1;
  s[so + 1] = z2;
}

/** Delay key[0..n) in place through `line` (ring index `at`, advanced by the caller). */
function delayKey(line: Float64Array, at: number, key: Float64Array, n: number): void {
  const d = line.length;
  let p = at;
  for (let i = 0; i < n; i++) {
    const v = line[p];
    line[p] = key[i];
    key[i] = v;
    p = p + 1 === d ? 0 : p + 1;
  }
}

/**
 * Suffix maxima of the last `w` levels of the history ring (newest just before `pos`):
 * suf[j] = max of block positions j..w−1 of the block that just ended. Also used, when the
 * window changes, to restart the blocks from the last `w` levels, so the maximum stays exact.
 */
function buildSuffix(hist: Float64Array, pos: number, w: number, suf: Float64Array): void {
  const cap = hist.length;
  let idx = pos - 1;
  if (idx < 0) idx += cap;
  let m = 0;
  for (let j = w - 1; j >= 0; j--) {
    const v = hist[idx];
    if (v > m) m = v;
    suf[j] = m;
    idx = idx === 0 ? cap - 1 : idx - 1;
  }
}

/**
 * Steps 2–5 for one chunk: `lvl` (the key's level per sample) becomes the linear gain. Sliding
 * maximum over W = ST_WINDOW samples by blocks of W (van Herk / Gil–Werman): with the sample at
 * position p of the current block, the window holds positions 0..p of this block (their running
 * maximum, K_PREFIX) and p+1..W−1 of the previous one (suffix maximum `suf[p + 1]`). Then the
 * hysteresis state with hold, the target gain and the constant-rate ballistics. All state in
 * `k`/`st`; nothing returned, so no double is boxed.
 */
function gateGain(lvl: Float64Array, n: number, k: Float64Array, st: Int32Array, hist: Float64Array, suf: Float64Array): void {
  const openLevel = k[K_OPEN_LEVEL], closeLevel = k[K_CLOSE_LEVEL], floor = k[K_FLOOR];
  const exponent = k[K_EXPONENT], invThreshold = k[K_INV_THRESHOLD], floorLevel = k[K_FLOOR_LEVEL];
  const attackStep = k[K_ATTACK_STEP], releaseStep = k[K_RELEASE_STEP];
  const gateMode = st[ST_GATE_MODE] === YES;
  const hold = st[ST_HOLD];
  const window = st[ST_WINDOW];
  const cap = hist.length;
  let hpos = st[ST_HIST_POS];
  let bpos = st[ST_BLOCK_POS];
  let prefix = k[K_PREFIX];
  if (st[ST_WINDOW_ACTIVE] !== window) {
    // A new window: a new block starts now, the previous one being the last W levels.
    buildSuffix(hist, hpos, window, suf);
    bpos = 0;
    prefix = 0;
    st[ST_WINDOW_ACTIVE] = window;
  }
  let g = k[K_GAIN];
  let minGain = k[K_MIN_GAIN];
  let lastLevel = k[K_LAST_LEVEL];
  let lastTarget = k[K_LAST_TARGET];
  let state = st[ST_STATE];
  let holdCount = st[ST_HOLD_COUNT];
  let transitions = st[ST_TRANSITIONS];
  for (let i = 0; i < n; i++) {
    const v = lvl[i];
    hist[hpos] = v;
    hpos++;
    if (hpos === cap) hpos = 0;
    if (v > prefix) prefix = v;
    let level = prefix;
    const next = bpos + 1;
    if (next < window) {
      const s = suf[next];
      if (s > level) level = s;
      bpos = next;
    } else {
      // The block is complete: its suffix maxima serve the next block.
      buildSuffix(hist, hpos, window, suf);
      bpos = 0;
      prefix = 0;
    }
    // Hysteresis and hold.
    if (state === OPEN) {
      if (level < closeLevel) {
        if (holdCount >= hold) {
          state = CLOSED;
          transitions++;
        } else holdCount++;
      } else holdCount = 0;
    } else if (level >= openLevel) {
      state = OPEN;
      holdCount = 0;
      transitions++;
    }
    // Target gain.
    let target = 1;
    if (state === CLOSED) {
      if (gateMode || level <= floorLevel) target = floor;
      else {
        if (level !== lastLevel) {
          lastTarget = Math.pow(level * invThreshold, exponent);
          lastLevel = level;
        }
        target = lastTarget > floor ? lastTarget : floor;
      }
    }
    // Constant-rate ballistics.
    if (target > g) {
      g += attackStep;
      if (g > target) g = target;
    } else if (target < g) {
      g -= releaseStep;
      if (g < target) g = target;
    }
    if (g < minGain) minGain = g;
    lvl[i] = g;
  }
  k[K_GAIN] = g;
  k[K_MIN_GAIN] = minGain;
  k[K_LAST_LEVEL] = lastLevel;
  k[K_LAST_TARGET] = lastTarget;
  st[ST_STATE] = state;
  st[ST_HOLD_COUNT] = holdCount;
  st[ST_HIST_POS] = hpos;
  st[ST_BLOCK_POS] = bpos;
  k[K_PREFIX] = prefix;
  st[ST_TRANSITIONS] = transitions;
}

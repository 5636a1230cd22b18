/**
 * Chorus: 1–8 modulated delay-line voices per channel, with feedback, dry/wet mix and stereo
 * spread.
 *
 * Each voice reads the channel's delay line at
 *   D_v,c(t) = base + depth · sin(2π·rate·t + φ_v + ψ_c)
 * with φ_v = v · 137.508° (the golden angle: voices stay spread for any count, and adding or
 * removing a voice never moves the others) and ψ_c = spread · 180° · c/(C − 1) for channel c of C.
 * The voices are averaged (gain 1/voices each); the delay line is fed the input plus `feedback`
 * times that average.
 *
 * - Fractional reads: 4-point cubic Hermite (Catmull-Rom) interpolation, in Niemitalo's x-form
 *   ("Polynomial Interpolators for High-Quality Resampling of Oversampled Audio", 2001): exact
 *   for signals up to second order and for integer delays.
 * - LFO: a quadrature oscillator (one rotation per step) evaluated on a fixed grid of 32 samples,
 *   with the delay linear in between: a per-sample `Math.sin` for 8 voices × 2 channels would
 *   cost more than the whole chorus. The grid is on absolute sample time, so the output does not
 *   depend on block sizes. The rate is exact; the shape error is (2π·rate·32/fs)²/8 of the depth
 *   (5.5e-5 at 5 Hz and 48 kHz).
 * - Bounds: a voice reads at most 1.25× the line's peak (the Hermite kernel's ℓ1 norm), so for
 *   |feedback| < 0.8 the line stays within 1/(1 − 1.25·|feedback|) of the input's peak. Above
 *   that, worst-case inputs can build up further (about 27× at 0.95), and a clamp at ±64 on the
 *   delay line's input bounds the output for any input and any setting.
 * - Denormals: each value written to the delay line is set to 0 below 1e-30 in magnitude (−600 dB;
 *   JUCE's `snapToZero` does the same for filter states), per sample, so the output does not
 *   depend on block sizes. After a signal stops, the feedback loop therefore empties the line to
 *   exact zeros instead of decaying into subnormal numbers (slow on many CPUs), and the output
 *   becomes exactly 0. No state is subnormal meanwhile: the line holds 0 or values of at least
 *   1e-30, and the Hermite coefficients and reads are sums, differences and products of those
 *   with interpolation fractions of at least 1e-12 and voice gains of at least 1e-8, far above
 *   the subnormal range (below 2.2e-308).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type OptionRule } from '../core/validate.js';
import { ANY_CHANNELS, NO_METERS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';

/** Options of {@link Chorus}. */
export interface ChorusOptions {
  /** Number of voices, an integer in [1, 8]. Voices fade in and out. @defaultValue 3 */
  voices: number;
  /** LFO rate in Hz, [0.01, 20]. Changes keep the LFO phase continuous. @defaultValue 0.8 */
  rateHz: number;
  /** Peak delay deviation in ms, [0, 10]; at most `baseDelayMs` − 0.5. Smoothed. @defaultValue 2.5 */
  depthMs: number;
  /** Centre delay in ms, [1, 40]. Smoothed. @defaultValue 12 */
  baseDelayMs: number;
  /** Share of the voices fed back into the delay line, [−0.95, 0.95]. Smoothed. @defaultValue 0 */
  feedback: number;
  /** Dry/wet mix, [0, 1]: 0 passes the input unchanged, 1 is the voices only. Smoothed. @defaultValue 0.5 */
  mix: number;
  /** LFO phase offset between the outer channels as a fraction of 180°, [0, 1]. Glides. @defaultValue 0.5 */
  spread: number;
  /** Ramp time of parameter changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link ChorusOptions}: a classic three-voice stereo chorus. */
export const CHORUS_DEFAULTS: Readonly<ChorusOptions> = Object.freeze({
  voices: 3,
  rateHz: 0.8,
  depthMs: 2.5,
  baseDelayMs: 12,
  feedback: 0,
  mix: 0.5,
  spread: 0.5,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link ChorusOptions} (the integer voices and depth ≤ base − 0.5 are checked too). */
export const CHORUS_RULES: { readonly [K in keyof ChorusOptions]: OptionRule } = Object.freeze({
  voices: { kind: 'number', range: { min: 1, max: 8 }, integer: true },
  rateHz: { kind: 'number', range: { min: 0.01, max: 20, unit: 'Hz' } },
  depthMs: { kind: 'number', range: { min: 0, max: 10, unit: 'ms' } },
  baseDelayMs: { kind: 'number', range: { min: 1, max: 40, unit: 'ms' } },
  feedback: { kind: 'number', range: { min: -0.95, max: 0.95 } },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  spread: { kind: 'number', range: { min: 0, max: 1 } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

const OWNER = 'Chorus';
/** Most voices. */
export const MAX_VOICES = 8;
/** LFO grid, in samples. */
const SEG = 32;
/**
 * Delays never go below this many samples (the interpolator reaches 2 samples ahead). Written as
 * the literal 3 in nextSegment()'s loop (see there).
 */
const MIN_DELAY_SAMPLES = 3;
/** Samples per processing chunk. */
const CHUNK = 128;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

// Per voice-channel state, in `vs` at (c·MAX_VOICES + v)·VS: oscillator cos, sin (the LFO at the
// end of the current grid step); A and B of the read position A + j·B at sample j of the step
// (A = write index at the step's start − its start delay + line size; B = 1 − delay slope);
// delay at the end of the step.
const VS = 5;
/** The oscillator's cos at the end of the current grid step. */
const V_COS = 0;
/** The oscillator's sin at the end of the current grid step. */
const V_SIN = 1;
/** A of the read position A + j·B. */
const V_A = 2;
/** B of the read position (1 − the delay's slope). */
const V_B = 3;
/** The delay (samples) at the end of the current grid step. */
const V_DELAY = 4;
// `st` (Float64Array): spread now (radians between outer channels), its target, step per grid
// point; cos/sin of one grid step of the LFO.
const SPREAD = 0;
const SPREAD_TARGET = 1;
const SPREAD_STEP = 2;
const ROT_C = 3;
const ROT_S = 4;
const BASE_END = 5;
const DEPTH_END = 6;
/** The smallest delay (samples) the parameters allow until their ramps end. */
const PARAM_MIN = 7;
// `ist` (Int32Array): samples into the current grid step, write index, grid steps left in the
// spread glide, active voices, voices still fading out (highest index + 1 with a gain > 0).
const PHASE = 0;
const WRITE = 1;
const SPREAD_LEFT = 2;
const ACTIVE = 3;
const RUNNING = 4;
/** Longest chunk whose reads all precede it, while feedback is on (from the smallest delay). */
const SAFE = 5;
/** Write index at the start of the current grid step. */
const WSEG = 7;
/** YES when the feedback target is not 0. */
const FB_ON = 6;
const NO = 0;
const YES = 1;

// How writeLine() and mixOut() read a parameter from its chunk buffer (feedback `fbb`, mix `mb`).
/** Not at all: no feedback term (writeLine's `mode`), no output written (`mixMode`). */
const BUF_NONE = 0;
/** One value per sample, `buf[i]` (the parameter is ramping). */
const BUF_PER_SAMPLE = 1;
/** One value for the whole chunk, `buf[0]` (steady). */
const BUF_STEADY = 2;

/**
 * A multi-voice chorus with feedback. Works on every channel in place; latency 0 (the dry
 * signal is not delayed).
 *
 * @example
 * ```ts
 * import { Chorus } from 'masterbus';
 * const chorus = new Chorus({ voices: 4, rateHz: 0.6, depthMs: 3, mix: 0.4 });
 * chorus.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.2), new Float32Array(128).fill(0.2)];
 * chorus.process(block);                  // in place
 * chorus.set({ feedback: 0.5, spread: 1 }); // both glide
 * ```
 */
export class Chorus implements Processor<ChorusOptions> {
  /** Type name used by {@link Chorus.toJSON}. */
  static readonly type = 'Chorus';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: ChorusOptions;
  private spec: ProcessSpec | undefined;
  private lines: Float64Array[] = [];
  private mask = 0;
  private size = 0;
  private readonly vs = new Float64Array(MAX_VOICES * 64 * VS);
  private readonly st = new Float64Array(8);
  private readonly ist = new Int32Array(8);
  private readonly base = new SmoothedValue('linear', 0);
  private readonly depth = new SmoothedValue('linear', 0);
  private readonly fb = new SmoothedValue('linear', 0);
  private readonly mixer = new SmoothedValue('linear', 0);
  private readonly gains: SmoothedValue[] = [];
  /** Every smoother (the voice gains last), for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: SmoothedValue[] = [this.base, this.depth, this.fb, this.mixer];
  private gainBuf: Float64Array[] = [];
  private fbBuf = new Float64Array(CHUNK);
  private mixBuf = new Float64Array(CHUNK);
  private segBuf = new Float64Array(SEG);
  /** Per channel, the voices' sum over the current chunk. */
  private wet = new Float64Array(0);
  /** Input of channels the block has no array for. */
  private silence = new Float32Array(CHUNK);

  /** Create a chorus; omitted options take {@link CHORUS_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<ChorusOptions> = {}) {
    this.opts = Chorus.check({ ...CHORUS_DEFAULTS }, options);
    for (let v = 0; v < MAX_VOICES; v++) this.gains.push(new SmoothedValue('linear', 0));
    this.smoothed.push(...this.gains);
    this.targets(false);
    this.ist[ACTIVE] = this.opts.voices;
  }

  /** Defaults of its options. */
  static readonly defaults = CHORUS_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = CHORUS_RULES;

  /** Rebuild from {@link Chorus.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Chorus {
    return new Chorus(paramsFromJSON(Chorus, json));
  }

  /** The current parameters (ramping values are given as their targets). */
  get params(): ChorusOptions {
    return { ...this.opts };
  }

  /** Validate `options` on top of `current`: ranges, integer voices, depth ≤ base − 0.5 ms. */
  private static check(current: ChorusOptions, options: Partial<ChorusOptions>): ChorusOptions {
    const o = validateOptions<ChorusOptions>(OWNER, options, CHORUS_RULES);
    if (o.voices !== undefined && !Number.isInteger(o.voices)) {
      throw new RangeError(`Chorus.voices must be an integer in [1, 8], got ${o.voices}`);
    }
    const next = { ...current, ...o };
    if (next.depthMs > next.baseDelayMs - 0.5) {
      throw new RangeError(
        `Chorus.depthMs must be at most baseDelayMs − 0.5 ms (${next.baseDelayMs - 0.5} ms with baseDelayMs ${next.baseDelayMs}), got ${next.depthMs}`,
      );
    }
    return next;
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<ChorusOptions>): this {
    const next = Chorus.check(this.opts, options);
    const before = this.opts;
    this.opts = next;
    const fs = this.spec?.sampleRate;
    if (options.smoothingMs !== undefined && fs !== undefined) {
      for (const v of this.smoothed) v.setRampLength(fs, next.smoothingMs / 1000);
    }
    if (this.spec) {
      if (next.voices > before.voices) this.startVoices(before.voices, next.voices);
      if (next.rateHz !== before.rateHz) this.setRate(this.spec.sampleRate);
      if (next.spread !== before.spread) {
        const steps = Math.max(1, Math.ceil((next.smoothingMs * this.spec.sampleRate) / 1000 / SEG));
        this.st[SPREAD_TARGET] = next.spread * Math.PI;
        this.st[SPREAD_STEP] = (this.st[SPREAD_TARGET] - this.st[SPREAD]) / steps;
        this.ist[SPREAD_LEFT] = steps;
      }
    }
    this.ist[ACTIVE] = next.voices;
    this.targets(fs !== undefined);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    // Room for the longest delay (40 + 10 ms) plus the interpolator and a chunk.
    const need = Math.ceil(0.05 * s.sampleRate) + CHUNK + 8;
    let size = 1;
    while (size < need) size *= 2;
    this.size = size;
    this.mask = size - 1;
    this.lines = [];
    // Four Hermite coefficients per position (see writeLine).
    for (let c = 0; c < s.channels; c++) this.lines.push(new Float64Array(4 * size));
    this.gainBuf = [];
    for (let v = 0; v < MAX_VOICES; v++) this.gainBuf.push(new Float64Array(CHUNK));
    this.fbBuf = new Float64Array(CHUNK);
    this.mixBuf = new Float64Array(CHUNK);
    this.segBuf = new Float64Array(SEG);
    this.wet = new Float64Array(s.channels * CHUNK);
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.reset();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.lines.length; i++) this.lines[i].fill(0);
    this.wet.fill(0);
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
    const spec = this.spec;
    this.st[SPREAD] = this.opts.spread * Math.PI;
    this.st[SPREAD_TARGET] = this.st[SPREAD];
    this.ist[SPREAD_LEFT] = 0;
    this.ist[PHASE] = 0;
    this.ist[WRITE] = 0;
    this.ist[ACTIVE] = this.opts.voices;
    this.ist[RUNNING] = this.opts.voices;
    this.updateSafe();
    if (!spec) return;
    this.setRate(spec.sampleRate);
    // Oscillators at phase 0 plus each voice's and channel's offset; delays at their values now.
    for (let c = 0; c < spec.channels; c++) {
      for (let v = 0; v < MAX_VOICES; v++) {
        // (Inline: a double passed to a method V8 does not inline is boxed. reset() may run on the
        // audio thread, and after the first option changes V8 stopped inlining these calls.)
        const phi = v * GOLDEN_ANGLE + (spec.channels > 1 ? (this.st[SPREAD] * c) / (spec.channels - 1) : 0);
        const i = (c * MAX_VOICES + v) * VS;
        this.vs[i + V_COS] = Math.cos(phi);
        this.vs[i + V_SIN] = Math.sin(phi);
      }
    }
    this.nextSegment(spec.channels, 0, true);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const C = spec.channels;
    const n = safeFrameCount(block, channels, frames);
    const ist = this.ist;
    const vs = this.vs;
    const mask = this.mask;
    const wet = this.wet;
    for (let pos = 0; pos < n; ) {
      const ramping = this.fb.isSmoothing || this.mixer.isSmoothing || this.gainsSmoothing();
      // With feedback, the chunk is short enough that every read precedes it, so the voices are
      // read before the chunk's own samples are written; without, the input is written first.
      // Either way every read sees final line values, so chunking never changes the output.
      const feedback = ramping || ist[FB_ON] === YES;
      let k = n - pos < CHUNK ? n - pos : CHUNK;
      if (feedback && ist[SAFE] < k) k = ist[SAFE];
      const len = ramping ? k : 1;
      const gs = ramping ? 1 : 0;
      const fbb = this.fbBuf;
      const mb = this.mixBuf;
      this.fb.fill(fbb, len);
      this.mixer.fill(mb, len);
      const w0 = ist[WRITE];
      if (!feedback) {
        for (let c = 0; c < C; c++) {
          // Channels beyond the block's arrays still run, on silence, so their lines stay in step.
          writeLine(this.lines[c], c < channels ? block[c] : this.silence, c < channels ? pos : 0, k, w0, mask, wet, c * CHUNK, fbb, BUF_NONE, mb, BUF_NONE, NO);
        }
      }
      for (let done = 0; done < k; ) {
        const phase = ist[PHASE];
        const m = k - done < SEG - phase ? k - done : SEG - phase;
        const running = ist[RUNNING];
        for (let v = 0; v < running; v++) this.gains[v].fill(this.gainBuf[v], ramping ? m : 1);
        for (let c = 0; c < C; c++) {
          const line = this.lines[c];
          for (let v = 0; v < running; v++) {
            const j = (c * MAX_VOICES + v) * VS;
            readVoice(line, vs, j, phase, m, mask, this.gainBuf[v], gs, wet, c * CHUNK + done);
          }
        }
        done += m;
        if (phase + m === SEG) {
          ist[PHASE] = 0;
          this.nextSegment(C, (w0 + done) & mask, false);
        } else {
          ist[PHASE] = phase + m;
        }
      }
      // Output (and, with feedback, the line), clearing the voice sums for the next chunk.
      const mixMode = ramping ? BUF_PER_SAMPLE : BUF_STEADY;
      for (let c = 0; c < C; c++) {
        const x = c < channels ? block[c] : this.silence;
        const xo = c < channels ? pos : 0;
        if (feedback) writeLine(this.lines[c], x, xo, k, w0, mask, wet, c * CHUNK, fbb, ramping ? BUF_PER_SAMPLE : BUF_STEADY, mb, c < channels ? mixMode : BUF_NONE, YES);
        else if (c < channels) mixOut(x, pos, k, wet, c * CHUNK, mb, mixMode);
        else wet.fill(0, c * CHUNK, c * CHUNK + k);
      }
      ist[WRITE] = (w0 + k) & mask;
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Chorus.type, this.params);
  }

  /** Whether any voice gain is ramping. */
  private gainsSmoothing(): boolean {
    const running = this.ist[RUNNING];
    for (let v = 0; v < running; v++) if (this.gains[v].isSmoothing) return true;
    return false;
  }

  /** One grid step of the LFO as a rotation. */
  private setRate(sampleRate: number): void {
    const w = (2 * Math.PI * this.opts.rateHz * SEG) / sampleRate;
    this.st[ROT_C] = Math.cos(w);
    this.st[ROT_S] = Math.sin(w);
  }

  /**
   * Start voices [from, to) that are not running: in phase with voice 0 of each channel plus
   * their offsets, at their exact delay, held there until the grid step ends (they fade in from
   * silence, so the hold is inaudible).
   */
  private startVoices(from: number, to: number): void {
    const spec = this.spec!;
    const first = Math.max(from, this.ist[RUNNING]);
    for (let c = 0; c < spec.channels; c++) {
      const i0 = c * MAX_VOICES * VS;
      for (let v = first; v < to; v++) {
        const a = v * GOLDEN_ANGLE;
        const i = (c * MAX_VOICES + v) * VS;
        this.vs[i + V_COS] = this.vs[i0 + V_COS] * Math.cos(a) - this.vs[i0 + V_SIN] * Math.sin(a);
        this.vs[i + V_SIN] = this.vs[i0 + V_SIN] * Math.cos(a) + this.vs[i0 + V_COS] * Math.sin(a);
        const raw = ((this.st[BASE_END] + this.st[DEPTH_END] * this.vs[i + V_SIN]) * spec.sampleRate) / 1000;
        const d = raw < 3 ? 3 : raw; // (delaySamples() inline; 3 = MIN_DELAY_SAMPLES, see nextSegment)
        this.vs[i + V_A] = this.ist[WSEG] - d + this.size;
        this.vs[i + V_B] = 1;
        this.vs[i + V_DELAY] = d;
      }
    }
    this.ist[RUNNING] = Math.max(this.ist[RUNNING], to);
  }

  /**
   * Advance the smoothed base and depth by one grid step, rotate every running oscillator (with
   * the spread glide), and set each voice's delay line segment towards the new value. With
   * `initial`, the current delays are set to their exact values first.
   */
  private nextSegment(channels: number, wSeg: number, initial: boolean): void {
    const spec = this.spec!;
    const fs = spec.sampleRate;
    const seg = this.segBuf;
    const vs = this.vs;
    const st = this.st;
    const ist = this.ist;
    const running = ist[RUNNING];
    const size = this.size;
    ist[WSEG] = wSeg;
    if (initial) {
      // (The smoothers are steady after reset(): their first value is the target.)
      this.base.fill(seg, 1);
      st[BASE_END] = seg[0];
      this.depth.fill(seg, 1);
      st[DEPTH_END] = seg[0];
      for (let c = 0; c < channels; c++) {
        for (let v = 0; v < MAX_VOICES; v++) {
          const j = (c * MAX_VOICES + v) * VS;
          const raw = ((st[BASE_END] + st[DEPTH_END] * vs[j + V_SIN]) * fs) / 1000;
          vs[j + V_DELAY] = raw < 3 ? 3 : raw; // (delaySamples() inline, as below)
        }
      }
    }
    // Base and depth one grid step on (steady: their target).
    const bs = this.base.isSmoothing ? SEG : 1;
    this.base.fill(seg, bs);
    const base = seg[bs - 1];
    const ds = this.depth.isSmoothing ? SEG : 1;
    this.depth.fill(seg, ds);
    const depth = seg[ds - 1];
    st[BASE_END] = base;
    st[DEPTH_END] = depth;
    // Spread glide: extra rotation of channel c by step·c/(C − 1).
    let glide = 0;
    if (ist[SPREAD_LEFT] > 0) {
      ist[SPREAD_LEFT]--;
      glide = st[SPREAD_STEP];
      st[SPREAD] = ist[SPREAD_LEFT] === 0 ? st[SPREAD_TARGET] : st[SPREAD] + glide;
    }
    const rc = st[ROT_C];
    const rs = st[ROT_S];
    for (let c = 0; c < channels; c++) {
      let ec = rc;
      let es = rs;
      if (glide !== 0 && channels > 1) {
        const a = (glide * c) / (channels - 1);
        ec = rc * Math.cos(a) - rs * Math.sin(a);
        es = rs * Math.cos(a) + rc * Math.sin(a);
      }
      for (let v = 0; v < running; v++) {
        const j = (c * MAX_VOICES + v) * VS;
        const co = vs[j + V_COS];
        const si = vs[j + V_SIN];
        let nc = co * ec - si * es;
        let ns = si * ec + co * es;
        // Keep the oscillator on the unit circle.
        const r = 1.5 - 0.5 * (nc * nc + ns * ns);
        nc *= r;
        ns *= r;
        vs[j + V_COS] = nc;
        vs[j + V_SIN] = ns;
        // (Inline, not delaySamples(): a double returned from a call would be boxed here. The
        // bound is MIN_DELAY_SAMPLES written as a literal: the bundle turns module constants into
        // `var`s, whose loads V8 cannot type, and merging one with the computed double in a
        // conditional made it box every target: one heap number per voice and grid step.)
        const raw = ((base + depth * ns) * fs) / 1000;
        const target = raw < 3 ? 3 : raw;
        vs[j + V_A] = wSeg - vs[j + V_DELAY] + size;
        vs[j + V_B] = 1 - (target - vs[j + V_DELAY]) / SEG;
        vs[j + V_DELAY] = target;
      }
    }
    // Voice gains that have faded to 0 stop running.
    let top = ist[ACTIVE];
    for (let v = MAX_VOICES - 1; v >= top; v--) {
      if (this.gains[v].isSmoothing) {
        top = v + 1;
        break;
      }
    }
    ist[RUNNING] = top;
    this.setSafe(channels);
  }

  /** Set the smoothers' targets from the options (`ramp`: ramp to them, else jump). */
  private targets(ramp: boolean): void {
    const o = this.opts;
    const apply = (v: SmoothedValue, x: number) => (ramp ? v.setTarget(x) : v.setImmediate(x));
    apply(this.base, o.baseDelayMs);
    apply(this.depth, o.depthMs);
    apply(this.fb, o.feedback);
    apply(this.mixer, o.mix);
    for (let v = 0; v < MAX_VOICES; v++) apply(this.gains[v], v < o.voices ? 1 / o.voices : 0);
    this.ist[FB_ON] = o.feedback !== 0 ? YES : NO;
    this.updateSafe();
  }

  /** The smallest delay the parameters allow until their ramps end (ramps are monotone). */
  private updateSafe(): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const base = Math.min(this.base.current, this.base.target);
    const depth = Math.max(this.depth.current, this.depth.target);
    this.st[PARAM_MIN] = Math.max(MIN_DELAY_SAMPLES, ((base - depth) * spec.sampleRate) / 1000);
    this.setSafe(spec.channels);
  }

  /**
   * The longest chunk whose reads all precede it: the smallest delay of the grid steps in flight
   * (which may still use delays from before a parameter change) and of any later step (at least
   * PARAM_MIN), less the interpolator's reach (2 samples); at least 1, at most CHUNK.
   */
  private setSafe(channels: number): void {
    const vs = this.vs;
    const running = this.ist[RUNNING];
    let dmin = this.st[PARAM_MIN];
    for (let c = 0; c < channels; c++) {
      for (let v = 0; v < running; v++) {
        const j = (c * MAX_VOICES + v) * VS;
        const end = vs[j + V_DELAY];
        const start = end - (1 - vs[j + V_B]) * SEG;
        if (end < dmin) dmin = end;
        if (start < dmin) dmin = start;
      }
    }
    const safe = Math.floor(dmin) - 2;
    this.ist[SAFE] = safe < 1 ? 1 : safe > CHUNK ? CHUNK : safe;
  }
}

/**
 * Write k samples of the delay line from w0: input plus feedback × wet (`mode` BUF_NONE: no
 * feedback term; BUF_PER_SAMPLE: `fbb[i]`; BUF_STEADY: `fbb[0]`), non-finite values and values
 * below 1e-30 in magnitude as 0, clamped to ±64 (written as literals: a unary minus on a module
 * constant that only runs on a rare branch deoptimised the loop). With `mixMode` BUF_PER_SAMPLE
 * (`mb[i]`) or BUF_STEADY (`mb[0]`), also write the output x + mix·(wet − x) in place; with
 * `clear` YES, set the voice sums to 0 for the next chunk.
 *
 * The line stores, for each position b, the cubic Hermite coefficients of the interval from b to
 * b + 1 (Niemitalo's x-form: c0 = y[b], c1 = ½(y[b+1] − y[b−1]), c3 = 1.5(y[b] − y[b+1]) +
 * ½(y[b+2] − y[b−1]), c2 = y[b−1] − y[b] + c1 − c3), computed once per sample when y[b+2] arrives
 * and shared by every voice that reads there.
 */
function writeLine(cf: Float64Array, x: Float32Array, xo: number, k: number, w0: number, mask: number, wet: Float64Array, wo: number, fbb: Float64Array, mode: number, mb: Float64Array, mixMode: number, clear: number): void {
  const step = mode === BUF_PER_SAMPLE ? 1 : 0;
  const mstep = mixMode === BUF_PER_SAMPLE ? 1 : 0;
  let ym = cf[((w0 - 3) & mask) << 2];
  let y0 = cf[((w0 - 2) & mask) << 2];
  let y1 = cf[((w0 - 1) & mask) << 2];
  for (let i = 0; i < k; i++) {
    const dry = x[xo + i];
    const wv = wet[wo + i];
    let u = mode !== BUF_NONE ? dry + fbb[i * step] * wv : dry;
    // Below 1e-30 or not finite: 0; beyond ±64: ±64 (one test of |u| on the common path).
    const au = Math.abs(u);
    if (!(au >= 1e-30 && au <= 64)) u = u - u === 0 && au > 64 ? (u > 0 ? 64 : -64) : 0;
    const w = w0 + i;
    cf[(w & mask) << 2] = u;
    // Window: ym, y0, y1 = y[w − 3], y[w − 2], y[w − 1]; c0 = y0 is already in place.
    const q = ((w - 2) & mask) << 2;
    const c1 = 0.5 * (y1 - ym);
    const c3 = 1.5 * (y0 - y1) + 0.5 * (u - ym);
    cf[q + 1] = c1;
    cf[q + 2] = ym - y0 + c1 - c3;
    cf[q + 3] = c3;
    ym = y0;
    y0 = y1;
    y1 = u;
    if (mixMode !== BUF_NONE) {
      // (Mix 0 leaves the sample as it is: bit-exact even for −0 and ±Infinity.)
      const mx = mb[i * mstep];
      x[xo + i] = mx === 0 ? dry : mx === 1 ? wv : dry + mx * (wv - dry);
    }
    if (clear !== NO) wet[wo + i] = 0;
  }
}

/** Write the output x + mix·(wet − x) in place (`mixMode` BUF_PER_SAMPLE: `mb[i]`, BUF_STEADY: `mb[0]`) and clear the voice sums. */
function mixOut(x: Float32Array, xo: number, k: number, wet: Float64Array, wo: number, mb: Float64Array, mixMode: number): void {
  const mstep = mixMode === BUF_PER_SAMPLE ? 1 : 0;
  for (let i = 0; i < k; i++) {
    const dry = x[xo + i];
    const mx = mb[i * mstep];
    x[xo + i] = mx === 0 ? dry : mx === 1 ? wet[wo + i] : dry + mx * (wet[wo + i] - dry);
    wet[wo + i] = 0;
  }
}

/**
 * Add one voice to `wet[wo..wo + m)`: the line read at A + j·B (A, B = vs[j + V_A], vs[j + V_B]) for
 * j = j0 .. j0 + m − 1, the step-relative sample index, so the position is the same whatever the
 * block sizes; cubic Hermite interpolation from the line's stored coefficients; times the voice
 * gain `gb[i·gs]`. (A and B are read here rather than passed: doubles passed to a call V8 does
 * not inline are boxed.)
 */
function readVoice(cf: Float64Array, vs: Float64Array, j: number, j0: number, m: number, mask: number, gb: Float64Array, gs: number, wet: Float64Array, wo: number): void {
  const A = vs[j + V_A];
  const B = vs[j + V_B];
  let i = 0;
  if (gs === 0) {
    // Steady gain: two samples per iteration (the same arithmetic per sample, about a quarter
    // faster in V8 than one at a time).
    const g = gb[0];
    for (; i + 1 < m; i += 2) {
      const pa = A + (j0 + i) * B;
      const fa = pa | 0; // p > 0: truncation is floor
      const ta = pa - fa;
      const qa = (fa & mask) << 2;
      const pb = A + (j0 + i + 1) * B;
      const fb = pb | 0;
      const tb = pb - fb;
      const qb = (fb & mask) << 2;
      wet[wo + i] += g * (((cf[qa + 3] * ta + cf[qa + 2]) * ta + cf[qa + 1]) * ta + cf[qa]);
      wet[wo + i + 1] += g * (((cf[qb + 3] * tb + cf[qb + 2]) * tb + cf[qb + 1]) * tb + cf[qb]);
    }
  }
  for (; i < m; i++) {
    const p = A + (j0 + i) * B;
    const fl = p | 0;
    const t = p - fl;
    const q = (fl & mask) << 2;
    wet[wo + i] += gb[i * gs] * (((cf[q + 3] * t + cf[q + 2]) * t + cf[q + 1]) * t + cf[q]);
  }
}

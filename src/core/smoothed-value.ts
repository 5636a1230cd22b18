// Slots of SmoothedValue.v (Float64Array).
/** The value where the ramp in progress started. */
const START = 0;
/** The value the ramp heads to. */
const TARGET = 1;
/** The value at the current sample. */
const CURRENT = 2;
/** Samples of the ramp still to go (0: no ramp). */
const REMAINING = 3;
/** Ramp length in samples (0: changes are immediate). */
const LENGTH = 4;
/** ln(start / target) / length, for `multiplicative` ramps. */
const LOG_RATIO = 5;
const SLOTS = 6;

/**
 * Click-free parameter ramps, advanced per sample (after JUCE's `SmoothedValue`).
 *
 * The value is a pure function of the ramp's start, target and the number of samples still to
 * go, so `skip(n)` lands exactly where `n` calls of `next()` would: a ramp gives the same values
 * whatever the block partition.
 * - `linear`: `v = target − (target − start) · remaining / length` — for gains and dB values.
 * - `multiplicative`: `v = target · (start / target)^(remaining / length)` — equal ratios per step,
 *   for frequencies and Q (a sweep sounds even on a log-frequency axis). Values must be > 0.
 *
 * In a hot loop, use {@link SmoothedValue.fill}: it writes a block of per-sample values into a
 * preallocated `Float64Array`. (A number returned from a call V8 does not inline is boxed on the
 * heap, so calling `next()` per sample can allocate; writing into a typed array never does.)
 *
 * @example
 * ```ts
 * const gain = new SmoothedValue('linear', 1);
 * gain.reset(48000, 0.02);               // 20 ms ramps
 * gain.setTarget(0.5);
 * const ramp = new Float64Array(128);    // allocate once, in prepare()
 * gain.fill(ramp, 128);                  // per-sample values of the next 128 samples
 * ```
 */
export class SmoothedValue {
  /**
   * Numeric state in a typed array, not in fields: a double stored into an object field whose
   * representation V8 has generalised (a field first holding a small integer such as 0 or 1,
   * say) is boxed as a new heap number on every store, which would allocate in `process()`.
   */
  private readonly v = new Float64Array(SLOTS);

  constructor(
    /** Ramp shape. */
    readonly kind: 'linear' | 'multiplicative',
    initial: number,
  ) {
    this.setImmediate(initial);
  }

  /** Set the ramp length to `round(sampleRate · rampSeconds)` samples and jump to the target. */
  reset(sampleRate: number, rampSeconds: number): void {
    this.v[LENGTH] = Math.max(0, Math.round(sampleRate * rampSeconds));
    this.setImmediate(this.v[TARGET]);
  }

  /**
   * Change the ramp length to `round(sampleRate · rampSeconds)` samples without a jump: a ramp in
   * progress continues from the current value to its target over the new length (a zero length
   * finishes it at once).
   */
  setRampLength(sampleRate: number, rampSeconds: number): void {
    const v = this.v;
    const length = Math.max(0, Math.round(sampleRate * rampSeconds));
    v[LENGTH] = length;
    if (v[REMAINING] === 0) return;
    if (length === 0) {
      this.setImmediate(v[TARGET]);
      return;
    }
    v[START] = v[CURRENT];
    v[REMAINING] = length;
    if (this.kind === 'multiplicative') v[LOG_RATIO] = Math.log(v[START] / v[TARGET]) / length;
  }

  /** Ramp length in samples (0: changes are immediate). */
  get rampLength(): number {
    return this.v[LENGTH];
  }

  /** Jump to `value` with no ramp. */
  setImmediate(value: number): void {
    const v = this.v;
    v[START] = value;
    v[TARGET] = value;
    v[CURRENT] = value;
    v[REMAINING] = 0;
  }

  /**
   * End any ramp at its target: `setImmediate(target)` with no number crossing a call (for
   * `reset()`, which runs on the audio thread: a double passed to or returned from a call V8 does
   * not inline is boxed on the heap).
   */
  jumpToTarget(): void {
    const v = this.v;
    v[START] = v[TARGET];
    v[CURRENT] = v[TARGET];
    v[REMAINING] = 0;
  }

  /** Start a ramp from the current value to `value` (immediate if the ramp length is 0). */
  setTarget(value: number): void {
    const v = this.v;
    if (value === v[TARGET]) return;
    if (v[LENGTH] === 0 || value === v[CURRENT]) {
      this.setImmediate(value);
      return;
    }
    v[START] = v[CURRENT];
    v[TARGET] = value;
    v[REMAINING] = v[LENGTH];
    if (this.kind === 'multiplicative') v[LOG_RATIO] = Math.log(v[START] / value) / v[LENGTH];
  }

  /**
   * {@link SmoothedValue.setTarget} to `values[index]`, for the audio thread: a number passed to a
   * call V8 does not inline is boxed on the heap, a typed array is not.
   */
  setTargetAt(values: Float64Array, index: number): void {
    const v = this.v;
    const value = values[index];
    if (value === v[TARGET]) return;
    if (v[LENGTH] === 0 || value === v[CURRENT]) {
      v[START] = value;
      v[TARGET] = value;
      v[CURRENT] = value;
      v[REMAINING] = 0;
      return;
    }
    v[START] = v[CURRENT];
    v[TARGET] = value;
    v[REMAINING] = v[LENGTH];
    if (this.kind === 'multiplicative') v[LOG_RATIO] = Math.log(v[START] / value) / v[LENGTH];
  }

  /** True while a ramp is in progress. */
  get isSmoothing(): boolean {
    return this.v[REMAINING] > 0;
  }

  /** The value the ramp is heading to. */
  get target(): number {
    return this.v[TARGET];
  }

  /** The value at the current sample. */
  get current(): number {
    return this.v[CURRENT];
  }

  /**
   * True when no ramp is running and the value is exactly `value`. For `process()`: a boolean
   * result is never boxed, whereas a double returned by a getter V8 does not inline is (see
   * docs/processor-contract.md), so hot paths test the value here instead of reading `current`.
   */
  isSteadyAt(value: number): boolean {
    const v = this.v;
    return v[REMAINING] === 0 && v[CURRENT] === value;
  }

  /** `out[index] = current`, without returning a double (see {@link SmoothedValue.isSteadyAt}). */
  writeCurrent(out: Float64Array, index: number): void {
    out[index] = this.v[CURRENT];
  }

  /** `out[index] = target`, without returning a double (see {@link SmoothedValue.isSteadyAt}). */
  writeTarget(out: Float64Array, index: number): void {
    out[index] = this.v[TARGET];
  }

  /** Advance one sample and return the new value (convenient; hot loops should use `fill`). */
  next(): number {
    this.skip(1);
    return this.v[CURRENT];
  }

  /** Advance `n` samples (n ≥ 0); lands exactly where `n` calls of `next()` would. */
  skip(n: number): void {
    const v = this.v;
    if (v[REMAINING] === 0 || !(n > 0)) return;
    const r = v[REMAINING] > n ? v[REMAINING] - n : 0;
    v[REMAINING] = r;
    // Same expressions as fill(); at r = 0 both give exactly the target.
    if (this.kind === 'linear') v[CURRENT] = v[TARGET] - ((v[TARGET] - v[START]) * r) / v[LENGTH];
    else v[CURRENT] = v[TARGET] * Math.exp(v[LOG_RATIO] * r);
  }

  /**
   * Write the values of the next `n` samples into `out[0..n)` and advance: the same values `n`
   * calls of `next()` would return. Allocates nothing.
   */
  fill(out: Float64Array, n: number): void {
    const v = this.v;
    let r = v[REMAINING];
    const target = v[TARGET];
    if (r === 0) {
      for (let i = 0; i < n; i++) out[i] = target;
      return;
    }
    if (!(n > 0)) return;
    // Same expressions as skip(); at r = 0 both give exactly `target`.
    if (this.kind === 'linear') {
      const delta = target - v[START];
      const length = v[LENGTH];
      for (let i = 0; i < n; i++) {
        if (r > 0) r--;
        out[i] = target - (delta * r) / length;
      }
    } else {
      const logRatio = v[LOG_RATIO];
      for (let i = 0; i < n; i++) {
        if (r > 0) r--;
        out[i] = target * Math.exp(logRatio * r);
      }
    }
    v[REMAINING] = r;
    v[CURRENT] = out[n - 1];
  }
}

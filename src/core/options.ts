/**
 * Options shared by processors.
 * @module
 */
import { checkNumber, type NumberRange, type OptionRule } from './validate.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Range of `smoothingMs`, the ramp time of click-free parameter changes. */
export const SMOOTHING_RANGE = Object.freeze({ min: 0, max: 1000, unit: 'ms' });

/** Default ramp time of parameter changes, in ms (JUCE uses 50 ms; 20 ms is quick yet click-free). */
export const DEFAULT_SMOOTHING_MS = 20;

/** Validate a `smoothingMs` value. */
export function checkSmoothingMs(owner: string, value: unknown): number {
  return checkNumber(owner, 'smoothingMs', value, SMOOTHING_RANGE);
}

/**
 * The range of option `name` in a rule table when it can be automated (a top-level number option
 * that is neither an integer nor nullable, and not listed in `fixed`), else `undefined`: what a
 * processor's `paramRange()` returns. Allocates nothing.
 */
export function numberOptionRange(rules: Readonly<Record<string, OptionRule>>, name: string, fixed: readonly string[]): NumberRange | undefined {
  if (typeof name !== 'string' || !hasOwn.call(rules, name) || fixed.includes(name)) return undefined;
  const rule = rules[name];
  return rule.kind === 'number' && rule.integer !== true && rule.nullable !== true ? rule.range : undefined;
}

/**
 * A processor's number options mirrored in a `Float64Array`, so that `setParam()` can change one
 * on the audio thread without allocating: a number stored into a plain object's field is boxed on
 * the heap once V8 has widened that field's representation (which other code in the same process
 * can cause), a number stored into a typed array never is. The options object stays the control
 * side's record: {@link LiveNumbers.load} copies it in after `set()`, {@link LiveNumbers.sync}
 * writes values changed by `setParam()` back before the object is read or replaced. Code that
 * derives state from these options reads {@link LiveNumbers.values}.
 */
export class LiveNumbers {
  /** The options' values, in the order of `keys`. */
  readonly values: Float64Array;
  /** [1 while `values` hold changes the options object has not seen]. */
  private readonly ahead = new Int32Array(1);
  /** [the value put() is placing]. */
  private readonly candidate = new Float64Array(1);
  /**
   * Per slot: lower and upper bound, and whether each end is open (bit 0 lower, bit 1 upper).
   * In typed arrays: put() runs on the audio thread, and reading a fractional bound from a range
   * object (whose fields V8 may store as boxed doubles) through a polymorphic access allocates.
   */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly open: Int32Array;

  /**
   * @param keys - names of the mirrored options
   * @param rules - the class's rule table: each key's number rule gives its range (see
   *   {@link LiveNumbers.setRange} to narrow one once the sample rate is known)
   */
  constructor(
    readonly keys: readonly string[],
    rules: Readonly<Record<string, OptionRule>>,
  ) {
    this.values = new Float64Array(keys.length);
    this.lo = new Float64Array(keys.length);
    this.hi = new Float64Array(keys.length);
    this.open = new Int32Array(keys.length);
    keys.forEach((key, i) => {
      const rule = rules[key];
      if (rule === undefined || rule.kind !== 'number') throw new TypeError(`LiveNumbers: ${key} has no number rule`);
      this.setRange(i, rule.range);
    });
  }

  /** Index of option `name` in `values` (-1 if not mirrored). Allocates nothing. */
  slot(name: string): number {
    return this.keys.indexOf(name);
  }

  /** The range put() places values of `slot` in (control side; e.g. a frequency below Nyquist). */
  setRange(slot: number, range: NumberRange): void {
    this.lo[slot] = range.min;
    this.hi[slot] = range.max;
    this.open[slot] = (range.minOpen === true ? 1 : 0) | (range.maxOpen === true ? 2 : 0);
  }

  /** Copy the options' values in (control side). */
  load(options: object): void {
    const o = options as Record<string, number>;
    for (let i = 0; i < this.keys.length; i++) this.values[i] = o[this.keys[i]];
    this.ahead[0] = 0;
  }

  /** Write values changed by `setParam()` back into `options` (control side). */
  sync(options: object): void {
    if (this.ahead[0] === 0) return;
    const o = options as Record<string, number>;
    for (let i = 0; i < this.keys.length; i++) o[this.keys[i]] = this.values[i];
    this.ahead[0] = 0;
  }

  /**
   * `values[slot] = source[index]` placed in the slot's range (for `setParam()`, where nothing
   * may throw): below a closed lower end it becomes that end, above a closed upper end that end.
   * Returns false and changes nothing for NaN, a value at or beyond an open end, or a slot out of
   * range (-1); callers validate values on the control side, so clamping only absorbs rounding at
   * the ends. Allocates nothing.
   */
  put(slot: number, source: Float64Array, index: number): boolean {
    if (!(slot >= 0 && slot < this.keys.length)) return false;
    // Worked on in typed arrays, not in a local merged with a bound: such a merge may be kept as a
    // tagged value by V8, boxing the number.
    const x = this.candidate;
    const lo = this.lo;
    const hi = this.hi;
    const open = this.open[slot];
    x[0] = source[index];
    if (x[0] !== x[0]) return false;
    if (x[0] < lo[slot]) x[0] = lo[slot];
    if (x[0] > hi[slot]) x[0] = hi[slot];
    if (((open & 1) !== 0 && !(x[0] > lo[slot])) || ((open & 2) !== 0 && !(x[0] < hi[slot]))) return false;
    this.values[slot] = x[0];
    this.ahead[0] = 1;
    return true;
  }
}

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
 * `value` placed in `range` for a processor's `setParam()` (the audio-thread path, where nothing
 * may throw): below a closed lower end it becomes that end, above a closed upper end that end;
 * at or beyond an open end, and for NaN, the result is NaN (the caller ignores the change).
 * Callers validate values on the control side, so clamping only absorbs rounding at the ends.
 */
export function clampToRange(value: number, range: NumberRange): number {
  let v = value;
  if (v < range.min) v = range.min;
  if (v > range.max) v = range.max;
  if ((range.minOpen === true && !(v > range.min)) || (range.maxOpen === true && !(v < range.max))) return NaN;
  return v;
}

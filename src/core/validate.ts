/**
 * Parameter validation shared by every processor. Checks are written NaN-safe
 * (`!(min <= v && v <= max)`), name the owner, the parameter, the valid range and the value, and
 * run on the control side (constructor, `set()`, `prepare()`), never inside `process()`.
 * @module
 */

/** Longest string value quoted whole in an error message; longer ones are cut. */
const MAX_SHOWN = 60;

/**
 * A value as error messages show it: strings quoted (and cut after {@link MAX_SHOWN} characters,
 * so a 5 MB string does not end up in a message), numbers as written (`-0` kept), BigInts with
 * their `n`, anything else by its kind.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= MAX_SHOWN ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, MAX_SHOWN))}… (a string of ${value.length} characters)`;
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

const show = describeValue;
const hasOwn = Object.prototype.hasOwnProperty;

/** Bounds of a numeric parameter; `*Open` makes that end exclusive. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
  /** Unit shown in messages, e.g. `"Hz"` or `"dB"`. */
  readonly unit?: string;
}

/** Human-readable interval, e.g. `(0, 24000) Hz`. */
export function formatRange(r: NumberRange): string {
  const unit = r.unit ? ` ${r.unit}` : '';
  return `${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}${unit}`;
}

/** Whether `v` lies in the range (false for NaN). */
export function inRange(v: number, r: NumberRange): boolean {
  const lo = r.minOpen ? v > r.min : v >= r.min;
  const hi = r.maxOpen ? v < r.max : v <= r.max;
  return lo && hi;
}

/** Throw unless `value` is a number in `range`: `TypeError` for non-numbers, `RangeError` otherwise. */
export function checkNumber(owner: string, name: string, value: unknown, range: NumberRange): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${owner}.${name} must be a number in ${formatRange(range)}, got ${show(value)}`);
  }
  if (!inRange(value, range)) {
    throw new RangeError(`${owner}.${name} must be in ${formatRange(range)}, got ${show(value)}`);
  }
  return value;
}

/** Throw unless `value` is one of `allowed` (a `TypeError`, as Web IDL does for enums). */
export function checkOneOf<T extends string | number>(owner: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (typeof a === 'string' ? `"${a}"` : String(a))).join(', ');
    throw new TypeError(`${owner}.${name} must be one of ${list}, got ${show(value)}`);
  }
  return value as T;
}

/** Throw a `TypeError` unless `value` is a boolean. */
export function checkBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${owner}.${name} must be a boolean, got ${show(value)}`);
  return value;
}

/** Throw a `TypeError` unless `value` is a plain object (options bag). */
export function checkObject(owner: string, name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${owner}: ${name} must be an options object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Throw a `TypeError` for any key of `options` that is not in `known` (catches typos such as
 * `frequncyHz`, which would otherwise be ignored silently).
 */
export function checkKnownKeys(owner: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${owner}: unknown option ${show(key)}; valid options are ${known.join(', ')}`);
    }
  }
}

/**
 * Fields every {@link OptionRule} may carry besides its kind.
 *
 * Rules are plain, frozen data so that a CLI or UI can list a processor's options (kind, range,
 * unit, allowed values, nesting) from its `*_RULES` table alone. Defaults are deliberately *not*
 * part of the rules: they live in the matching `*_DEFAULTS` object (one source each, and a UI reads
 * both), e.g. `BIQUAD_FILTER_RULES` with `BIQUAD_FILTER_DEFAULTS`.
 */
export interface RuleBase {
  /** `null` is a valid value too (for options where `null` means "none" or "automatic"). */
  readonly nullable?: boolean;
  /** Short human-readable text for generated docs and UIs, e.g. `"Cutoff or centre frequency"`. */
  readonly description?: string;
}

/** A number in a range; `integer` additionally requires a whole number. */
export interface NumberRule extends RuleBase {
  readonly kind: 'number';
  readonly range: NumberRange;
  readonly integer?: boolean;
}

/** A boolean. */
export interface BooleanRule extends RuleBase {
  readonly kind: 'boolean';
}

/** One of a fixed list of strings or numbers. */
export interface EnumRule extends RuleBase {
  readonly kind: 'enum';
  readonly values: readonly (string | number)[];
}

/**
 * A dense array whose every item satisfies `items`, with `minLength ≤ length ≤ maxLength`.
 * Non-arrays are a `TypeError`; a hole (`[ , 1]`) or an `undefined` item is checked as the value
 * `undefined`, so it fails the item rule (every rule kind rejects `undefined`); a bad length is a
 * `RangeError`, checked before any item (a `new Array(1e9)` is rejected at once).
 */
export interface ArrayRule extends RuleBase {
  readonly kind: 'array';
  readonly items: OptionRule;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/**
 * A nested options bag validated by its own table: unknown keys are rejected and `undefined`
 * values count as absent, as at the top level. `noun` names the value in type errors
 * (`"a band options object"`; default `"an options object"`).
 */
export interface ObjectRule extends RuleBase {
  readonly kind: 'object';
  readonly rules: OptionRules;
  readonly noun?: string;
}

/** How one option of an options bag is validated (see {@link validateOptions}). */
export type OptionRule = NumberRule | BooleanRule | EnumRule | ArrayRule | ObjectRule;

/** A rule table: one {@link OptionRule} per option of `T`. */
export type OptionRules<T extends object = Record<string, unknown>> = { readonly [K in keyof T]: OptionRule };

/** The item count of an array rule as messages show it: `[1, 64]`, `at most 64`, `at least 1`. */
function lengthBounds(rule: ArrayRule): string {
  const { minLength, maxLength } = rule;
  if (minLength !== undefined && maxLength !== undefined) return `between ${minLength} and ${maxLength}`;
  if (maxLength !== undefined) return `at most ${maxLength}`;
  return `at least ${minLength ?? 0}`;
}

/**
 * Check one value against `rule` and return it (arrays and nested bags as fresh, validated
 * copies, so later changes to the caller's objects change nothing). The value's path is
 * `owner.name`: messages read `ParametricEQ.bands[3].gainDb must be in [-48, 48] dB, got 99`.
 * Throws a `TypeError` (wrong type, unknown key or enum value, a hole) or a `RangeError` (out of
 * range, NaN, ±Infinity, bad length).
 */
export function checkOption(owner: string, name: string, value: unknown, rule: OptionRule): unknown {
  if (value === null && rule.nullable) return null;
  switch (rule.kind) {
    case 'number': {
      const v = checkNumber(owner, name, value, rule.range);
      if (rule.integer && !Number.isInteger(v)) {
        throw new RangeError(`${owner}.${name} must be an integer in ${formatRange(rule.range)}, got ${show(v)}`);
      }
      return v;
    }
    case 'boolean':
      return checkBoolean(owner, name, value);
    case 'enum':
      return checkOneOf(owner, name, value, rule.values);
    case 'array': {
      if (!Array.isArray(value)) throw new TypeError(`${owner}.${name} must be ${rule.nullable ? 'null or ' : ''}an array, got ${show(value)}`);
      const n = value.length;
      if ((rule.minLength !== undefined && n < rule.minLength) || (rule.maxLength !== undefined && n > rule.maxLength)) {
        throw new RangeError(`${owner}.${name} must have ${lengthBounds(rule)} items, got ${n}`);
      }
      const out: unknown[] = [];
      // An own property tells a stored value from a hole (reading a hole, or `i in value`, could
      // even find a value inherited through the prototype chain).
      for (let i = 0; i < n; i++) out.push(checkOption(owner, `${name}[${i}]`, hasOwn.call(value, i) ? value[i] : undefined, rule.items));
      return out;
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TypeError(`${owner}.${name} must be ${rule.nullable ? 'null or ' : ''}${rule.noun ?? 'an options object'}, got ${show(value)}`);
      }
      return checkBag(`${owner}.${name}`, value as Record<string, unknown>, rule.rules);
    }
  }
}

/** Unknown keys, then every given (non-`undefined`) key; returns a copy of the given keys. */
function checkBag(owner: string, o: Record<string, unknown>, rules: OptionRules): Record<string, unknown> {
  const known = Object.keys(rules);
  checkKnownKeys(owner, o, known);
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const value = o[key];
    if (value === undefined) continue;
    out[key] = checkOption(owner, key, value, rules[key]);
  }
  return out;
}

/**
 * Validate a partial options bag against `rules`: rejects unknown keys (typos) and every bad
 * value, nested ones included, with messages naming the full path (see {@link checkOption}).
 * `undefined` values are treated as absent. Returns a copy holding only the given keys (arrays
 * and nested bags copied too). Cross-field conditions (a frequency below the prepared rate's
 * Nyquist, say) are the caller's, checked after this.
 */
export function validateOptions<T extends object>(owner: string, options: unknown, rules: OptionRules<T>): Partial<T> {
  const o = checkObject(owner, 'options', options);
  return checkBag(owner, o, rules as OptionRules) as Partial<T>;
}

/**
 * Freeze a rule table deeply (its rules, ranges, value lists and nested tables) and return it, so
 * that a table exported as data cannot be changed by its readers, which would change validation.
 */
export function defineRules<T extends object>(rules: OptionRules<T>): OptionRules<T> {
  return deepFreeze(rules);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

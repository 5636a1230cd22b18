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

/** How one option of an options bag is validated (see {@link validateOptions}). */
export type OptionRule =
  | { readonly kind: 'number'; readonly range: NumberRange }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly (string | number)[] };

/**
 * Validate a partial options bag against `rules`: rejects unknown keys (typos) and every bad
 * value with the messages of {@link checkNumber}, {@link checkBoolean} and {@link checkOneOf}.
 * `undefined` values are treated as absent. Returns a shallow copy holding only the given keys.
 */
export function validateOptions<T extends object>(owner: string, options: unknown, rules: { readonly [K in keyof T]: OptionRule }): Partial<T> {
  const o = checkObject(owner, 'options', options);
  const known = Object.keys(rules);
  checkKnownKeys(owner, o, known);
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const value = o[key];
    if (value === undefined) continue;
    const rule = (rules as Record<string, OptionRule>)[key];
    if (rule.kind === 'number') checkNumber(owner, key, value, rule.range);
    else if (rule.kind === 'boolean') checkBoolean(owner, key, value);
    else checkOneOf(owner, key, value, rule.values);
    out[key] = value;
  }
  return out as Partial<T>;
}

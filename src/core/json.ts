/**
 * The one JSON path of every processor, and option listings from the rule tables.
 *
 * - {@link paramsToJSON} / {@link paramsFromJSON}: JSON has no `Infinity`, so a number option
 *   whose range includes ±∞ (a compressor's ratio) is written as the string `"Infinity"` /
 *   `"-Infinity"` and read back as the number; everything else passes as it is, and the class's
 *   constructor validates it with its rule table, so a saved preset is checked like code.
 * - {@link describeOptions}: every option of a processor class as plain data (kind, range, unit,
 *   allowed values, default), for a CLI's help or a UI's controls, from the same tables that
 *   validate.
 *
 * @module
 */
import type { ProcessorJSON } from './processor.js';
import { checkKnownKeys, checkObject, describeValue, formatRange, type OptionRule, type OptionRules } from './validate.js';

/** What the shared JSON path needs of a processor class: its type name and its rule table. */
export interface DescribedClass<O extends object = object> {
  /** The `type` written by `toJSON()`. */
  readonly type: string;
  /** Its options' defaults. */
  readonly defaults: Readonly<O>;
  /** Its options' validation rules (the single source of ranges and units). */
  readonly rules: OptionRules<O>;
}

/** A copy of `options` fit for JSON: ±Infinity numbers as the strings `"Infinity"` / `"-Infinity"`. */
export function paramsToJSON(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = encode(value);
  return out;
}

function encode(value: unknown): unknown {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') return paramsToJSON(value);
  return value;
}

/**
 * The options in `json` (as written by `toJSON()`), checked to be `{ type: cls.type, params: {…} }`
 * with only known option names, and with `"Infinity"` / `"-Infinity"` turned back into numbers
 * where the option's rule is a number rule. The values are validated by the class's constructor.
 */
export function paramsFromJSON<O extends object>(cls: DescribedClass<O>, json: unknown): Partial<O> {
  const owner = cls.type;
  const j = checkObject(owner, 'json', json);
  if (j.type !== cls.type) throw new TypeError(`${owner}.fromJSON: expected type ${JSON.stringify(cls.type)}, got ${describeValue(j.type)}`);
  const params = checkObject(owner, 'json.params', j.params ?? {});
  const rules = cls.rules as Readonly<Record<string, OptionRule>>;
  checkKnownKeys(owner, params, Object.keys(rules));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(params)) out[key] = decode(params[key], rules[key]);
  return out as Partial<O>;
}

function decode(value: unknown, rule: OptionRule | undefined): unknown {
  if (rule === undefined) return value;
  if (rule.kind === 'number') return value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : value;
  if (rule.kind === 'array' && Array.isArray(value)) return value.map((v) => decode(v, rule.items));
  if (rule.kind === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    const inner = rule.rules as Readonly<Record<string, OptionRule>>;
    // Defined, not assigned: `out["__proto__"] = v` (an own key after JSON.parse) would set the
    // copy's prototype, so its values were inherited and its unknown keys never reported.
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: decode(v, Object.hasOwn(inner, k) ? inner[k] : undefined), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** One option of a processor class, as data (see {@link describeOptions}). */
export interface OptionDescription {
  /** Option name, e.g. `"thresholdDb"`. */
  readonly name: string;
  /** `number`, `boolean`, `enum`, `array` or `object`. */
  readonly kind: OptionRule['kind'];
  /** The default value (`undefined` for options without one). */
  readonly default: unknown;
  /** For numbers: the bounds, with open ends marked, and the unit. */
  readonly range?: { readonly min: number; readonly max: number; readonly minOpen: boolean; readonly maxOpen: boolean; readonly unit: string };
  /** For numbers: the range as text, e.g. `[-60, 0] dB`. */
  readonly rangeText?: string;
  /** For enums: the allowed values. */
  readonly values?: readonly (string | number)[];
  /** The rule's own description, where it has one. */
  readonly description?: string;
  /** The full rule (nested rules for arrays and objects). */
  readonly rule: OptionRule;
}

/**
 * Every option of a processor class, in the order of its rule table: name, kind, default, range
 * and unit or allowed values. Plain data, for generated help texts and UI controls.
 *
 * @example
 * ```ts
 * import { Limiter, describeOptions } from 'masterbus';
 * for (const o of describeOptions(Limiter)) console.log(o.name, o.rangeText ?? o.values ?? o.kind, o.default);
 * // ceilingDb [-60, 0] dB -1 …
 * ```
 */
export function describeOptions<O extends object>(cls: DescribedClass<O>): OptionDescription[] {
  const rules = cls.rules as Readonly<Record<string, OptionRule>>;
  const defaults = cls.defaults as Readonly<Record<string, unknown>>;
  return Object.keys(rules).map((name) => {
    const rule = rules[name];
    const d: { -readonly [K in keyof OptionDescription]: OptionDescription[K] } = { name, kind: rule.kind, default: defaults[name], rule };
    if (rule.kind === 'number') {
      const r = rule.range;
      d.range = { min: r.min, max: r.max, minOpen: r.minOpen === true, maxOpen: r.maxOpen === true, unit: r.unit ?? '' };
      d.rangeText = formatRange(r);
    } else if (rule.kind === 'enum') d.values = rule.values;
    if (rule.description !== undefined) d.description = rule.description;
    return d;
  });
}

/** `{ type, params }` for `toJSON()`: the options through {@link paramsToJSON}. */
export function processorJSON(type: string, options: object): ProcessorJSON {
  return { type, params: paramsToJSON(options) };
}

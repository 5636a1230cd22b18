/**
 * JSON Schemas (draft 2020-12) of the library's JSON formats, generated from the same rule tables
 * that validate options, so the schema cannot drift from validation:
 *
 * - {@link processorSchema}: any processor preset, `processor.toJSON()` (as `processorFromJSON`
 *   reads it), with containers ({@link Chain}, `MidSide`, `Parallel`) nested through `$defs` / `$ref`;
 * - {@link mixerSessionSchema}: a {@link Mixer} session, `mixer.toJSON()` (as `Mixer.fromJSON`
 *   reads it), its inserts checked by the processor schema.
 *
 * The published copies are `docs/schema/processor.schema.json` and
 * `docs/schema/mixer-session.schema.json` (`npm run schemas` writes them; a test checks they are
 * current). A schema accepts exactly what the loader accepts (checked by a property test against
 * an independent validator), except for conditions JSON Schema cannot state, which the loader
 * alone checks:
 *
 * - conditions between two values: a Chorus's `depthMs` ≤ `baseDelayMs` − 0.5 ms (defaults
 *   included), a Chain's `bypassed` no longer than its `processors`, a MultibandCompressor's
 *   crossovers ascending a third of an octave apart and its `bands` one per band (or none);
 * - containers nested deeper than `MAX_JSON_NESTING` levels;
 * - a MidSide path whose processor cannot run on one channel (a StereoWidener);
 * - in a session's automation: that each path names an automatable parameter (for an insert
 *   option: the slot exists and its processor can automate that option), events in time order,
 *   values in that parameter's range, exponential ramps between non-zero values of one sign;
 * - in a session: unique track and bus names, `output` and `sends[].bus` naming existing buses, a
 *   bus feeding itself or a routing cycle, and name lengths (the loader counts UTF-16 code units,
 *   JSON Schema counts code points: they differ for characters outside the BMP);
 * - what only `prepare()` knows: a frequency below the sample rate's Nyquist, a LoudnessMeter's
 *   `channelWeights` / `dualMono` against the channel count, a stereo-only insert on a mono track.
 *
 * Like the loaders, the schemas ignore unknown keys beside `type` and `params` of a processor and
 * beside `type`, `version` and `session` of a session, and in the session object itself; unknown
 * option names are errors everywhere else.
 *
 * Isomorphic: no Node modules; the schemas are plain JSON values (no `Infinity`, no `undefined`).
 *
 * @module
 */
import { MAX_AUTOMATION_EVENTS } from './core/automation.js';
import { paramsToJSON } from './core/json.js';
import { formatRange, type NumberRange, type OptionRule, type OptionRules } from './core/validate.js';
import { Chain, MAX_CHAIN_LENGTH } from './chains/chain.js';
import { FADER_RANGE, MAX_NAME_LENGTH, MAX_TRACKS, MIXER_PAN_LAWS, MIXER_SESSION_VERSION, Mixer, PAN_RANGE, TRIM_RANGE } from './chains/mixer.js';
import { PROCESSOR_CLASSES, type ProcessorClass } from './registry.js';

/** A JSON Schema: a plain JSON object. */
export type JsonSchema = { [keyword: string]: unknown };

/** The JSON Schema dialect of the generated schemas. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where the published schemas live (their `$id` base). */
export const SCHEMA_BASE_URL = 'https://raw.githubusercontent.com/masterbus/masterbus/main/docs/schema/';

/** Options of {@link processorSchema} and {@link mixerSessionSchema}. */
export interface SchemaOptions {
  /** The schema's `$id`; defaults to the published file's address under {@link SCHEMA_BASE_URL}. */
  readonly id?: string;
}

/** `$defs` name of the union of all processor presets. */
const PROCESSOR_DEF = 'ProcessorJSON';
/** `$defs` names of the session's parts. */
const SESSION_DEFS = { session: 'MixerSession', track: 'MixerTrack', bus: 'MixerBus', send: 'MixerSend', master: 'MixerMaster' } as const;
const RESERVED = new Set<string>([PROCESSOR_DEF, ...Object.values(SESSION_DEFS)]);

/** A `$ref` to `$defs/name` (JSON Pointer escaping, RFC 6901 §3, then URI fragment encoding, RFC 3986). */
function ref(name: string): JsonSchema {
  return { $ref: `#/$defs/${encodeURIComponent(name.replace(/~/g, '~0').replace(/\//g, '~1'))}` };
}

/** JSON Schema `type` of a value that may also be `null`. */
function typeOf(type: string, nullable: boolean | undefined): string | string[] {
  return nullable ? [type, 'null'] : type;
}

/** A rule's description, with the range and unit of a number appended (editors show it on hover). */
function describe(rule: OptionRule): string | undefined {
  if (rule.kind !== 'number') return rule.description;
  const range = `${rule.integer ? 'an integer in' : 'in'} ${formatRange(rule.range)}`;
  return rule.description === undefined ? range.charAt(0).toUpperCase() + range.slice(1) : `${rule.description}; ${range}`;
}

/**
 * The bounds of a number rule: `minimum` / `maximum`, or `exclusiveMinimum` / `exclusiveMaximum`
 * for open ends; infinite ends need no bound (JSON has no infinite numbers).
 */
function bounds(r: NumberRange): JsonSchema {
  const s: JsonSchema = {};
  if (Number.isFinite(r.min)) s[r.minOpen ? 'exclusiveMinimum' : 'minimum'] = r.min;
  if (Number.isFinite(r.max)) s[r.maxOpen ? 'exclusiveMaximum' : 'maximum'] = r.max;
  return s;
}

/**
 * The JSON Schema of one option rule (see `checkOption` in core/validate.ts), as its values appear
 * in JSON: a number rule whose range includes ±∞ also accepts the strings `"Infinity"` /
 * `"-Infinity"` (how `paramsToJSON` writes them); `nullable` adds `null`; arrays and nested
 * option bags recurse, nested bags rejecting unknown keys.
 */
export function ruleSchema(rule: OptionRule): JsonSchema {
  const s: JsonSchema = {};
  const description = describe(rule);
  if (description !== undefined) s.description = description;
  switch (rule.kind) {
    case 'number': {
      const r = rule.range;
      const type = rule.integer ? 'integer' : 'number';
      // Number.isInteger(±Infinity) is false: an integer rule never accepts an infinity.
      const words: string[] = [];
      if (!rule.integer && r.min === -Infinity && !r.minOpen) words.push('-Infinity');
      if (!rule.integer && r.max === Infinity && !r.maxOpen) words.push('Infinity');
      if (words.length === 0) return { ...s, type: typeOf(type, rule.nullable), ...bounds(r) };
      const anyOf: JsonSchema[] = [{ type, ...bounds(r) }, ...words.map((w) => ({ const: w }))];
      if (rule.nullable) anyOf.push({ type: 'null' });
      return { ...s, anyOf };
    }
    case 'boolean':
      return { ...s, type: typeOf('boolean', rule.nullable) };
    case 'enum':
      return { ...s, enum: rule.nullable ? [...rule.values, null] : [...rule.values] };
    case 'array': {
      const a: JsonSchema = { ...s, type: typeOf('array', rule.nullable) };
      if (rule.minLength !== undefined) a.minItems = rule.minLength;
      if (rule.maxLength !== undefined) a.maxItems = rule.maxLength;
      a.items = ruleSchema(rule.items);
      return a;
    }
    case 'object':
      return { ...s, ...bagSchema(rule.rules, undefined, rule.nullable) };
  }
}

/** An options bag: one property per rule (with its default, if given), no other keys. */
function bagSchema(rules: OptionRules, defaults: Readonly<Record<string, unknown>> | undefined, nullable: boolean | undefined): JsonSchema {
  const table = rules as Readonly<Record<string, OptionRule>>;
  const properties: Record<string, JsonSchema> = {};
  for (const name of Object.keys(table)) {
    const p = ruleSchema(table[name]);
    if (defaults !== undefined && defaults[name] !== undefined) p.default = paramsToJSON({ v: defaults[name] }).v;
    properties[name] = p;
  }
  return { type: typeOf('object', nullable), properties, additionalProperties: false };
}

/** A class with a rule table and defaults (every processor class of the library but {@link Chain}). */
interface RuledClass {
  readonly type: string;
  readonly rules: OptionRules;
  readonly defaults: Readonly<Record<string, unknown>>;
}

function hasRules(cls: ProcessorClass): cls is ProcessorClass & RuledClass {
  const c = cls as Partial<RuledClass>;
  return c.rules !== null && typeof c.rules === 'object' && c.defaults !== null && typeof c.defaults === 'object';
}

/** A processor held by a container's preset, beside its options (see `MidSide.fromJSON`, `Parallel.fromJSON`). */
interface ChildSlot {
  readonly description: string;
  /** Must be present and not null (else: absent or null means none). */
  readonly required: boolean;
}

/** The containers with option tables that also hold processors in their params, by type name. */
const CHILD_SLOTS: Readonly<Record<string, Readonly<Record<string, ChildSlot>>>> = {
  MidSide: {
    mid: { description: 'The processor on the mid path (one channel); absent or null: none', required: false },
    side: { description: 'The processor on the side path (one channel); absent or null: none', required: false },
  },
  Parallel: { wet: { description: 'The wet processor (its latency is compensated on the dry path)', required: true } },
};

/** The schema of one class's preset `{ type, params }` (see `paramsFromJSON`, `Chain.fromJSON`). */
function classSchema(cls: ProcessorClass): JsonSchema {
  const type = cls.type;
  const head = { title: type, type: 'object' };
  if (cls === (Chain as unknown as ProcessorClass)) {
    return {
      ...head,
      description: 'A Chain preset, as written by Chain.toJSON(): its processors in order, and which slots are bypassed.',
      required: ['type', 'params'],
      properties: {
        type: { const: type },
        params: {
          type: 'object',
          properties: {
            processors: {
              description: `The slots, in processing order (at most ${MAX_CHAIN_LENGTH})`,
              type: ['array', 'null'],
              maxItems: MAX_CHAIN_LENGTH,
              items: ref(PROCESSOR_DEF),
              default: [],
            },
            bypassed: {
              description: 'Per slot: whether it is bypassed (cross-faded out, its latency kept); missing entries are false. No longer than processors.',
              type: 'array',
              maxItems: MAX_CHAIN_LENGTH,
              items: { type: 'boolean' },
              default: [],
            },
          },
          additionalProperties: false,
        },
      },
    };
  }
  if (!hasRules(cls)) {
    // A class without a rule table: its params are whatever its fromJSON accepts.
    return {
      ...head,
      description: `A ${type} preset (the class has no rule table: params are not described).`,
      required: ['type'],
      properties: { type: { const: type }, params: { type: ['object', 'null'] } },
    };
  }
  const children = Object.hasOwn(CHILD_SLOTS, type) ? CHILD_SLOTS[type] : undefined;
  if (children !== undefined) {
    const params = bagSchema(cls.rules, cls.defaults, false);
    const properties = params.properties as Record<string, JsonSchema>;
    const required: string[] = [];
    for (const [name, slot] of Object.entries(children)) {
      properties[name] = slot.required ? { description: slot.description, ...ref(PROCESSOR_DEF) } : { description: slot.description, anyOf: [ref(PROCESSOR_DEF), { type: 'null' }] };
      if (slot.required) required.push(name);
    }
    if (required.length > 0) params.required = required;
    return {
      ...head,
      description: `A ${type} preset, as written by ${type}.toJSON(): the processors it holds and its options. Omitted options take their defaults.`,
      required: required.length > 0 ? ['type', 'params'] : ['type'],
      properties: { type: { const: type }, params: required.length > 0 ? params : { ...params, type: ['object', 'null'] } },
    };
  }
  return {
    ...head,
    description: `A ${type} preset, as written by ${type}.toJSON(). Omitted options take their defaults.`,
    required: ['type'],
    properties: { type: { const: type }, params: bagSchema(cls.rules, cls.defaults, true) },
  };
}

/** `$defs` of every class in `classes`, and their union. */
function processorDefs(classes: Readonly<Record<string, ProcessorClass>>): Record<string, JsonSchema> {
  const defs: Record<string, JsonSchema> = {};
  const names = Object.keys(classes);
  for (const name of names) {
    const cls = classes[name];
    if (cls.type !== name) throw new TypeError(`processorSchema: classes[${JSON.stringify(name)}] has type ${JSON.stringify(cls.type)}; the keys must be the type names`);
    if (RESERVED.has(name)) throw new RangeError(`processorSchema: the type name ${JSON.stringify(name)} is reserved for the schema's own definitions`);
  }
  defs[PROCESSOR_DEF] = {
    description: `A processor preset: { type, params }, one of ${names.join(', ')}.`,
    type: 'object',
    required: ['type'],
    properties: { type: { enum: names } },
    oneOf: names.map(ref),
  };
  for (const name of names) defs[name] = classSchema(classes[name]);
  return defs;
}

/**
 * A JSON Schema (draft 2020-12) of every processor preset in `classes`: what `toJSON()` writes
 * and `processorFromJSON` reads, one `oneOf` branch per `type`, each `params` with one property
 * per option (range, unit and description in the text, default) and no others. Generated from
 * the classes' rule tables; {@link Chain} presets nest through `$ref`.
 *
 * @example
 * ```ts
 * import { processorSchema } from 'masterbus';
 * const schema = processorSchema();
 * const compressor = (schema.$defs as Record<string, any>).Compressor;
 * console.log(compressor.properties.params.properties.ratio);
 * // { description: 'In [1, Infinity]', anyOf: [{ type: 'number', minimum: 1 }, { const: 'Infinity' }], default: 4 }
 * ```
 */
export function processorSchema(classes: Readonly<Record<string, ProcessorClass>> = PROCESSOR_CLASSES, options: SchemaOptions = {}): JsonSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: options.id ?? `${SCHEMA_BASE_URL}processor.schema.json`,
    title: 'masterbus processor preset',
    description: 'A processor preset as written by processor.toJSON() and read by processorFromJSON(). Numbers whose range includes infinity may be the strings "Infinity" / "-Infinity".',
    $ref: ref(PROCESSOR_DEF).$ref,
    $defs: processorDefs(classes),
  };
}

/** A number in `range` with a default, described by `text`. */
function numberProperty(text: string, range: NumberRange, def: number): JsonSchema {
  return { description: `${text}; in ${formatRange(range)}`, type: 'number', ...bounds(range), default: def };
}

/** A list of inserts (at most a Chain's length). */
function insertsProperty(): JsonSchema {
  const max = Math.min(MAX_TRACKS, MAX_CHAIN_LENGTH);
  return { description: `Insert processors, in order (at most ${max})`, type: ['array', 'null'], maxItems: max, items: ref(PROCESSOR_DEF), default: [] };
}

/** A track or bus name. */
function nameProperty(): JsonSchema {
  return {
    description: `Unique among tracks and buses; "master" is taken; no "." (automation paths use it) (at most ${MAX_NAME_LENGTH} UTF-16 code units)`,
    type: 'string',
    pattern: '^[^.]*$',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    not: { const: 'master' },
  };
}

/** Where a track or bus goes. */
function outputProperty(): JsonSchema {
  return { description: '"master" or the name of a bus', type: 'string', default: 'master' };
}

/** `$defs` of the session's parts (see `Mixer.fromJSON` and the Mixer's option checks). */
function sessionDefs(): Record<string, JsonSchema> {
  const bool = (description: string): JsonSchema => ({ description, type: 'boolean', default: false });
  const list = (item: string, description: string): JsonSchema => ({ description, type: ['array', 'null'], maxItems: MAX_TRACKS, items: ref(item), default: [] });
  return {
    [SESSION_DEFS.session]: {
      description: 'The session: tracks, buses and the master bus.',
      type: 'object',
      properties: {
        tracks: list(SESSION_DEFS.track, `The tracks (at most ${MAX_TRACKS})`),
        buses: list(SESSION_DEFS.bus, `Aux and group buses (at most ${MAX_TRACKS})`),
        master: ref(SESSION_DEFS.master),
        meters: { description: 'Meter every strip and the master', type: 'boolean', default: true },
        automation: {
          description: 'Automation events by parameter path (tracks.<name>.faderDb | pan | mute | sends.<k>.levelDb | inserts.<slot>.<option>; buses.<name>.faderDb | pan | mute | inserts.<slot>.<option>; master.faderDb | inserts.<slot>.<option>), in time order',
          type: 'object',
          additionalProperties: {
            type: 'array',
            maxItems: MAX_AUTOMATION_EVENTS,
            items: {
              type: 'object',
              required: ['kind', 'value', 'frame'],
              properties: {
                kind: { enum: ['set', 'linear', 'exponential', 'target'] },
                value: { type: 'number' },
                frame: { type: 'number', minimum: 0 },
                timeConstant: { type: 'number', exclusiveMinimum: 0 },
              },
              additionalProperties: false,
              // A setTarget event needs its time constant.
              if: { properties: { kind: { const: 'target' } } },
              then: { required: ['timeConstant'], properties: { timeConstant: { type: 'number', exclusiveMinimum: 0 } } },
            },
          },
        },
      },
    },
    [SESSION_DEFS.track]: {
      description: 'A track: trim and polarity, inserts, sends, fader, pan, mute and solo.',
      type: 'object',
      required: ['name'],
      properties: {
        name: nameProperty(),
        channels: { description: 'Input channels: 1 (mono, placed by pan) or 2 (stereo, balanced by pan)', enum: [1, 2], default: 2 },
        trimDb: numberProperty('Input gain', TRIM_RANGE, 0),
        invertPolarity: bool('Invert the polarity'),
        inserts: insertsProperty(),
        faderDb: numberProperty(`Fader (${FADER_RANGE.min} is silence)`, FADER_RANGE, 0),
        pan: numberProperty('Pan (mono) or balance (stereo)', PAN_RANGE, 0),
        panLaw: { description: 'Pan law of a mono track (centre attenuation)', enum: [...MIXER_PAN_LAWS], default: '-3dB' },
        mute: bool('Mute'),
        solo: bool('Solo (in place)'),
        output: outputProperty(),
        sends: list(SESSION_DEFS.send, `Sends to aux buses (at most ${MAX_TRACKS})`),
      },
      additionalProperties: false,
    },
    [SESSION_DEFS.send]: {
      description: 'A send from a track to a bus.',
      type: 'object',
      required: ['bus'],
      properties: {
        bus: { description: 'Name of the bus it feeds (not "master")', type: 'string', not: { const: 'master' } },
        levelDb: numberProperty('Send level', FADER_RANGE, 0),
        preFader: bool('Taken before the fader (true) or after fader and pan (false)'),
      },
      additionalProperties: false,
    },
    [SESSION_DEFS.bus]: {
      description: 'An aux or group bus: inserts, fader, balance, mute, solo and solo-safe.',
      type: 'object',
      required: ['name'],
      properties: {
        name: nameProperty(),
        inserts: insertsProperty(),
        faderDb: numberProperty(`Fader (${FADER_RANGE.min} is silence)`, FADER_RANGE, 0),
        pan: numberProperty('Balance', PAN_RANGE, 0),
        mute: bool('Mute'),
        solo: bool('Solo (in place)'),
        soloSafe: bool('Stays audible while other things are soloed (reverb returns)'),
        output: outputProperty(),
      },
      additionalProperties: false,
    },
    [SESSION_DEFS.master]: {
      description: 'The master bus.',
      type: ['object', 'null'],
      properties: {
        inserts: insertsProperty(),
        faderDb: numberProperty(`Fader (${FADER_RANGE.min} is silence)`, FADER_RANGE, 0),
      },
      additionalProperties: false,
    },
  };
}

/**
 * A JSON Schema (draft 2020-12) of a {@link Mixer} session as `mixer.toJSON()` writes it and
 * `Mixer.fromJSON` reads it: `{ type: "Mixer", version: 1, session: { tracks, buses, master } }`,
 * every insert checked by the processor schema of `classes` (see {@link processorSchema}).
 * Self-contained: the processor definitions are copied into its `$defs`.
 *
 * @example
 * ```ts
 * import { Mixer, mixerSessionSchema } from 'masterbus';
 * const schema = mixerSessionSchema();
 * console.log((schema.properties as Record<string, unknown>).version); // { description: 'Version of the session format', const: 1 }
 * const saved = JSON.stringify(new Mixer({ tracks: [{ name: 'vocal' }] }).toJSON()); // validates against `schema`
 * ```
 */
export function mixerSessionSchema(classes: Readonly<Record<string, ProcessorClass>> = PROCESSOR_CLASSES, options: SchemaOptions = {}): JsonSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: options.id ?? `${SCHEMA_BASE_URL}mixer-session.schema.json`,
    title: 'masterbus mixer session',
    description: 'A mixer session as written by mixer.toJSON() and read by Mixer.fromJSON().',
    type: 'object',
    required: ['type', 'version', 'session'],
    properties: {
      type: { const: Mixer.type },
      version: { description: 'Version of the session format', const: MIXER_SESSION_VERSION },
      session: ref(SESSION_DEFS.session),
    },
    $defs: { ...processorDefs(classes), ...sessionDefs() },
  };
}

/** The published schemas by file name (under `docs/schema/`), as `npm run schemas` writes them. */
export function publishedSchemas(): Record<string, JsonSchema> {
  return { 'processor.schema.json': processorSchema(), 'mixer-session.schema.json': mixerSessionSchema() };
}

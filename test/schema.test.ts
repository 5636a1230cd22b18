/**
 * The JSON Schemas of presets and sessions (src/schema.ts), checked with an independent validator
 * (Ajv, draft 2020-12, strict mode) against the loaders they describe:
 *
 * - the published files docs/schema/*.schema.json are the generated ones (else: `npm run schemas`);
 * - every class's `toJSON()` (defaults and configured), nested Chains and Mixer sessions validate;
 * - hand-written hostile presets are rejected by both the schema and the loader;
 * - a property test: for random mutations of valid presets and sessions, the schema accepts
 *   exactly when the loader (`processorFromJSON`, `Mixer.fromJSON`) does, except for the
 *   conditions JSON Schema cannot state, listed in {@link CROSS_FIELD} by the loader's message.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MasteringChain,
  BiquadFilter,
  Chain,
  Chorus,
  Compressor,
  Delay,
  Dither,
  Gate,
  Convolver,
  Limiter,
  MultibandCompressor,
  LoudnessMeter,
  MAX_CHAIN_LENGTH,
  MidSide,
  Parallel,
  MAX_JSON_NESTING,
  Mixer,
  PROCESSOR_CLASSES,
  Panner,
  Phaser,
  ParametricEQ,
  Reverb,
  Saturator,
  StereoWidener,
  mixerSessionSchema,
  processorFromJSON,
  processorSchema,
  publishedSchemas,
  type OptionRule,
  type Processor,
  type ProcessorJSON,
} from '../src/index.js';
import { runs } from './support/signals.js';

const SCHEMA_DIR = fileURLToPath(new URL('../docs/schema/', import.meta.url));

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false });
const validateProcessor = ajv.compile(processorSchema());
const validateSession = ajv.compile(mixerSessionSchema());

/** `x` as it comes back from a file: JSON has no NaN, no ±Infinity, no holes, no undefined. */
const viaJSON = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The loader's error, or undefined if it accepts `x`. */
function loaderError(load: () => unknown): Error | undefined {
  try {
    load();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}
const loadProcessor = (x: unknown) => loaderError(() => processorFromJSON(x as ProcessorJSON));
const loadSession = (x: unknown) => loaderError(() => Mixer.fromJSON(x, processorFromJSON));

describe('published schema files', () => {
  it('docs/schema/*.schema.json are the generated schemas (run `npm run schemas` after changing a rule table)', () => {
    const generated = publishedSchemas();
    expect(readdirSync(SCHEMA_DIR).sort(), 'docs/schema/ holds exactly the published schemas (run `npm run schemas`)').toEqual(Object.keys(generated).sort());
    for (const [file, schema] of Object.entries(generated)) {
      const committed = readFileSync(SCHEMA_DIR + file, 'utf8');
      if (committed !== `${JSON.stringify(schema, null, 2)}\n`) {
        expect.fail(`docs/schema/${file} is out of date with the rule tables: run \`npm run schemas\` and commit the result`);
      }
    }
  });

  it('are valid draft 2020-12 schemas (Ajv strict mode: no unknown keywords, no ambiguous types)', () => {
    for (const [file, schema] of Object.entries(publishedSchemas())) {
      expect(ajv.validateSchema(schema), `${file}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('have no NaN, no infinities, no undefined (they are plain JSON)', () => {
    for (const schema of Object.values(publishedSchemas())) expect(viaJSON(schema)).toStrictEqual(schema);
  });
});

/** Configured instances of every class (keys must match the registry: a new class needs cases here). */
const CONFIGURED: Record<string, () => Processor[]> = {
  BiquadFilter: () => [
    new BiquadFilter({ type: 'lowpass', frequencyHz: 5000, q: 0.5 }),
    new BiquadFilter({ type: 'linkwitz-riley-highpass', frequencyHz: 80, rolloffDbPerOctave: 48, bypass: true, smoothingMs: 0 }),
    new BiquadFilter({ type: 'highshelf', frequencyHz: 191_999, gainDb: -48, shelfSlope: 0.01 }),
  ],
  ParametricEQ: () => [
    new ParametricEQ({ bands: [{ type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 }, { type: 'peaking', frequencyHz: 300, gainDb: -3, q: 2 }], outputGainDb: -1 }),
    new ParametricEQ({ bands: Array.from({ length: 64 }, (_, i) => ({ frequencyHz: 20 + i * 100, gainDb: (i % 7) - 3 })), smoothingMs: 1000 }),
  ],
  LoudnessMeter: () => [
    new LoudnessMeter({ channelWeights: [1, 1, 1, 0, 1.41, 1.41], truePeak: false, historySeconds: 0 }),
    new LoudnessMeter({ dualMono: true, historySeconds: 86_400, channelWeights: null }),
  ],
  Compressor: () => [
    new Compressor({ ratio: Infinity, thresholdDb: -30, kneeDb: 0, detector: 'rms', rmsWindowMs: 300, lookaheadMs: 20 }),
    new Compressor({ ratio: 1, autoMakeup: true, mix: 0.25, stereoLink: 0, sidechainHighpassHz: 2000, makeupDb: -24 }),
  ],
  Gate: () => [
    new Gate({ ratio: 2, thresholdDb: -100, rangeDb: 120, hysteresisDb: 40, holdMs: 2000, peakWindowMs: 0, lookaheadMs: 20, keyListen: true }),
    new Gate({ keyHighpassHz: 20000, keyLowpassHz: 20, attackMs: 0, releaseMs: 10000, smoothingMs: 0 }),
  ],
  MultibandCompressor: () => [
    new MultibandCompressor({ crossoversHz: [21, 100, 1000, 10000], rolloffDbPerOctave: 48, bands: [{ ratio: Infinity, solo: true }, { bypass: true, outputGainDb: -24 }, { detector: 'rms', lookaheadMs: 20 }, {}, { outputGainDb: 24, autoMakeup: true }], smoothingMs: 0 }),
    new MultibandCompressor({ crossoversHz: [500] }),
  ],
  Limiter: () => [new Limiter({ ceilingDb: -0.1, mode: 'sample-peak', lookaheadMs: 0.5, autoRelease: true }), new Limiter({ ceilingDb: -60, driveDb: 48, releaseMs: 5000 })],
  Panner: () => [new Panner({ pan: -1, law: '-4.5dB', input: 'stereo' }), new Panner({ pan: 1, law: '0dB' })],
  StereoWidener: () => [new StereoWidener({ width: 2, bassMonoHz: 500, midGainDb: -24, sideGainDb: 24 }), new StereoWidener({ width: 0 })],
  Saturator: () => [new Saturator({ curve: 'tube', driveDb: 48, oversampling: 1, autoGain: true }), new Saturator({ oversamplingFilter: 'linear-phase', mix: 0, trimDb: -48 })],
  Convolver: () => [
    new Convolver({ impulseResponse: [new Float32Array([1, 0.5, -0.25, 0.125])], normalize: 'energy', preDelayMs: 12.5, mix: 0.4, wetGainDb: -6 }),
    new Convolver({ impulseResponse: [[0.5, 0.1], [0.4, 0.2], [0.1, 0], [0.3, -0.1]], irSampleRate: 44100, crossfadeMs: 0, embedLimit: 100 }),
  ],
  Chorus: () => [new Chorus({ voices: 8, rateHz: 20, depthMs: 10, baseDelayMs: 40, feedback: -0.95, spread: 1 }), new Chorus({ voices: 1, depthMs: 0, baseDelayMs: 1 })],
  Delay: () => [new Delay({ mode: 'ping-pong', note: '1/8t', bpm: 400, feedback: -0.99, modDepthMs: 10, timeChange: 'glide' }), new Delay({ mode: 'mono', timeMs: 4000, lowCutHz: 2000, highCutHz: 500, mix: 1 })],
  Phaser: () => [new Phaser({ stages: 24, lfoShape: 'triangle', syncNote: '1/16t', bpm: 200, feedback: -0.95, stereoPhaseDeg: 180 }), new Phaser({ stages: 2, centerHz: 5000, sweepOctaves: 0, depth: 0, mix: 0, rateHz: 0.01 })],
  Reverb: () => [new Reverb({ decaySeconds: 20, lowDecayRatio: 4, highDecayRatio: 0.1, size: 2, preDelayMs: 500, mix: 1 }), new Reverb({ decaySeconds: 0.2, size: 0.25, diffusion: 0, width: 0, smoothingMs: 0 })],
  Dither: () => [new Dither({ bits: 24, mode: 'shaped', seed: 4294967295 }), new Dither({ bits: 8, mode: 'none' })],
  Chain: () => {
    const inner = new Chain([new Compressor({ ratio: Infinity }), new Limiter()], { bypassed: [true] });
    return [new Chain(), new Chain([new BiquadFilter(), inner, new Panner()], { bypassed: [false, true, false] }), new Chain([new Chain([new Chain([new Saturator()])])])];
  },
  MidSide: () => [
    new MidSide(),
    new MidSide({ mid: new Compressor({ ratio: 2 }) }, { sideBypassed: true }),
    new MidSide({ mid: new Chain([new BiquadFilter(), new Limiter()]), side: new ParametricEQ() }, { midBypassed: true }),
  ],
  Parallel: () => [
    new Parallel(new Compressor({ ratio: Infinity, thresholdDb: -40 }), { mix: 0.3, dryGainDb: -Infinity }),
    new Parallel(new MidSide({ side: new Parallel(new Saturator()) }), { wetGainDb: 24, smoothingMs: 0 }),
  ],
  MasteringChain: () => [
    new MasteringChain({ eq: null, compressor: null, limiter: null, meters: false }),
    new MasteringChain({
      eq: { midSide: true, bands: [{ type: 'lowshelf', frequencyHz: 90, gainDb: 1 }], sideBands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 2 }], outputGainDb: -1 },
      compressor: { ratio: Infinity, thresholdDb: -30 },
      saturator: { curve: 'tube', oversampling: 8 },
      widener: { width: 1.3, bassMonoHz: 150 },
      limiter: { ceilingDb: -2, mode: 'sample-peak' },
    }),
  ],
};

/** Every valid preset of the tests: each class's default and configured instances, as JSON. */
function validPresets(): ProcessorJSON[] {
  const out: ProcessorJSON[] = [];
  for (const [type, cls] of Object.entries(PROCESSOR_CLASSES)) {
    if (type !== 'Parallel') out.push(viaJSON(type === 'Chain' ? new Chain().toJSON() : new (cls as unknown as new () => Processor)().toJSON()));
    for (const p of CONFIGURED[type]()) out.push(viaJSON(p.toJSON()));
  }
  return out;
}

/** Sessions like test/chains/mixer.test.ts's. */
function validSessions(): unknown[] {
  const realistic = new Mixer({
    tracks: [
      { name: 'vox', channels: 1, trimDb: 3, inserts: [new ParametricEQ({ bands: [{ type: 'highpass', frequencyHz: 90 }] }), new Compressor({ ratio: 3 })], pan: -0.1, sends: [{ bus: 'verb', levelDb: -12 }] },
      { name: 'keys', inserts: [new Saturator({ driveDb: 3 })], faderDb: -4, panLaw: '-6dB', output: 'group' },
      { name: 'bass', channels: 1, invertPolarity: true, mute: true, sends: [{ bus: 'verb', levelDb: -120, preFader: true }] },
      { name: 'pad', solo: true, faderDb: -120, pan: 1 },
    ],
    buses: [
      { name: 'verb', inserts: [new Chorus()], soloSafe: true, faderDb: 12 },
      { name: 'group', inserts: [new Compressor({ thresholdDb: 0, lookaheadMs: 1 })], output: 'master', pan: -1, solo: true },
    ],
    master: { inserts: [new Limiter({ ceilingDb: -0.1 }), new Chain([new StereoWidener({ width: 1.2 })])], faderDb: -1 },
  });
  // Insert automation by path (tracks, buses and the master), beside a fader lane.
  realistic.automate('tracks.vox.inserts.1.thresholdDb').setValue(-20, 0).linearRamp(-30, 48000);
  realistic.automate('buses.group.inserts.0.ratio').setTarget(8, 1000, 500);
  realistic.automate('master.inserts.0.ceilingDb').exponentialRamp(-1, 96000);
  realistic.automate('tracks.keys.faderDb').setValue(-4, 0).linearRamp(-8, 48000);
  return [new Mixer({ tracks: [] }), new Mixer({ tracks: [{ name: 'a' }] }), realistic].map((m) => viaJSON(m.toJSON()));
}

describe('valid presets and sessions validate', () => {
  it('has configured cases for every registered class', () => {
    expect(Object.keys(CONFIGURED).sort()).toEqual(Object.keys(PROCESSOR_CLASSES).sort());
  });

  it("every class's toJSON() of default and configured instances, and nested Chains", () => {
    const presets = validPresets();
    expect(presets.length).toBeGreaterThan(25);
    for (const p of presets) {
      expect(loadProcessor(p), JSON.stringify(p)).toBeUndefined();
      expect(validateProcessor(p), `${JSON.stringify(p).slice(0, 300)}: ${ajv.errorsText(validateProcessor.errors)}`).toBe(true);
    }
  });

  it('the committed example session (examples/francium.session.json), as written by hand and as saved again', () => {
    const file = JSON.parse(readFileSync(new URL('../examples/francium.session.json', import.meta.url), 'utf8'));
    for (const s of [file, viaJSON(Mixer.fromJSON(file, processorFromJSON).toJSON())]) {
      expect(loadSession(s)).toBeUndefined();
      expect(validateSession(s), ajv.errorsText(validateSession.errors)).toBe(true);
    }
  });

  it('a chain nested MAX_JSON_NESTING deep', () => {
    let p: Processor = new Limiter();
    for (let i = 0; i < MAX_JSON_NESTING; i++) p = new Chain([p]);
    expect(validateProcessor(viaJSON(p.toJSON()))).toBe(true);
  });

  it('Mixer sessions (empty, minimal, a realistic mix with buses, sends, solo and inserts)', () => {
    for (const s of validSessions()) {
      expect(loadSession(s)).toBeUndefined();
      expect(validateSession(s), ajv.errorsText(validateSession.errors)).toBe(true);
    }
  });

  it('the schema defaults are what toJSON() writes for an unconfigured processor, track, bus and master', () => {
    const defs = processorSchema().$defs as Record<string, { properties: { params: { properties?: Record<string, { default?: unknown }> } } }>;
    for (const [type, cls] of Object.entries(PROCESSOR_CLASSES)) {
      // A Parallel needs its wet processor (no default instance): its children have no default either.
      const json = viaJSON(type === 'Chain' ? new Chain().toJSON() : type === 'Parallel' ? new Parallel(new Panner()).toJSON() : new (cls as unknown as new () => Processor)().toJSON());
      const props = defs[type].properties.params.properties ?? {};
      expect(Object.keys(props).sort(), type).toEqual(Object.keys(json.params).sort());
      for (const [name, p] of Object.entries(props)) if (!['mid', 'side', 'wet'].includes(name) || type === 'Chain') expect(p.default, `${type}.${name}`).toEqual((json.params as Record<string, unknown>)[name]);
    }
    const session = viaJSON(new Mixer({ tracks: [{ name: 't' }], buses: [{ name: 'b' }] }).toJSON()).session as Record<string, Record<string, unknown>[]>;
    const sdefs = mixerSessionSchema().$defs as Record<string, { properties: Record<string, { default?: unknown }> }>;
    const check = (def: string, value: Record<string, unknown>) => {
      for (const [name, p] of Object.entries(sdefs[def].properties)) if (name !== 'name') expect(p.default, `${def}.${name}`).toEqual(value[name]);
      expect(Object.keys(sdefs[def].properties).sort(), def).toEqual(Object.keys(value).sort());
    };
    check('MixerTrack', session.tracks[0]);
    check('MixerBus', session.buses[0]);
    check('MixerMaster', session.master as unknown as Record<string, unknown>);
  });
});

describe('hostile presets: rejected by the schema and by the loader alike', () => {
  const hole = [1, 1];
  delete (hole as unknown as Record<number, unknown>)[0];
  const rejected: [string, unknown][] = [
    ['not an object', 'Compressor'],
    ['an array', [{ type: 'Compressor' }]],
    ['null', null],
    ['unknown type', { type: 'Flanger', params: {} }],
    ['a type from the prototype chain', { type: 'toString', params: {} }],
    ['no type', { params: { ratio: 2 } }],
    ['unknown option (a typo)', { type: 'Limiter', params: { ceilingDB: -1 } }],
    ['unknown option in a nested band', { type: 'ParametricEQ', params: { bands: [{ frequencyHz: 100, gain: 3 }] } }],
    ['out of range', { type: 'Limiter', params: { ceilingDb: 3 } }],
    ['open end reached', { type: 'BiquadFilter', params: { frequencyHz: 0 } }],
    ['open end reached (top)', { type: 'BiquadFilter', params: { frequencyHz: 192_000 } }],
    ['out of range in a band', { type: 'ParametricEQ', params: { bands: [{ gainDb: 49 }] } }],
    ['NaN written by JSON.stringify (null)', viaJSON({ type: 'Compressor', params: { thresholdDb: NaN } })],
    ['Infinity written by JSON.stringify (null)', viaJSON({ type: 'Compressor', params: { ratio: Infinity } })],
    ['"Infinity" where the range is finite', { type: 'Limiter', params: { ceilingDb: '-Infinity' } }],
    ['"infinity" (not the spelling paramsToJSON writes)', { type: 'Compressor', params: { ratio: 'infinity' } }],
    ['"-Infinity" below a range starting at 1', { type: 'Compressor', params: { ratio: '-Infinity' } }],
    ['a string for a number', { type: 'Compressor', params: { thresholdDb: '-18' } }],
    ['a boolean for a number', { type: 'Panner', params: { pan: true } }],
    ['a number for a boolean', { type: 'Compressor', params: { autoMakeup: 1 } }],
    ['wrong enum value', { type: 'Compressor', params: { detector: 'RMS' } }],
    ['a string for a numeric enum', { type: 'Saturator', params: { oversampling: '4' } }],
    ['null for a non-nullable enum', { type: 'Limiter', params: { mode: null } }],
    ['null in an array', { type: 'LoudnessMeter', params: { channelWeights: [1, null] } }],
    ['a hole in an array', { type: 'LoudnessMeter', params: { channelWeights: hole } }],
    ['a null band', { type: 'ParametricEQ', params: { bands: [null] } }],
    ['an empty channelWeights', { type: 'LoudnessMeter', params: { channelWeights: [] } }],
    ['65 bands', { type: 'ParametricEQ', params: { bands: Array.from({ length: 65 }, () => ({})) } }],
    ['params an array', { type: 'Limiter', params: [] }],
    ['params a string', { type: 'Limiter', params: 'x' }],
    ['a Chain without params', { type: 'Chain' }],
    ['a Chain with null params', { type: 'Chain', params: null }],
    ['a Chain with an unknown option', { type: 'Chain', params: { processors: [], bypass: [] } }],
    ['a null processor in a Chain', { type: 'Chain', params: { processors: [null] } }],
    ['a hostile preset deep in a Chain', { type: 'Chain', params: { processors: [{ type: 'Chain', params: { processors: [{ type: 'Limiter', params: { ceilingDb: 1 } }] } }] } }],
    ['a Chain of more than MAX_CHAIN_LENGTH', { type: 'Chain', params: { processors: Array.from({ length: MAX_CHAIN_LENGTH + 1 }, () => ({ type: 'Panner' })) } }],
    ['a non-boolean bypass', { type: 'Chain', params: { processors: [{ type: 'Panner' }], bypassed: [1] } }],
    ['null bypassed', { type: 'Chain', params: { processors: [], bypassed: null } }],
    ['a Parallel without params', { type: 'Parallel' }],
    ['a Parallel without its wet processor', { type: 'Parallel', params: { mix: 0.5 } }],
    ['a Parallel with a null wet processor', { type: 'Parallel', params: { wet: null } }],
    ['a Parallel with a hostile wet processor', { type: 'Parallel', params: { wet: { type: 'Limiter', params: { ceilingDb: 1 } } } }],
    ['a Parallel with mix out of range', { type: 'Parallel', params: { wet: { type: 'Panner' }, mix: 1.5 } }],
    ['a MidSide with an unknown key', { type: 'MidSide', params: { middle: { type: 'Panner' } } }],
    ['a MidSide with a string path', { type: 'MidSide', params: { mid: 'Compressor' } }],
    ['a MidSide with a numeric bypass', { type: 'MidSide', params: { midBypassed: 0 } }],
    ['a non-integer Chorus voice count', { type: 'Chorus', params: { voices: 2.5 } }],
    // JSON.parse makes "__proto__" an own key; copied with `out[k] = v` it would set the copy's
    // prototype instead, and the band would inherit gainDb 12 unchecked for unknown keys.
    ['a "__proto__" key in a nested band', JSON.parse('{"type":"ParametricEQ","params":{"bands":[{"__proto__":{"gainDb":12,"typo":1}}]}}')],
    ['a "__proto__" key in params', JSON.parse('{"type":"Limiter","params":{"__proto__":{"ceilingDb":-3}}}')],
  ];
  it.each(rejected)('%s', (_, x) => {
    expect(loadProcessor(x), 'the loader rejects it').toBeInstanceOf(Error);
    expect(validateProcessor(x), 'the schema rejects it').toBe(false);
  });

  const accepted: [string, unknown][] = [
    ['no params (all defaults)', { type: 'Limiter' }],
    ['null params (all defaults)', { type: 'Limiter', params: null }],
    ['unknown keys beside type and params (ignored by the loader)', { type: 'Limiter', params: {}, note: 'x' }],
    ['"Infinity" where the range includes it', { type: 'Compressor', params: { ratio: 'Infinity' } }],
    ['both ends of closed ranges', { type: 'Compressor', params: { thresholdDb: -100, kneeDb: 48, mix: 0 } }],
    ['-0', { type: 'Panner', params: { pan: -0 } }],
    ['an integer written as a float', { type: 'Chorus', params: { voices: 2.0 } }],
    ['a Chain with null processors', { type: 'Chain', params: { processors: null } }],
    ['a Chain with empty params', { type: 'Chain', params: {} }],
    ['a MidSide without params', { type: 'MidSide' }],
    ['a MidSide with null params and null paths', { type: 'MidSide', params: { mid: null, side: null } }],
    ['a Parallel with "-Infinity" dry gain', { type: 'Parallel', params: { wet: { type: 'Compressor' }, dryGainDb: '-Infinity' } }],
  ];
  it.each(accepted)('accepted by both: %s', (_, x) => {
    expect(loadProcessor(x), 'the loader accepts it').toBeUndefined();
    expect(validateProcessor(x), ajv.errorsText(validateProcessor.errors)).toBe(true);
  });

  const session = (s: unknown) => ({ type: 'Mixer', version: 1, session: s });
  const rejectedSessions: [string, unknown][] = [
    ['wrong version', { type: 'Mixer', version: 2, session: { tracks: [] } }],
    ['no version', { type: 'Mixer', session: { tracks: [] } }],
    ['wrong type', { type: 'Chain', version: 1, session: { tracks: [] } }],
    ['no session', { type: 'Mixer', version: 1 }],
    ['a track without a name', session({ tracks: [{}] })],
    ['a track named "master"', session({ tracks: [{ name: 'master' }] })],
    ['an empty name', session({ tracks: [{ name: '' }] })],
    ['a 101-character name', session({ tracks: [{ name: 'x'.repeat(101) }] })],
    ['an unknown track option', session({ tracks: [{ name: 'a', volume: 0 }] })],
    ['fader out of range', session({ tracks: [{ name: 'a', faderDb: 12.5 }] })],
    ['trim out of range', session({ tracks: [{ name: 'a', trimDb: -49 }] })],
    ['3 channels', session({ tracks: [{ name: 'a', channels: 3 }] })],
    ['a bad pan law', session({ tracks: [{ name: 'a', panLaw: '-3 dB' }] })],
    ['a send to master', session({ tracks: [{ name: 'a', sends: [{ bus: 'master' }] }] })],
    ['a send without a bus', session({ tracks: [{ name: 'a', sends: [{ levelDb: 0 }] }], buses: [{ name: 'b' }] })],
    ['a bad insert', session({ tracks: [{ name: 'a', inserts: [{ type: 'Limiter', params: { ceilingDb: 1 } }] }] })],
    ['null output', session({ tracks: [{ name: 'a', output: null }] })],
    ['a bus option on the master', session({ tracks: [], master: { pan: 0 } })],
    ['bus pan out of range', session({ tracks: [], buses: [{ name: 'b', pan: 1.01 }] })],
    ['NaN fader (null)', viaJSON(session({ tracks: [{ name: 'a', faderDb: NaN }] }))],
    ['a null track', session({ tracks: [null] })],
    ['more than MAX_CHAIN_LENGTH inserts', session({ tracks: [{ name: 'a', inserts: Array.from({ length: MAX_CHAIN_LENGTH + 1 }, () => ({ type: 'Panner' })) }] })],
  ];
  it.each(rejectedSessions)('session: %s', (_, x) => {
    expect(loadSession(x), 'the loader rejects it').toBeInstanceOf(Error);
    expect(validateSession(x), 'the schema rejects it').toBe(false);
  });

  it('a 100-character name is accepted by both', () => {
    const x = session({ tracks: [{ name: 'x'.repeat(100) }] });
    expect(loadSession(x)).toBeUndefined();
    expect(validateSession(x)).toBe(true);
  });
});

/**
 * What JSON Schema cannot state, as the loader's messages: a document the schema accepts may be
 * rejected by the loader only with one of these. (Frequencies against Nyquist, channel weights
 * against the channel count and stereo-only inserts on mono tracks are prepare()'s checks, which
 * the loaders do not run.)
 */
const CROSS_FIELD: readonly RegExp[] = [
  /^Chorus\.depthMs must be at most baseDelayMs − 0\.5 ms/, // two options
  /^Delay\.note "[^"]+" at [\d.]+ bpm lasts [\d.]+ ms, beyond the longest delay/, // note × tempo
  /^Phaser\.syncNote "[^"]+" at [\d.]+ bpm is [\d.e+-]+ Hz, outside the LFO's/, // note × tempo
  /^Convolver\.impulseResponse must have 1, 2 or 4 channels, got 3$/, // a length the schema cannot single out
  /^Convolver\.impulseResponse: every channel must have the same length/, // lengths of two arrays
  /^Chain\.bypassed has \d+ entries for \d+ slots$/, // two options
  /^MultibandCompressor\.crossoversHz\[\d+\] must be at least a third of an octave above/, // two crossovers
  /^MultibandCompressor\.bands must have 0 or \d+ items \(one per band/, // bands against crossovers
  /^processorFromJSON: containers nested deeper than/, // nesting depth
  /^MidSide\.(mid|side) runs on one channel, but its processor needs/, // the type of a nested processor
  /^Mixer: (tracks|buses)\[\d+\]\.name: the name .* is taken/, // unique names
  /^Mixer: .*: no bus named /, // routing to existing buses
  /^Mixer: buses\[\d+\]\.output: a bus cannot feed itself/,
  /^Mixer: buses\[\d+\]\.output: routing cycle/,
  /^Mixer\.automate: no automatable parameter at /, // automation paths name existing parameters (and automatable insert options)
  /^Mixer\.\S+\.value must be in /, // event values in the range of the parameter the path names
  /^Mixer\.\S+: an exponential ramp needs non-zero values of one sign/, // against the value before the event
  /^Mixer\.\S+: events must be scheduled in time order/, // two events
  /^Mixer\.\S+\.frame must be in /, // frames below 2^52
  /^Mixer\.\S+\.setTarget\(…, timeConstant\) must be in /, // time constants below 1e12 frames
];

/** Every number that bounds a rule (and its neighbours), every enum value: where the edges are. */
function edgeValues(): unknown[] {
  const out = new Set<unknown>([0, -0, 1, -1, 0.5, 1.5, 2, 2.5, 3, 100, 101, 1e9, -1e9, 'Infinity', '-Infinity', 'NaN', '', 'master', 'a', 'b', true, false, null]);
  const visit = (rule: OptionRule) => {
    if (rule.kind === 'number') {
      for (const v of [rule.range.min, rule.range.max]) if (Number.isFinite(v)) for (const d of [0, 1e-9, -1e-9, 0.5, -0.5]) out.add(v + d);
    } else if (rule.kind === 'enum') rule.values.forEach((v) => out.add(v));
    else if (rule.kind === 'array') visit(rule.items);
    else if (rule.kind === 'object') Object.values(rule.rules as Record<string, OptionRule>).forEach(visit);
  };
  for (const cls of Object.values(PROCESSOR_CLASSES)) {
    const rules = (cls as { rules?: Record<string, OptionRule> }).rules;
    if (rules) Object.values(rules).forEach(visit);
  }
  for (const v of [-120, 12, -48, 48, -1, 1]) for (const d of [0, 1e-9, -1e-9]) out.add(v + d);
  for (const v of ['0dB', '-3dB', '-4.5dB', '-6dB', 'verb', 'group', 'vox']) out.add(v);
  return [...out];
}

/** Option and field names, to add as keys (known names in the wrong place, typos, strangers). */
function keyNames(): string[] {
  const names = new Set<string>(['type', 'params', 'processors', 'bypassed', 'mid', 'side', 'wet', 'tracks', 'buses', 'master', 'name', 'inserts', 'sends', 'bus', 'output', 'levelDb', 'preFader', 'soloSafe', 'version', 'session', 'frequencyHz', 'gainDb', 'bands', 'ceilingDB', '__proto__', 'constructor']);
  for (const cls of Object.values(PROCESSOR_CLASSES)) for (const k of Object.keys((cls as { rules?: object }).rules ?? {})) names.add(k);
  return [...names];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every container (object or array) in `x`, the root first. */
function containers(x: Json): (Json[] | { [k: string]: Json })[] {
  if (x === null || typeof x !== 'object') return [];
  const inner = Array.isArray(x) ? x : Object.values(x);
  return [x, ...inner.flatMap(containers)];
}

interface Mutation {
  at: number;
  /** Replace a member, delete it, add one, wrap it in an array, or nudge it (a number moved by `delta`, a string changed). */
  op: 'replace' | 'delete' | 'add' | 'wrap' | 'nudge';
  pick: number;
  key: string;
  value: Json;
  delta: number;
}

/** A member changed a little: numbers moved by `delta`, strings upper-cased (delta ≥ 0) or extended, booleans as numbers. */
function nudge(v: Json, m: Mutation): Json {
  if (typeof v === 'number') return v + m.delta;
  if (typeof v === 'string') return m.delta >= 0 ? v.toUpperCase() : `${v} `;
  if (typeof v === 'boolean') return Number(v);
  return m.value;
}

/** Apply `m` to `doc` (in place; `doc` is a fresh copy): change, remove or add one member of one container. */
function mutate(doc: Json, m: Mutation): Json {
  const all = containers(doc);
  if (all.length === 0) return m.value;
  const c = all[m.at % all.length];
  if (Array.isArray(c)) {
    const i = c.length === 0 ? 0 : m.pick % c.length;
    if (m.op === 'replace' && c.length > 0) c[i] = m.value;
    else if (m.op === 'nudge' && c.length > 0) c[i] = nudge(c[i], m);
    else if (m.op === 'delete' && c.length > 0) c.splice(i, 1);
    else if (m.op === 'wrap' && c.length > 0) c[i] = [c[i]];
    else c.splice(i, 0, m.value);
  } else {
    const keys = Object.keys(c);
    const k = keys.length === 0 ? m.key : keys[m.pick % keys.length];
    if (m.op === 'replace') c[k] = m.value;
    else if (m.op === 'nudge') c[k] = nudge(c[k] ?? null, m);
    else if (m.op === 'delete') delete c[k];
    else if (m.op === 'wrap') c[k] = [c[k]];
    else Object.defineProperty(c, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
}

describe('the schema accepts exactly what the loader accepts (property, random mutations)', () => {
  const presets = validPresets() as unknown as Json[];
  const sessions = validSessions() as Json[];
  const mutationArb = (values: fc.Arbitrary<Json>) =>
    fc.record({
      at: fc.nat(),
      op: fc.constantFrom<Mutation['op']>('replace', 'replace', 'nudge', 'nudge', 'nudge', 'delete', 'add', 'wrap'),
      pick: fc.nat(),
      key: fc.constantFrom(...keyNames()),
      value: values,
      delta: fc.constantFrom(0.5, -0.5, 1e-9, -1e-9, 1, -1, 7, -7, 100, -100, 1e4, -1e4),
    });
  const valueArb = (docs: Json[]): fc.Arbitrary<Json> =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...(edgeValues() as Json[])) },
      { weight: 2, arbitrary: fc.constantFrom(...docs) },
      { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
    );

  /** Checks one document: the schema accepts it iff the loader does, up to CROSS_FIELD; returns which side held. */
  function check(doc: Json, validate: (x: unknown) => boolean, load: (x: unknown) => Error | undefined, errorsText: () => string): 'valid' | 'invalid' | 'crossField' {
    const schemaOk = validate(doc);
    const err = load(doc);
    if (schemaOk && err) {
      if (!CROSS_FIELD.some((re) => re.test(err.message))) throw new Error(`the schema accepts what the loader rejects (${err.message}): ${JSON.stringify(doc).slice(0, 600)}`);
      return 'crossField';
    }
    if (!schemaOk && !err) throw new Error(`the schema rejects what the loader accepts (${errorsText()}): ${JSON.stringify(doc).slice(0, 600)}`);
    return schemaOk ? 'valid' : 'invalid';
  }

  /** Every document one edit away from `doc`: each member of each container replaced, nudged, wrapped or deleted, and keys added. */
  function* singleEdits(doc: Json): Generator<Json> {
    const generic: Json[] = [null, true, 0, -1, 0.5, 1e9, -1e9, '', 'x', 'Infinity', '-Infinity', [], {}, [null]];
    const deltas = [0.5, -0.5, 1e-9, -1e-9, 1, -1, 100, -100, 1e5, -1e5];
    const count = containers(doc).length;
    for (let at = 0; at < count; at++) {
      const size = ((c) => (Array.isArray(c) ? c.length : Object.keys(c).length))(containers(doc)[at]);
      const base = { at, pick: 0, key: 'x', value: null as Json, delta: 0 };
      for (let pick = 0; pick < size; pick++) {
        for (const value of generic) yield mutate(viaJSON(doc), { ...base, op: 'replace', pick, value });
        for (const delta of deltas) yield mutate(viaJSON(doc), { ...base, op: 'nudge', pick, delta });
        yield mutate(viaJSON(doc), { ...base, op: 'delete', pick });
        yield mutate(viaJSON(doc), { ...base, op: 'wrap', pick });
      }
      for (const key of ['x', 'type', 'params', 'ratio', 'bands', 'name']) yield mutate(viaJSON(doc), { ...base, op: 'add', key, value: 1 });
    }
  }

  /** Runs the property over `docs` with `validate` / `load`; returns how often each side held. */
  function agree(docs: Json[], validate: (x: unknown) => boolean, load: (x: unknown) => Error | undefined, errorsText: () => string, numRuns: number) {
    const seen = { valid: 0, invalid: 0, crossField: 0 };
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.array(mutationArb(valueArb(docs)), { minLength: 1, maxLength: 3 }), (d, ms) => {
        // Mostly one mutation (more than one mostly breaks a document twice).
        ms = ms.slice(0, 1 + (ms[0].pick % 4 === 0 ? ms.length - 1 : 0));
        let doc = viaJSON(docs[d]);
        for (const m of ms) doc = mutate(doc, viaJSON(m));
        seen[check(viaJSON(doc), validate, load, errorsText)]++;
      }),
      { numRuns },
    );
    return seen;
  }

  it('every single edit of every preset and session (each member replaced, nudged, wrapped, deleted; keys added)', () => {
    const seen = { valid: 0, invalid: 0, crossField: 0 };
    // The 64-band EQ only multiplies the same band edits; the realistic session holds most of the others.
    for (const doc of presets.filter((p) => JSON.stringify(p).length < 3000)) {
      for (const x of singleEdits(doc)) seen[check(x, (y) => validateProcessor(y), loadProcessor, () => ajv.errorsText(validateProcessor.errors))]++;
    }
    for (const doc of sessions) {
      for (const x of singleEdits(doc)) seen[check(x, (y) => validateSession(y), loadSession, () => ajv.errorsText(validateSession.errors))]++;
    }
    expect(seen.valid, JSON.stringify(seen)).toBeGreaterThan(1000);
    expect(seen.invalid, JSON.stringify(seen)).toBeGreaterThan(1000);
  });

  it('processor presets (every class, nested Chains)', () => {
    const seen = agree(presets, (x) => validateProcessor(x), loadProcessor, () => ajv.errorsText(validateProcessor.errors), runs(3000));
    // The mutations must reach both sides often, or the property proves little.
    expect(seen.valid, JSON.stringify(seen)).toBeGreaterThan(runs(3000) / 20);
    expect(seen.invalid, JSON.stringify(seen)).toBeGreaterThan(runs(3000) / 4);
  });

  it('Mixer sessions', () => {
    const seen = agree(sessions, (x) => validateSession(x), loadSession, () => ajv.errorsText(validateSession.errors), runs(1500));
    expect(seen.valid, JSON.stringify(seen)).toBeGreaterThan(runs(1500) / 20);
    expect(seen.invalid, JSON.stringify(seen)).toBeGreaterThan(runs(1500) / 4);
  });
});

describe('what the schema cannot state (checked by the loader alone)', () => {
  it('Chorus depth against base delay, Chain bypassed against its length, nesting depth: schema-valid, loader-rejected', () => {
    const cases: unknown[] = [
      { type: 'Chorus', params: { depthMs: 10, baseDelayMs: 10 } },
      { type: 'Chorus', params: { baseDelayMs: 1 } }, // default depth 2.5 > 1 − 0.5
      { type: 'Chain', params: { processors: [], bypassed: [false] } },
    ];
    let deep: ProcessorJSON = { type: 'Limiter', params: {} };
    for (let i = 0; i <= MAX_JSON_NESTING; i++) deep = { type: 'Chain', params: { processors: [deep] } };
    cases.push(deep);
    for (const x of cases) {
      expect(validateProcessor(x)).toBe(true);
      const err = loadProcessor(x);
      expect(err).toBeInstanceOf(Error);
      expect(CROSS_FIELD.some((re) => re.test(err!.message)), err!.message).toBe(true);
    }
  });

  it('session routing and names: schema-valid, loader-rejected', () => {
    const s = (x: unknown) => ({ type: 'Mixer', version: 1, session: x });
    const cases = [
      s({ tracks: [{ name: 'a' }, { name: 'a' }] }),
      s({ tracks: [{ name: 'a' }], buses: [{ name: 'a' }] }),
      s({ tracks: [{ name: 'a', output: 'nowhere' }] }),
      s({ tracks: [{ name: 'a', sends: [{ bus: 'nowhere' }] }] }),
      s({ tracks: [], buses: [{ name: 'b', output: 'b' }] }),
      s({ tracks: [], buses: [{ name: 'b', output: 'c' }, { name: 'c', output: 'b' }] }),
    ];
    for (const x of cases) {
      expect(validateSession(x)).toBe(true);
      const err = loadSession(x);
      expect(err).toBeInstanceOf(Error);
      expect(CROSS_FIELD.some((re) => re.test(err!.message)), err!.message).toBe(true);
    }
  });

  it('name length: the loader counts UTF-16 code units, JSON Schema code points (so the schema is looser for astral characters)', () => {
    const x = { type: 'Mixer', version: 1, session: { tracks: [{ name: '😀'.repeat(60) }] } }; // 60 code points, 120 units
    expect(validateSession(x)).toBe(true);
    expect(loadSession(x)?.message).toMatch(/name must be a non-empty string of at most 100 characters/);
  });
});

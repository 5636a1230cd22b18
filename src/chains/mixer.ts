/**
 * The mixing desk: tracks, aux and group buses, sends, solo and mute, and automatic delay
 * compensation, over the processor contract (every insert is any {@link Processor}).
 *
 * Signal flow of a track (mono or stereo input):
 * input → trim and polarity → inserts (a {@link Chain}, run on the track's own channel count)
 * → pre-fader sends → fader → pan (mono: the pan law; stereo: balance) → post-fader sends,
 * and the track's output to the master bus or a group bus. Mute and solo act on everything that
 * leaves the track (its output and all its sends), as a 10 ms ramp.
 *
 * A bus (aux or group) sums what is sent or routed to it, runs its inserts, its fader and
 * balance, and feeds the master bus or a group bus. The master bus runs its inserts and fader and
 * writes the output.
 *
 * Delay compensation (PDC): every path into a bus is delayed so that all arrive aligned with the
 * latest one. With `L(s)` the latency at the output of source s (a track's inserts; a bus's
 * arrival latency plus its inserts), a bus b receives at `A(b) = max L(s)` over its sources, and
 * the path s → b is delayed by `A(b) − L(s)`; the mixer's `latency` is `A(master)` plus the master
 * inserts'. An impulse on any track reaches the output after exactly `latency` samples, whatever
 * route it takes (tested).
 *
 * Solo in place: while anything is soloed, a track or bus is heard if it is soloed, if it feeds a
 * soloed bus (directly or through others), if a soloed track or bus feeds it (so a soloed track's
 * reverb return stays audible), or if it is marked `soloSafe`.
 *
 * `process()` allocates nothing, never throws, and gives the same output for any block
 * partition: gains ramp per sample, delays are whole-sample rings.
 *
 * @module
 */
import { AutomationLane, MAX_AUTOMATION_EVENTS } from '../core/automation.js';
import { DelayLine } from '../core/delay-line.js';
import { fillPrimingBlock, primeAutomation, runPrimingBlocks } from '../core/prime.js';
import { dbToGain } from '../core/db.js';
import { SPEC_LIMITS, safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { checkBoolean, checkKnownKeys, checkNumber, checkObject, checkOneOf, describeValue, type NumberRange } from '../core/validate.js';
import { LoudnessMeter } from '../metering/loudness-meter.js';
import { Chain, isProcessor, processorTree, type ProcessorBuilder } from './chain.js';

/** Pan laws of a mono track (as the {@link Panner}'s): the centre attenuation. */
export const MIXER_PAN_LAWS = ['0dB', '-3dB', '-4.5dB', '-6dB'] as const;
/** A pan law. */
export type MixerPanLaw = (typeof MIXER_PAN_LAWS)[number];

/** A send from a track to an aux bus. */
export interface SendOptions {
  /** Name of the bus it feeds. */
  bus: string;
  /** Send level in dB, [-120, 12]. @defaultValue 0 */
  levelDb: number;
  /** Taken after the inserts, before the fader (true), or after fader and pan (false). @defaultValue false */
  preFader: boolean;
}

/** One track of a {@link Mixer}. */
export interface TrackOptions {
  /** Unique name (tracks and buses share one name space; "master" is taken). */
  name: string;
  /** Channels of the track's input: 1 (mono, placed by `pan`) or 2 (stereo, balanced by `pan`). @defaultValue 2 */
  channels: 1 | 2;
  /** Input gain in dB, [-48, 48]. @defaultValue 0 */
  trimDb: number;
  /** Invert the polarity. @defaultValue false */
  invertPolarity: boolean;
  /** Insert processors, in order (configured, not prepared: the mixer prepares them). */
  inserts: readonly Processor[];
  /** Fader in dB, [-120, 12] (-120 is silence). @defaultValue 0 */
  faderDb: number;
  /** Pan, [-1, 1]. @defaultValue 0 */
  pan: number;
  /** Pan law of a mono track. @defaultValue `"-3dB"` */
  panLaw: MixerPanLaw;
  /** @defaultValue false */
  mute: boolean;
  /** @defaultValue false */
  solo: boolean;
  /** Where the track goes: `"master"` or the name of a group bus. @defaultValue `"master"` */
  output: string;
  /** Sends to aux buses. @defaultValue [] */
  sends: readonly SendOptions[];
}

/** One bus of a {@link Mixer}. */
export interface BusOptions {
  /** Unique name. */
  name: string;
  /** Insert processors (a reverb on an aux bus, glue compression on a group). */
  inserts: readonly Processor[];
  /** Fader in dB, [-120, 12]. @defaultValue 0 */
  faderDb: number;
  /** Balance, [-1, 1]. @defaultValue 0 */
  pan: number;
  /** @defaultValue false */
  mute: boolean;
  /** @defaultValue false */
  solo: boolean;
  /** Stays audible while other things are soloed (reverb returns). @defaultValue false */
  soloSafe: boolean;
  /** `"master"` or another bus. @defaultValue `"master"` */
  output: string;
}

/** The master bus. */
export interface MasterOptions {
  inserts: readonly Processor[];
  /** Fader in dB, [-120, 12]. @defaultValue 0 */
  faderDb: number;
}

/** A track as a session gives it: only the name is required (sends may omit level and pre-fader). */
export type TrackInput = Partial<Omit<TrackOptions, 'sends'>> & { name: string; sends?: readonly (Partial<SendOptions> & { bus: string })[] };

/** One automation event as saved in a session (see {@link AutomationLane}). */
export interface AutomationEvent {
  kind: 'set' | 'linear' | 'exponential' | 'target';
  value: number;
  /** Absolute frame since `prepare()` / `reset()`. */
  frame: number;
  /** For `target`: the time constant in frames. */
  timeConstant?: number;
}

/** A whole session: what `new Mixer(session)` takes. Omitted fields take their defaults. */
export interface MixerSession {
  /** Automation by parameter path (see {@link Mixer.automate}). */
  automation?: Readonly<Record<string, readonly AutomationEvent[]>>;
  /**
   * Meter every track and bus (peak, momentary loudness, gain reduction) and the master: costs
   * about one two-band EQ per strip. @defaultValue true
   */
  meters?: boolean;
  tracks: readonly TrackInput[];
  buses?: readonly (Partial<BusOptions> & { name: string })[];
  master?: Partial<MasterOptions>;
}

/** Slots of `Mixer.gains`: a block's steady gains. */
const G_TRIM = 0;
const G_AUDIBLE = 1;
const G_FADER = 2;
const G_LEFT = 3;
const G_RIGHT = 4;
const G_PFL = 5;
const G_PFR = 6;
const G_LEVEL = 7;
const G_A = 8;
const G_B = 9;
const G_SLOTS = 10;

/** Version of the session JSON written by {@link Mixer.toJSON}. */
export const MIXER_SESSION_VERSION = 1;
/** Most tracks, and most buses, in one mixer. */
export const MAX_TRACKS = 512;
/** Ramp time of fader, pan, send, trim, mute and solo changes. */
export const MIXER_SMOOTHING_MS = 10;
/**
 * Control interval of insert automation, in frames: an automated insert option is evaluated at
 * every absolute frame that is a multiple of this (counted from `prepare()` / `reset()`), and
 * handed to the processor's `setParam()` there when it changed. The inserts of an automated strip
 * run in pieces cut at these frames, so the changes land on the same samples whatever the block
 * partition. (0.67 ms at 48 kHz; the filters' coefficient grid is 32 frames too.)
 */
export const MIXER_CONTROL_INTERVAL = 32;

const OWNER = 'Mixer';
/** Range of faders and send levels (the bottom is silence). @internal (read by the JSON Schema) */
export const FADER_RANGE = { min: -120, max: 12, unit: 'dB' } as const;
/** Range of a track's trim. @internal */
export const TRIM_RANGE = { min: -48, max: 48, unit: 'dB' } as const;
/** Range of pan and balance. @internal */
export const PAN_RANGE = { min: -1, max: 1 } as const;
/** Longest track or bus name, in UTF-16 code units. @internal */
export const MAX_NAME_LENGTH = 100;
const QUARTER_PI = Math.PI / 4;

/** dB to gain, with the bottom of the fader range as silence. */
function faderGain(db: number): number {
  return db <= FADER_RANGE.min ? 0 : dbToGain(db);
}

/** Left/right gains of a mono source at `pan` under `law` (the Panner's closed forms). */
export function panGains(pan: number, law: MixerPanLaw): [number, number] {
  const t = (pan + 1) * QUARTER_PI;
  switch (law) {
    case '0dB':
      return [1 - Math.max(pan, 0), 1 + Math.min(pan, 0)];
    case '-3dB':
      return [Math.cos(t), Math.sin(t)];
    case '-4.5dB':
      return [Math.sqrt(Math.cos(t) * ((1 - pan) / 2)), Math.sqrt(Math.sin(t) * ((1 + pan) / 2))];
    default:
      return [(1 - pan) / 2, (1 + pan) / 2];
  }
}

/** Balance gains of a stereo source at `pan`: the far side scaled, the near side kept. */
export function balanceGains(pan: number): [number, number] {
  return [pan > 0 ? 1 - pan : 1, pan < 0 ? 1 + pan : 1];
}

/** A destination of a track or bus: where it adds its stereo signal, after its compensation delay. */
interface Path {
  /** Index of the destination node (a bus index, or -1 for the master). */
  readonly to: number;
  /** Send index (−1: the node's main output). */
  readonly send: number;
  /** A pre-fader send. */
  readonly pre: boolean;
  delay: DelayLine | undefined;
  /** Compensation delay in samples. */
  comp: number;
}

/** A processor that can be automated: it has the contract's optional `paramRange()` and `setParam()`. */
type Automatable = Processor & { paramRange(name: string): NumberRange | undefined; setParam(name: string, values: Float64Array, index: number): void };

/** The automation lane of one option of one insert. */
interface InsertLane {
  readonly lane: AutomationLane;
  readonly processor: Automatable;
  /** The option's name (dotted for nested options). */
  readonly option: string;
  /** The strip's insert chain (the lane follows its processor when the chain is edited). */
  readonly chain: Chain;
  /** The strip's path with names (`tracks.vox`, `buses.verb`, `master`), for saving. */
  readonly strip: string;
  /** [the value last handed to `setParam()`; NaN: none since prepare() / reset()]. */
  readonly last: Float64Array;
}

/** A track or a bus at run time. */
interface Node {
  readonly kind: 'track' | 'bus';
  readonly index: number;
  readonly name: string;
  readonly chain: Chain;
  readonly channels: number;
  /** Work buffers: the node's channels (a bus: its summed input, processed in place). */
  work: Float32Array[];
  /** Scratch for a send's signal (stereo). */
  send: Float32Array[];
  /** Per-sample gains. */
  readonly trim: SmoothedValue;
  readonly fader: SmoothedValue;
  readonly left: SmoothedValue;
  readonly right: SmoothedValue;
  readonly audible: SmoothedValue;
  readonly sendLevels: SmoothedValue[];
  /** Automation lanes (active once they hold events; they then override the smoothed value). */
  readonly faderLane: AutomationLane;
  readonly panLane: AutomationLane;
  readonly muteLane: AutomationLane;
  readonly sendLanes: AutomationLane[];
  /** Automation lanes of insert options (see {@link InsertLane}). */
  readonly insertLanes: InsertLane[];
  /** Scratch for an insert piece that does not start the block: channels × MIXER_CONTROL_INTERVAL. */
  insertScratch: Float32Array[];
  /** 1 for a mono track's pan law index + 1 (1..4), 0 for balance. */
  law: number;
  /** Post-fader loudness (momentary), when metering. */
  meter: LoudnessMeter | undefined;
  /** [peak |x| of what the node sent on since the last readMeters()]. */
  readonly peak: Float64Array;
  /** Indices of `gainReductionDb` in the chain's read-outs, and a buffer for them. */
  grIndices: number[];
  chainMeters: Float64Array;
  paths: Path[];
  /** Latency at the node's output (inserts included). */
  outLatency: number;
  /** For buses: arrival latency of their inputs. */
  arrival: number;
}

/**
 * The mixing desk.
 *
 * @example
 * ```ts
 * import { Compressor, Mixer, ParametricEQ } from 'masterbus';
 * const mixer = new Mixer({
 *   tracks: [
 *     { name: 'vocal', channels: 1, inserts: [new Compressor({ ratio: 3 })], pan: -0.1, sends: [{ bus: 'verb', levelDb: -12 }] },
 *     { name: 'keys', inserts: [new ParametricEQ()], faderDb: -4 },
 *   ],
 *   buses: [{ name: 'verb', inserts: [] }],
 * });
 * mixer.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const vocal = [new Float32Array(128)], keys = [new Float32Array(128), new Float32Array(128)];
 * const out = [new Float32Array(128), new Float32Array(128)];
 * mixer.process([vocal, keys], out);
 * mixer.setTrack('vocal', { faderDb: -3 });   // ramps over 10 ms
 * ```
 */
export class Mixer {
  /** Type name used by {@link Mixer.toJSON}. */
  static readonly type = 'Mixer';
  private readonly tracks: Required<TrackOptions>[];
  private readonly buses: Required<BusOptions>[];
  private readonly master: Required<MasterOptions>;
  private readonly trackNodes: Node[];
  private readonly busNodes: Node[];
  /** The tracks' nodes then the buses' (for index loops in reset(), which allocate nothing). */
  private readonly allNodes: Node[];
  /**
   * Every gain smoother (trim, fader, pan gains, audibility, send levels; the master fader last).
   * Only applyAll() sets their targets, so jumping to them is applyAll(true) without its
   * allocations (reset() runs on the audio thread).
   */
  private readonly smoothers: SmoothedValue[];
  private readonly masterChain: Chain;
  private readonly masterFader = new SmoothedValue('linear', 1);
  /** Buses in an order where every bus comes after all buses that feed it. */
  private readonly busOrder: number[];
  private spec: ProcessSpec | undefined;
  private lat = 0;
  private masterIn: Float32Array[] = [];
  private busIn: Float32Array[][] = [];
  private ramp = new Float64Array(0);
  private ramp2 = new Float64Array(0);
  private ramp3 = new Float64Array(0);
  private ramp4 = new Float64Array(0);
  private ramp5 = new Float64Array(0);
  private ramp6 = new Float64Array(0);
  /** Per-sample gains of one path, left and right (see `leave`). */
  private gainL = new Float64Array(0);
  private gainR = new Float64Array(0);
  /** A block's steady gains (G_* slots), read from the smoothers without boxing. */
  private readonly gains = new Float64Array(G_SLOTS);
  /** [absolute frame of the next sample] (automation time). */
  private readonly clock = new Float64Array(1);
  private readonly metering: boolean;
  private masterMeter: LoudnessMeter | undefined;
  private readonly masterPeak = new Float64Array(1);
  private readonly masterReadout = new Float64Array(6);
  private readonly masterLane = new AutomationLane(`${OWNER}.master.faderDb`, 0, FADER_RANGE.min, FADER_RANGE.max);
  /** Insert lanes of the master bus, and its scratch. */
  private readonly masterInsertLanes: InsertLane[] = [];
  private masterScratch: Float32Array[] = [];
  /** Every insert lane, by its path with names (`tracks.vox.inserts.0.thresholdDb`). */
  private readonly insertLanes: InsertLane[] = [];
  /** [a lane's value at one frame] (read through a typed array: no boxing). */
  private readonly laneValue = new Float64Array(1);

  /** Build a mixer from a session; throws a `TypeError`/`RangeError` naming the path of a bad value. */
  constructor(session: MixerSession) {
    const s = checkObject(OWNER, 'session', session);
    checkKnownKeys(OWNER, s, ['tracks', 'buses', 'master', 'automation', 'meters']);
    this.metering = s.meters === undefined ? true : checkBoolean(OWNER, 'session.meters', s.meters);
    const trackList = listOf(s.tracks, 'tracks');
    const busList = s.buses === undefined ? [] : listOf(s.buses, 'buses');
    const names = new Set<string>(['master']);
    this.buses = busList.map((b, i) => busOptions(b, `buses[${i}]`, names));
    this.tracks = trackList.map((t, i) => trackOptions(t, `tracks[${i}]`, names));
    this.master = masterOptions(s.master ?? {}, 'master');
    const busIndex = new Map(this.buses.map((b, i) => [b.name, i]));
    const target = (path: string, name: string, what: string): number => {
      if (name === 'master') return -1;
      const i = busIndex.get(name);
      if (i === undefined) throw new TypeError(`${OWNER}: ${path}: no bus named ${describeValue(name)}${what}`);
      return i;
    };
    this.tracks.forEach((t, i) => {
      target(`tracks[${i}].output`, t.output, '');
      t.sends.forEach((send, k) => {
        if (target(`tracks[${i}].sends[${k}].bus`, send.bus, '') < 0) throw new TypeError(`${OWNER}: tracks[${i}].sends[${k}].bus: sends go to buses, not to "master"`);
      });
    });
    this.buses.forEach((b, i) => {
      if (b.output === b.name) throw new RangeError(`${OWNER}: buses[${i}].output: a bus cannot feed itself ("${b.name}")`);
      target(`buses[${i}].output`, b.output, '');
    });
    this.busOrder = topologicalOrder(this.buses, busIndex);
    const allInserts = [...this.tracks.flatMap((t) => t.inserts), ...this.buses.flatMap((b) => b.inserts), ...this.master.inserts];
    if (new Set(allInserts).size !== allInserts.length) throw new TypeError(`${OWNER}: one processor object is used as an insert in two places`);
    // Deeper too: an object inside a container (a Chain, MidSide or Parallel insert) and elsewhere.
    const everywhere = new Set<Processor>();
    for (const p of allInserts) {
      const tree = processorTree(p);
      if (tree.repeated !== undefined) throw new TypeError(`${OWNER}: an insert holds one ${tree.repeated.constructor.name} object twice, or holds itself (one object cannot run twice per block)`);
      for (const q of tree.all) {
        if (everywhere.has(q)) throw new TypeError(`${OWNER}: one ${q.constructor.name} object is used in two places (inside a container insert and elsewhere)`);
        everywhere.add(q);
      }
    }
    this.trackNodes = this.tracks.map((t, i) => makeNode('track', i, t.name, new Chain(t.inserts), t.channels, t.sends.length));
    this.busNodes = this.buses.map((b, i) => makeNode('bus', i, b.name, new Chain(b.inserts), 2, 0));
    this.masterChain = new Chain(this.master.inserts);
    this.allNodes = [...this.trackNodes, ...this.busNodes];
    this.smoothers = [...this.allNodes.flatMap((n) => [n.trim, n.fader, n.left, n.right, n.audible, ...n.sendLevels]), this.masterFader];
    this.applyAll(true);
    if (s.automation !== undefined) {
      const automation = checkObject(OWNER, 'session.automation', s.automation);
      for (const [path, events] of Object.entries(automation)) {
        const lane = this.automate(path);
        listOf(events, `automation[${JSON.stringify(path)}]`, MAX_AUTOMATION_EVENTS).forEach((ev, k) => {
          const e = checkObject(OWNER, `automation[${JSON.stringify(path)}][${k}]`, ev);
          checkKnownKeys(`${OWNER} automation[${JSON.stringify(path)}][${k}]`, e, ['kind', 'value', 'frame', 'timeConstant']);
          const kind = checkOneOf(OWNER, `automation[${JSON.stringify(path)}][${k}].kind`, e.kind, ['set', 'linear', 'exponential', 'target'] as const);
          const value = e.value as number;
          const frame = e.frame as number;
          if (kind === 'set') lane.setValue(value, frame);
          else if (kind === 'linear') lane.linearRamp(value, frame);
          else if (kind === 'exponential') lane.exponentialRamp(value, frame);
          else lane.setTarget(value, frame, e.timeConstant as number);
        });
      }
    }
  }

  /** Total latency in samples: every track reaches the output this late (0 before `prepare()`). */
  get latency(): number {
    return this.lat;
  }

  /** Number of tracks (fixed at construction). */
  get trackCount(): number {
    return this.tracks.length;
  }

  /** Change a track's fader, pan, trim, polarity, mute, solo or send levels (by name or index); ramps over 10 ms. */
  setTrack(track: string | number, options: Partial<Pick<TrackOptions, 'faderDb' | 'pan' | 'panLaw' | 'trimDb' | 'invertPolarity' | 'mute' | 'solo'>> & { sendLevelsDb?: readonly number[] }): void {
    const i = this.find(this.tracks, track, 'track');
    const o = checkObject(OWNER, `setTrack(${describeValue(track)}, options)`, options);
    checkKnownKeys(OWNER, o, ['faderDb', 'pan', 'panLaw', 'trimDb', 'invertPolarity', 'mute', 'solo', 'sendLevelsDb']);
    const path = `tracks[${i}]`;
    const next = { ...this.tracks[i] };
    if (o.faderDb !== undefined) next.faderDb = checkNumber(OWNER, `${path}.faderDb`, o.faderDb, FADER_RANGE);
    if (o.pan !== undefined) next.pan = checkNumber(OWNER, `${path}.pan`, o.pan, PAN_RANGE);
    if (o.panLaw !== undefined) next.panLaw = checkOneOf(OWNER, `${path}.panLaw`, o.panLaw, MIXER_PAN_LAWS);
    if (o.trimDb !== undefined) next.trimDb = checkNumber(OWNER, `${path}.trimDb`, o.trimDb, TRIM_RANGE);
    if (o.invertPolarity !== undefined) next.invertPolarity = checkBoolean(OWNER, `${path}.invertPolarity`, o.invertPolarity);
    if (o.mute !== undefined) next.mute = checkBoolean(OWNER, `${path}.mute`, o.mute);
    if (o.solo !== undefined) next.solo = checkBoolean(OWNER, `${path}.solo`, o.solo);
    if (o.sendLevelsDb !== undefined) {
      const l = o.sendLevelsDb;
      if (!Array.isArray(l) || l.length !== next.sends.length) throw new TypeError(`${OWNER}: ${path}.sendLevelsDb must be an array of ${next.sends.length} numbers, got ${describeValue(l)}`);
      next.sends = next.sends.map((s, k) => ({ ...s, levelDb: checkNumber(OWNER, `${path}.sends[${k}].levelDb`, l[k], FADER_RANGE) }));
    }
    this.tracks[i] = next;
    this.applyAll(this.spec === undefined);
  }

  /** Change a bus's fader, pan, mute, solo or solo-safe state; ramps over 10 ms. */
  setBus(bus: string | number, options: Partial<Pick<BusOptions, 'faderDb' | 'pan' | 'mute' | 'solo' | 'soloSafe'>>): void {
    const i = this.find(this.buses, bus, 'bus');
    const o = checkObject(OWNER, `setBus(${describeValue(bus)}, options)`, options);
    checkKnownKeys(OWNER, o, ['faderDb', 'pan', 'mute', 'solo', 'soloSafe']);
    const path = `buses[${i}]`;
    const next = { ...this.buses[i] };
    if (o.faderDb !== undefined) next.faderDb = checkNumber(OWNER, `${path}.faderDb`, o.faderDb, FADER_RANGE);
    if (o.pan !== undefined) next.pan = checkNumber(OWNER, `${path}.pan`, o.pan, PAN_RANGE);
    if (o.mute !== undefined) next.mute = checkBoolean(OWNER, `${path}.mute`, o.mute);
    if (o.solo !== undefined) next.solo = checkBoolean(OWNER, `${path}.solo`, o.solo);
    if (o.soloSafe !== undefined) next.soloSafe = checkBoolean(OWNER, `${path}.soloSafe`, o.soloSafe);
    this.buses[i] = next;
    this.applyAll(this.spec === undefined);
  }

  /** Change the master fader; ramps over 10 ms. */
  setMaster(options: { faderDb?: number }): void {
    const o = checkObject(OWNER, 'setMaster(options)', options);
    checkKnownKeys(OWNER, o, ['faderDb']);
    if (o.faderDb !== undefined) this.master.faderDb = checkNumber(OWNER, 'master.faderDb', o.faderDb, FADER_RANGE);
    this.applyAll(this.spec === undefined);
  }

  /**
   * The automation lane of a parameter, by path: `tracks.<name or index>.faderDb` (dB), `.pan`
   * (−1 … 1), `.mute` (0 … 1, the muted fraction), `.sends.<k>.levelDb` (dB);
   * `buses.<name or index>.faderDb`, `.pan`, `.mute`; `master.faderDb`; and any number option of
   * an insert that supports automation (its `setParam()`; ParametricEQ, BiquadFilter, Compressor,
   * Limiter, Saturator, Panner, StereoWidener, MultibandCompressor): `tracks.<name or index>.inserts.<slot>.<option>`
   * (nested options by dotted paths: `…inserts.0.bands.2.gainDb`),
   * `buses.<name or index>.inserts.<slot>.<option>`, `master.inserts.<slot>.<option>`. Schedule events on it in
   * absolute frames since `prepare()` / `reset()` (`Math.round(seconds · sampleRate)`, or
   * {@link Mixer.frameAt}); once it holds events it overrides the parameter's `set…()` value.
   * Values follow the Web Audio AudioParam formulas per sample (see {@link AutomationLane}).
   *
   * Insert options run at control rate: the lane is read at every absolute frame that is a
   * multiple of {@link MIXER_CONTROL_INTERVAL} and handed to the processor's `setParam()` when it
   * changed (the processor smooths it as `set()` would); the strip's inserts run in pieces cut at
   * those frames, so the output does not depend on the block partition. Event values are checked
   * against the option's range when scheduled. Before its first event the lane holds the option's
   * value when `automate()` was first called for it; while it holds events it owns the option
   * (a `set()` of that option is overridden at the lane's next change). Options of processors
   * nested inside a slot (a Chain, MidSide or Parallel in a slot) cannot be automated yet.
   *
   * @example
   * ```ts
   * import { Mixer } from 'masterbus';
   * const mixer = new Mixer({ tracks: [{ name: 'vox' }] });
   * mixer.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
   * mixer.automate('tracks.vox.faderDb').setValue(0, 0).linearRamp(-12, mixer.frameAt(2));   // a 2 s fade
   * mixer.automate('tracks.vox.pan').setValue(-1, 0).linearRamp(1, 96000);
   * ```
   *
   * @throws `RangeError` naming the path when it names no automatable parameter (listing the
   * insert's automatable options when the option is unknown or not a number).
   */
  automate(path: string): AutomationLane {
    if (typeof path !== 'string') throw new TypeError(`${OWNER}.automate(path): path must be a string, got ${describeValue(path)}`);
    const parts = path.split('.');
    const fail = (): never => {
      throw new RangeError(`${OWNER}.automate: no automatable parameter at ${describeValue(path)} (tracks.<name>.faderDb | pan | mute | sends.<k>.levelDb | inserts.<slot>.<option>; buses.<name>.faderDb | pan | mute | inserts.<slot>.<option>; master.faderDb | inserts.<slot>.<option>)`);
    };
    if (parts[0] === 'master' && parts[1] === 'faderDb' && parts.length === 2) return this.masterLane;
    if (parts[0] === 'master' && parts[1] === 'inserts') return this.insertLane(path, 'master', 'master', this.masterChain, this.masterInsertLanes, parts.slice(2));
    if (parts[0] !== 'tracks' && parts[0] !== 'buses') return fail();
    const list = parts[0] === 'tracks' ? this.tracks : this.buses;
    // A name first (a track may be called "1"), else an index: saved sessions use names.
    const key = parts[1] ?? '';
    let i = list.findIndex((x) => x.name === key);
    if (i < 0 && /^\d+$/.test(key) && Number(key) < list.length) i = Number(key);
    if (i < 0) return fail();
    const node = parts[0] === 'tracks' ? this.trackNodes[i] : this.busNodes[i];
    if (parts[2] === 'inserts') return this.insertLane(path, `${parts[0]}.${node.name}`, `${parts[0]}[${i}]`, node.chain, node.insertLanes, parts.slice(3));
    if (parts.length === 3 && parts[2] === 'faderDb') return node.faderLane;
    if (parts.length === 3 && parts[2] === 'pan') return node.panLane;
    if (parts.length === 3 && parts[2] === 'mute') return node.muteLane;
    if (parts.length === 5 && parts[2] === 'sends' && parts[4] === 'levelDb') {
      const k = Number(parts[3]);
      if (Number.isInteger(k) && k >= 0 && k < node.sendLanes.length) return node.sendLanes[k];
    }
    return fail();
  }

  /**
   * The lane of `rest` = [slot, …option] of a strip's inserts (see {@link Mixer.automate}):
   * `strip` names the strip for saving, `where` for messages.
   */
  private insertLane(path: string, strip: string, where: string, chain: Chain, lanes: InsertLane[], rest: string[]): AutomationLane {
    const fail = (why: string): never => {
      throw new RangeError(`${OWNER}.automate: no automatable parameter at ${describeValue(path)}: ${why}`);
    };
    const slotText = rest[0] ?? '';
    const slot = /^\d+$/.test(slotText) ? Number(slotText) : -1;
    if (!(slot >= 0 && slot < chain.length)) fail(`${where} has ${chain.length} insert${chain.length === 1 ? '' : 's'}, no slot ${describeValue(slotText)}`);
    const option = rest.slice(1).join('.');
    const p = chain.at(slot);
    for (const l of this.insertLanes) if (l.processor === (p as unknown) && l.option === option) return l.lane;
    const type = p.toJSON().type;
    if (typeof p.setParam !== 'function' || typeof p.paramRange !== 'function') {
      fail(`${where}.inserts[${slot}] (${type}) cannot be automated (it has no setParam(); automatable: ParametricEQ, BiquadFilter, Compressor, Limiter, Saturator, Panner, StereoWidener, MultibandCompressor)`);
    }
    const proc = p as Automatable;
    const options = automatableOptions(proc);
    const range = option === '' ? undefined : proc.paramRange(option);
    if (range === undefined) fail(`${type} has no automatable option ${describeValue(option)} (automatable: ${options.join(', ') || 'none'})`);
    const current = optionValue(proc.params, option);
    if (typeof current !== 'number' || !Number.isFinite(current)) fail(`${type}.${option} is ${describeValue(current)}, not a finite number`);
    const r = range as NumberRange;
    // Event values must be finite (a ratio's range reaches ∞).
    const lane = new AutomationLane(`${OWNER}.${where}.inserts[${slot}].${option}`, current as number, Math.max(r.min, -Number.MAX_VALUE), Math.min(r.max, Number.MAX_VALUE), r);
    const entry: InsertLane = { lane, processor: proc, option, chain, strip, last: Float64Array.of(NaN) };
    // Events given after prepare(), before any audio: start the processor at the lane's value,
    // as prepare() does for a lane that existed before (nothing has been processed, so reset()
    // only ends the smoothing ramp), here on the thread that schedules, not in process(). A
    // saved session then reloads to the same output.
    lane.onChange = () => {
      if (this.spec === undefined || this.clock[0] !== 0 || !lane.active) return;
      lane.fill(entry.last, 0, 1);
      proc.setParam(option, entry.last, 0);
      proc.reset();
    };
    lanes.push(entry);
    this.insertLanes.push(entry);
    if (this.spec !== undefined) primeAutomation(proc, { ...this.spec, channels: this.laneChannels(entry) });
    return lane;
  }

  /** Channels of the strip whose inserts hold lane `l`'s processor (the master's: 2). */
  private laneChannels(l: InsertLane): number {
    for (const node of this.trackNodes) if (node.chain === l.chain) return node.channels;
    for (const node of this.busNodes) if (node.chain === l.chain) return node.channels;
    return 2;
  }

  /**
   * Names of the values {@link Mixer.readMeters} writes, in order: per track, then per bus,
   * `<tracks|buses>.<name>.peakDb`, `.momentaryLufs`, `.gainReductionDb`; then `master.peakDb`,
   * `master.momentaryLufs`, `master.shortTermLufs`, `master.integratedLufs`.
   */
  get meterLabels(): string[] {
    const strip = (kind: string, name: string) => [`${kind}.${name}.peakDb`, `${kind}.${name}.momentaryLufs`, `${kind}.${name}.gainReductionDb`];
    return [
      ...this.tracks.flatMap((t) => strip('tracks', t.name)),
      ...this.buses.flatMap((b) => strip('buses', b.name)),
      'master.peakDb',
      'master.momentaryLufs',
      'master.shortTermLufs',
      'master.integratedLufs',
    ];
  }

  /**
   * Write the read-outs named by {@link Mixer.meterLabels} into `out[offset …]` (3 per track and
   * bus, 4 for the master). Peaks are the largest |sample| a strip sent on (after fader, pan, mute
   * and solo) since the previous call, in dBFS, then restart; loudness per ITU-R BS.1770 (no
   * channel weighting beyond L + R); gain reduction is the sum of the strip's inserts'
   * `gainReductionDb`. `-Infinity` where nothing was measured, NaN for loudness with metering off.
   * Allocates nothing.
   */
  readMeters(out: Float64Array, offset = 0): void {
    let o = offset;
    const nodes = this.trackNodes;
    for (let k = 0; k < 2; k++) {
      const list = k === 0 ? nodes : this.busNodes;
      for (let i = 0; i < list.length; i++) {
        const node = list[i];
        out[o] = 20 * Math.log10(node.peak[0]);
        node.peak[0] = 0;
        // (Through a typed array: a getter's double would be boxed when not inlined.)
        if (node.meter === undefined) out[o + 1] = NaN;
        else {
          node.meter.readLevels(this.masterReadout, 0);
          out[o + 1] = this.masterReadout[0];
        }
        let gr = 0;
        const idx = node.grIndices;
        if (idx.length > 0) {
          node.chain.readMeters(node.chainMeters, 0);
          for (let j = 0; j < idx.length; j++) gr += node.chainMeters[idx[j]];
        }
        out[o + 2] = gr;
        o += 3;
      }
    }
    out[o] = 20 * Math.log10(this.masterPeak[0]);
    this.masterPeak[0] = 0;
    const m = this.masterMeter;
    if (m === undefined) {
      out[o + 1] = NaN;
      out[o + 2] = NaN;
      out[o + 3] = NaN;
    } else {
      // Through the meter's own allocation-free read-out (momentary, short-term, integrated …).
      const r = this.masterReadout;
      m.readMeters(r, 0);
      out[o + 1] = r[0];
      out[o + 2] = r[1];
      out[o + 3] = r[2];
    }
  }

  /** The absolute frame at `seconds` after `prepare()` / `reset()` (for automation). */
  frameAt(seconds: number): number {
    if (this.spec === undefined) throw new RangeError(`${OWNER}.frameAt: prepare() first (the sample rate is not known yet)`);
    return Math.round(checkNumber(OWNER, 'frameAt(seconds)', seconds, { min: 0, max: 1e9, unit: 's' }) * this.spec.sampleRate);
  }

  /** The insert chain of a track (by name or index), e.g. to `set()` one of its processors. */
  trackInserts(track: string | number): Chain {
    return this.trackNodes[this.find(this.tracks, track, 'track')].chain;
  }

  /** The insert chain of a bus. */
  busInserts(bus: string | number): Chain {
    return this.busNodes[this.find(this.buses, bus, 'bus')].chain;
  }

  /** The master bus's insert chain. */
  get masterInserts(): Chain {
    return this.masterChain;
  }

  /**
   * Allocate everything and compute the delay compensation. `spec.channels` is the output's
   * channel count and must be 2; each track's inserts are prepared for its own channel count.
   */
  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, { min: 2, max: 2 });
    const max = s.maxBlockSize;
    const alloc = (n: number) => Array.from({ length: n }, () => new Float32Array(max));
    const control = Math.min(max, MIXER_CONTROL_INTERVAL);
    this.primeInsertLanes();
    for (const node of [...this.trackNodes, ...this.busNodes]) {
      node.chain.prepare({ ...s, channels: node.channels });
      node.insertScratch = Array.from({ length: node.channels }, () => new Float32Array(control));
      node.work = alloc(node.channels);
      node.send = alloc(2);
      for (const v of [node.trim, node.fader, node.left, node.right, node.audible, ...node.sendLevels]) v.reset(s.sampleRate, MIXER_SMOOTHING_MS / 1000);
    }
    for (const node of [...this.trackNodes, ...this.busNodes]) {
      node.meter = this.metering ? new LoudnessMeter({ truePeak: false, historySeconds: 0 }) : undefined;
      node.meter?.prepare(s);
    }
    this.masterMeter = this.metering ? new LoudnessMeter({ truePeak: false, historySeconds: 0 }) : undefined;
    this.masterMeter?.prepare(s);
    this.masterChain.prepare(s);
    // The automated inserts' setParam() paths, made hot before audio arrives (see primeAutomation).
    for (const l of this.insertLanes) primeAutomation(l.processor, { ...s, channels: this.laneChannels(l) });
    this.masterScratch = Array.from({ length: 2 }, () => new Float32Array(control));
    this.masterFader.reset(s.sampleRate, MIXER_SMOOTHING_MS / 1000);
    this.masterIn = alloc(2);
    this.busIn = this.busNodes.map(() => alloc(2));
    // A bus's inserts run in place on its summed input.
    for (const node of this.busNodes) node.work = this.busIn[node.index];
    this.ramp = new Float64Array(max);
    this.ramp2 = new Float64Array(max);
    this.ramp3 = new Float64Array(max);
    this.ramp4 = new Float64Array(max);
    this.ramp5 = new Float64Array(max);
    this.ramp6 = new Float64Array(max);
    this.gainL = new Float64Array(max);
    this.gainR = new Float64Array(max);
    this.clock[0] = 0;
    this.compensate();
    this.spec = s;
    this.applyAll(true);
    primeMixerChanges(s);
  }

  /** Clear every insert's state, the compensation delays and the ramps (settings are kept). */
  reset(): void {
    this.primeInsertLanes();
    const nodes = this.allNodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      node.chain.reset();
      for (let k = 0; k < node.paths.length; k++) node.paths[k].delay?.reset();
    }
    this.masterChain.reset();
    for (let i = 0; i < nodes.length; i++) {
      nodes[i].meter?.reset();
      nodes[i].peak[0] = 0;
    }
    this.masterMeter?.reset();
    this.masterPeak[0] = 0;
    this.clock[0] = 0;
    // The ramps end at their targets: what applyAll(true) would set (it computes them from the
    // options, allocating as it goes).
    const sm = this.smoothers;
    for (let i = 0; i < sm.length; i++) sm[i].jumpToTarget();
  }

  /**
   * Mix `frames` samples: `trackInputs[t]` holds track t's channels (1 or 2 arrays; missing or
   * unusable input is silence), the stereo mix is written to `output`. Allocates nothing, never
   * throws; longer blocks than `maxBlockSize` are mixed in pieces.
   */
  process(trackInputs: readonly (readonly Float32Array[])[], output: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined || usableChannels(output, 2) < 2) return;
    const n = safeFrameCount(output, 2, frames);
    const max = spec.maxBlockSize;
    for (let pos = 0; pos < n; pos += max) this.chunk(trackInputs, output, pos, n - pos < max ? n - pos : max);
  }

  /** The session as plain JSON (inserts as their `toJSON()`), with a version field. */
  toJSON(): { type: string; version: number; session: Record<string, unknown> } {
    // From the chains, not the session's lists: a chain edited live (`trackInserts(t).insert(…)`)
    // saves what it runs now. An automated option is saved as the lane's value before its first
    // event (the processor holds whatever the automation last gave it).
    const inserts = (chain: Chain) =>
      Array.from({ length: chain.length }, (_, i) => {
        const p = chain.at(i) as Processor;
        let json = p.toJSON();
        for (const l of this.insertLanes) {
          if (l.processor === p && l.lane.active) json = { ...json, params: withOption(json.params, l.option.split('.'), l.lane.initial) };
        }
        return json;
      });
    return {
      type: Mixer.type,
      version: MIXER_SESSION_VERSION,
      session: {
        tracks: this.tracks.map((t, i) => ({ ...t, inserts: inserts(this.trackNodes[i].chain), sends: t.sends.map((x) => ({ ...x })) })),
        buses: this.buses.map((b, i) => ({ ...b, inserts: inserts(this.busNodes[i].chain) })),
        master: { ...this.master, inserts: inserts(this.masterChain) },
        automation: this.automationJSON(),
        meters: this.metering,
      },
    };
  }

  /** Every lane that holds events, by path (tracks and buses by name). */
  private automationJSON(): Record<string, AutomationEvent[]> {
    const out: Record<string, AutomationEvent[]> = {};
    const add = (path: string, lane: AutomationLane) => {
      if (lane.active) out[path] = lane.toJSON();
    };
    for (const node of this.trackNodes) {
      const base = `tracks.${node.name}`;
      add(`${base}.faderDb`, node.faderLane);
      add(`${base}.pan`, node.panLane);
      add(`${base}.mute`, node.muteLane);
      node.sendLanes.forEach((lane, k) => add(`${base}.sends.${k}.levelDb`, lane));
    }
    for (const node of this.busNodes) {
      const base = `buses.${node.name}`;
      add(`${base}.faderDb`, node.faderLane);
      add(`${base}.pan`, node.panLane);
      add(`${base}.mute`, node.muteLane);
    }
    add('master.faderDb', this.masterLane);
    // Saved at the slot the processor holds now (live edits move it); a removed one is dropped.
    for (const l of this.insertLanes) {
      const slot = l.chain.indexOf(l.processor);
      if (slot >= 0) add(`${l.strip}.inserts.${slot}.${l.option}`, l.lane);
    }
    return out;
  }

  /** Rebuild a mixer from {@link Mixer.toJSON} output; `build` rebuilds each insert (pass `processorFromJSON`). */
  static fromJSON(json: unknown, build: ProcessorBuilder): Mixer {
    if (typeof build !== 'function') throw new TypeError(`Mixer.fromJSON(json, build): build must be a function that rebuilds a processor from its JSON (pass processorFromJSON), got ${describeValue(build)}`);
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== Mixer.type) throw new TypeError(`Mixer.fromJSON: expected type "Mixer", got ${describeValue(j.type)}`);
    if (j.version !== MIXER_SESSION_VERSION) throw new RangeError(`Mixer.fromJSON: session version ${describeValue(j.version)} is not supported (this library reads version ${MIXER_SESSION_VERSION})`);
    const session = checkObject(OWNER, 'json.session', j.session);
    const rebuild = (path: string, x: unknown): Processor[] => listOf(x ?? [], path).map((p) => build(p as ProcessorJSON));
    const withInserts = (list: unknown, path: string) =>
      listOf(list ?? [], path).map((item, i) => {
        const o = checkObject(OWNER, `${path}[${i}]`, item);
        return { ...o, inserts: rebuild(`${path}[${i}].inserts`, o.inserts) };
      });
    const master = checkObject(OWNER, 'json.session.master', session.master ?? {});
    return new Mixer({
      ...(session.meters === undefined ? {} : { meters: session.meters as boolean }),
      ...(session.automation === undefined ? {} : { automation: session.automation as MixerSession['automation'] }),
      tracks: withInserts(session.tracks, 'tracks') as unknown as MixerSession['tracks'],
      buses: withInserts(session.buses, 'buses') as unknown as MixerSession['buses'],
      master: { ...master, inserts: rebuild('master.inserts', master.inserts) } as Partial<MasterOptions>,
    });
  }

  // ---------------------------------------------------------------------------------------------

  private find(list: readonly { name: string }[], key: string | number, what: string): number {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < list.length) return key;
    if (typeof key === 'string') {
      const i = list.findIndex((x) => x.name === key);
      if (i >= 0) return i;
    }
    throw new RangeError(`${OWNER}: no ${what} ${describeValue(key)} (${list.length} ${what === 'bus' ? 'buses' : 'tracks'}: ${list.map((x) => x.name).join(', ')})`);
  }

  /** Set every smoother's target from the options (immediately when not running). */
  private applyAll(immediate: boolean): void {
    const set = (v: SmoothedValue, x: number) => (immediate ? v.setImmediate(x) : v.setTarget(x));
    const audible = this.audibility();
    this.tracks.forEach((t, i) => {
      const node = this.trackNodes[i];
      set(node.trim, dbToGain(t.trimDb) * (t.invertPolarity ? -1 : 1));
      set(node.fader, faderGain(t.faderDb));
      const [l, r] = t.channels === 1 ? panGains(t.pan, t.panLaw) : balanceGains(t.pan);
      node.law = t.channels === 1 ? MIXER_PAN_LAWS.indexOf(t.panLaw) + 1 : 0;
      node.faderLane.initial = t.faderDb;
      node.panLane.initial = t.pan;
      node.muteLane.initial = t.mute ? 1 : 0;
      t.sends.forEach((x, k) => (node.sendLanes[k].initial = x.levelDb));
      set(node.left, l);
      set(node.right, r);
      set(node.audible, audible.tracks[i] ? 1 : 0);
      t.sends.forEach((s, k) => set(node.sendLevels[k], faderGain(s.levelDb)));
    });
    this.buses.forEach((b, i) => {
      const node = this.busNodes[i];
      set(node.trim, 1);
      set(node.fader, faderGain(b.faderDb));
      const [l, r] = balanceGains(b.pan);
      node.faderLane.initial = b.faderDb;
      node.panLane.initial = b.pan;
      node.muteLane.initial = b.mute ? 1 : 0;
      set(node.left, l);
      set(node.right, r);
      set(node.audible, audible.buses[i] ? 1 : 0);
    });
    set(this.masterFader, faderGain(this.master.faderDb));
    this.masterLane.initial = this.master.faderDb;
  }

  /** Which tracks and buses are heard, under mute and solo-in-place. */
  private audibility(): { tracks: boolean[]; buses: boolean[] } {
    const busIndex = new Map(this.buses.map((b, i) => [b.name, i]));
    const anySolo = this.tracks.some((t) => t.solo) || this.buses.some((b) => b.solo);
    // Edges: track → its output bus and send buses; bus → its output bus.
    const trackTargets = this.tracks.map((t) => [t.output, ...t.sends.map((s) => s.bus)].filter((n) => n !== 'master').map((n) => busIndex.get(n)!));
    const busTargets = this.buses.map((b) => (b.output === 'master' ? [] : [busIndex.get(b.output)!]));
    // Buses fed (directly or not) by something soloed, and buses that lead to a soloed bus.
    const fedBySolo = new Set<number>();
    const spread = (b: number) => {
      if (fedBySolo.has(b)) return;
      fedBySolo.add(b);
      for (const next of busTargets[b]) spread(next);
    };
    this.tracks.forEach((t, i) => t.solo && trackTargets[i].forEach(spread));
    this.buses.forEach((b, i) => b.solo && busTargets[i].forEach(spread));
    const leadsToSolo = (targets: number[], seen = new Set<number>()): boolean =>
      targets.some((b) => !seen.has(b) && (seen.add(b), this.buses[b].solo || leadsToSolo(busTargets[b], seen)));
    const tracks = this.tracks.map((t, i) => !t.mute && (!anySolo || t.solo || leadsToSolo(trackTargets[i])));
    const buses = this.buses.map((b, i) => !b.mute && (!anySolo || b.solo || b.soloSafe || fedBySolo.has(i) || leadsToSolo(busTargets[i])));
    return { tracks, buses };
  }

  /** Paths and compensation delays (see the module doc). */
  private compensate(): void {
    const busIndex = new Map(this.buses.map((b, i) => [b.name, i]));
    const dest = (name: string) => (name === 'master' ? -1 : busIndex.get(name)!);
    for (const node of this.trackNodes) {
      const t = this.tracks[node.index];
      node.outLatency = node.chain.latency;
      node.paths = [{ to: dest(t.output), send: -1, pre: false, delay: undefined, comp: 0 }, ...t.sends.map((s, k) => ({ to: dest(s.bus), send: k, pre: s.preFader, delay: undefined, comp: 0 }))];
    }
    for (const node of this.busNodes) node.paths = [{ to: dest(this.buses[node.index].output), send: -1, pre: false, delay: undefined, comp: 0 }];
    // Arrival latencies, buses in topological order.
    const sourcesOf = (to: number) => [...this.trackNodes, ...this.busNodes].filter((n) => n.paths.some((p) => p.to === to));
    for (const b of this.busOrder) {
      const node = this.busNodes[b];
      node.arrival = Math.max(0, ...sourcesOf(b).map((s) => s.outLatency));
      node.outLatency = node.arrival + node.chain.latency;
    }
    const masterArrival = Math.max(0, ...sourcesOf(-1).map((s) => s.outLatency));
    for (const node of [...this.trackNodes, ...this.busNodes]) {
      for (const p of node.paths) {
        const arrival = p.to < 0 ? masterArrival : this.busNodes[p.to].arrival;
        p.comp = arrival - node.outLatency;
        p.delay = p.comp > 0 ? new DelayLine(2, p.comp) : undefined;
      }
    }
    this.lat = masterArrival + this.masterChain.latency;
  }

  private chunk(inputs: readonly (readonly Float32Array[])[], output: readonly Float32Array[], pos: number, n: number): void {
    const master = this.masterIn;
    master[0].fill(0, 0, n);
    master[1].fill(0, 0, n);
    for (const b of this.busIn) {
      b[0].fill(0, 0, n);
      b[1].fill(0, 0, n);
    }
    const ramp = this.ramp;
    const tracks = this.trackNodes;
    const given = Array.isArray(inputs) ? inputs.length : 0;
    const g = this.gains;
    for (let t = 0; t < tracks.length; t++) {
      const node = tracks[t];
      const work = node.work;
      const input = t < given ? inputs[t] : undefined;
      const usable = input === undefined ? 0 : usableChannels(input, node.channels);
      // Input × trim into the work buffers, in one pass: a steady trim is one number (the same
      // value its ramp would give every sample), and unity trim is a plain copy (x · 1 = x).
      const trimSteady = !node.trim.isSmoothing;
      if (trimSteady) node.trim.writeCurrent(g, G_TRIM);
      else node.trim.fill(ramp, n);
      const tg = g[G_TRIM];
      for (let c = 0; c < node.channels; c++) {
        const w = work[c];
        if (c < usable) {
          const x = (input as readonly Float32Array[])[c];
          const len = x.length - pos < n ? (x.length - pos > 0 ? x.length - pos : 0) : n;
          if (!trimSteady) for (let i = 0; i < len; i++) w[i] = x[pos + i] * ramp[i];
          else if (tg === 1) for (let i = 0; i < len; i++) w[i] = x[pos + i];
          else for (let i = 0; i < len; i++) w[i] = x[pos + i] * tg;
          if (len < n) w.fill(0, len, n);
        } else if (usable > 0 && c === 1) {
          // A stereo track given one channel: the same signal on both.
          const x = work[0];
          for (let i = 0; i < n; i++) w[i] = x[i];
        } else {
          w.fill(0, 0, n);
        }
      }
      if (node.insertLanes.length === 0) node.chain.process(work, n);
      else this.runInserts(node.chain, work, node.channels, node.insertLanes, node.insertScratch, n);
      this.leave(node, n);
    }
    // Buses work in place on their summed inputs (node.work is busIn[b]).
    const busOrder = this.busOrder;
    for (let k = 0; k < busOrder.length; k++) {
      const node = this.busNodes[busOrder[k]];
      if (node.insertLanes.length === 0) node.chain.process(node.work, n);
      else this.runInserts(node.chain, node.work, 2, node.insertLanes, node.insertScratch, n);
      this.leave(node, n);
    }
    if (this.masterInsertLanes.length === 0) this.masterChain.process(master, n);
    else this.runInserts(this.masterChain, master, 2, this.masterInsertLanes, this.masterScratch, n);
    if (this.masterLane.active) dbLaneToGain(this.masterLane, ramp, this.clock[0], n);
    else this.masterFader.fill(ramp, n);
    const l = output[0];
    const r = output[1];
    const ml = master[0];
    const mr = master[1];
    let peak = this.masterPeak[0];
    for (let i = 0; i < n; i++) {
      const vl = ml[i] * ramp[i];
      const vr = mr[i] * ramp[i];
      l[pos + i] = vl;
      r[pos + i] = vr;
      // (What is written: float32, as the meters of the output see it.)
      ml[i] = vl;
      mr[i] = vr;
      const pl = vl < 0 ? -vl : vl;
      const pr = vr < 0 ? -vr : vr;
      if (pl > peak) peak = pl;
      if (pr > peak) peak = pr;
    }
    this.masterPeak[0] = peak;
    if (this.masterMeter !== undefined) this.masterMeter.process(master, n);
    this.clock[0] += n;
  }

  /**
   * Run `chain` over `work[0 … n)` in pieces cut at the control grid (absolute frames that are
   * multiples of MIXER_CONTROL_INTERVAL), handing the lanes' values to their processors at each
   * grid frame: so a change lands on the same sample whatever the block partition. The first
   * piece runs in place, later ones through `scratch` (no views: a subarray would allocate).
   */
  private runInserts(chain: Chain, work: Float32Array[], channels: number, lanes: InsertLane[], scratch: Float32Array[], n: number): void {
    const start = this.clock[0];
    let pos = 0;
    while (pos < n) {
      const t = start + pos;
      const phase = t % MIXER_CONTROL_INTERVAL;
      if (phase === 0) this.applyLanes(lanes, t);
      const len = MIXER_CONTROL_INTERVAL - phase < n - pos ? MIXER_CONTROL_INTERVAL - phase : n - pos;
      if (pos === 0) {
        chain.process(work, len);
      } else {
        for (let c = 0; c < channels; c++) {
          const x = work[c];
          const y = scratch[c];
          for (let i = 0; i < len; i++) y[i] = x[pos + i];
        }
        chain.process(scratch, len);
        for (let c = 0; c < channels; c++) {
          const x = work[c];
          const y = scratch[c];
          for (let i = 0; i < len; i++) x[pos + i] = y[i];
        }
      }
      pos += len;
    }
  }

  /** Hand each active lane's value at absolute frame `t` to its processor, when it changed. */
  private applyLanes(lanes: InsertLane[], t: number): void {
    const value = this.laneValue;
    for (let k = 0; k < lanes.length; k++) {
      const l = lanes[k];
      if (!l.lane.active) continue;
      l.lane.fill(value, t, 1);
      if (value[0] !== l.last[0]) {
        l.last[0] = value[0];
        l.processor.setParam(l.option, value, 0);
      }
    }
  }

  /**
   * Before inserts are prepared or reset: give every active insert lane's processor its value at
   * frame 0, so that the processor starts there (its prepare()/reset() ends any ramp), and forget
   * the values given so far.
   */
  private primeInsertLanes(): void {
    const lanes = this.insertLanes;
    for (let i = 0; i < lanes.length; i++) {
      const l = lanes[i];
      if (l.lane.active) {
        l.lane.fill(l.last, 0, 1);
        l.processor.setParam(l.option, l.last, 0);
      } else {
        l.last[0] = NaN;
      }
    }
  }

  /**
   * Sends, fader, pan, mute/solo and delay compensation of a node whose inserts have run.
   *
   * Every path leaves as x · g with one gain per side and sample, formed in one order:
   * main g = (fader · pan) · audible, post-fader send g = ((fader · pan) · level) · audible,
   * pre-fader send g = level · audible. While nothing ramps and no lane is automated the gains
   * are numbers computed once per block with the same expressions, so they equal what the
   * per-sample arrays would hold: the output does not depend on which way a block was computed,
   * hence not on the block partition. Without a compensation delay the product x · g goes
   * straight into the destination (one multiply-add per sample and side, no buffer, metered or
   * not); a delayed path goes through a float32 buffer and the delay line.
   */
  private leave(node: Node, n: number): void {
    const work = node.work;
    const mono = node.channels === 1;
    const now = this.clock[0];
    const g = this.gains;
    const xl = work[0];
    const xr = mono ? work[0] : work[1];
    const steady =
      !node.audible.isSmoothing && !node.muteLane.active && !node.fader.isSmoothing && !node.faderLane.active &&
      !node.left.isSmoothing && !node.right.isSmoothing && !node.panLane.active;
    const audible = this.ramp3;
    const pfl = this.ramp2;
    const pfr = this.ramp4;
    if (steady) {
      node.audible.writeCurrent(g, G_AUDIBLE);
      node.fader.writeCurrent(g, G_FADER);
      node.left.writeCurrent(g, G_LEFT);
      node.right.writeCurrent(g, G_RIGHT);
      g[G_PFL] = g[G_FADER] * g[G_LEFT];
      g[G_PFR] = g[G_FADER] * g[G_RIGHT];
    } else {
      node.audible.fill(audible, n);
      if (node.muteLane.active) {
        // Automated mute (0 … 1, sample-accurate): the heard fraction is 1 − m.
        const m = this.ramp5;
        node.muteLane.fill(m, now, n);
        for (let i = 0; i < n; i++) audible[i] *= 1 - m[i];
      }
      const fader = this.ramp;
      if (node.faderLane.active) dbLaneToGain(node.faderLane, fader, now, n);
      else node.fader.fill(fader, n);
      if (node.panLane.active) {
        node.panLane.fill(pfl, now, n);
        panLaneToGains(node.law, pfl, pfr, n);
      } else {
        node.left.fill(pfl, n);
        node.right.fill(pfr, n);
      }
      for (let i = 0; i < n; i++) {
        pfl[i] = fader[i] * pfl[i];
        pfr[i] = fader[i] * pfr[i];
      }
    }
    const paths = node.paths;
    const gl = this.gainL;
    const gr = this.gainR;
    const level = this.ramp6;
    for (let p = 1; p < paths.length; p++) {
      const path = paths[p];
      const k = path.send;
      const lane = node.sendLanes[k];
      const levelSteady = !lane.active && !node.sendLevels[k].isSmoothing;
      if (levelSteady) node.sendLevels[k].writeCurrent(g, G_LEVEL);
      else if (lane.active) dbLaneToGain(lane, level, now, n);
      else node.sendLevels[k].fill(level, n);
      if (path.pre) {
        // Pre-fader: the post-insert signal (a mono track on both sides) × level × audible.
        if (steady && levelSteady) {
          g[G_A] = g[G_LEVEL] * g[G_AUDIBLE];
          g[G_B] = g[G_A];
          this.deliverScaled(path, xl, xr, n, node, false);
        } else {
          for (let i = 0; i < n; i++) gl[i] = (levelSteady ? g[G_LEVEL] : level[i]) * (steady ? g[G_AUDIBLE] : audible[i]);
          this.deliverRamped(path, xl, xr, gl, gl, n, node, false);
        }
      } else if (steady && levelSteady) {
        g[G_A] = g[G_PFL] * g[G_LEVEL] * g[G_AUDIBLE];
        g[G_B] = g[G_PFR] * g[G_LEVEL] * g[G_AUDIBLE];
        this.deliverScaled(path, xl, xr, n, node, false);
      } else {
        for (let i = 0; i < n; i++) {
          const lv = levelSteady ? g[G_LEVEL] : level[i];
          const au = steady ? g[G_AUDIBLE] : audible[i];
          gl[i] = (steady ? g[G_PFL] : pfl[i]) * lv * au;
          gr[i] = (steady ? g[G_PFR] : pfr[i]) * lv * au;
        }
        this.deliverRamped(path, xl, xr, gl, gr, n, node, false);
      }
    }
    // The main output (metered: its peak, and its loudness when strip meters are on).
    if (steady) {
      g[G_A] = g[G_PFL] * g[G_AUDIBLE];
      g[G_B] = g[G_PFR] * g[G_AUDIBLE];
      this.deliverScaled(paths[0], xl, xr, n, node, true);
    } else {
      for (let i = 0; i < n; i++) {
        gl[i] = pfl[i] * audible[i];
        gr[i] = pfr[i] * audible[i];
      }
      this.deliverRamped(paths[0], xl, xr, gl, gr, n, node, true);
    }
  }

  /**
   * Add l · a and r · b to the path's destination (a = gains[G_A], b = gains[G_B]), through its
   * compensation delay, and into the strip's meters when `main`. The scalar twin of
   * {@link Mixer.deliverRamped}: the same products for gains that do not change within the block.
   * Without a delay the products go straight into the destination (the strip's loudness meter,
   * when on, gets a float32 copy beside them, so metering does not change the mix); a delayed
   * path goes through a float32 buffer and the delay line.
   * (The gains travel in the typed array: a double passed to a call V8 does not inline is boxed.)
   */
  private deliverScaled(path: Path, l: Float32Array, r: Float32Array, n: number, node: Node, main: boolean): void {
    const a = this.gains[G_A];
    const b = this.gains[G_B];
    const sig = node.send;
    const sa = sig[0];
    const sb = sig[1];
    if (path.delay === undefined) {
      const dest = path.to < 0 ? this.masterIn : this.busIn[path.to];
      const dl = dest[0];
      const dr = dest[1];
      if (!main) {
        for (let i = 0; i < n; i++) {
          dl[i] += l[i] * a;
          dr[i] += r[i] * b;
        }
        return;
      }
      const copy = node.meter !== undefined;
      let peak = node.peak[0];
      for (let i = 0; i < n; i++) {
        const va = l[i] * a;
        const vb = r[i] * b;
        dl[i] += va;
        dr[i] += vb;
        if (copy) {
          sa[i] = va;
          sb[i] = vb;
        }
        const pa = va < 0 ? -va : va;
        const pb = vb < 0 ? -vb : vb;
        if (pa > peak) peak = pa;
        if (pb > peak) peak = pb;
      }
      node.peak[0] = peak;
      if (node.meter !== undefined) node.meter.process(sig, n);
      return;
    }
    for (let i = 0; i < n; i++) {
      sa[i] = l[i] * a;
      sb[i] = r[i] * b;
    }
    this.deliver(path, sig, n, node, main);
  }

  /** {@link Mixer.deliverScaled} with per-sample gains `a[i]`, `b[i]`. */
  private deliverRamped(path: Path, l: Float32Array, r: Float32Array, a: Float64Array, b: Float64Array, n: number, node: Node, main: boolean): void {
    const sig = node.send;
    const sa = sig[0];
    const sb = sig[1];
    if (path.delay === undefined) {
      const dest = path.to < 0 ? this.masterIn : this.busIn[path.to];
      const dl = dest[0];
      const dr = dest[1];
      if (!main) {
        for (let i = 0; i < n; i++) {
          dl[i] += l[i] * a[i];
          dr[i] += r[i] * b[i];
        }
        return;
      }
      const copy = node.meter !== undefined;
      let peak = node.peak[0];
      for (let i = 0; i < n; i++) {
        const va = l[i] * a[i];
        const vb = r[i] * b[i];
        dl[i] += va;
        dr[i] += vb;
        if (copy) {
          sa[i] = va;
          sb[i] = vb;
        }
        const pa = va < 0 ? -va : va;
        const pb = vb < 0 ? -vb : vb;
        if (pa > peak) peak = pa;
        if (pb > peak) peak = pb;
      }
      node.peak[0] = peak;
      if (node.meter !== undefined) node.meter.process(sig, n);
      return;
    }
    for (let i = 0; i < n; i++) {
      sa[i] = l[i] * a[i];
      sb[i] = r[i] * b[i];
    }
    this.deliver(path, sig, n, node, main);
  }

  /** Meter (when `main`), delay `sig` by the path's compensation and add it to the destination. */
  private deliver(path: Path, sig: Float32Array[], n: number, node: Node, main: boolean): void {
    const a = sig[0];
    const b = sig[1];
    if (main) {
      let peak = node.peak[0];
      for (let i = 0; i < n; i++) {
        const pa = a[i] < 0 ? -a[i] : a[i];
        const pb = b[i] < 0 ? -b[i] : b[i];
        if (pa > peak) peak = pa;
        if (pb > peak) peak = pb;
      }
      node.peak[0] = peak;
      if (node.meter !== undefined) node.meter.process(sig, n);
    }
    if (path.delay !== undefined) path.delay.process(sig, n);
    const dest = path.to < 0 ? this.masterIn : this.busIn[path.to];
    const dl = dest[0];
    const dr = dest[1];
    for (let i = 0; i < n; i++) {
      dl[i] += a[i];
      dr[i] += b[i];
    }
  }
}

// -----------------------------------------------------------------------------------------------

/** A dB lane's values at frames `start …` as gains (the fader's bottom is silence). */
function dbLaneToGain(lane: AutomationLane, out: Float64Array, start: number, n: number): void {
  lane.fill(out, start, n);
  for (let i = 0; i < n; i++) {
    const db = out[i];
    out[i] = db <= -120 ? 0 * db : Math.pow(10, db / 20);
  }
}

/**
 * Per-sample pan values in `gl` (overwritten) to left/right gains in gl/gr: `law` 1–4 is a mono
 * track's pan law (MIXER_PAN_LAWS order), 0 the balance of a stereo source. The closed forms of
 * {@link panGains} and {@link balanceGains}, written out for the audio path.
 */
function panLaneToGains(law: number, gl: Float64Array, gr: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = gl[i];
    const t = (p + 1) * QUARTER_PI;
    let l: number;
    let r: number;
    if (law === 0) {
      l = p > 0 ? 1 - p : 1 + 0 * p;
      r = p < 0 ? 1 + p : 1 + 0 * p;
    } else if (law === 1) {
      l = 1 - (p > 0 ? p : 0 * p);
      r = 1 + (p < 0 ? p : 0 * p);
    } else if (law === 2) {
      l = Math.cos(t);
      r = Math.sin(t);
    } else if (law === 3) {
      l = Math.sqrt(Math.cos(t) * ((1 - p) / 2));
      r = Math.sqrt(Math.sin(t) * ((1 + p) / 2));
    } else {
      l = (1 - p) / 2;
      r = (1 + p) / 2;
    }
    gl[i] = l;
    gr[i] = r;
  }
}

/** The value at a dotted option path (`bands.2.gainDb`) of a processor's options, or undefined. */
function optionValue(options: unknown, path: string): unknown {
  let v: unknown = options;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Every number option of `p` (dotted paths into nested options) its `paramRange()` accepts. */
function automatableOptions(p: Automatable): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string) => {
    if (typeof v === 'number') {
      if (p.paramRange(path) !== undefined) out.push(path);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) visit(x, path === '' ? k : `${path}.${k}`);
    }
  };
  visit(p.params, '');
  return out;
}

/** A copy of JSON `params` with the value at the dotted `path` replaced by `value` (±∞ as strings). */
function withOption(params: Readonly<Record<string, unknown>>, path: readonly string[], value: number): Record<string, unknown> {
  const put = (node: unknown, i: number): unknown => {
    if (i === path.length) return value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : value;
    const copy: Record<string, unknown> = Array.isArray(node) ? ([...node] as unknown as Record<string, unknown>) : { ...(node as Record<string, unknown>) };
    copy[path[i]] = put(copy[path[i]], i + 1);
    return copy;
  };
  return put(params, 0) as Record<string, unknown>;
}

function makeNode(kind: 'track' | 'bus', index: number, name: string, chain: Chain, channels: number, sends: number): Node {
  const v = () => new SmoothedValue('linear', 1);
  const path = `${OWNER}.${kind === 'track' ? 'tracks' : 'buses'}[${index}]`;
  return {
    faderLane: new AutomationLane(`${path}.faderDb`, 0, FADER_RANGE.min, FADER_RANGE.max),
    panLane: new AutomationLane(`${path}.pan`, 0, -1, 1),
    muteLane: new AutomationLane(`${path}.mute`, 0, 0, 1),
    sendLanes: Array.from({ length: sends }, (_, k) => new AutomationLane(`${path}.sends[${k}].levelDb`, 0, FADER_RANGE.min, FADER_RANGE.max)),
    insertLanes: [],
    insertScratch: [],
    law: 0,
    meter: undefined,
    peak: new Float64Array(1),
    grIndices: chain.meterNames.flatMap((name, i) => (name === 'gainReductionDb' ? [i] : [])),
    chainMeters: new Float64Array(chain.meterNames.length),
    kind,
    index,
    name,
    chain,
    channels,
    work: [],
    send: [],
    trim: v(),
    fader: v(),
    left: v(),
    right: v(),
    audible: v(),
    sendLevels: Array.from({ length: sends }, v),
    paths: [],
    outLatency: 0,
    arrival: 0,
  };
}

function listOf(value: unknown, path: string, max = MAX_TRACKS): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${OWNER}: ${path} must be an array, got ${describeValue(value)}`);
  if (value.length > max) throw new RangeError(`${OWNER}: ${path} has ${value.length} entries; at most ${max}`);
  for (let i = 0; i < value.length; i++) if (!(i in value)) throw new TypeError(`${OWNER}: ${path}[${i}] is missing (a hole in the array)`);
  return value;
}

function nameOf(o: Record<string, unknown>, path: string, names: Set<string>): string {
  const name = o.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) throw new TypeError(`${OWNER}: ${path}.name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(name)}`);
  if (name.includes('.')) throw new TypeError(`${OWNER}: ${path}.name must not contain "." (automation paths use it), got ${describeValue(name)}`);
  if (names.has(name)) throw new TypeError(`${OWNER}: ${path}.name: the name ${describeValue(name)} is taken (tracks, buses and "master" share one name space)`);
  names.add(name);
  return name;
}

function insertsOf(value: unknown, path: string): Processor[] {
  const list = listOf(value ?? [], path);
  list.forEach((p, i) => {
    if (!isProcessor(p)) throw new TypeError(`${OWNER}: ${path}[${i}] must be a processor, got ${describeValue(p)}`);
  });
  return list as Processor[];
}

function trackOptions(value: unknown, path: string, names: Set<string>): Required<TrackOptions> {
  const o = checkObject(OWNER, path, value);
  checkKnownKeys(`${OWNER} ${path}`, o, ['name', 'channels', 'trimDb', 'invertPolarity', 'inserts', 'faderDb', 'pan', 'panLaw', 'mute', 'solo', 'output', 'sends']);
  const name = nameOf(o, path, names);
  const sends = listOf(o.sends ?? [], `${path}.sends`).map((s, k) => {
    const p = `${path}.sends[${k}]`;
    const x = checkObject(OWNER, p, s);
    checkKnownKeys(`${OWNER} ${p}`, x, ['bus', 'levelDb', 'preFader']);
    if (typeof x.bus !== 'string') throw new TypeError(`${OWNER}: ${p}.bus must be a bus name, got ${describeValue(x.bus)}`);
    return {
      bus: x.bus,
      levelDb: x.levelDb === undefined ? 0 : checkNumber(OWNER, `${p}.levelDb`, x.levelDb, FADER_RANGE),
      preFader: x.preFader === undefined ? false : checkBoolean(OWNER, `${p}.preFader`, x.preFader),
    };
  });
  const channels = o.channels === undefined ? 2 : checkOneOf(OWNER, `${path}.channels`, o.channels, [1, 2] as const);
  const output = o.output === undefined ? 'master' : o.output;
  if (typeof output !== 'string') throw new TypeError(`${OWNER}: ${path}.output must be "master" or a bus name, got ${describeValue(output)}`);
  return {
    name,
    channels,
    trimDb: o.trimDb === undefined ? 0 : checkNumber(OWNER, `${path}.trimDb`, o.trimDb, TRIM_RANGE),
    invertPolarity: o.invertPolarity === undefined ? false : checkBoolean(OWNER, `${path}.invertPolarity`, o.invertPolarity),
    inserts: insertsOf(o.inserts, `${path}.inserts`),
    faderDb: o.faderDb === undefined ? 0 : checkNumber(OWNER, `${path}.faderDb`, o.faderDb, FADER_RANGE),
    pan: o.pan === undefined ? 0 : checkNumber(OWNER, `${path}.pan`, o.pan, PAN_RANGE),
    panLaw: o.panLaw === undefined ? '-3dB' : checkOneOf(OWNER, `${path}.panLaw`, o.panLaw, MIXER_PAN_LAWS),
    mute: o.mute === undefined ? false : checkBoolean(OWNER, `${path}.mute`, o.mute),
    solo: o.solo === undefined ? false : checkBoolean(OWNER, `${path}.solo`, o.solo),
    output,
    sends,
  };
}

function busOptions(value: unknown, path: string, names: Set<string>): Required<BusOptions> {
  const o = checkObject(OWNER, path, value);
  checkKnownKeys(`${OWNER} ${path}`, o, ['name', 'inserts', 'faderDb', 'pan', 'mute', 'solo', 'soloSafe', 'output']);
  const output = o.output === undefined ? 'master' : o.output;
  if (typeof output !== 'string') throw new TypeError(`${OWNER}: ${path}.output must be "master" or a bus name, got ${describeValue(output)}`);
  return {
    name: nameOf(o, path, names),
    inserts: insertsOf(o.inserts, `${path}.inserts`),
    faderDb: o.faderDb === undefined ? 0 : checkNumber(OWNER, `${path}.faderDb`, o.faderDb, FADER_RANGE),
    pan: o.pan === undefined ? 0 : checkNumber(OWNER, `${path}.pan`, o.pan, PAN_RANGE),
    mute: o.mute === undefined ? false : checkBoolean(OWNER, `${path}.mute`, o.mute),
    solo: o.solo === undefined ? false : checkBoolean(OWNER, `${path}.solo`, o.solo),
    soloSafe: o.soloSafe === undefined ? false : checkBoolean(OWNER, `${path}.soloSafe`, o.soloSafe),
    output,
  };
}

function masterOptions(value: unknown, path: string): Required<MasterOptions> {
  const o = checkObject(OWNER, path, value);
  checkKnownKeys(`${OWNER} ${path}`, o, ['inserts', 'faderDb']);
  return {
    inserts: insertsOf(o.inserts, `${path}.inserts`),
    faderDb: o.faderDb === undefined ? 0 : checkNumber(OWNER, `${path}.faderDb`, o.faderDb, FADER_RANGE),
  };
}

/** Buses ordered so that each comes after every bus feeding it; a routing cycle is a RangeError naming it. */
function topologicalOrder(buses: readonly Required<BusOptions>[], index: Map<string, number>): number[] {
  const order: number[] = [];
  const state = new Array<number>(buses.length).fill(0); // 0 new, 1 visiting, 2 done
  // Visit a bus after everything it feeds has been placed later: post-order on "feeds", reversed.
  const visit = (b: number, trail: number[]) => {
    if (state[b] === 2) return;
    if (state[b] === 1) {
      const cycle = [...trail.slice(trail.indexOf(b)), b].map((i) => buses[i].name).join(' → ');
      throw new RangeError(`${OWNER}: buses[${b}].output: routing cycle ${cycle}`);
    }
    state[b] = 1;
    const out = buses[b].output;
    if (out !== 'master') visit(index.get(out)!, [...trail, b]);
    state[b] = 2;
    order.push(b);
  };
  for (let b = 0; b < buses.length; b++) visit(b, []);
  return order.reverse();
}

/** (Used by tests and docs.) The spec limits a mixer accepts. */
export const MIXER_LIMITS = Object.freeze({ maxTracks: MAX_TRACKS, maxChannels: SPEC_LIMITS.maxChannels });

/** Whether the Mixer's own change paths have been primed in this realm (see {@link primeMixerChanges}). */
let mixerChangesPrimed = false;
/** Frame budget and time cap of {@link primeMixerChanges} (as for the processors' `primeChanges`). */
const MIXER_PRIME_FRAMES = 1_000_000;
/** A safety net only: the frame budget ends the priming, whatever the load. */
const MIXER_PRIME_MS_LIMIT = 3000;

/**
 * Priming of the Mixer's own change paths: on a throwaway session (a mono and a stereo track, pre-
 * and post-fader sends, an aux bus and a group), every strip setting changed and changed back
 * through its 10 ms ramp, in blocks of full and odd sizes; once per realm (the strip code is
 * shared by every Mixer).
 *
 * Why: a mix that has run steadily for minutes has been compiled for steady gains. The first fader,
 * pan, mute or solo change took ramp code that V8 met without type feedback, deoptimised the
 * mixing code on the audio thread and boxed 0.1–0.5 MB over the next 200 blocks (measured
 * 2026-12-02). The processors prime their own paths (core/prime.ts).
 */
function primeMixerChanges(spec: ProcessSpec): void {
  if (mixerChangesPrimed) return;
  mixerChangesPrimed = true;
  const max = Math.min(256, Math.max(64, spec.maxBlockSize));
  let m: Mixer;
  try {
    m = new Mixer({
      tracks: [
        { name: 'm', channels: 1, output: 'grp', sends: [{ bus: 'fx', levelDb: -12 }, { bus: 'fx', levelDb: -20, preFader: true }] },
        { name: 's', channels: 2, sends: [{ bus: 'fx', levelDb: -10 }] },
      ],
      buses: [{ name: 'fx' }, { name: 'grp' }],
    });
    m.prepare({ ...spec, maxBlockSize: max });
  } catch {
    return;
  }
  const inputs = [[new Float32Array(max)], [new Float32Array(max), new Float32Array(max)]];
  const output = [new Float32Array(max), new Float32Array(max)];
  const rampFrames = Math.ceil((MIXER_SMOOTHING_MS * spec.sampleRate) / 1000);
  let t = 0;
  let frames = 0;
  const run = (): void => {
    const done = runPrimingBlocks(max, rampFrames + 2 * max, t, (t0, n) => {
      fillPrimingBlock(inputs[0], t0, n);
      fillPrimingBlock(inputs[1], t0, n);
      m.process(inputs, output, n);
    });
    t += done;
    frames += done;
  };
  type Change = () => void;
  const changes: [Change, Change][] = [];
  for (const track of ['m', 's']) {
    changes.push(
      [() => m.setTrack(track, { faderDb: -7.3 }), () => m.setTrack(track, { faderDb: 0 })],
      [() => m.setTrack(track, { pan: 0.37 }), () => m.setTrack(track, { pan: 0 })],
      [() => m.setTrack(track, { trimDb: 2.1 }), () => m.setTrack(track, { trimDb: 0 })],
      [() => m.setTrack(track, { invertPolarity: true }), () => m.setTrack(track, { invertPolarity: false })],
      [() => m.setTrack(track, { mute: true }), () => m.setTrack(track, { mute: false })],
      [() => m.setTrack(track, { solo: true }), () => m.setTrack(track, { solo: false })],
      [() => m.setTrack(track, { sendLevelsDb: track === 'm' ? [-4.1, -9.7] : [-3.3] }), () => m.setTrack(track, { sendLevelsDb: track === 'm' ? [-12, -20] : [-10] })],
    );
    for (const law of MIXER_PAN_LAWS) changes.push([() => m.setTrack(track, { panLaw: law, pan: -0.61 }), () => m.setTrack(track, { panLaw: '-3dB', pan: 0 })]);
  }
  for (const bus of ['fx', 'grp']) {
    changes.push(
      [() => m.setBus(bus, { faderDb: -5.7 }), () => m.setBus(bus, { faderDb: 0 })],
      [() => m.setBus(bus, { pan: -0.43 }), () => m.setBus(bus, { pan: 0 })],
      [() => m.setBus(bus, { mute: true }), () => m.setBus(bus, { mute: false })],
      [() => m.setBus(bus, { solo: true }), () => m.setBus(bus, { solo: false })],
      [() => m.setBus(bus, { soloSafe: true }), () => m.setBus(bus, { soloSafe: false })],
    );
  }
  changes.push([() => m.setMaster({ faderDb: -2.9 }), () => m.setMaster({ faderDb: 0 })]);
  const started = Date.now();
  for (let round = 0; (round < 2 || frames < MIXER_PRIME_FRAMES) && Date.now() - started < MIXER_PRIME_MS_LIMIT; round++) {
    for (const [change, back] of changes) {
      try {
        change();
        run();
        back();
        run();
      } catch {
        return;
      }
    }
  }
}


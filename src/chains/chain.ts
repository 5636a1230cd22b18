/**
 * A serial chain of processors that is itself a processor (after JUCE's `ProcessorChain`, built on
 * the contract alone: it configures, bypasses, meters and serialises children it did not create).
 *
 * - Each slot runs in place on the same block, in order; `latency` is the sum of the slots'.
 * - Bypassing a slot cross-fades (20 ms) between its output and its input delayed by its latency
 *   ({@link BypassFade}), so the chain's timing never changes and nothing clicks; the slot keeps
 *   running while bypassed, so switching it back is seamless too.
 * - `channelRange` is the intersection of the slots' ranges; `prepare()` prepares every slot with
 *   the chain's spec.
 * - Read-outs: `meterNames` lists the slots' names in slot order; `readMeters()` writes them all.
 *   For per-slot read-outs, use `at(i).meterNames` / `at(i).readMeters()`.
 * - Blocks longer than `maxBlockSize` are run through the slots in pieces, through the chain's own
 *   scratch buffers (no allocation).
 * - Live edits (`insert`, `remove`, `move`, `replace`) build the new layout in the call (new
 *   processors are prepared there: the call allocates, `process()` does not). At the next block the
 *   running layout fades out linearly over {@link CHAIN_EDIT_FADE_SECONDS} (10 ms), the new one
 *   takes over at the sample the gain reaches 0, is held silent for its latency, then fades in over
 *   10 ms. Why not a cross-fade of the two layouts: they share processor objects, which cannot run
 *   twice per block (their state would advance twice), so the two layouts never run side by side.
 *   Fading through silence costs a dip of 20 ms plus the latency, but keeps every output sample a
 *   gain in [0, 1] times what one layout would give (a limiter's ceiling holds), and hides any jump
 *   in timing when the edit changes the latency. Edits apply at block boundaries, so output is
 *   partition-independent for edits made at the same frames.
 *
 * @module
 */
import { BypassFade, DelayLine } from '../core/delay-line.js';
import { fillPrimingBlock, runPrimingBlocks } from '../core/prime.js';
import {
  ANY_CHANNELS,
  NO_METERS,
  safeFrameCount,
  usableChannels,
  validateSpec,
  type ChannelRange,
  type MeterName,
  type ProcessSpec,
  type Processor,
  type ProcessorJSON,
} from '../core/processor.js';
import { checkBoolean, checkKnownKeys, checkObject, describeValue } from '../core/validate.js';

/** Options of {@link Chain}. */
export interface ChainOptions {
  /** Per slot: whether it is bypassed (cross-faded out, its latency kept). Missing entries: false. */
  bypassed: readonly boolean[];
}

/** Length of the bypass cross-fade, in seconds. */
export const CHAIN_BYPASS_FADE_SECONDS = 0.02;

/**
 * Length of each half of an edit's fade, in seconds: the running slots fade out over this long,
 * the edited slots fade in over this long (so an edit dips the output for twice this long).
 */
export const CHAIN_EDIT_FADE_SECONDS = 0.01;

/** Longest chain. */
export const MAX_CHAIN_LENGTH = 256;

const OWNER = 'Chain';

/** Turns one element of a chain's JSON back into a processor (the registry's `processorFromJSON`). */
export type ProcessorBuilder = (json: ProcessorJSON) => Processor;

/** One layout of the chain: its slots in order, with what `process()` needs. Edits build a new one. */
interface Layout {
  readonly slots: readonly Processor[];
  /** Per slot, its bypass cross-fade (none before `prepare()`); a slot keeps its fade when moved. */
  readonly fades: readonly BypassFade[];
  /** Per slot, whether it is bypassed. */
  readonly bypass: boolean[];
  /** Sum of the slots' latencies (0 before `prepare()`). */
  readonly latency: number;
  readonly meterNames: readonly MeterName[];
  readonly channelRange: ChannelRange;
}

// Slots of Chain.edit (Int32Array): the edit fade's position and length, in samples.
/** Gain of the running layout, as a multiple of 1 / EDIT_LENGTH: EDIT_LENGTH when no edit is under way. */
const EDIT_POS = 0;
/** Length of each half of the edit fade, in samples. */
const EDIT_LENGTH = 1;
/** Samples of silence still to come after a swap, before the fade-in (the new layout's latency). */
const EDIT_HOLD = 2;

/**
 * A serial chain of processors, itself a {@link Processor}, whose slots can be inserted, removed,
 * moved and replaced while it runs.
 *
 * `T` types the slots. Built from a tuple (`new Chain([eq, comp] as const)`), `at(1)` is a
 * `Compressor`: the types describe the slots as built, so edit such a chain only through a
 * reference typed by an array (`const c: Chain = typed`), after which the tuple type no longer
 * holds. Built from an array, `at()` gives the element type, and the edit methods take only
 * processors of that type (`Chain` alone takes any processor). {@link Chain.find} and
 * {@link Chain.indexOf} give typed access whatever the layout.
 *
 * @example
 * ```ts
 * import { Chain, Compressor, Limiter, ParametricEQ } from 'masterbus';
 * const master = new Chain([
 *   new ParametricEQ({ bands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 1.5 }] }),
 *   new Compressor({ thresholdDb: -18, ratio: 2 }),
 *   new Limiter({ ceilingDb: -1 }),
 * ]);
 * master.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128), new Float32Array(128)];
 * master.process(block);
 * master.setBypassed(1, true);                 // fades the compressor out over 20 ms
 * master.find(Compressor)?.set({ ratio: 3 });  // typed: a Compressor
 * console.log(master.latency, master.meterNames);
 * ```
 */
export class Chain<T extends readonly Processor[] = readonly Processor[]> implements Processor<ChainOptions> {
  /** Type name used by {@link Chain.toJSON}. */
  static readonly type = 'Chain';
  /** The layout the API describes: the latest edits. */
  private target: Layout;
  /** The layout `process()` runs: `target`, or until an edit's fade-out has ended, the one before. */
  private active: Layout;
  /** Edit fade state at the slots EDIT_POS, EDIT_LENGTH, EDIT_HOLD. */
  private readonly edit = new Int32Array(3);
  /** Per channel count c, the first c scratch buffers (`scratchViews[c]`), for blocks split in pieces. */
  private scratchViews: Float32Array[][] = [];
  /** The same for the part of a block after an edit's swap point. */
  private partViews: Float32Array[][] = [];
  private spec: ProcessSpec | undefined;

  /** Build a chain of `processors` (configured, not yet prepared: the chain prepares them). */
  constructor(processors: T = [] as unknown as T, options: Partial<ChainOptions> = {}) {
    if (!Array.isArray(processors)) throw new TypeError(`${OWNER}: processors must be an array of processors, got ${describeValue(processors)}`);
    if (processors.length > MAX_CHAIN_LENGTH) throw new RangeError(`${OWNER}: at most ${MAX_CHAIN_LENGTH} processors, got ${processors.length}`);
    const slots: Processor[] = [];
    const seen = new Set<Processor>();
    for (let i = 0; i < processors.length; i++) {
      const p = processors[i] as unknown;
      if (!isProcessor(p)) throw new TypeError(`${OWNER}: processors[${i}] must be a processor (prepare, process, reset, latency, readMeters …), got ${describeValue(p)}`);
      if (slots.includes(p)) throw new TypeError(`${OWNER}: processors[${i}] is already in the chain (one object cannot run twice per block)`);
      const tree = processorTree(p);
      if (tree.repeated !== undefined) throw new TypeError(`${OWNER}: processors[${i}] holds one ${tree.repeated.constructor.name} object twice, or holds itself (one object cannot run twice per block)`);
      for (const q of tree.all) if (seen.has(q)) throw new TypeError(`${OWNER}: processors[${i}] holds a ${q.constructor.name} object that is already in the chain (one object cannot run twice per block)`);
      if (tree.depth >= MAX_NESTING) throw new RangeError(`${OWNER}: processors[${i}] nests containers ${tree.depth} deep; a chain of it would be ${tree.depth + 1}, at most ${MAX_NESTING}`);
      for (const q of tree.all) seen.add(q);
      slots.push(p);
    }
    this.target = layout(OWNER, slots, [], slots.map(() => false), false);
    this.active = this.target;
    this.set(options);
  }

  /**
   * Rebuild a chain from {@link Chain.toJSON} output; `build` turns each element back into a
   * processor (pass `processorFromJSON`, or your own registry's).
   */
  static fromJSON(json: ProcessorJSON, build: ProcessorBuilder): Chain {
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== Chain.type) throw new TypeError(`Chain.fromJSON: expected type "Chain", got ${describeValue(j.type)}`);
    const params = checkObject(OWNER, 'json.params', j.params);
    checkKnownKeys(OWNER, params, ['processors', 'bypassed']);
    const list = params.processors ?? [];
    if (!Array.isArray(list)) throw new TypeError(`${OWNER}: json.params.processors must be an array, got ${describeValue(list)}`);
    if (list.length > MAX_CHAIN_LENGTH) throw new RangeError(`${OWNER}: at most ${MAX_CHAIN_LENGTH} processors, got ${list.length}`);
    const processors: Processor[] = [];
    for (let i = 0; i < list.length; i++) {
      if (!(i in list)) throw new TypeError(`${OWNER}: json.params.processors[${i}] is missing (a hole in the array)`);
      processors.push(build(list[i] as ProcessorJSON));
    }
    return new Chain(processors, params.bypassed === undefined ? {} : { bypassed: params.bypassed as boolean[] });
  }

  /** Number of slots (after the latest edits). */
  get length(): number {
    return this.target.slots.length;
  }

  /** The intersection of the slots' channel ranges. */
  get channelRange(): ChannelRange {
    return this.target.channelRange;
  }

  /**
   * The slots' read-out names, in slot order. An edit that adds or removes a slot with read-outs
   * gives a new list (a container that sized a buffer from the old one must read it again).
   */
  get meterNames(): readonly MeterName[] {
    return this.target.meterNames;
  }

  /**
   * The processor in slot `index`, typed by the chain's slot types: for `new Chain([eq, comp] as const)`,
   * `at(1)` is a `Compressor`; for a chain built from an array, the array's element type.
   */
  at<I extends number>(index: I): T[I] {
    return this.target.slots[this.checkIndex(index)] as T[I];
  }

  /**
   * The first slot that is an instance of `cls`, typed as one (`chain.find(Compressor)?.set({ ratio: 4 })`),
   * or `undefined`.
   */
  find<C extends Processor>(cls: abstract new (...args: never[]) => C): C | undefined {
    if (typeof cls !== 'function') throw new TypeError(`${OWNER}.find(cls): cls must be a class, got ${describeValue(cls)}`);
    for (const p of this.target.slots) if (p instanceof cls) return p;
    return undefined;
  }

  /** The slot index of `processor`, or −1 when it is not in the chain. */
  indexOf(processor: Processor): number {
    return this.target.slots.indexOf(processor);
  }

  /**
   * Sum of the slots' latencies, in samples (0 before `prepare()`). After an edit it is the new
   * layout's at once, although the old layout keeps running (and fading out) for up to
   * {@link CHAIN_EDIT_FADE_SECONDS}; see {@link Chain.insert} for what that means to a host.
   */
  get latency(): number {
    return this.target.latency;
  }

  /** Whether an edit is under way: the old layout still fading out, or the new one fading in. */
  get editing(): boolean {
    return this.active !== this.target || this.edit[EDIT_HOLD] > 0 || this.edit[EDIT_POS] !== this.edit[EDIT_LENGTH];
  }

  /** The current options. */
  get params(): ChainOptions {
    return { bypassed: [...this.target.bypass] };
  }

  /** Change options (validated first: a bad value throws and changes nothing). */
  set(options: Partial<ChainOptions>): this {
    const o = checkObject(OWNER, 'options', options);
    checkKnownKeys(OWNER, o, ['bypassed']);
    if (o.bypassed !== undefined) {
      const b = o.bypassed;
      const n = this.target.slots.length;
      if (!Array.isArray(b)) throw new TypeError(`${OWNER}.bypassed must be an array of booleans, got ${describeValue(b)}`);
      if (b.length > n) throw new RangeError(`${OWNER}.bypassed has ${b.length} entries for ${n} slots`);
      for (let i = 0; i < b.length; i++) {
        if (!(i in b)) throw new TypeError(`${OWNER}.bypassed[${i}] must be a boolean, got undefined (a hole in the array)`);
        checkBoolean(OWNER, `bypassed[${i}]`, b[i]);
      }
      for (let i = 0; i < n; i++) this.setBypassed(i, i < b.length ? (b[i] as boolean) : false);
    }
    return this;
  }

  /** Bypass slot `index` (true) or bring it back (false): a 20 ms cross-fade once running. */
  setBypassed(index: number, value: boolean): void {
    const i = this.checkIndex(index);
    checkBoolean(OWNER, `setBypassed(${index}, value): value`, value);
    const t = this.target;
    t.bypass[i] = value;
    const fade = t.fades[i] as BypassFade | undefined;
    if (fade === undefined) return;
    // A slot that is not running yet (inserted by an edit still fading out) starts in its state.
    if (this.spec === undefined || !this.active.slots.includes(t.slots[i])) fade.setBypassedImmediate(value);
    else fade.setBypassed(value);
  }

  /** Whether slot `index` is bypassed (the target of its fade). */
  isBypassed(index: number): boolean {
    return this.target.bypass[this.checkIndex(index)];
  }

  /**
   * Insert `processor` before slot `index` (`index` = `length` appends it). On a prepared chain the
   * processor is prepared here, with the chain's spec (this call allocates; `process()` does not),
   * and the change is heard at the next `process()` call: the running slots fade out over
   * {@link CHAIN_EDIT_FADE_SECONDS}, the new layout takes over at that sample and fades in over as
   * long. The new slot is not bypassed. Several edits before the next block compose: the fade goes
   * to the layout after the last of them.
   *
   * Latency: if the edit changes it, {@link Chain.latency} reports the new value at once. The
   * output's timing jumps by the difference at the swap, where the output is silent, so nothing
   * clicks; but a host that compensates the chain's latency (a `Mixer` reads its inserts' latency
   * in `prepare()`, and sizes its gain-reduction read-out from `meterNames` when built) keeps the
   * old compensation until it is prepared again: keep edits of a mixer's inserts latency-neutral
   * while it runs, or prepare it again.
   *
   * After the swap the new layout is held silent for its latency (a freshly inserted processor
   * with latency first gives its empty delay line) before it fades in. Processors that stay keep
   * their state; one that moved starts from the state its old position left (heard only through
   * the fade-in).
   *
   * A processor taken out of the chain keeps running in it until the fade-out ends ({@link Chain.editing}
   * turns false at the latest after both halves): do not run it elsewhere before then.
   *
   * @throws RangeError for an index outside [0, length], a full chain, or a processor that does not
   *   accept the chain's channel count. TypeError for a non-processor, or one already in the chain.
   */
  insert(index: number, processor: T[number]): this {
    const self = this;
    const method = 'insert(index, processor)';
    const t = self.target;
    const i = self.checkEditIndex(method, 'index', index, t.slots.length);
    if (t.slots.length >= MAX_CHAIN_LENGTH) throw new RangeError(`${OWNER}.${method}: the chain is full (${MAX_CHAIN_LENGTH} slots)`);
    self.checkNew(method, processor, -1);
    const slots = [...t.slots];
    const bypass = [...t.bypass];
    slots.splice(i, 0, processor);
    bypass.splice(i, 0, false);
    const l = layout(`${OWNER}.${method}`, slots, [], bypass, false);
    const fades = [...t.fades];
    if (self.spec !== undefined) fades.splice(i, 0, self.adopt(method, processor));
    self.commit(slots, fades, bypass, l);
    return self;
  }

  /**
   * Take slot `index` out of the chain and return its processor; heard as {@link Chain.insert} is
   * (a fade-out, the swap, a fade-in). The processor is left prepared and is not reset.
   *
   * @throws RangeError for an index outside [0, length − 1].
   */
  remove(index: number): T[number] {
    const self = this;
    const method = 'remove(index)';
    const t = self.target;
    const i = self.checkEditIndex(method, 'index', index, t.slots.length - 1);
    const slots = [...t.slots];
    const fades = [...t.fades];
    const bypass = [...t.bypass];
    const [removed] = slots.splice(i, 1);
    if (fades.length > 0) fades.splice(i, 1);
    bypass.splice(i, 1);
    self.commit(slots, fades, bypass, layout(`${OWNER}.${method}`, slots, [], bypass, false));
    return removed;
  }

  /**
   * Move the processor in slot `from` to slot `to` (the others close up behind it); its bypass
   * state moves with it. Heard as {@link Chain.insert} is. `from` = `to` changes nothing.
   *
   * @throws RangeError for `from` or `to` outside [0, length − 1].
   */
  move(from: number, to: number): this {
    const self = this;
    const method = 'move(from, to)';
    const t = self.target;
    const f = self.checkEditIndex(method, 'from', from, t.slots.length - 1);
    const k = self.checkEditIndex(method, 'to', to, t.slots.length - 1);
    if (f === k) return self;
    const slots = [...t.slots];
    const fades = [...t.fades];
    const bypass = [...t.bypass];
    slots.splice(k, 0, ...slots.splice(f, 1));
    if (fades.length > 0) fades.splice(k, 0, ...fades.splice(f, 1));
    bypass.splice(k, 0, ...bypass.splice(f, 1));
    self.commit(slots, fades, bypass, layout(`${OWNER}.${method}`, slots, [], bypass, false));
    return self;
  }

  /**
   * Put `processor` in slot `index` instead of the one there, and return that one; heard as
   * {@link Chain.insert} is. The slot keeps its bypass state. Replacing a processor by itself
   * changes nothing.
   *
   * @throws as {@link Chain.insert} does, for an index outside [0, length − 1].
   */
  replace(index: number, processor: T[number]): T[number] {
    const self = this;
    const method = 'replace(index, processor)';
    const t = self.target;
    const i = self.checkEditIndex(method, 'index', index, t.slots.length - 1);
    self.checkNew(method, processor, i);
    const old = t.slots[i];
    if (old === processor) return old;
    const slots = [...t.slots];
    slots[i] = processor;
    const bypass = [...t.bypass];
    const l = layout(`${OWNER}.${method}`, slots, [], bypass, false);
    const fades = [...t.fades];
    if (self.spec !== undefined) {
      const fade = self.adopt(method, processor);
      if (self.active.slots.includes(processor)) fade.setBypassed(bypass[i]);
      else fade.setBypassedImmediate(bypass[i]);
      fades[i] = fade;
    }
    self.commit(slots, fades, bypass, l);
    return old;
  }

  prepare(spec: ProcessSpec): void {
    const t = this.target;
    const s = validateSpec(OWNER, spec, t.channelRange);
    const fades: BypassFade[] = [];
    const fadeSamples = Math.max(1, Math.round(CHAIN_BYPASS_FADE_SECONDS * s.sampleRate));
    for (let i = 0; i < t.slots.length; i++) {
      const p = t.slots[i];
      p.prepare(s);
      const fade = new BypassFade(s.channels, p.latency, s.maxBlockSize, fadeSamples);
      fade.setBypassedImmediate(t.bypass[i]);
      fades.push(fade);
    }
    this.target = layout(OWNER, t.slots, fades, t.bypass, true, t);
    this.active = this.target;
    this.scratchViews = views(s.channels, s.maxBlockSize);
    this.partViews = views(s.channels, s.maxBlockSize);
    const editSamples = Math.max(1, Math.round(CHAIN_EDIT_FADE_SECONDS * s.sampleRate));
    this.edit[EDIT_POS] = editSamples;
    this.edit[EDIT_LENGTH] = editSamples;
    this.edit[EDIT_HOLD] = 0;
    this.spec = s;
    primeChainChanges(s);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    if (n === 0) return;
    const max = spec.maxBlockSize;
    if (n <= max) {
      this.run(block, channels, n);
      return;
    }
    // Longer than maxBlockSize: in pieces through the scratch buffers (no views, no allocation).
    const scratch = this.scratchViews[channels];
    for (let pos = 0; pos < n; pos += max) {
      const len = n - pos < max ? n - pos : max;
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) t[i] = x[pos + i];
      }
      this.run(scratch, channels, len);
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) x[pos + i] = t[i];
      }
    }
  }

  /**
   * `n` ≤ maxBlockSize frames of `block` through the running layout, with the edit fade: while an
   * edit is pending the gain steps down by 1/L per sample ((L−1)/L … 0); at the sample it reaches 0
   * the edited layout takes over, its output is held at 0 for its latency (what its new slots'
   * empty delay lines give), and the gain steps up (1/L … 1). A swap inside the block runs the
   * rest of the block through the new layout, in the part buffers.
   */
  private run(block: readonly Float32Array[], channels: number, n: number): void {
    const st = this.edit;
    const len = st[EDIT_LENGTH];
    if (this.active === this.target && st[EDIT_POS] === len) {
      runLayout(this.active, block, channels, n);
      return;
    }
    let off = 0;
    while (off < n) {
      const pos = st[EDIT_POS];
      const hold = st[EDIT_HOLD];
      if (this.active !== this.target) {
        if (pos === 0) {
          this.swap();
          continue;
        }
        const k = n - off < pos ? n - off : pos;
        this.runPart(block, channels, off, k);
        fadeOut(block, channels, off, k, pos, len);
        st[EDIT_POS] = pos - k;
        if (pos - k === 0) this.swap();
        off += k;
      } else if (hold > 0) {
        const k = n - off < hold ? n - off : hold;
        this.runPart(block, channels, off, k);
        for (let c = 0; c < channels; c++) block[c].fill(0, off, off + k);
        st[EDIT_HOLD] = hold - k;
        off += k;
      } else if (pos < len) {
        const k = n - off < len - pos ? n - off : len - pos;
        this.runPart(block, channels, off, k);
        fadeIn(block, channels, off, k, pos, len);
        st[EDIT_POS] = pos + k;
        off += k;
      } else {
        this.runPart(block, channels, off, n - off);
        off = n;
      }
    }
  }

  /** The edited layout takes over (at gain 0), silent for its latency. */
  private swap(): void {
    this.active = this.target;
    this.edit[EDIT_HOLD] = this.active.latency;
  }

  /** The running layout over frames [off, off + k) of `block` (through the part buffers unless off = 0). */
  private runPart(block: readonly Float32Array[], channels: number, off: number, k: number): void {
    if (off === 0) {
      runLayout(this.active, block, channels, k);
      return;
    }
    const part = this.partViews[channels];
    copyFrames(block, off, part, 0, channels, k);
    runLayout(this.active, part, channels, k);
    copyFrames(part, 0, block, off, channels, k);
  }

  /** Clear every slot's state; an edit under way is completed at once. */
  reset(): void {
    const t = this.target;
    for (let i = 0; i < t.slots.length; i++) t.slots[i].reset();
    for (let i = 0; i < t.fades.length; i++) t.fades[i].reset();
    this.active = t;
    this.edit[EDIT_POS] = this.edit[EDIT_LENGTH];
    this.edit[EDIT_HOLD] = 0;
  }

  /** Every slot's read-outs, in the order of {@link Chain.meterNames}; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const slots = this.target.slots;
    for (let i = 0; i < slots.length; i++) {
      const p = slots[i];
      p.readMeters(out, offset);
      offset += p.meterNames.length;
    }
  }

  /** `{ type: "Chain", params: { processors: [...each toJSON()], bypassed } }`, after the latest edits. */
  toJSON(): ProcessorJSON {
    const t = this.target;
    return { type: Chain.type, params: { processors: t.slots.map((p) => p.toJSON()), bypassed: [...t.bypass] } };
  }

  private checkIndex(index: number): number {
    const n = this.target.slots.length;
    if (typeof index !== 'number' || !Number.isInteger(index) || !(0 <= index && index < n)) {
      throw new RangeError(`${OWNER}: slot index must be an integer in [0, ${n - 1}], got ${describeValue(index)}`);
    }
    return index;
  }

  private checkEditIndex(method: string, name: string, value: unknown, last: number): number {
    if (last < 0) throw new RangeError(`${OWNER}.${method}: ${name} must be a slot index, but the chain is empty, got ${describeValue(value)}`);
    if (typeof value !== 'number' || !Number.isInteger(value) || !(0 <= value && value <= last)) {
      const error = typeof value === 'number' ? RangeError : TypeError;
      throw new error(`${OWNER}.${method}: ${name} must be an integer in [0, ${last}], got ${describeValue(value)}`);
    }
    return value;
  }

  /** Check a processor to be put in the chain (in slot `replacing`, or anywhere for −1). */
  private checkNew(method: string, processor: unknown, replacing: number): void {
    if (!isProcessor(processor)) throw new TypeError(`${OWNER}.${method}: processor must be a processor (prepare, process, reset, latency, readMeters …), got ${describeValue(processor)}`);
    if ((processor as unknown) === this) throw new TypeError(`${OWNER}.${method}: processor is this chain (a chain cannot contain itself)`);
    const at = this.target.slots.indexOf(processor as Processor);
    if (at >= 0 && at !== replacing) throw new TypeError(`${OWNER}.${method}: processor is already in the chain, in slot ${at} (one object cannot run twice per block)`);
    // Deeper: a container that holds this chain (a cycle), or an object already somewhere in it.
    const tree = processorTree(processor as Processor);
    if (tree.all.has(this)) throw new TypeError(`${OWNER}.${method}: processor holds this chain (a chain cannot contain itself, directly or not)`);
    if (tree.repeated !== undefined) throw new TypeError(`${OWNER}.${method}: processor holds one ${tree.repeated.constructor.name} object twice, or holds itself (one object cannot run twice per block)`);
    const mine = new Set<Processor>();
    this.target.slots.forEach((p, i) => {
      if (i !== replacing) for (const q of processorTree(p).all) mine.add(q);
    });
    for (const q of tree.all) if (mine.has(q)) throw new TypeError(`${OWNER}.${method}: processor holds a ${q.constructor.name} object that is already in the chain (one object cannot run twice per block)`);
    if (tree.depth >= MAX_NESTING) throw new RangeError(`${OWNER}.${method}: processor nests containers ${tree.depth} deep; the chain would nest ${tree.depth + 1}, at most ${MAX_NESTING}`);
  }

  /** The processors this chain holds, in slot order (after edits not yet heard, too). */
  children(): readonly Processor[] {
    return this.target.slots;
  }

  /**
   * The bypass fade for `processor` joining the running chain: the one it has if it is still in the
   * running layout (taken out by an edit not yet heard, so its state and its fade go on), else a
   * new one, after preparing it with the chain's spec.
   */
  private adopt(method: string, processor: Processor): BypassFade {
    const spec = this.spec as ProcessSpec;
    const running = this.active.slots.indexOf(processor);
    if (running >= 0) {
      const fade = this.active.fades[running];
      fade.setBypassed(false);
      return fade;
    }
    const r = processor.channelRange;
    if (!(r.min <= spec.channels && spec.channels <= r.max)) {
      const need = r.min === r.max ? `${r.min}` : `${r.min} to ${r.max}`;
      throw new RangeError(`${OWNER}.${method}: processor needs ${need} channels, but the chain runs ${spec.channels}`);
    }
    processor.prepare(spec);
    return new BypassFade(spec.channels, processor.latency, spec.maxBlockSize, Math.max(1, Math.round(CHAIN_BYPASS_FADE_SECONDS * spec.sampleRate)));
  }

  /**
   * Make the edited layout the target. Before `prepare()` it applies at once; while running,
   * `process()` fades over to it. An edit that brings back the running layout cancels the swap (the
   * gain turns back up from where it is).
   */
  private commit(slots: readonly Processor[], fades: readonly BypassFade[], bypass: boolean[], checked: Layout): void {
    if (this.spec === undefined) {
      this.target = checked;
      this.active = checked;
      return;
    }
    const a = this.active.slots;
    let same = a.length === slots.length;
    for (let i = 0; same && i < a.length; i++) same = a[i] === slots[i];
    const next = layout(OWNER, slots, fades, bypass, true, same ? this.active : undefined);
    this.target = next;
    if (same) this.active = next;
  }
}

/**
 * Build a layout: its meter names, channel range (the intersection of the slots'; an empty one
 * throws a RangeError prefixed with `where`) and, when `prepared`, its latency. `same`: a layout
 * of the same slots, whose lists are kept.
 */
function layout(where: string, slots: readonly Processor[], fades: readonly BypassFade[], bypass: boolean[], prepared: boolean, same?: Layout): Layout {
  let min = ANY_CHANNELS.min;
  let max = ANY_CHANNELS.max;
  let latency = 0;
  const names: MeterName[] = [];
  for (const p of slots) {
    min = Math.max(min, p.channelRange.min);
    max = Math.min(max, p.channelRange.max);
    names.push(...p.meterNames);
    if (prepared) latency += p.latency;
  }
  if (min > max) throw new RangeError(`${where}: no channel count suits every processor (they need between ${min} and ${max} channels)`);
  return Object.freeze({
    slots: Object.freeze([...slots]),
    fades: Object.freeze([...fades]),
    bypass,
    latency,
    // The same slots keep the same lists (meterNames is one object while the slots stay).
    meterNames: same ? same.meterNames : Object.freeze(names),
    channelRange: same ? same.channelRange : Object.freeze({ min, max }),
  });
}

/** `views[c]`: the first c of `channels` new buffers of `frames` samples, for c = 0 … channels. */
function views(channels: number, frames: number): Float32Array[][] {
  const buffers: Float32Array[] = [];
  for (let c = 0; c < channels; c++) buffers.push(new Float32Array(frames));
  const out: Float32Array[][] = [];
  for (let c = 0; c <= channels; c++) out.push(buffers.slice(0, c));
  return out;
}

/** Every slot of `l` over `n` ≤ maxBlockSize frames of `block`, with its bypass fade. */
/*
 * The edit's per-sample loops, as small functions of their own: an edit is rare, so V8 may meet
 * Chain.run's edit branches without type feedback and run them unoptimised, which boxed every
 * sample (about 12 kB per block, 0.1 MB per edit, measured 2026-12-02). Kept apart, these loops
 * are compiled once they are hot (primeChainChanges makes them so) and stay compiled whatever
 * happens to their callers.
 */

/** Frames [off, off + k) times the fade-out gains (pos − 1)/len, (pos − 2)/len, …. */
function fadeOut(block: readonly Float32Array[], channels: number, off: number, k: number, pos: number, len: number): void {
  for (let c = 0; c < channels; c++) {
    const x = block[c];
    let p = pos;
    for (let i = off; i < off + k; i++) x[i] *= --p / len;
  }
}

/** Frames [off, off + k) times the fade-in gains (pos + 1)/len, (pos + 2)/len, …. */
function fadeIn(block: readonly Float32Array[], channels: number, off: number, k: number, pos: number, len: number): void {
  for (let c = 0; c < channels; c++) {
    const x = block[c];
    let p = pos;
    for (let i = off; i < off + k; i++) x[i] *= ++p / len;
  }
}

/** `k` frames of each channel from `from` at `fromOff` to `to` at `toOff`. */
function copyFrames(from: readonly Float32Array[], fromOff: number, to: readonly Float32Array[], toOff: number, channels: number, k: number): void {
  for (let c = 0; c < channels; c++) {
    const x = from[c];
    const y = to[c];
    for (let i = 0; i < k; i++) y[toOff + i] = x[fromOff + i];
  }
}

function runLayout(l: Layout, block: readonly Float32Array[], channels: number, n: number): void {
  const slots = l.slots;
  const fades = l.fades;
  for (let i = 0; i < slots.length; i++) {
    const fade = fades[i];
    if (fade.needsCapture) fade.capture(block, channels, n);
    slots[i].process(block, n);
    if (fade.active) fade.mix(block, channels, n);
  }
}

/**
 * Deepest nesting of containers (a Chain, MidSide or Parallel holding another…) that a container
 * accepts: the same limit as `processorFromJSON` puts on saved presets (`MAX_JSON_NESTING`), so
 * that whatever can be built can be saved and loaded again.
 */
export const MAX_NESTING = 32;

/** The processors a container holds directly (its optional `children()`), none for others. */
function childrenOf(p: Processor): readonly Processor[] {
  const c = (p as { children?: () => readonly Processor[] }).children;
  return typeof c === 'function' ? c.call(p) : [];
}

/**
 * Every processor in `root`'s tree (root included), through the containers' `children()`; the
 * first object met twice (one object in two places, or a cycle), if any; and the nesting depth
 * (0 for a plain processor, 1 + the deepest child for a container). Cycle-proof.
 */
export function processorTree(root: Processor): { all: Set<Processor>; repeated: Processor | undefined; depth: number } {
  const all = new Set<Processor>();
  let repeated: Processor | undefined;
  const visit = (p: Processor, onPath: Set<Processor>): number => {
    if (onPath.has(p) || all.has(p)) {
      repeated ??= p;
      return 0;
    }
    all.add(p);
    onPath.add(p);
    let depth = 0;
    const kids = childrenOf(p);
    if (kids.length > 0 || typeof (p as { children?: unknown }).children === 'function') {
      for (const k of kids) depth = Math.max(depth, visit(k, onPath));
      depth += 1;
    }
    onPath.delete(p);
    return depth;
  };
  const depth = visit(root, new Set());
  return { all, repeated, depth };
}

/** Whether `p` has the members of the processor contract (duck typing: any class can take part). */
export function isProcessor(p: unknown): p is Processor {
  if (p === null || typeof p !== 'object') return false;
  const q = p as Record<string, unknown>;
  return (
    typeof q.prepare === 'function' &&
    typeof q.process === 'function' &&
    typeof q.reset === 'function' &&
    typeof q.toJSON === 'function' &&
    typeof q.set === 'function' &&
    typeof q.readMeters === 'function' &&
    Array.isArray(q.meterNames) &&
    q.channelRange !== null &&
    typeof q.channelRange === 'object'
  );
}

/**
 * A slot for the containers' priming ({@link primeChainChanges}, the MidSide's): a whole-sample
 * delay (its latency) and a gain. Internal (not exported from the package).
 * @internal
 */
export class PrimeSlot implements Processor<{ gain: number }> {
  readonly channelRange = ANY_CHANNELS;
  readonly meterNames = NO_METERS;
  private line: DelayLine | undefined;
  private readonly g = new Float64Array(1);
  constructor(readonly latency: number) {
    this.g[0] = 0.9;
  }
  get params(): { gain: number } {
    return { gain: this.g[0] };
  }
  set(options: Partial<{ gain: number }>): this {
    if (typeof options.gain === 'number') this.g[0] = options.gain;
    return this;
  }
  prepare(spec: ProcessSpec): void {
    this.line = new DelayLine(spec.channels, this.latency);
  }
  process(block: readonly Float32Array[], frames?: number): void {
    const channels = block.length;
    const n = safeFrameCount(block, channels, frames);
    this.line?.process(block, n, 0, channels);
    const g = this.g[0];
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      for (let i = 0; i < n; i++) x[i] *= g;
    }
  }
  reset(): void {
    this.line?.reset();
  }
  readMeters(): void {}
  toJSON(): ProcessorJSON {
    return { type: 'PrimeSlot', params: this.params };
  }
}

/** Per channel count, whether the Chain's change paths have been primed in this realm. */
const chainChangesPrimed = new Set<number>();
/**
 * The priming's chains, kept (a few kB): once their PrimeSlots were collected, the slots' hidden
 * classes died and V8 deoptimised the code compiled with them in view at the next full GC.
 */
const primedChains: Chain[] = [];
const CHAIN_PRIME_FRAMES = 1_000_000;
/** A safety net only: the frame budget ends the priming (about 0.1 s), whatever the load. */
const CHAIN_PRIME_MS_LIMIT = 3000;

/**
 * Priming of the Chain's own change paths: on a throwaway chain of three slots (one with latency),
 * each slot bypassed and brought back through its cross-fade, and the live edits (move, remove,
 * insert, replace) through their fades, in blocks of full and odd sizes; once per channel count and
 * realm (the code is shared by every Chain).
 *
 * Why: a chain that has run steadily for minutes has been compiled for the steady path; the first
 * bypass took cross-fade code that V8 met without type feedback and boxed about 1 MB over the next
 * 200 blocks, and the first edit about 0.1 MB (measured 2026-12-02).
 */
function primeChainChanges(spec: ProcessSpec): void {
  // Up to 3 channels: more take the same code (and a kept chain grows with the channel count).
  const channels = spec.channels > 3 ? 3 : spec.channels;
  if (chainChangesPrimed.has(channels)) return;
  chainChangesPrimed.add(channels);
  const max = Math.min(256, Math.max(64, spec.maxBlockSize));
  // (One slot's latency longer than any priming block: the hold then spans blocks.)
  const c = new Chain([new PrimeSlot(0), new PrimeSlot(300), new PrimeSlot(5)]);
  primedChains.push(c);
  try {
    c.prepare({ sampleRate: spec.sampleRate, maxBlockSize: max, channels });
  } catch {
    return;
  }
  const block: Float32Array[] = [];
  for (let ch = 0; ch < channels; ch++) block.push(new Float32Array(max));
  const fadeFrames = Math.ceil((CHAIN_BYPASS_FADE_SECONDS + CHAIN_EDIT_FADE_SECONDS) * spec.sampleRate) + 64;
  let t = 0;
  let frames = 0;
  const run = (): void => {
    const done = runPrimingBlocks(max, fadeFrames + 2 * max, t, (t0, n) => {
      fillPrimingBlock(block, t0, n);
      c.process(block, n);
    });
    t += done;
    frames += done;
  };
  const steps: (() => void)[] = [
    () => c.setBypassed(0, true),
    () => c.setBypassed(0, false),
    () => c.setBypassed(1, true),
    () => c.setBypassed(1, false),
    () => c.set({ bypassed: [true, true, false] }),
    () => c.set({ bypassed: [false, false, false] }),
    () => c.move(0, 2),
    () => c.move(2, 0),
    () => c.remove(1),
    () => c.insert(1, new PrimeSlot(300)),
    () => c.replace(0, new PrimeSlot(0)),
    () => {
      c.setBypassed(2, true);
      c.move(1, 2);
    },
    () => {
      c.move(2, 1);
      c.setBypassed(2, false);
    },
  ];
  const started = Date.now();
  for (let round = 0; (round < 2 || frames < CHAIN_PRIME_FRAMES) && Date.now() - started < CHAIN_PRIME_MS_LIMIT; round++) {
    for (const step of steps) {
      try {
        step();
      } catch {
        return;
      }
      run();
    }
  }
}


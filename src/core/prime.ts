/**
 * Priming: run a freshly prepared processor once over a short test signal that takes every branch
 * of its current signal path (silence, levels from −80 to +6 dBFS, steps up and down, holds that
 * expire; full blocks and odd ones down to 1 frame), then let the caller `reset()` it.
 *
 * Why: V8 compiles a hot function for the type feedback it has seen. A branch first taken after
 * that (the knee, a hold expiring, the first limiting) deoptimises the function on the audio
 * thread, and the code V8 then falls back to can stay markedly slower (we measured the compressor
 * at 1.5–2.5× its normal cost in some processes). Priming in `prepare()`, where work is allowed,
 * gives every operation its feedback before real audio arrives. It changes no output: the caller
 * resets the processor afterwards.
 *
 * {@link primeAutomation} does the same for `setParam()`, on a throwaway copy.
 * @module
 */
import type { ProcessSpec, Processor } from './processor.js';
import { inRange, type NumberRange, type OptionRules } from './validate.js';

const FRAMES = 8192;
const LEVELS = [0, 1e-4, 0.02, 0.12, 0.5, 1, 2, 0.3, 0.001, 0, 1.5, 0.05, 0.7, 0.004, 1, 0.1];

/**
 * Sample `i` of channel `c` of the priming signal: 256-sample segments at the levels of `LEVELS`,
 * each with one of four relations between the channels (the same signal, opposite polarity, other
 * frequencies, independent noise), shifted against the levels after 4096 samples. A branch that
 * only some stereo images take (a true-peak meter's side estimate above its mid estimate) first
 * ran on real audio otherwise, and deoptimised the meter for tens of blocks.
 */
function primingSample(i: number, c: number): number {
  const level = LEVELS[(i >> 8) % LEVELS.length];
  switch (((i >> 8) + (i >> 12)) % 4) {
    case 0:
      return level * Math.sin(i * 0.05);
    case 1:
      return (c % 2 === 0 ? level : -level) * Math.sin(i * 0.05);
    case 2:
      return level * (c % 2 === 0 ? 1 : 0.7) * Math.sin(i * (0.05 + 0.01 * c));
    default: {
      // (A hash of i and c: uniform in [−1, 1).)
      const h = Math.imul(i * 4 + c + 1, 2654435761) >>> 0;
      return level * (((Math.imul(h ^ (h >>> 15), 2246822519) >>> 0) / 2147483648) - 1);
    }
  }
}

/**
 * Per class, the channel counts and configurations (as JSON) whose signal path has been primed in
 * this realm: another instance of the same configuration takes the same code, whose type feedback
 * it shares (a 64-track Mixer's 130 identical meters prime once; a LoudnessMeter's `set()`, which
 * prepares it again, primed at every call). At most {@link MAX_PRIMED_CONFIGS} per class.
 */
const processorsPrimed = new Map<unknown, Set<string>>();

/** The configuration key of `p` for {@link processorsPrimed}: long arrays (an impulse response) by their length. */
function configKey(p: Processor, channels: number): string {
  try {
    return `${channels} ${JSON.stringify(p.params, (_, v: unknown) => (ArrayBuffer.isView(v) ? `view ${(v as ArrayBufferView).byteLength}` : Array.isArray(v) && v.length > 64 ? `array ${v.length}` : v))}`;
  } catch {
    return '';
  }
}

/**
 * Run `p` (just prepared for `spec`) over the priming signal, unless an instance of its class with
 * the same configuration and channel count has been primed in this realm; the caller resets it
 * afterwards.
 * @internal
 */
export function primeProcessor(p: Processor, spec: ProcessSpec): void {
  const key = configKey(p, spec.channels);
  if (key !== '') {
    let primed = processorsPrimed.get(p.constructor);
    if (primed === undefined) processorsPrimed.set(p.constructor, (primed = new Set()));
    if (primed.has(key)) return;
    if (primed.size < MAX_PRIMED_CONFIGS) primed.add(key);
  }
  const block: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) {
    const x = new Float32Array(FRAMES);
    for (let i = 0; i < FRAMES; i++) x[i] = primingSample(i, c);
    block.push(x);
  }
  // Full blocks and odd ones, the odd ones as a `frames` count shorter than the arrays: a
  // remainder shorter than the processor's chunk, and the clamping of `frames`, take code that
  // full blocks never reach, and V8 would deoptimise process() at the first such block.
  for (let pos = 0, b = 0; pos < FRAMES; b++) {
    const odd = PRIME_BLOCKS[b % PRIME_BLOCKS.length];
    const end = Math.min(FRAMES, pos + Math.max(1, Math.min(spec.maxBlockSize, odd || spec.maxBlockSize)));
    p.process(
      block.map((x) => x.subarray(pos, odd === 0 ? end : Math.min(FRAMES, pos + spec.maxBlockSize))),
      end - pos,
    );
    pos = end;
  }
}

/** Block sizes of the priming, cycled (0: the largest, `maxBlockSize`). */
const PRIME_BLOCKS = [0, 1, 77, 0, 5, 100, 0, 33];

/**
 * At least `frames` frames through `step(t, n)` in blocks of the priming's sizes (full, 1, 77, …,
 * at most `max`; `t` counts on from `start`); returns the frames run. The priming of the change
 * paths (here and in the containers) runs every change through such blocks.
 * @internal
 */
export function runPrimingBlocks(max: number, frames: number, start: number, step: (t: number, n: number) => void): number {
  let done = 0;
  for (let b = 0; done < frames; b++) {
    const n = Math.max(1, Math.min(max, PRIME_BLOCKS[b % PRIME_BLOCKS.length] || max));
    step(start + done, n);
    done += n;
  }
  return done;
}

/**
 * Frames [0, n) of every array of `block` from the priming signal at position `t` (channel c of
 * the signal in `block[c]`): what the change priming, here and in the containers, runs through.
 * @internal
 */
export function fillPrimingBlock(block: readonly Float32Array[], t: number, n: number): void {
  for (let c = 0; c < block.length; c++) {
    const x = block[c];
    for (let i = 0; i < n; i++) x[i] = primingSample((t + i) % (2 * FRAMES), c);
  }
}

/** setParam() calls the first priming of a class makes, each followed by a short block: at least … */
const AUTOMATION_CALLS = 8000;
/** … and at least this many per automatable name (each name's branch must become hot too). */
const AUTOMATION_CALLS_PER_NAME = 1000;
/** … but no more than this (a 64-band EQ: the bands share one code path). */
const AUTOMATION_CALLS_MAX = 24000;
/**
 * Per class, the option sets (as JSON) whose setParam() path has been primed in this realm, or
 * is being primed: another configuration (a filter type, an oversampling factor) takes other
 * branches. At most {@link MAX_PRIMED_CONFIGS} per class.
 */
const automationPrimed = new Map<unknown, Set<string>>();
const MAX_PRIMED_CONFIGS = 64;

/**
 * Priming of `setParam()`: on a throwaway copy of `p` (same options, same spec), call setParam()
 * many times for every automatable option, fractional values inside its range, between short
 * `process()` calls; once per class, configuration and realm (the code is shared by every instance).
 *
 * Why: a mixer's insert automation calls setParam() on the audio thread, but seldom (once per
 * automation point), so V8 may never find the path hot. Code that V8 has not optimised boxes every
 * double it computes (a redesign's exp, pow and coefficient arithmetic: about 600 bytes per call
 * measured in the Compressor), so a setParam() every few blocks allocated. Called often enough
 * here, the path is compiled by the optimising compiler before real audio arrives. `p` itself is
 * left untouched.
 *
 * It costs time (measured here: 40–170 ms per class and configuration), so it is not
 * part of every `prepare()`: the Mixer runs it for the inserts it automates (at `prepare()`, or
 * when a lane is added later, on the control side); call it yourself, off the audio thread, after
 * `prepare()` when you will call `setParam()` from the audio thread.
 *
 * @example
 * ```ts
 * import { Compressor, primeAutomation } from 'masterbus';
 * const comp = new Compressor();
 * const spec = { sampleRate: 48000, maxBlockSize: 128, channels: 2 };
 * comp.prepare(spec);
 * primeAutomation(comp, spec); // setParam() from now on allocates nothing
 * ```
 */
export function primeAutomation(p: Processor, spec: ProcessSpec): void {
  const ctor = p.constructor as new (options: unknown) => Processor;
  if (typeof p.setParam !== 'function' || typeof p.paramRange !== 'function') return;
  let primed = automationPrimed.get(ctor);
  if (primed === undefined) automationPrimed.set(ctor, (primed = new Set()));
  const config = JSON.stringify(p.params);
  if (primed.has(config) || primed.size >= MAX_PRIMED_CONFIGS) return;
  primed.add(config);
  const names: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') {
      if (p.paramRange?.(path) !== undefined) names.push(path);
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) walk((v as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`);
    }
  };
  walk(p.params, '');
  if (names.length === 0) return;
  let q: Processor;
  try {
    q = new ctor(p.params);
    q.prepare(spec);
  } catch {
    return;
  }
  const probes = names.map((name) => {
    const r = p.paramRange?.(name) as { min: number; max: number };
    const lo = Number.isFinite(r.min) ? r.min : -10;
    const hi = Number.isFinite(r.max) ? r.max : lo + 20;
    return Float64Array.of(lo + 0.371 * (hi - lo), lo + 0.613 * (hi - lo));
  });
  const frames = Math.min(16, spec.maxBlockSize);
  const block: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) block.push(new Float32Array(frames));
  // Now and then the ramps are let to finish, so the paths that end them and those that start
  // one from rest get their type feedback too (else their first use deoptimises the code).
  const smoothingMs = (p.params as { smoothingMs?: unknown }).smoothingMs;
  const rampBlocks = Math.ceil(((typeof smoothingMs === 'number' ? smoothingMs : 20) * spec.sampleRate) / 1000 / frames) + 16;
  const run = (blocks: number, i: number): void => {
    for (let b = 0; b < blocks; b++) {
      for (let c = 0; c < block.length; c++) for (let j = 0; j < frames; j++) block[c][j] = 0.5 * Math.sin((i + b + j) * 0.1 + c);
      q.process(block, frames);
    }
  };
  const calls = Math.max(AUTOMATION_CALLS, Math.min(AUTOMATION_CALLS_MAX, AUTOMATION_CALLS_PER_NAME * names.length));
  for (let i = 0; i < calls; i++) {
    const k = i % names.length;
    q.setParam?.(names[k], probes[k], ((i / names.length) | 0) & 1);
    run(i % 100 === 99 ? Math.min(rampBlocks, 400) : (i & 3) === 3 ? 1 : 0, i);
  }
}

/** Per class, the channel counts whose change paths have been primed in this realm (see {@link primeChanges}). */
const changesPrimed = new Map<unknown, Set<number>>();
/**
 * Rounds of {@link primeChanges} (every change, its ramp and the way back): two at least, then
 * more while the frames processed stay under `CHANGE_FRAMES`, up to `CHANGE_ROUNDS_MAX`. A ramp
 * runs its coefficient updates a few times per block, so V8 finds them hot only after many ramps
 * (a BiquadFilter's first frequency change boxed 17–20 kB after 6 rounds, 2.5–6 kB after 20; a
 * Saturator's first mix change 2.3 MB after one round, nothing after a few). Counted in frames,
 * not time, so that the outcome does not depend on the machine's load (a time limit made the
 * priming of a loaded machine too short, and the checks fail); `CHANGE_MS_LIMIT` is only a safety
 * net that normal use does not reach (the costliest class, a multiband compressor, takes about
 * 0.5 s on this 2-core machine).
 */
const CHANGE_ROUNDS_MIN = 2;
const CHANGE_ROUNDS_MAX = 24;
const CHANGE_FRAMES = 1_000_000;
const CHANGE_MS_LIMIT = 3000;
/**
 * Block size range of the throwaway copy: its blocks take the same code as the real ones (the real
 * instance's own priming covers its block size), and 1-frame or 8192-frame blocks would make the
 * priming cost seconds.
 */
const CHANGE_BLOCK_MIN = 64;
const CHANGE_BLOCK_MAX = 256;
/** Array items whose options {@link primeChanges} changes (EQ bands, multiband bands: they share one code path). */
const CHANGE_ITEMS = 1;

/** A value inside `range`, at fraction `f` of it (or a few units in from a finite end). */
function probeNumber(range: NumberRange, f: number, integer: boolean | undefined): number {
  const { min, max } = range;
  let v: number;
  if (Number.isFinite(min) && Number.isFinite(max)) v = min + f * (max - min);
  else if (Number.isFinite(max)) v = max - 3 - 30 * f;
  else if (Number.isFinite(min)) v = min + 1 + 10 * f;
  else v = f - 0.5;
  return integer ? Math.round(v) : v;
}

/**
 * Changes of every option of a rule table, as `set()` arguments: two values inside each number's
 * range, the other value of a boolean, every other value of an enum, the same for the options of
 * nested objects and of the first items of arrays of objects. Each change is paired with the change
 * back to `current`. `smoothingMs` is left alone (it only sets how long the ramps take).
 */
function optionChanges(rules: OptionRules, current: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>][] {
  const out: [Record<string, unknown>, Record<string, unknown>][] = [];
  for (const name of Object.keys(rules)) {
    const rule = rules[name];
    const v = current[name];
    if (name === 'smoothingMs' || v === undefined || v === null) continue;
    const back = { [name]: v };
    if (rule.kind === 'number') {
      for (const f of [0.37, 0.71]) {
        const x = probeNumber(rule.range, f, rule.integer);
        if (x !== v && Number.isFinite(x) && inRange(x, rule.range)) out.push([{ [name]: x }, back]);
      }
    } else if (rule.kind === 'boolean') {
      out.push([{ [name]: !v }, back]);
    } else if (rule.kind === 'enum') {
      for (const x of rule.values) if (x !== v) out.push([{ [name]: x }, back]);
    } else if (rule.kind === 'object' && typeof v === 'object') {
      for (const [change] of optionChanges(rule.rules, v as Record<string, unknown>)) out.push([{ [name]: { ...(v as object), ...change } }, back]);
    } else if (rule.kind === 'array' && rule.items.kind === 'number' && Array.isArray(v) && v.length > 0) {
      // (Crossover frequencies and the like: all moved together keeps their order.)
      for (const f of [0.9, 1.1]) out.push([{ [name]: v.map((x: number) => x * f) }, back]);
    } else if (rule.kind === 'array' && rule.items.kind === 'object' && Array.isArray(v)) {
      // One item more and one fewer (an EQ with no bands yet keeps its bands in an array of
      // another kind than one with bands: V8 deoptimised process() at the first band added).
      const more = v.length === 0 ? [{}] : [...v, v[v.length - 1]];
      if (rule.maxLength === undefined || more.length <= rule.maxLength) out.push([{ [name]: more }, back]);
      if (v.length > (rule.minLength ?? 0)) out.push([{ [name]: v.slice(0, -1) }, back]);
      const items = rule.items.rules;
      for (let i = 0; i < Math.min(CHANGE_ITEMS, v.length); i++) {
        for (const [change] of optionChanges(items, v[i] as Record<string, unknown>)) {
          out.push([{ [name]: v.map((item: object, j) => (j === i ? { ...item, ...change } : item)) }, back]);
        }
      }
    }
  }
  return out;
}

/**
 * Priming of the change paths: on a throwaway copy of `p` (same options, same spec), change every
 * option (see `optionChanges`) and run blocks of full and odd sizes through its ramp or
 * cross-fade, then change it back; once per class and channel count in a realm (process() is one
 * function for every instance, and so is its type feedback).
 *
 * Why: a processor that has run steadily for minutes has been compiled for the steady path. The
 * first parameter change takes the ramp code, which V8 then meets without type feedback: it
 * deoptimises process() on the audio thread, and the unoptimised code boxes every double it
 * computes (measured before this priming: 0.1–3.2 MB of garbage over the 200 blocks after the first
 * change of a BiquadFilter's frequency, a Panner's pan, a Limiter's drive, a Saturator's mix).
 * Called from `prepare()`, where work is allowed; `p` itself is left untouched.
 * @internal
 */
export function primeChanges(p: Processor, spec: ProcessSpec): void {
  // (Never out of prepare(): priming is an optimisation.)
  try {
    primeChangesOf(p, spec);
  } catch {
    // (Nothing to undo: `p` was not touched.)
  }
}

function primeChangesOf(p: Processor, spec: ProcessSpec): void {
  const ctor = p.constructor as (new (options: unknown) => Processor) & { rules?: OptionRules };
  // The library's own classes only (they own their rule table): a subclass may take other
  // constructor arguments, and building a throwaway would run its constructor again.
  if (!Object.prototype.hasOwnProperty.call(ctor, 'rules') || ctor.rules === undefined) return;
  // Up to 3 channels: more take the same code (a 32-channel throwaway cost 30 times as much).
  const channels = p.channelRange.min <= 3 && spec.channels > 3 ? 3 : spec.channels;
  let primed = changesPrimed.get(ctor);
  if (primed === undefined) changesPrimed.set(ctor, (primed = new Set()));
  if (primed.has(channels)) return;
  primed.add(channels);
  const max = Math.min(CHANGE_BLOCK_MAX, Math.max(CHANGE_BLOCK_MIN, spec.maxBlockSize));
  // Short ramps (three blocks): the same code as the real ones, at a cost that does not grow with
  // the instance's smoothing time or the sample rate (1 s at 384 kHz made one change 384 000 frames).
  const params = p.params as Record<string, unknown>;
  const hasSmoothing = typeof params.smoothingMs === 'number';
  const rampMs = hasSmoothing ? Math.min(params.smoothingMs as number, (3000 * max) / spec.sampleRate) : 20;
  const q = new ctor(hasSmoothing ? { ...params, smoothingMs: rampMs } : params);
  q.prepare({ sampleRate: spec.sampleRate, maxBlockSize: max, channels });
  const changes = optionChanges(ctor.rules, q.params as Record<string, unknown>);
  const rampFrames = Math.min(3 * max, Math.ceil((rampMs * spec.sampleRate) / 1000));
  const block: Float32Array[] = [];
  for (let c = 0; c < channels; c++) block.push(new Float32Array(max));
  let t = 0;
  let frames = 0;
  const run = (): void => {
    const done = runPrimingBlocks(max, rampFrames + 2 * max, t, (t0, n) => {
      fillPrimingBlock(block, t0, n);
      q.process(block, n);
    });
    t += done;
    frames += done;
  };
  // Rounds of three kinds: each change and back, in order; then the changes kept, one on top of
  // the other, in order and in reverse order, so that each change also runs in the states the
  // others leave (the Phaser's stage cross-fade with the mix below 1 took code that neither
  // change alone reaches, and deoptimised its kernel).
  const original = q.params;
  const started = Date.now();
  const tryChange = (change: object): boolean => {
    try {
      q.set(change);
      return true;
    } catch {
      return false;
    }
  };
  for (let round = 0; round < CHANGE_ROUNDS_MAX && (round < CHANGE_ROUNDS_MIN || frames < CHANGE_FRAMES); round++) {
    if (Date.now() - started > CHANGE_MS_LIMIT) return;
    const kind = round % 3;
    if (kind === 0) {
      for (const [change, back] of changes) {
        if (Date.now() - started > CHANGE_MS_LIMIT) return;
        if (!tryChange(change)) continue;
        run();
        tryChange(back);
        run();
      }
    } else {
      for (let k = 0; k < changes.length; k++) {
        if (tryChange(changes[kind === 1 ? k : changes.length - 1 - k][0])) run();
      }
      tryChange(original);
      run();
    }
  }
}

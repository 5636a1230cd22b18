/**
 * Whole-sample delays: the building block of lookahead (compressor, limiter), latency-compensated
 * bypass and a mixer's delay compensation.
 *
 * A delay of D samples is a ring of D samples per channel: each input sample is exchanged with
 * the sample written D samples earlier (y[n] = x[n − D], with x[n] = 0 for n < 0). The exchange
 * works in place and touches each sample once, so the output is the same for any block
 * partition, bit for bit.
 *
 * @module
 */
import { SPEC_LIMITS } from './processor.js';
import { checkNumber } from './validate.js';
import { fillPrimingBlock, runPrimingBlocks } from './prime.js';

/** Longest delay a {@link DelayLine} accepts, in samples (10 s at 384 kHz). */
export const MAX_DELAY_SAMPLES = 3_840_000;

/**
 * Delay `x[start .. start+n)` in place through `ring` (the last `ring.length` input samples, the
 * oldest at `pos`), and return the ring position after the block. A ring of length 0 is no delay.
 * The kernel every delay line of the library uses; allocates nothing.
 */
export function delayInPlace(ring: Float32Array, pos: number, x: Float32Array, start: number, n: number): number {
  const d = ring.length;
  if (d === 0) return 0;
  const end = start + n;
  for (let i = start; i < end; i++) {
    const v = ring[pos];
    ring[pos] = x[i];
    x[i] = v;
    pos = pos + 1 === d ? 0 : pos + 1;
  }
  return pos;
}

/**
 * A delay of a whole number of samples on every channel, in place.
 *
 * @example
 * ```ts
 * import { DelayLine } from 'masterbus';
 * const line = new DelayLine(2, 3);                 // two channels, 3 samples
 * const l = Float32Array.of(1, 2, 3, 4), r = Float32Array.of(5, 6, 7, 8);
 * line.process([l, r], 4);
 * console.log(Array.from(l));                      // [0, 0, 0, 1]
 * ```
 */
export class DelayLine {
  /** The delay in samples. */
  readonly delay: number;
  private readonly rings: Float32Array[] = [];
  /** [ring position], in a typed array so `process()` stores no double into a field. */
  private readonly pos = new Int32Array(1);

  /** Allocate a delay of `delay` samples (an integer in [0, {@link MAX_DELAY_SAMPLES}]) for `channels` channels. */
  constructor(channels: number, delay: number) {
    checkNumber('DelayLine', 'channels', channels, { min: 1, max: SPEC_LIMITS.maxChannels });
    checkNumber('DelayLine', 'delay', delay, { min: 0, max: MAX_DELAY_SAMPLES, unit: 'samples' });
    if (!Number.isInteger(channels)) throw new RangeError(`DelayLine.channels must be an integer, got ${channels}`);
    if (!Number.isInteger(delay)) throw new RangeError(`DelayLine.delay must be a whole number of samples, got ${delay}`);
    this.delay = delay;
    for (let c = 0; c < channels; c++) this.rings.push(new Float32Array(delay));
  }

  /** Number of channels. */
  get channels(): number {
    return this.rings.length;
  }

  /**
   * Delay `frames` samples (from `start`) of the first `channels` arrays of `block` in place.
   * Every channel advances together: call it with the same frame count for all channels you use.
   */
  process(block: readonly Float32Array[], frames: number, start = 0, channels = this.rings.length): void {
    const rings = this.rings;
    const count = channels < rings.length ? channels : rings.length;
    const p = this.pos[0];
    let next = p;
    for (let c = 0; c < count; c++) next = delayInPlace(rings[c], p, block[c], start, frames);
    // Channels not passed still advance (they take silence), so all channels stay aligned.
    for (let c = count; c < rings.length; c++) {
      const ring = rings[c];
      for (let i = 0, q = p; i < frames && ring.length > 0; i++) {
        ring[q] = 0;
        q = q + 1 === ring.length ? 0 : q + 1;
      }
    }
    if (count === 0 && rings.length > 0 && rings[0].length > 0) next = (p + frames) % rings[0].length;
    this.pos[0] = next;
  }

  /** Clear the delayed samples (silence comes out for the next `delay` samples). */
  reset(): void {
    for (let i = 0; i < this.rings.length; i++) this.rings[i].fill(0);
    this.pos[0] = 0;
  }
}

// Slots of BypassFade.fade (Float64Array). The mix is the share of the dry (bypassed) signal.
/** Where the mix is heading: 0 processed, 1 bypassed. */
const FADE_TARGET = 0;
/** The mix now, in [0, 1]. */
const FADE_MIX = 1;
/** Change of the mix per sample: 1 / the fade length in samples. */
const FADE_STEP = 2;
const FADE_SLOTS = 3;

/**
 * A latency-compensated bypass cross-fade: the input delayed by the wrapped processing's latency,
 * faded against the processed output, so that switching bypass on or off neither clicks nor jumps
 * in time. The processing keeps running while bypassed (its state stays warm, as JUCE's IIR
 * filter does), so switching back is seamless too.
 *
 * Use: call {@link BypassFade.capture} with the input before processing it, then
 * {@link BypassFade.mix} on the processed block, for blocks of at most `maxBlockSize` frames
 * (split longer ones; frames beyond it are left as processed). The fade is linear over `fadeSeconds`, advanced
 * per sample, so any block partition gives the same output.
 */
export class BypassFade {
  /** Latency of the processing it compensates, in samples. */
  readonly latency: number;
  private readonly line: DelayLine;
  private readonly dry: Float32Array[] = [];
  private readonly maxFrames: number;
  /** Fade state at the slots FADE_TARGET, FADE_MIX, FADE_STEP. */
  private readonly fade = new Float64Array(FADE_SLOTS);

  /**
   * @param channels - channel count
   * @param latency - latency of the processing, in samples (the dry path is delayed by as much)
   * @param maxBlockSize - the largest block {@link BypassFade.capture} will be given
   * @param fadeSamples - length of the cross-fade in samples (≥ 1)
   */
  constructor(channels: number, latency: number, maxBlockSize: number, fadeSamples: number) {
    checkNumber('BypassFade', 'maxBlockSize', maxBlockSize, { min: 1, max: SPEC_LIMITS.maxBlockSize });
    checkNumber('BypassFade', 'fadeSamples', fadeSamples, { min: 1, max: MAX_DELAY_SAMPLES });
    this.latency = latency;
    this.line = new DelayLine(channels, latency);
    for (let c = 0; c < channels; c++) this.dry.push(new Float32Array(maxBlockSize));
    this.maxFrames = maxBlockSize;
    this.fade[FADE_STEP] = 1 / Math.round(fadeSamples);
    primeBypassFades();
  }

  /** Whether bypass is on (the target of the fade). */
  get bypassed(): boolean {
    return this.fade[FADE_TARGET] === 1;
  }

  /** True while a fade is in progress, or while fully bypassed: then {@link BypassFade.mix} changes the output. */
  get active(): boolean {
    return this.fade[FADE_TARGET] === 1 || this.fade[FADE_MIX] !== 0;
  }

  /**
   * Whether {@link BypassFade.capture} must run for the next block: always when the dry path has a
   * delay (it must hold the last `latency` input samples for a fade that may start at any block),
   * otherwise only while {@link BypassFade.active} or about to be.
   */
  get needsCapture(): boolean {
    return this.latency > 0 || this.fade[FADE_TARGET] === 1 || this.fade[FADE_MIX] !== 0;
  }

  /** Turn bypass on or off; the output fades over the fade length. */
  setBypassed(value: boolean): void {
    this.fade[FADE_TARGET] = value ? 1 : 0;
  }

  /** Jump to the state `value` with no fade (for a processor that is not running yet). */
  setBypassedImmediate(value: boolean): void {
    this.fade[FADE_TARGET] = value ? 1 : 0;
    this.fade[FADE_MIX] = this.fade[FADE_TARGET];
  }

  /** Keep the input of `frames` samples (≤ maxBlockSize) for the dry path, before it is processed. */
  capture(block: readonly Float32Array[], channels: number, frames: number): void {
    const dry = this.dry;
    if (frames > this.maxFrames) frames = this.maxFrames; // (a caller's bug; never read out of bounds)
    const count = channels < dry.length ? channels : dry.length;
    for (let c = 0; c < count; c++) {
      const d = dry[c];
      const x = block[c];
      for (let i = 0; i < frames; i++) d[i] = x[i];
    }
    this.line.process(dry, frames, 0, count);
  }

  /** Fade the processed `block` against the captured, delayed input over `frames` samples. */
  mix(block: readonly Float32Array[], channels: number, frames: number): void {
    const fade = this.fade;
    if (frames > this.maxFrames) frames = this.maxFrames;
    const target = fade[FADE_TARGET];
    let m = fade[FADE_MIX];
    if (m === target && target === 0) return;
    const dry = this.dry;
    const count = channels < dry.length ? channels : dry.length;
    if (m === target) {
      for (let c = 0; c < count; c++) {
        const d = dry[c];
        const x = block[c];
        for (let i = 0; i < frames; i++) x[i] = d[i];
      }
      return;
    }
    const step = fade[FADE_STEP];
    const start = m;
    for (let c = 0; c < count; c++) {
      const d = dry[c];
      const x = block[c];
      m = start;
      for (let i = 0; i < frames; i++) {
        m = target > m ? (m + step < target ? m + step : target) : m - step > target ? m - step : target;
        x[i] += m * (d[i] - x[i]);
      }
    }
    if (count === 0) for (let i = 0; i < frames; i++) m = target > m ? (m + step < target ? m + step : target) : m - step > target ? m - step : target;
    fade[FADE_MIX] = m;
  }

  /** Clear the dry path's delay and finish a fade at its target. */
  reset(): void {
    this.line.reset();
    this.fade[FADE_MIX] = this.fade[FADE_TARGET];
  }
}

/** Whether {@link primeBypassFades} has run in this realm. */
let bypassFadesPrimed = false;

/**
 * Priming of the bypass cross-fade: a few thousand fades in and out, with and without a dry-path
 * delay, on one and two channels, in blocks of full and odd sizes; once per realm, when the first
 * BypassFade is made (on the control side).
 *
 * Why: bypass is switched rarely, so its fade code may never have been hot when it first runs on
 * the audio thread; unoptimised, it boxed every sample (a MidSide's first bypass: 0.75 MB and two
 * GCs over 200 blocks, measured 2026-12-02).
 */
function primeBypassFades(): void {
  if (bypassFadesPrimed) return;
  bypassFadesPrimed = true;
  for (const channels of [1, 2]) {
    for (const latency of [0, 37]) {
      const f = new BypassFade(channels, latency, 128, 96);
      const block = Array.from({ length: channels }, () => new Float32Array(128));
      for (let k = 0, t = 0; k < 190; k++) {
        f.setBypassed(!f.bypassed);
        t += runPrimingBlocks(128, 600, t, (t0, n) => {
          fillPrimingBlock(block, t0, n);
          if (f.needsCapture) f.capture(block, channels, n);
          if (f.active) f.mix(block, channels, n);
        });
      }
    }
  }
}


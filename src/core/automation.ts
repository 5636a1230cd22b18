/**
 * Parameter automation in the manner of Web Audio's `AudioParam`: events scheduled at absolute
 * frames, evaluated per sample as closed forms of the absolute frame, so the values do not depend
 * on how the audio is cut into blocks.
 *
 * Events (W3C Web Audio API, § AudioParam, "computation of value"):
 * - `setValue(v, t)`: v from frame t on.
 * - `linearRamp(v, t)`: from the previous event's (T0, V0) to (t, v):
 *   V(n) = V0 + (v − V0)·(n − T0)/(t − T0).
 * - `exponentialRamp(v, t)`: V(n) = V0·(v/V0)^((n − T0)/(t − T0)); V0 and v must have the same
 *   sign and be non-zero.
 * - `setTarget(v, t, τ)`: from frame t on, V(n) = v + (V(t) − v)·e^(−(n − t)/τ), τ in frames.
 * - `cancel(t)`: remove every event at or after t.
 *
 * A ramp starts at the previous event's time and value; a ramp scheduled after a setTarget
 * replaces it (it starts at the setTarget's time from the value before it, the spec's rule for a
 * setTarget that has not started), so every value is a pure function of the events and the frame.
 * Before the first event the lane holds its initial value.
 * Scheduling happens on the control side (it may allocate); {@link AutomationLane.fill} allocates
 * nothing.
 *
 * @module
 */
import { checkNumber, describeValue, type NumberRange } from './validate.js';

/** Most events one lane holds. */
export const MAX_AUTOMATION_EVENTS = 4096;

const SET = 0;
const LINEAR = 1;
const EXPONENTIAL = 2;
const TARGET = 3;

/** One automation curve over absolute frames. */
export class AutomationLane {
  /** Event kinds (SET/LINEAR/EXPONENTIAL/TARGET), times (frames), values, time constants. */
  private kinds = new Int32Array(16);
  private times = new Float64Array(16);
  private values = new Float64Array(16);
  private taus = new Float64Array(16);
  /** [event count]. */
  private readonly count = new Int32Array(1);
  /** [initial value, lower bound, upper bound]. */
  private readonly base = new Float64Array(3);
  /** The range event values are checked against (shown in messages). */
  private readonly range: NumberRange;

  /**
   * @param owner - named in error messages, e.g. `"Mixer.tracks[2].faderDb"`
   * @param initial - the value before the first event
   * @param min - the smallest value events may take
   * @param max - the largest
   * @param range - optional: open ends and a unit for the check of event values (its `min`/`max`
   *   are replaced by `min`/`max`)
   */
  constructor(
    readonly owner: string,
    initial: number,
    min: number,
    max: number,
    range?: NumberRange,
  ) {
    this.base[0] = initial;
    this.base[1] = min;
    this.base[2] = max;
    this.range = Object.freeze({ ...range, min, max });
  }

  /**
   * Called after every change of the events (`setValue` … `cancel`), on the thread that made it:
   * for an owner that must act on a new schedule off the audio thread. @internal
   */
  onChange: (() => void) | undefined = undefined;

  /** Number of scheduled events. */
  get length(): number {
    return this.count[0];
  }

  /** Whether any event is scheduled (a lane without events leaves its parameter to `set()`). */
  get active(): boolean {
    return this.count[0] > 0;
  }

  /** The value before the first event. */
  get initial(): number {
    return this.base[0];
  }

  set initial(v: number) {
    this.base[0] = v;
  }

  setValue(value: number, frame: number): this {
    return this.add(SET, value, frame, 0);
  }

  linearRamp(value: number, frame: number): this {
    return this.add(LINEAR, value, frame, 0);
  }

  exponentialRamp(value: number, frame: number): this {
    const v = this.checkValue(value);
    const prev = this.valueBefore(this.checkFrame(frame));
    if (!(v !== 0 && prev !== 0 && Math.sign(v) === Math.sign(prev))) {
      throw new RangeError(`${this.owner}: an exponential ramp needs non-zero values of one sign, from ${prev} to ${describeValue(value)}`);
    }
    return this.add(EXPONENTIAL, value, frame, 0);
  }

  /** Approach `value` from frame `frame` on with time constant `tauFrames` (> 0). */
  setTarget(value: number, frame: number, tauFrames: number): this {
    checkNumber(this.owner, 'setTarget(…, timeConstant)', tauFrames, { min: 0, max: 1e12, minOpen: true, unit: 'frames' });
    return this.add(TARGET, value, frame, tauFrames);
  }

  /** Remove every event at or after `frame`. */
  cancel(frame: number): this {
    const t = this.checkFrame(frame);
    let n = this.count[0];
    while (n > 0 && this.times[n - 1] >= t) n--;
    this.count[0] = n;
    this.onChange?.();
    return this;
  }

  /** The value at absolute frame `frame` (control side; the audio path uses {@link AutomationLane.fill}). */
  valueAt(frame: number): number {
    const out = new Float64Array(1);
    this.fill(out, frame, 1);
    return out[0];
  }

  /**
   * Write the values at frames `start … start + n − 1` into `out[0 … n)`. Allocates nothing; each
   * value is a closed form of its absolute frame, so any partition gives the same values.
   */
  fill(out: Float64Array, start: number, n: number): void {
    const count = this.count[0];
    const kinds = this.kinds;
    const times = this.times;
    const values = this.values;
    const taus = this.taus;
    // The event that governs frame `start`: the last one whose time is ≤ start, or the ramp it is
    // heading into. Found by a scan from the start (lanes are short; called once per block).
    let e = 0;
    while (e < count && times[e] <= start) e++;
    for (let i = 0; i < n; i++) {
      const t = start + i;
      while (e < count && times[e] <= t) e++;
      // Events e − 1 (at or before t) and e (after t).
      let v: number;
      if (e < count && (kinds[e] === LINEAR || kinds[e] === EXPONENTIAL)) {
        // Inside a ramp towards event e, from the previous event (or the initial value at 0).
        const t0 = e > 0 ? times[e - 1] : 0;
        // The ramp's start value (see settled(); written with an index: a double returned from a
        // call V8 does not inline is boxed).
        let s0 = e - 1;
        while (s0 >= 0 && kinds[s0] === TARGET) s0--;
        const v0 = s0 < 0 ? this.base[0] : values[s0];
        const t1 = times[e];
        const v1 = values[e];
        const x = t1 > t0 ? (t - t0) / (t1 - t0) : 1;
        v = kinds[e] === LINEAR ? v0 + (v1 - v0) * x : v0 * Math.pow(v1 / v0, x);
      } else if (e > 0) {
        const k = e - 1;
        if (kinds[k] === TARGET) {
          let s0 = k - 1;
          while (s0 >= 0 && kinds[s0] === TARGET) s0--;
          const from = s0 < 0 ? this.base[0] : values[s0];
          v = values[k] + (from - values[k]) * Math.exp(-(t - times[k]) / taus[k]);
        } else {
          v = values[k];
        }
      } else {
        v = this.base[0];
      }
      out[i] = v;
    }
  }

  /**
   * The value a ramp that follows event k starts from: the event's value, or for a setTarget the
   * value just before it (the Web Audio rule for a ramp scheduled after a setTarget that has not
   * started: the ramp replaces it).
   */
  private settled(k: number): number {
    while (k >= 0 && this.kinds[k] === TARGET) k--;
    return k < 0 ? this.base[0] : this.values[k];
  }

  private valueBefore(frame: number): number {
    let k = this.count[0] - 1;
    while (k >= 0 && this.times[k] > frame) k--;
    return k < 0 ? this.base[0] : this.settled(k);
  }

  private checkFrame(frame: number): number {
    return checkNumber(this.owner, 'frame', frame, { min: 0, max: 2 ** 52, unit: 'frames' });
  }

  private checkValue(value: number): number {
    return checkNumber(this.owner, 'value', value, this.range);
  }

  private add(kind: number, value: number, frame: number, tau: number): this {
    const v = this.checkValue(value);
    const t = this.checkFrame(frame);
    let n = this.count[0];
    if (n > 0 && t < this.times[n - 1]) {
      throw new RangeError(`${this.owner}: events must be scheduled in time order (frame ${t} is before the last event at ${this.times[n - 1]}); cancel() first`);
    }
    if (n >= MAX_AUTOMATION_EVENTS) throw new RangeError(`${this.owner}: at most ${MAX_AUTOMATION_EVENTS} automation events`);
    if (n === this.kinds.length) this.grow();
    this.kinds[n] = kind;
    this.times[n] = t;
    this.values[n] = v;
    this.taus[n] = tau;
    this.count[0] = n + 1;
    this.onChange?.();
    return this;
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const kinds = new Int32Array(size);
    const times = new Float64Array(size);
    const values = new Float64Array(size);
    const taus = new Float64Array(size);
    kinds.set(this.kinds);
    times.set(this.times);
    values.set(this.values);
    taus.set(this.taus);
    this.kinds = kinds;
    this.times = times;
    this.values = values;
    this.taus = taus;
  }

  /** The events as plain data (for saving a session). */
  toJSON(): { kind: 'set' | 'linear' | 'exponential' | 'target'; value: number; frame: number; timeConstant?: number }[] {
    const names = ['set', 'linear', 'exponential', 'target'] as const;
    const out: { kind: 'set' | 'linear' | 'exponential' | 'target'; value: number; frame: number; timeConstant?: number }[] = [];
    for (let i = 0; i < this.count[0]; i++) {
      const e: { kind: 'set' | 'linear' | 'exponential' | 'target'; value: number; frame: number; timeConstant?: number } = { kind: names[this.kinds[i]], value: this.values[i], frame: this.times[i] };
      if (this.kinds[i] === TARGET) e.timeConstant = this.taus[i];
      out.push(e);
    }
    return out;
  }
}

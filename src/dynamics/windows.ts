/**
 * Streaming window operators for the dynamics processors, each over one channel, block-wise
 * (`process(input, output, n)`), allocation-free after construction, and exact: the output
 * depends only on the samples seen, never on how they were cut into blocks.
 *
 * @internal
 * @module
 */

/** Positions are counted modulo 2^30 (kept a small integer in V8); windows are far shorter. */
const TIME_MASK = 0x3fffffff;

/**
 * Running maximum over the last `window` samples (the current one included): the monotonic
 * deque ("ascending minima") algorithm, amortised O(1) per sample (Lemire, "Streaming
 * maximum-minimum filter using no more than three comparisons per element", 2006).
 * For a running minimum, feed negated values and negate the output (exact in floating point).
 */
export class SlidingMax {
  private readonly values: Float64Array;
  private readonly times: Int32Array;
  /** [head, size, time, window]. */
  private readonly st = new Int32Array(4);

  /** Ring size: one more than the longest window (a new value is pushed before the oldest leaves). */
  private readonly cap: number;

  /** @param capacity - the longest window, in samples. */
  constructor(readonly capacity: number) {
    this.cap = capacity + 1;
    this.values = new Float64Array(this.cap);
    this.times = new Int32Array(this.cap);
    this.setWindow(capacity);
  }

  /** Window length in samples, 1 to `capacity`. Shortening it drops expired candidates at once. */
  setWindow(samples: number): void {
    this.st[3] = Math.max(1, Math.min(this.capacity, Math.round(samples)));
  }

  get window(): number {
    return this.st[3];
  }

  reset(): void {
    this.st[0] = 0;
    this.st[1] = 0;
    this.st[2] = 0;
  }

  /** Take over the state of `o` (same capacity). */
  copyFrom(o: SlidingMax): void {
    this.values.set(o.values);
    this.times.set(o.times);
    this.st.set(o.st);
  }

  /** output[i] = max(input over the window ending at i). `output` may be `input`. */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const values = this.values;
    const times = this.times;
    const cap = this.cap;
    const st = this.st;
    let head = st[0];
    let size = st[1];
    let time = st[2];
    const w = st[3];
    for (let i = 0; i < n; i++) {
      const v = input[i];
      // Drop candidates that can never be the maximum again (not larger than the new value).
      while (size > 0) {
        let b = head + size - 1;
        if (b >= cap) b -= cap;
        if (values[b] <= v) size--;
        else break;
      }
      let slot = head + size;
      if (slot >= cap) slot -= cap;
      values[slot] = v;
      times[slot] = time;
      size++;
      // Drop the front once it has left the window.
      while (((time - times[head]) & TIME_MASK) >= w) {
        head++;
        if (head === cap) head = 0;
        size--;
      }
      output[i] = values[head];
      time = (time + 1) & TIME_MASK;
    }
    st[0] = head;
    st[1] = size;
    st[2] = time;
  }
}

/**
 * Moving sum over the last `length` values, kept exact: inputs must be integers (as float64) and
 * the sum must stay below 2^53, so adding the new value and subtracting the oldest never rounds
 * and the sum never drifts, however long it runs.
 */
export class ExactMovingSum {
  private readonly ring: Float64Array;
  /** [sum]. */
  private readonly sum = new Float64Array(1);
  private readonly st = new Int32Array(1);

  /** @param initial - the value the window is filled with after `reset()`. */
  constructor(
    readonly length: number,
    private readonly initial: number,
  ) {
    this.ring = new Float64Array(length);
    this.reset();
  }

  reset(): void {
    this.ring.fill(this.initial);
    this.sum[0] = this.initial * this.length;
    this.st[0] = 0;
  }

  /** Take over the state of `o` (same length). */
  copyFrom(o: ExactMovingSum): void {
    this.ring.set(o.ring);
    this.sum.set(o.sum);
    this.st.set(o.st);
  }

  /** output[i] = sum of the `length` inputs ending at i. `output` may be `input`. */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const ring = this.ring;
    const len = this.length;
    let idx = this.st[0];
    let sum = this.sum[0];
    for (let i = 0; i < n; i++) {
      const v = input[i];
      sum += v - ring[idx];
      ring[idx] = v;
      idx++;
      if (idx === len) idx = 0;
      output[i] = sum;
    }
    this.st[0] = idx;
    this.sum[0] = sum;
  }
}

/**
 * Moving average of the last `window` values (e.g. squares, for an RMS detector). A float64
 * running sum would drift; this one is recomputed from the ring once per window, which costs O(1)
 * per sample on average and bounds the error to one window's worth of rounding.
 */
export class MovingAverage {
  private readonly ring: Float64Array;
  /** [sum]. */
  private readonly sum = new Float64Array(1);
  /** [write index, window, samples since the last recompute, dirty]. */
  private readonly st = new Int32Array(4);

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.st[1] = capacity;
  }

  /** Window length in samples, 1 to `capacity`; the sum is rebuilt from the ring on the next block. */
  setWindow(samples: number): void {
    this.st[1] = Math.max(1, Math.min(this.capacity, Math.round(samples)));
    this.st[3] = 1;
  }

  reset(): void {
    this.ring.fill(0);
    this.sum[0] = 0;
    this.st[0] = 0;
    this.st[2] = 0;
    this.st[3] = 0;
  }

  /** output[i] = mean of the `window` inputs ending at i (non-negative inputs expected). */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const ring = this.ring;
    const cap = this.capacity;
    const st = this.st;
    let idx = st[0];
    const w = st[1];
    let since = st[2];
    let sum = this.sum[0];
    if (st[3] === 1) {
      this.exactSum(idx, w);
      sum = this.sum[0];
      since = 0;
      st[3] = 0;
    }
    const inv = 1 / w;
    for (let i = 0; i < n; i++) {
      const v = input[i];
      // The sample leaving the window of length w.
      let old = idx - w;
      if (old < 0) old += cap;
      sum += v - ring[old];
      ring[idx] = v;
      idx++;
      if (idx === cap) idx = 0;
      if (++since >= w) {
        this.exactSum(idx, w);
        sum = this.sum[0];
        since = 0;
      }
      output[i] = sum > 0 ? sum * inv : 0;
    }
    st[0] = idx;
    st[2] = since;
    this.sum[0] = sum;
  }

  /**
   * Store the sum of the `w` values before write index `idx` in `sum[0]` (not returned: a double
   * returned from a call V8 does not inline is boxed, which would allocate in `process()`).
   */
  private exactSum(idx: number, w: number): void {
    const ring = this.ring;
    const cap = this.capacity;
    let s = 0;
    let j = idx - w;
    if (j < 0) j += cap;
    for (let k = 0; k < w; k++) {
      s += ring[j];
      j++;
      if (j === cap) j = 0;
    }
    this.sum[0] = s;
  }
}

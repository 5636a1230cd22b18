/**
 * Streaming window operators for the dynamics processors, each over one channel, block-wise
 * (`process(input, output, n)`), allocation-free after construction, and exact: the output
 * depends only on the samples seen, never on how they were cut into blocks.
 *
 * @internal
 * @module
 */

/** Sample positions are counted modulo 2^30 (kept a small integer in V8). */
const TIME_MASK = 0x3fffffff;

const NO = 0;
const YES = 1;

// Slots of MovingAverage.st (Int32Array).
/** Ring index the next input is written to. */
const MA_WRITE = 0;
/** Window length in samples (1 to capacity). */
const MA_WINDOW = 1;
/** Samples since the sum was last recomputed from the ring. */
const MA_SINCE = 2;
/** YES when the window changed: the sum is rebuilt from the ring on the next block. */
const MA_DIRTY = 3;
const MA_SLOTS = 4;

// Slots of FloorSlidingMax.st (Int32Array).
/** Ring index of the deque's front (the oldest candidate, the current maximum). */
const FM_HEAD = 0;
/** Number of candidates in the deque. */
const FM_SIZE = 1;
/** Sample count modulo 2^30 (TIME_MASK): the time stamp of the next input. */
const FM_TIME = 2;
/** Window length in samples (1 to capacity). */
const FM_WINDOW = 3;
const FM_SLOTS = 4;

/**
 * Moving average of the last `window` values (e.g. squares, for an RMS detector). A float64
 * running sum would drift; this one is recomputed from the ring once per window, which costs O(1)
 * per sample on average and bounds the error to one window's worth of rounding.
 */
export class MovingAverage {
  private readonly ring: Float64Array;
  /** [sum]. */
  private readonly sum = new Float64Array(1);
  /** Integer state at the slots MA_WRITE … MA_DIRTY. */
  private readonly st = new Int32Array(MA_SLOTS);

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.st[MA_WINDOW] = capacity;
  }

  /** Window length in samples, 1 to `capacity`; the sum is rebuilt from the ring on the next block. */
  setWindow(samples: number): void {
    this.st[MA_WINDOW] = Math.max(1, Math.min(this.capacity, Math.round(samples)));
    this.st[MA_DIRTY] = YES;
  }

  reset(): void {
    this.ring.fill(0);
    this.sum[0] = 0;
    this.st[MA_WRITE] = 0;
    this.st[MA_SINCE] = 0;
    this.st[MA_DIRTY] = NO;
  }

  /** output[i] = mean of the `window` inputs ending at i (non-negative inputs expected). */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const ring = this.ring;
    const cap = this.capacity;
    const st = this.st;
    let idx = st[MA_WRITE];
    const w = st[MA_WINDOW];
    let since = st[MA_SINCE];
    let sum = this.sum[0];
    if (st[MA_DIRTY] === YES) {
      this.exactSum(idx, w);
      sum = this.sum[0];
      since = 0;
      st[MA_DIRTY] = NO;
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
    st[MA_WRITE] = idx;
    st[MA_SINCE] = since;
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

/**
 * Running maximum over the last `window` samples for inputs that are never below `floor` and
 * mostly equal to it (the limiter's −r: −1 wherever no reduction is needed): a monotonic deque
 * (Lemire 2006) that stores only values above the floor. Exact; one comparison per sample while
 * the input sits at the floor, amortised O(1) otherwise. Before the first sample the input is
 * taken to be `floor`.
 */
export class FloorSlidingMax {
  private readonly values: Float64Array;
  private readonly times: Int32Array;
  /** Integer state at the slots FM_HEAD … FM_WINDOW. */
  private readonly st = new Int32Array(FM_SLOTS);
  /** [floor]. */
  private readonly fl: Float64Array;

  constructor(
    readonly capacity: number,
    floor: number,
  ) {
    this.values = new Float64Array(capacity + 1);
    this.times = new Int32Array(capacity + 1);
    this.fl = new Float64Array([floor]);
    this.st[FM_WINDOW] = capacity;
  }

  /** Window length in samples, 1 to `capacity`. */
  setWindow(samples: number): void {
    this.st[FM_WINDOW] = Math.max(1, Math.min(this.capacity, Math.round(samples)));
  }

  reset(): void {
    this.st[FM_HEAD] = 0;
    this.st[FM_SIZE] = 0;
    this.st[FM_TIME] = 0;
  }

  copyFrom(o: FloorSlidingMax): void {
    this.values.set(o.values);
    this.times.set(o.times);
    this.st.set(o.st);
  }

  /** output[i] = max(input over the window ending at i). `output` may be `input`. */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const values = this.values;
    const times = this.times;
    const cap = this.capacity + 1;
    const st = this.st;
    const floor = this.fl[0];
    let head = st[FM_HEAD];
    let size = st[FM_SIZE];
    let time = st[FM_TIME];
    const w = st[FM_WINDOW];
    for (let i = 0; i < n; i++) {
      const v = input[i];
      if (v > floor) {
        // Drop candidates that can never be the maximum again.
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
      }
      // Drop the front once it has left the window.
      while (size > 0 && ((time - times[head]) & TIME_MASK) >= w) {
        head++;
        if (head === cap) head = 0;
        size--;
      }
      output[i] = size > 0 ? values[head] : floor;
      time = (time + 1) & TIME_MASK;
    }
    st[FM_HEAD] = head;
    st[FM_SIZE] = size;
    st[FM_TIME] = time;
  }
}

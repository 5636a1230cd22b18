/**
 * Streaming window operators for the dynamics processors, each over one channel, block-wise
 * (`process(input, output, n)`), allocation-free after construction, and exact: the output
 * depends only on the samples seen, never on how they were cut into blocks.
 *
 * @internal
 * @module
 */

/** Block size of {@link SlidingMax} (a power of two). */
const BLOCK = 32;
const LOG2_BLOCK = 5;
/** Sample positions are counted modulo 2^30 (kept a small integer in V8). */
const TIME_MASK = 0x3fffffff;

/**
 * Running maximum over the last `window` samples (the current one included), exact, in O(1) per
 * sample: the van Herk / Gil-Werman algorithm (van Herk, "A fast algorithm for local minimum and
 * maximum filters on rectangular and octagonal kernels", Pattern Recognition Letters 13, 1992;
 * Gil & Werman, IEEE PAMI 15, 1993). Time is cut into blocks of 32 samples on the absolute sample
 * count. A window then covers the tail of an old block (whose suffix maxima were computed once,
 * when it was complete), some whole blocks (their maxima, recombined only when the window moves
 * to another block) and the head of the current block (a running prefix maximum): about three
 * comparisons per sample, whatever the window. Windows shorter than a block are scanned directly.
 * Before the first sample the signal is taken to be `initial` forever.
 * For a running minimum, feed negated values and negate the output (exact in floating point).
 */
export class SlidingMax {
  private readonly vals: Float64Array;
  private readonly suf: Float64Array;
  private readonly bmax: Float64Array;
  private readonly mask: number;
  private readonly bmask: number;
  /** [time, window, cached first block, cached last block, cache valid]. */
  private readonly st = new Int32Array(5);
  /** [prefix maximum of the current block, cached maximum of the whole blocks in between]. */
  private readonly fv = new Float64Array(2);

  /**
   * @param capacity - the longest window, in samples.
   * @param initial - the value assumed before the first sample.
   */
  constructor(
    readonly capacity: number,
    private readonly initial = 0,
  ) {
    let size = 2 * BLOCK;
    while (size < capacity + 2 * BLOCK) size *= 2;
    this.vals = new Float64Array(size);
    this.suf = new Float64Array(size);
    this.bmax = new Float64Array(size / BLOCK);
    this.mask = size - 1;
    this.bmask = size / BLOCK - 1;
    this.setWindow(capacity);
    this.reset();
  }

  /** Window length in samples, 1 to `capacity`. */
  setWindow(samples: number): void {
    this.st[1] = Math.max(1, Math.min(this.capacity, Math.round(samples)));
    this.st[4] = 0;
  }

  get window(): number {
    return this.st[1];
  }

  reset(): void {
    this.vals.fill(this.initial);
    this.suf.fill(this.initial);
    this.bmax.fill(this.initial);
    this.st[0] = 0;
    this.st[4] = 0;
    this.fv[0] = this.initial;
  }

  /** Take over the state of `o` (same capacity). */
  copyFrom(o: SlidingMax): void {
    this.vals.set(o.vals);
    this.suf.set(o.suf);
    this.bmax.set(o.bmax);
    this.st.set(o.st);
    this.fv.set(o.fv);
  }

  /** output[i] = max(input over the window ending at i). `output` may be `input`. */
  process(input: Float64Array, output: Float64Array, n: number): void {
    if (this.st[1] < BLOCK) {
      this.processShort(input, output, n);
      return;
    }
    const vals = this.vals;
    const suf = this.suf;
    const bmax = this.bmax;
    const mask = this.mask;
    const bmask = this.bmask;
    const st = this.st;
    const fv = this.fv;
    let t = st[0];
    const w = st[1];
    let ca = st[2];
    let cb = st[3];
    let valid = st[4];
    let pre = fv[0];
    let mid = fv[1];
    let i = 0;
    while (i < n) {
      // A run in which neither the window's start u nor its end t crosses a block boundary.
      const u = (t - w + 1) & TIME_MASK;
      const pt = t & (BLOCK - 1);
      const pu = u & (BLOCK - 1);
      let len = BLOCK - (pt > pu ? pt : pu);
      if (len > n - i) len = n - i;
      const b = t >> LOG2_BLOCK;
      const a = u >> LOG2_BLOCK;
      if (pt === 0) pre = input[i];
      if (a !== b) {
        if (valid === 0 || a !== ca || b !== cb) {
          // The whole blocks strictly between a and b (block numbers wrap with time).
          mid = -1e308; // a literal: the global `-Infinity` can leave `mid` a boxed number
          for (let k = (a + 1) & BLOCK_NUMBER_MASK; k !== b; k = (k + 1) & BLOCK_NUMBER_MASK) {
            const y = bmax[k & bmask];
            if (y > mid) mid = y;
          }
          ca = a;
          cb = b;
          valid = 1;
        }
        for (let j = 0; j < len; j++) {
          const v = input[i + j];
          vals[(t + j) & mask] = v;
          if (v > pre) pre = v;
          let out = suf[(u + j) & mask];
          if (mid > out) out = mid;
          output[i + j] = pre > out ? pre : out;
        }
      } else {
        // The window starts exactly at the current block's start: its prefix maximum is the answer.
        for (let j = 0; j < len; j++) {
          const v = input[i + j];
          vals[(t + j) & mask] = v;
          if (v > pre) pre = v;
          output[i + j] = pre;
        }
      }
      t = (t + len) & TIME_MASK;
      i += len;
      if ((t & (BLOCK - 1)) === 0) this.completeBlock(t);
    }
    st[0] = t;
    st[2] = ca;
    st[3] = cb;
    st[4] = valid;
    fv[0] = pre;
    fv[1] = mid;
  }

  /** The block ending just before time t is complete: its suffix maxima, and its maximum. */
  private completeBlock(t: number): void {
    const vals = this.vals;
    const suf = this.suf;
    const mask = this.mask;
    const last = t - 1;
    let m = vals[last & mask];
    for (let j = last; j > last - BLOCK; j--) {
      const x = vals[j & mask];
      if (x > m) m = x;
      suf[j & mask] = m;
    }
    this.bmax[((last & TIME_MASK) >> LOG2_BLOCK) & this.bmask] = m;
  }

  /** Windows shorter than a block: a direct scan over the ring. */
  private processShort(input: Float64Array, output: Float64Array, n: number): void {
    const vals = this.vals;
    const mask = this.mask;
    const st = this.st;
    let t = st[0];
    const w = st[1];
    // The current block's prefix maximum is kept up to date for the long path.
    let pre = this.fv[0];
    for (let i = 0; i < n; i++) {
      const v = input[i];
      vals[t & mask] = v;
      pre = (t & (BLOCK - 1)) === 0 || v > pre ? v : pre;
      let out = v;
      for (let j = t - w + 1; j < t; j++) {
        const x = vals[j & mask];
        if (x > out) out = x;
      }
      output[i] = out;
      t = (t + 1) & TIME_MASK;
      if ((t & (BLOCK - 1)) === 0) this.completeBlock(t);
    }
    st[0] = t;
    this.fv[0] = pre;
    // The cached whole-block maximum of the long path is recomputed when it is next used.
    st[4] = 0;
  }
}

/** Block numbers wrap with the time counter. */
const BLOCK_NUMBER_MASK = TIME_MASK >> LOG2_BLOCK;

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

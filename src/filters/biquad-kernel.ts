/**
 * Biquad inner loops, written for the JIT: coefficients and state in locals, one kind of array per
 * kernel, both channels of a pair in one loop (two independent recursions keep the FPU busy).
 *
 * Structure: transposed direct form II (TDF-II),
 * ```
 * y  = b0·x + z1
 * z1 = (b1·x + z2) − a1·y
 * z2 = b2·x − a2·y
 * ```
 * The brackets matter for speed: JavaScript keeps float operations in source order, and this
 * order leaves one multiply and two additions on the sample-to-sample dependency chain
 * (y → a1·y → z1 → next y) instead of three additions; it measured about 20 % faster.
 * Why TDF-II: two state variables per section instead of DF-I's four, so less state traffic per
 * sample; its known weakness (round-off noise and overflow of the internal states at low
 * frequencies in fixed point or float32) does not apply because the state is kept in float64
 * (53-bit mantissa), which leaves the float32 output as the only rounding that matters. Under the
 * slow, control-rate coefficient changes of parameter smoothing it stays well behaved.
 *
 * State layout per section and channel: `[z1, z2]` at `state[so]`, `state[so + 1]`.
 * @internal
 * @module
 */

/** Flush threshold: far below float32's smallest subnormal (1.4e-45) scaled by any plausible
 * filter gain, and far above float64's subnormal range (< 2.2e-308), where arithmetic is slow. */
const TINY = 1e-50;
/** A state this large means the input was non-finite or absurd: start again from silence. */
const HUGE = 1e30;

/** Clear a state value that is tiny (denormal-bound), non-finite or absurdly large. */
export function sanitize(state: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const a = Math.abs(state[i]);
    if (!(a < HUGE) || a < TINY) state[i] = 0;
  }
}

/** One section over one channel, in place, on `x[start..end)`. */
export function biquadMono(
  x: Float32Array,
  start: number,
  end: number,
  c: Float64Array,
  co: number,
  state: Float64Array,
  so: number,
): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let z1 = state[so], z2 = state[so + 1];
  for (let i = start; i < end; i++) {
    const xi = x[i];
    const y = b0 * xi + z1;
    z1 = b1 * xi + z2 - a1 * y;
    z2 = b2 * xi - a2 * y;
    x[i] = y;
  }
  state[so] = z1;
  state[so + 1] = z2;
}

/**
 * One section from `x[start..start+n)` into `out[0..n)` (float64), leaving `x` untouched: for
 * filtered copies such as a compressor's sidechain.
 */
export function biquadMonoInto(
  x: Float32Array,
  start: number,
  n: number,
  out: Float64Array,
  c: Float64Array,
  co: number,
  state: Float64Array,
  so: number,
): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let z1 = state[so], z2 = state[so + 1];
  for (let i = 0; i < n; i++) {
    const xi = x[start + i];
    const y = b0 * xi + z1;
    z1 = b1 * xi + z2 - a1 * y;
    z2 = b2 * xi - a2 * y;
    out[i] = y;
  }
  state[so] = z1;
  state[so + 1] = z2;
}

/** One section over two channels in one loop, in place. State of `r` follows at `sr`. */
export function biquadPair(
  l: Float32Array,
  r: Float32Array,
  start: number,
  end: number,
  c: Float64Array,
  co: number,
  state: Float64Array,
  sl: number,
  sr: number,
): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let l1 = state[sl], l2 = state[sl + 1], r1 = state[sr], r2 = state[sr + 1];
  for (let i = start; i < end; i++) {
    const xl = l[i];
    const xr = r[i];
    const yl = b0 * xl + l1;
    const yr = b0 * xr + r1;
    l1 = b1 * xl + l2 - a1 * yl;
    l2 = b2 * xl - a2 * yl;
    r1 = b1 * xr + r2 - a1 * yr;
    r2 = b2 * xr - a2 * yr;
    l[i] = yl;
    r[i] = yr;
  }
  state[sl] = l1;
  state[sl + 1] = l2;
  state[sr] = r1;
  state[sr + 1] = r2;
}

/**
 * `sections` cascaded sections over `channels` arrays of `block`, in place on `[start, end)`.
 * State for channel ch, section s is at `state[(ch * maxSections + s) * 2]`.
 */
export function biquadCascade(
  block: readonly Float32Array[],
  channels: number,
  start: number,
  end: number,
  c: Float64Array,
  sections: number,
  state: Float64Array,
  maxSections: number,
): void {
  let ch = 0;
  for (; ch + 1 < channels; ch += 2) {
    const l = block[ch];
    const r = block[ch + 1];
    for (let s = 0; s < sections; s++) {
      biquadPair(l, r, start, end, c, 5 * s, state, (ch * maxSections + s) * 2, ((ch + 1) * maxSections + s) * 2);
    }
  }
  if (ch < channels) {
    const x = block[ch];
    for (let s = 0; s < sections; s++) biquadMono(x, start, end, c, 5 * s, state, (ch * maxSections + s) * 2);
  }
}

/**
 * One section over one channel with coefficients interpolated linearly per sample:
 * sample k of `[start, end)` uses `from + (j0 + 1 + k)·delta`. Used only while parameters ramp,
 * so a sweep changes the filter smoothly instead of in control-rate steps (zipper noise).
 * Every intermediate (a1, a2) is itself a stable design, since the stability triangle
 * |a2| < 1, |a1| < 1 + a2 is convex; that does not by itself prove the time-varying filter
 * stable, but the changes are slow (a 20 ms ramp by default) and the property test of bounded
 * output covers ramps too.
 */
export function biquadRampMono(
  x: Float32Array,
  start: number,
  end: number,
  from: Float64Array,
  delta: Float64Array,
  co: number,
  j0: number,
  state: Float64Array,
  so: number,
): void {
  const f0 = from[co], f1 = from[co + 1], f2 = from[co + 2], f3 = from[co + 3], f4 = from[co + 4];
  const d0 = delta[co], d1 = delta[co + 1], d2 = delta[co + 2], d3 = delta[co + 3], d4 = delta[co + 4];
  let z1 = state[so], z2 = state[so + 1];
  let j = j0;
  for (let i = start; i < end; i++) {
    j++;
    const xi = x[i];
    const y = (f0 + j * d0) * xi + z1;
    z1 = (f1 + j * d1) * xi + z2 - (f3 + j * d3) * y;
    z2 = (f2 + j * d2) * xi - (f4 + j * d4) * y;
    x[i] = y;
  }
  state[so] = z1;
  state[so + 1] = z2;
}

/** {@link biquadCascade} with per-sample interpolated coefficients (see {@link biquadRampMono}). */
export function biquadRampCascade(
  block: readonly Float32Array[],
  channels: number,
  start: number,
  end: number,
  from: Float64Array,
  delta: Float64Array,
  j0: number,
  sections: number,
  state: Float64Array,
  maxSections: number,
): void {
  for (let ch = 0; ch < channels; ch++) {
    const x = block[ch];
    for (let s = 0; s < sections; s++) biquadRampMono(x, start, end, from, delta, 5 * s, j0, state, (ch * maxSections + s) * 2);
  }
}

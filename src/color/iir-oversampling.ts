/**
 * Polyphase IIR half-band oversampling by 2, 4 or 8: the fast, low-latency alternative to the
 * linear-phase FIR path of `oversampling.ts`.
 *
 * Each 2× stage is an elliptic half-band filter realised as two parallel chains of first-order
 * all-pass sections in z⁻² (Valenzuela & Constantinides, "Digital signal processing schemes for
 * efficient interpolation and decimation", IEE Proc. G 130(6), 1983; the same structure as Laurent
 * de Soras's *hiir*):
 *
 *   H(z) = ½·[A₀(z²) + z⁻¹·A₁(z²)],  Aᵦ(z) = ∏ (aₖ + z⁻¹)/(1 + aₖ·z⁻¹).
 *
 * The coefficients come from the elliptic design equations (Jacobi nome series) for the order
 * and transition band; the all-pass chains run at the lower rate, so a stage costs one multiply
 * per coefficient per input sample (up) or output sample (down). Up-sampling writes A₀(x) and
 * A₁(x) as the even and odd outputs; down-sampling returns ½·(A₀(odd input) + A₁(even input)).
 *
 * The phase is not linear: the delay is a few samples at low frequencies and grows towards the
 * band edge. {@link IirOversampler.latency} is the low-frequency group delay, rounded.
 *
 * Denormals: after a signal stops, the all-pass states decay geometrically and would end in
 * subnormal numbers (slow on many CPUs), circling there for good (rounding keeps −a·y at the
 * smallest subnormals). Every state below `FLUSH_BELOW` (1e-30) in magnitude is therefore set to 0
 * before each base-rate sample whose absolute index is a multiple of `FLUSH_GRID` (32; JUCE's
 * `snapToZero`, at a fixed grid): a pure function of the state at absolute times, so the output
 * does not depend on how the signal is cut into blocks. Between two flushes a state with no input
 * shrinks at most by the fastest section, 0.110 per step, four steps per base sample at stage 3
 * (10^−3.84 per base sample), so from 1e-30 it stays above 1e-153 (far from the subnormal range,
 * below 2.2e-308) until the next flush.
 *
 * @module
 */
import type { OversamplingFactor } from './oversampling.js';
import { stageCount } from './oversampling.js';

/** States below this magnitude are flushed to 0 (−600 dB: far below any float32 output). */
export const FLUSH_BELOW = 1e-30;
/** Flushes happen before base-rate samples whose absolute index is a multiple of this. */
export const FLUSH_GRID = 32;
// Slots of IirOversampler.phase: the absolute base-rate index modulo FLUSH_GRID of up and down.
const UP = 0;
const DOWN = 1;

// Slots of a stage's all-pass state (IirOversampler.upState[s], downState[s]); each kernel loads
// them into locals once per call and stores them back. Branch 0's section states are p₀, p₁, …
// and branch 1's q₀, …; the number of sections per branch (3 + 3, 2 + 1, 1 + 1) sets where
// branch 1 starts. Up-sampling keeps one previous input x₁, shared by both branches:
// [x₁, p…, q…]. Down-sampling keeps each branch's previous input (xa: the odd samples, into
// branch 0; xb: the even ones, into branch 1): [xa, p…, xb, q…].
/** x₁ (up) or xa (down): the previous input of branch 0. */
const S_X1 = 0;
/** Branch 0, sections 1 to 3. */
const S_P0 = 1;
const S_P1 = 2;
const S_P2 = 3;
/** Up, 3 + 3 sections: branch 1. */
const UP3_Q0 = 4;
const UP3_Q1 = 5;
const UP3_Q2 = 6;
/** Up, 2 + 1 sections: branch 1. */
const UP2_Q0 = 3;
/** Up, 1 + 1 sections: branch 1. */
const UP1_Q0 = 2;
/** Down, 3 + 3 sections: xb, then branch 1. */
const DOWN3_XB = 4;
const DOWN3_Q0 = 5;
const DOWN3_Q1 = 6;
const DOWN3_Q2 = 7;
/** Down, 2 + 1 sections: xb, then branch 1. */
const DOWN2_XB = 3;
const DOWN2_Q0 = 4;
/** Down, 1 + 1 sections: xb, then branch 1. */
const DOWN1_XB = 2;
const DOWN1_Q0 = 3;

/** One IIR 2× stage: number of all-pass coefficients and the transition band, relative to the stage's output rate. */
export interface IirHalfBandStage {
  readonly coefficients: number;
  readonly transition: number;
}

/**
 * The IIR stages, first to last: passband to 0.42·fs at every stage (stopband from 0.58·fs, then
 * 1.58·fs, then 3.58·fs). Attenuation (computed from the design, measured by the tests): stage 1
 * 95 dB with 6 coefficients, stage 2 101 dB with 3, stage 3 102 dB with 2.
 */
export const IIR_OVERSAMPLING_STAGES: readonly IirHalfBandStage[] = Object.freeze([
  Object.freeze({ coefficients: 6, transition: (0.58 - 0.42) / 2 }),
  Object.freeze({ coefficients: 3, transition: (1.58 - 0.42) / 4 }),
  Object.freeze({ coefficients: 2, transition: (3.58 - 0.42) / 8 }),
]);

/**
 * All-pass coefficients of an elliptic half-band filter with `n` coefficients (order 2n + 1) and
 * transition band `transition` (0 < transition < ½, relative to the filter's sampling rate),
 * ascending. Branch 0 takes indices 0, 2, 4, …; branch 1 takes 1, 3, 5, ….
 */
export function iirHalfBandCoefficients(n: number, transition: number): Float64Array {
  const order = 2 * n + 1;
  const k = Math.tan(((1 - 2 * transition) * Math.PI) / 4) ** 2;
  const kp = Math.sqrt(1 - k * k);
  const e = (0.5 * (1 - Math.sqrt(kp))) / (1 + Math.sqrt(kp));
  const q = e + 2 * e ** 5 + 15 * e ** 9 + 150 * e ** 13; // the nome
  const a = new Float64Array(n);
  for (let i = 1; i <= n; i++) {
    let num = 0;
    for (let m = 0; m < 64; m++) {
      const t = (m % 2 === 0 ? 1 : -1) * q ** (m * (m + 1)) * Math.sin(((2 * m + 1) * Math.PI * i) / order);
      num += t;
      if (Math.abs(t) < 1e-30) break;
    }
    num *= 2 * q ** 0.25;
    let den = 0;
    for (let m = 1; m < 64; m++) {
      const t = (m % 2 === 0 ? 1 : -1) * q ** (m * m) * Math.cos((2 * m * Math.PI * i) / order);
      den += t;
      if (Math.abs(t) < 1e-30) break;
    }
    den = 1 + 2 * den;
    const ww = (num / den) ** 2;
    const x = Math.sqrt((1 - ww * k) * (1 - ww / k)) / (1 + ww);
    a[i - 1] = (1 - x) / (1 + x);
  }
  return a.sort();
}

/**
 * One channel's IIR up/down-sampling state, with the same use as `Oversampler`: write into
 * `input` from `inputOffset`, `up(m)`, shape `top[topOffset, topOffset + factor·m)`, `down(m, out, offset)`.
 * Filter states below 1e-30 are set to 0 every 32 base-rate samples of absolute time, counted
 * from `reset()`: no subnormal numbers after a signal stops, and the same output however the
 * signal is cut into chunks.
 */
export class IirOversampler {
  readonly input: Float64Array;
  readonly inputOffset = 0;
  readonly top: Float64Array;
  readonly topOffset = 0;
  /** Low-frequency group delay of `up` then `down`, in base-rate samples, rounded. */
  readonly latency: number;
  private readonly stages: number;
  /** Signal at each rate: buf[s] holds maxChunk·2^s samples. */
  private readonly buf: Float64Array[] = [];
  /** Coefficients per stage, branch 0 then branch 1. */
  private readonly coef: Float64Array[] = [];
  /** All-pass states per stage, for up ([x₁, branch 0 outputs, branch 1 outputs]) and down. */
  private readonly upState: Float64Array[] = [];
  private readonly downState: Float64Array[] = [];
  /** Absolute base-rate sample index modulo FLUSH_GRID, of up-sampling and of down-sampling. */
  private readonly phase = new Int32Array(2);

  constructor(
    readonly factor: OversamplingFactor,
    readonly maxChunk: number,
  ) {
    const S = stageCount(factor);
    this.stages = S;
    if (S > 0 && IIR_OVERSAMPLING_STAGES[0].coefficients !== 6) throw new Error('IirOversampler: stage 1 must have 6 coefficients');
    if (IIR_OVERSAMPLING_STAGES[1].coefficients !== 3 || IIR_OVERSAMPLING_STAGES[2].coefficients !== 2) throw new Error('IirOversampler: stages 2 and 3 must have 3 and 2 coefficients');
    for (let s = 0; s <= S; s++) this.buf.push(new Float64Array(maxChunk << s));
    for (let s = 0; s < S; s++) {
      const st = IIR_OVERSAMPLING_STAGES[s];
      const a = iirHalfBandCoefficients(st.coefficients, st.transition);
      // Branch 0 (indices 0, 2, 4, …) first, then branch 1 (1, 3, 5, …).
      const c = new Float64Array(a.length);
      let w = 0;
      for (let i = 0; i < a.length; i += 2) c[w++] = a[i];
      for (let i = 1; i < a.length; i += 2) c[w++] = a[i];
      this.coef.push(c);
      this.upState.push(new Float64Array(1 + a.length));
      this.downState.push(new Float64Array(2 + a.length));
    }
    this.input = this.buf[0];
    this.top = this.buf[S];
    this.latency = S === 0 ? 0 : Math.round(groupDelayAtDc(this));
  }

  reset(): void {
    for (let i = 0; i < this.upState.length; i++) this.upState[i].fill(0);
    for (let i = 0; i < this.downState.length; i++) this.downState[i].fill(0);
    this.phase.fill(0);
  }

  /**
   * Up-sample `x[pos .. pos + m)` times `gain[i·gainStride]` (stride 0: one gain for all), with
   * non-finite samples taken as 0: the same as writing that into `input` and calling `up(m)`, in
   * one pass less.
   */
  upFrom(x: Float32Array, pos: number, m: number, gain: Float64Array, gainStride: number): void {
    if (this.stages === 0) {
      const t = this.top;
      for (let i = 0; i < m; i++) {
        const v = x[pos + i];
        t[i] = v - v === 0 ? v * gain[i * gainStride] : 0;
      }
      return;
    }
    const f0 = this.nextFlush(UP, m);
    up3From(x, pos, m, gain, gainStride, this.coef[0], this.upState[0], this.buf[1], f0, FLUSH_GRID);
    this.upRest(m, f0);
  }

  up(m: number): void {
    if (this.stages === 0) return;
    const f0 = this.nextFlush(UP, m);
    up3(this.buf[0], m, this.coef[0], this.upState[0], this.buf[1], f0, FLUSH_GRID);
    this.upRest(m, f0);
  }

  /**
   * The offset in the coming m base samples of the first flush point (m or more: none), and the
   * phase advanced past them.
   */
  private nextFlush(slot: number, m: number): number {
    const ph = this.phase[slot];
    this.phase[slot] = (ph + m) % FLUSH_GRID;
    return ph === 0 ? 0 : FLUSH_GRID - ph;
  }

  /** Stages 2 and 3 of up-sampling (`f0`: the first flush point, in base samples). */
  private upRest(m: number, f0: number): void {
    for (let s = 1; s < this.stages; s++) {
      const c = this.coef[s];
      const n = m << s;
      if (c.length === 3) up2(this.buf[s], n, c, this.upState[s], this.buf[s + 1], f0 << s, FLUSH_GRID << s);
      else up1(this.buf[s], n, c, this.upState[s], this.buf[s + 1], f0 << s, FLUSH_GRID << s);
    }
  }

  /** Down-sample `top` to m base-rate samples written to `out[offset .. offset + m)`. */
  down(m: number, out: Float32Array, offset: number): void {
    if (this.stages === 0) {
      const t = this.top;
      for (let i = 0; i < m; i++) out[offset + i] = t[i];
      return;
    }
    const f0 = this.nextFlush(DOWN, m);
    for (let s = this.stages - 1; s > 0; s--) {
      const c = this.coef[s];
      const n = m << s;
      if (c.length === 3) down2(this.buf[s + 1], n, c, this.downState[s], this.buf[s], f0 << s, FLUSH_GRID << s);
      else down1(this.buf[s + 1], n, c, this.downState[s], this.buf[s], f0 << s, FLUSH_GRID << s);
    }
    // Stage 1 (always 6 coefficients) writes the output directly.
    down3(this.buf[1], m, this.coef[0], this.downState[0], out, offset, f0, FLUSH_GRID);
  }
}

/**
 * DC group delay of up → down: Σ n·h[n] / Σ h[n] over the first 8192 samples of the impulse
 * response (long after it has decayed below 1e-15), whatever the chunk size; then reset.
 */
function groupDelayAtDc(o: IirOversampler): number {
  const n = Math.min(o.maxChunk, 64);
  const blocks = Math.ceil(8192 / n);
  const out = new Float32Array(n);
  let moment = 0;
  let sum = 0;
  o.reset();
  for (let block = 0; block < blocks; block++) {
    o.input.fill(0, 0, n);
    if (block === 0) o.input[0] = 1;
    o.up(n);
    o.down(n, out, 0);
    for (let i = 0; i < n; i++) {
      moment += (block * n + i) * out[i];
      sum += out[i];
    }
  }
  o.reset();
  return moment / sum;
}

// The kernels below: one per layout of sections per branch (3 + 3, 2 + 1, 1 + 1), so that the all-pass
// states stay in registers. Before sample f, and every fg samples after it, each flushes its
// states below FLUSH_BELOW to 0 (see the module comment). Section k of a branch: yₖ[n] = aₖ·(yₖ₋₁[n] − yₖ[n−1]) + yₖ₋₁[n−1],
// with y₀ the branch input, so each section's "previous input" is the previous section's state.

/** {@link up3} reading float32 input with a gain and non-finite samples taken as 0. */
function up3From(x: Float32Array, pos: number, n: number, g: Float64Array, gs: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], a1 = c[1], a2 = c[2], b0 = c[3], b1 = c[4], b2 = c[5];
  let x1 = st[S_X1], p0 = st[S_P0], p1 = st[S_P1], p2 = st[S_P2], q0 = st[UP3_Q0], q1 = st[UP3_Q1], q2 = st[UP3_Q2];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(x1) < FLUSH_BELOW) x1 = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(p1) < FLUSH_BELOW) p1 = 0;
      if (Math.abs(p2) < FLUSH_BELOW) p2 = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
      if (Math.abs(q1) < FLUSH_BELOW) q1 = 0;
      if (Math.abs(q2) < FLUSH_BELOW) q2 = 0;
    }
    const r = x[pos + i];
    const x0 = r - r === 0 ? r * g[i * gs] : 0;
    const u0 = a0 * (x0 - p0) + x1;
    const u1 = a1 * (u0 - p1) + p0;
    const u2 = a2 * (u1 - p2) + p1;
    const v0 = b0 * (x0 - q0) + x1;
    const v1 = b1 * (v0 - q1) + q0;
    const v2 = b2 * (v1 - q2) + q1;
    x1 = x0;
    p0 = u0; p1 = u1; p2 = u2;
    q0 = v0; q1 = v1; q2 = v2;
    dst[2 * i] = u2;
    dst[2 * i + 1] = v2;
  }
  st[S_X1] = x1; st[S_P0] = p0; st[S_P1] = p1; st[S_P2] = p2; st[UP3_Q0] = q0; st[UP3_Q1] = q1; st[UP3_Q2] = q2;
}

function up3(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], a1 = c[1], a2 = c[2], b0 = c[3], b1 = c[4], b2 = c[5];
  let x1 = st[S_X1], p0 = st[S_P0], p1 = st[S_P1], p2 = st[S_P2], q0 = st[UP3_Q0], q1 = st[UP3_Q1], q2 = st[UP3_Q2];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(x1) < FLUSH_BELOW) x1 = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(p1) < FLUSH_BELOW) p1 = 0;
      if (Math.abs(p2) < FLUSH_BELOW) p2 = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
      if (Math.abs(q1) < FLUSH_BELOW) q1 = 0;
      if (Math.abs(q2) < FLUSH_BELOW) q2 = 0;
    }
    const x = src[i];
    const u0 = a0 * (x - p0) + x1;
    const u1 = a1 * (u0 - p1) + p0;
    const u2 = a2 * (u1 - p2) + p1;
    const v0 = b0 * (x - q0) + x1;
    const v1 = b1 * (v0 - q1) + q0;
    const v2 = b2 * (v1 - q2) + q1;
    x1 = x;
    p0 = u0; p1 = u1; p2 = u2;
    q0 = v0; q1 = v1; q2 = v2;
    dst[2 * i] = u2;
    dst[2 * i + 1] = v2;
  }
  st[S_X1] = x1; st[S_P0] = p0; st[S_P1] = p1; st[S_P2] = p2; st[UP3_Q0] = q0; st[UP3_Q1] = q1; st[UP3_Q2] = q2;
}

/** Two sections in branch 0, one in branch 1. */
function up2(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], a1 = c[1], b0 = c[2];
  let x1 = st[S_X1], p0 = st[S_P0], p1 = st[S_P1], q0 = st[UP2_Q0];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(x1) < FLUSH_BELOW) x1 = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(p1) < FLUSH_BELOW) p1 = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
    }
    const x = src[i];
    const u0 = a0 * (x - p0) + x1;
    const u1 = a1 * (u0 - p1) + p0;
    const v0 = b0 * (x - q0) + x1;
    x1 = x;
    p0 = u0; p1 = u1;
    q0 = v0;
    dst[2 * i] = u1;
    dst[2 * i + 1] = v0;
  }
  st[S_X1] = x1; st[S_P0] = p0; st[S_P1] = p1; st[UP2_Q0] = q0;
}

function up1(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], b0 = c[1];
  let x1 = st[S_X1], p0 = st[S_P0], q0 = st[UP1_Q0];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(x1) < FLUSH_BELOW) x1 = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
    }
    const x = src[i];
    const u0 = a0 * (x - p0) + x1;
    const v0 = b0 * (x - q0) + x1;
    x1 = x;
    p0 = u0;
    q0 = v0;
    dst[2 * i] = u0;
    dst[2 * i + 1] = v0;
  }
  st[S_X1] = x1; st[S_P0] = p0; st[UP1_Q0] = q0;
}

function down3(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float32Array, d0: number, f: number, fg: number): void {
  const a0 = c[0], a1 = c[1], a2 = c[2], b0 = c[3], b1 = c[4], b2 = c[5];
  let xa = st[S_X1], p0 = st[S_P0], p1 = st[S_P1], p2 = st[S_P2], xb = st[DOWN3_XB], q0 = st[DOWN3_Q0], q1 = st[DOWN3_Q1], q2 = st[DOWN3_Q2];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(xa) < FLUSH_BELOW) xa = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(p1) < FLUSH_BELOW) p1 = 0;
      if (Math.abs(p2) < FLUSH_BELOW) p2 = 0;
      if (Math.abs(xb) < FLUSH_BELOW) xb = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
      if (Math.abs(q1) < FLUSH_BELOW) q1 = 0;
      if (Math.abs(q2) < FLUSH_BELOW) q2 = 0;
    }
    const ev = src[2 * i];
    const o = src[2 * i + 1];
    const u0 = a0 * (o - p0) + xa;
    const u1 = a1 * (u0 - p1) + p0;
    const u2 = a2 * (u1 - p2) + p1;
    const v0 = b0 * (ev - q0) + xb;
    const v1 = b1 * (v0 - q1) + q0;
    const v2 = b2 * (v1 - q2) + q1;
    xa = o; p0 = u0; p1 = u1; p2 = u2;
    xb = ev; q0 = v0; q1 = v1; q2 = v2;
    dst[d0 + i] = 0.5 * (u2 + v2);
  }
  st[S_X1] = xa; st[S_P0] = p0; st[S_P1] = p1; st[S_P2] = p2; st[DOWN3_XB] = xb; st[DOWN3_Q0] = q0; st[DOWN3_Q1] = q1; st[DOWN3_Q2] = q2;
}

/** Two sections in branch 0, one in branch 1. */
function down2(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], a1 = c[1], b0 = c[2];
  let xa = st[S_X1], p0 = st[S_P0], p1 = st[S_P1], xb = st[DOWN2_XB], q0 = st[DOWN2_Q0];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(xa) < FLUSH_BELOW) xa = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(p1) < FLUSH_BELOW) p1 = 0;
      if (Math.abs(xb) < FLUSH_BELOW) xb = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
    }
    const ev = src[2 * i];
    const o = src[2 * i + 1];
    const u0 = a0 * (o - p0) + xa;
    const u1 = a1 * (u0 - p1) + p0;
    const v0 = b0 * (ev - q0) + xb;
    xa = o; p0 = u0; p1 = u1;
    xb = ev; q0 = v0;
    dst[i] = 0.5 * (u1 + v0);
  }
  st[S_X1] = xa; st[S_P0] = p0; st[S_P1] = p1; st[DOWN2_XB] = xb; st[DOWN2_Q0] = q0;
}

function down1(src: Float64Array, n: number, c: Float64Array, st: Float64Array, dst: Float64Array, f: number, fg: number): void {
  const a0 = c[0], b0 = c[1];
  let xa = st[S_X1], p0 = st[S_P0], xb = st[DOWN1_XB], q0 = st[DOWN1_Q0];
  for (let i = 0; i < n; i++) {
    if (i === f) {
      f += fg;
      if (Math.abs(xa) < FLUSH_BELOW) xa = 0;
      if (Math.abs(p0) < FLUSH_BELOW) p0 = 0;
      if (Math.abs(xb) < FLUSH_BELOW) xb = 0;
      if (Math.abs(q0) < FLUSH_BELOW) q0 = 0;
    }
    const ev = src[2 * i];
    const o = src[2 * i + 1];
    const u0 = a0 * (o - p0) + xa;
    const v0 = b0 * (ev - q0) + xb;
    xa = o; p0 = u0;
    xb = ev; q0 = v0;
    dst[i] = 0.5 * (u0 + v0);
  }
  st[S_X1] = xa; st[S_P0] = p0; st[DOWN1_XB] = xb; st[DOWN1_Q0] = q0;
}

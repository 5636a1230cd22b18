/**
 * Zero-latency, non-uniformly partitioned FFT convolution on a fixed grid of absolute sample
 * time: the engine behind {@link Convolver}.
 *
 * @remarks
 * The impulse response h (length L) is cut into
 * - a **head**, taps [0, H) with H = {@link HEAD_TAPS} (64), convolved directly in the time domain
 *   (y_head[t] = Σ_{m<H} h[m]·x[t − m]): it needs only samples up to t, so it adds no latency;
 * - **segments** s = 0, 1, …, each a uniformly partitioned overlap-save convolution (Stockham
 *   1966; the frequency-domain delay line of Soo & Pang 1990 / Wefers, *Partitioned convolution
 *   algorithms for real-time auralization*, 2015, ch. 5) with partition size P_s (a power of two,
 *   doubling along the IR: Gardner, "Efficient convolution without input-output delay", JAES
 *   43(3), 1995) covering taps [o_s, o_s + K_s·P_s).
 *
 * Segment s works in periods of P_s samples. A period starts when the absolute sample time t is a
 * multiple of P_s, i.e. when the input frame x[t − 2P_s, t) is complete; during the period the
 * segment transforms that frame (FFT of 2P_s) into its delay line, forms Σ_j X_{t−j·P_s}·H_{s,j},
 * transforms back and adds the last P_s samples (the linear part of the circular convolution) into
 * an output accumulator at times [t + o_s − P_s, t + o_s). The products with partitions j ≥ 1 use
 * spectra known since the previous period, so they are accumulated a slice of bins per grid point
 * over the previous period ({@link PartitionedConvolution.preSlice}); the rest (forward FFTs, the
 * products with H_0 in slices of bins, inverse FFTs) is cut into units spread over the period's
 * first D_s = {@link spreadOf}(P_s) grid points ({@link segmentPlan}). The schedule keeps
 * o_s ≥ P_s + (D_s − 1)·HEAD_TAPS, so even the last unit adds into times that are still ahead: no
 * latency, and no call carries much more than one FFT of the largest size. Because every
 * computation is tied to absolute time (t mod P_s) and not to the caller's blocks, and every sum
 * runs in a fixed order, the output is bit-identical for every block partition.
 *
 * Schedule: see {@link partitionSchedule}: the cheapest sequence of non-decreasing power-of-two
 * partition sizes from H to {@link MAX_PARTITION} with o_s ≥ P_s + (D_s − 1)·HEAD_TAPS.
 * @internal
 * @module
 */
import { RealFFT } from '../core/fft.js';
import { compileWasm, instantiateWithMemory } from '../core/webassembly.js';
import { CONVOLUTION_KERNEL_BASE64 } from './convolution-kernel.js';

/** Direct-form head length, also the grid on which segments are started (samples). */
export const HEAD_TAPS = 64;
/** Largest partition (samples): FFTs of at most 2 × this (bounds the work of one grid point). */
export const MAX_PARTITION = 8192;

/** One path through the engine: input channel `input` convolved with IR `ir`, added to output `output`. */
export interface ConvolutionPath {
  readonly input: number;
  readonly ir: number;
  readonly output: number;
}

/**
 * The most grid points (of HEAD_TAPS samples) a segment's period of work is spread over; a segment
 * of partition size P spreads it over D = min(P / HEAD_TAPS, SPREAD) grid points and needs an
 * offset o ≥ P + (D − 1)·HEAD_TAPS in the IR.
 */
export const SPREAD = 16;
/**
 * Smallest partition size whose FFTs are spread: below it a period's FFTs (of at most 2048
 * points, a few µs each) run at its first grid point, which costs no extra offset. From it on
 * D = SPREAD ≤ G/2, so every segment with K > 1 also spreads its older partitions' products
 * over the rest of the period.
 */
export const SPREAD_FROM = 2048;

/** Grid points a segment of partition size `p` spreads its work over. */
export function spreadOf(p: number): number {
  return p >= SPREAD_FROM ? Math.min(p / HEAD_TAPS, SPREAD) : 1;
}

/** Smallest and largest partition sizes the schedule may use (powers of two). */
const MIN_PARTITION = HEAD_TAPS;
/**
 * Relative costs per output sample, measured in V8 (Node 20, x64): a segment of partition size P
 * costs a forward and an inverse real FFT of 2P per P samples, about 3.4·log2(P) ns per sample,
 * plus the frame copy and the accumulation (about one more unit); each partition adds one complex
 * multiply-add per bin, about 2 ns per sample (0.6 units).
 */
const SEGMENT_OVERHEAD = 1;
const MAC_COST = 0.6;

/**
 * The partition schedule for an IR of `length` taps: `[P, offset, count][]`, consecutive segments
 * covering taps [HEAD_TAPS, ≥ length), partition sizes non-decreasing powers of two in
 * [HEAD_TAPS, MAX_PARTITION], each segment starting at an offset o ≥ P + (D − 1)·HEAD_TAPS with
 * D = spreadOf(P) (no latency with its FFTs spread over D grid points; Gardner 1995).
 * Among those, the one of least estimated cost per sample (dynamic programming over offsets on
 * the HEAD_TAPS grid; the cost model of Garcia, "Optimal filter partition for efficient
 * convolution with short input/output delay", AES 113th Convention, 2002, with our measured
 * constants).
 */
export function partitionSchedule(length: number): [number, number, number][] {
  if (length <= HEAD_TAPS) return [];
  const sizes: number[] = [];
  for (let p = MIN_PARTITION; p <= MAX_PARTITION; p *= 2) sizes.push(p);
  const S = sizes.length;
  const U = HEAD_TAPS;
  const units = Math.ceil(length / U);
  // best[u·S + s]: least cost to cover taps [u·U, length) when a segment of size sizes[s] is open
  // (its FFTs paid); choice: 0 = one more partition of this size, s' + 1 = open size s' (> s).
  const best = new Float64Array((units + 1) * S);
  const choice = new Int8Array((units + 1) * S);
  const segCost = (s: number) => Math.log2(sizes[s]) + SEGMENT_OVERHEAD;
  for (let u = units - 1; u >= 1; u--) {
    for (let s = S - 1; s >= 0; s--) {
      const pu = sizes[s] / U;
      let c = MAC_COST + (u + pu >= units ? 0 : best[(u + pu) * S + s]);
      let ch = 0;
      for (let t = s + 1; t < S; t++) {
        const tu = sizes[t] / U;
        if (u < tu + spreadOf(sizes[t]) - 1) break; // offset must be ≥ P + (D − 1)·HEAD_TAPS
        const alt = segCost(t) + MAC_COST + (u + tu >= units ? 0 : best[(u + tu) * S + t]);
        if (alt < c) {
          c = alt;
          ch = t + 1;
        }
      }
      best[u * S + s] = c;
      choice[u * S + s] = ch;
    }
  }
  // Start: the first segment is opened at offset HEAD_TAPS with the smallest size (o ≥ P allows
  // only sizes ≤ HEAD_TAPS there).
  const out: [number, number, number][] = [];
  let u = 1;
  let s = 0;
  out.push([sizes[0], U, 0]);
  while (u < units) {
    const ch = choice[u * S + s];
    if (ch > 0) {
      s = ch - 1;
      out.push([sizes[s], u * U, 0]);
    }
    out[out.length - 1][2]++;
    u += sizes[s] / U;
  }
  return out;
}

/** Kinds of work unit in a segment's plan. */
const FWD = 0;
const MAC = 1;
const INV = 2;

/** The WebAssembly kernel's exports (byte offsets; `len` counts doubles; see convolution-kernel.wat). */
interface MacKernel {
  mac1(xa: number, ha: number, y: number, len: number): void;
  mac2(xa: number, xb: number, ha: number, hb: number, y: number, len: number): void;
  mac4(xa: number, xb: number, xc: number, xd: number, ha: number, hs: number, y: number, len: number): void;
}

let kernelEnabled = true;

/**
 * Let engines built from now on use the WebAssembly kernel for the spectral products (true, the
 * default, where WebAssembly SIMD exists) or not; returns whether it is available. For tests and
 * measurements: both give the same output, bit for bit.
 * @internal
 */
export function useConvolutionWasm(enabled: boolean): boolean {
  kernelEnabled = enabled;
  return compileWasm(CONVOLUTION_KERNEL_BASE64) !== null;
}

interface Segment {
  readonly p: number;
  readonly offset: number;
  readonly k: number;
  readonly bins: number;
  readonly fft: RealFFT;
  /** Per IR: K interleaved spectra of P + 1 bins each, partition j at 2·j·bins. */
  readonly h: Float64Array[];
  /** Per input channel: the K most recent input spectra (interleaved), a ring of K slots. */
  readonly x: Float64Array[];
  /** Per output: the spectrum Σ_j X_{t−jP}·H_j of the current period, built a slice at a time. */
  readonly y: Float64Array[];
  /**
   * Per output, when the period has room (G ≥ 2D and K > 1): Σ_{j≥1} X_{t'−jP}·H_j for the next
   * period t' (interleaved), accumulated a slice of bins per grid point D … G − 1 of the current
   * period (those spectra are all known by then), so the next period's product units only add
   * X_t'·H_0. Empty otherwise: the product units form the whole sum.
   */
  readonly pre: Float64Array[];
  /** Grid points per period, G = P / HEAD_TAPS. */
  readonly grid: number;
  /** Slot of the current period's input spectrum. */
  slot: number;
  /**
   * The work of one period, spread over its G = P / HEAD_TAPS grid points: the units of grid
   * point d are `[planStart[d], planStart[d + 1])`, each a kind (FWD: transform input `a`; MAC: the
   * products of output `a` over the interleaved numbers [lo, lo + len); INV: transform output `a`
   * back and add it into the accumulator).
   */
  readonly planStart: Int32Array;
  /** Grid points the plan uses, D = {@link spreadOf}(P). */
  readonly spread: number;
  readonly unitKind: Int8Array;
  readonly unitA: Int32Array;
  readonly unitLo: Int32Array;
  readonly unitLen: Int32Array;
}

/**
 * The plan of a segment: the units of its period's first D = {@link spreadOf}(P) grid points, in
 * dependency order (every input's forward FFT; then per output its products, cut into D slices of
 * bins, and its inverse FFT), each started at the grid point where the work before it reaches that
 * share of the total (a balanced sequential partition: no grid point carries more than the mean
 * plus one unit). With `pre`, a product unit only adds X_t·H_0 to what the previous period's last
 * G − D grid points accumulated. Costs from the model above: an FFT of 2P about P·log2(2P) units, a
 * complex multiply-add about one unit per partition, bin and path.
 */
function segmentPlan(p: number, k: number, pre: boolean, paths: readonly ConvolutionPath[], inputs: number, outputs: number) {
  const D = spreadOf(p);
  const bins = p + 1;
  const kinds: number[] = [];
  const as: number[] = [];
  const los: number[] = [];
  const lens: number[] = [];
  const costs: number[] = [];
  const fftCost = p * Math.log2(2 * p);
  for (let c = 0; c < inputs; c++) {
    kinds.push(FWD), as.push(c), los.push(0), lens.push(0), costs.push(fftCost);
  }
  for (let o = 0; o < outputs; o++) {
    let n = 0;
    for (const path of paths) if (path.output === o) n++;
    if (n === 0) continue;
    for (let g = 0; g < D; g++) {
      const lo = 2 * Math.floor((g * bins) / D);
      const len = 2 * Math.floor(((g + 1) * bins) / D) - lo;
      if (len > 0) kinds.push(MAC), as.push(o), los.push(lo), lens.push(len), costs.push((len / 2) * (pre ? 1 : k) * n);
    }
    kinds.push(INV), as.push(o), los.push(0), lens.push(0), costs.push(fftCost);
  }
  let total = 0;
  for (const c of costs) total += c;
  const planStart = new Int32Array(D + 1);
  let before = 0;
  let d = 0;
  for (let u = 0; u < costs.length; u++) {
    const at = Math.min(D - 1, Math.floor((before / total) * D));
    while (d < at) planStart[++d] = u;
    before += costs[u];
  }
  while (d < D) planStart[++d] = costs.length;
  return {
    planStart,
    unitKind: Int8Array.from(kinds),
    unitA: Int32Array.from(as),
    unitLo: Int32Array.from(los),
    unitLen: Int32Array.from(lens),
  };
}

/**
 * A prepared impulse response set (1 … 4 IRs of equal length) and the state of its convolution.
 * Built on the control side (allocates and transforms the IR); {@link PartitionedConvolution.run}
 * allocates nothing.
 * @internal
 */
export class PartitionedConvolution {
  /** IR length in taps. */
  readonly length: number;
  private readonly paths: readonly ConvolutionPath[];
  private readonly inputs: number;
  private readonly outputs: number;
  /** Head taps per IR, reversed: head[j] = h[headLen − 1 − j]. */
  private readonly head: Float64Array[];
  private readonly headLen: number;
  /** Per input: the last HEAD_TAPS inputs then the current chunk (linear, for the head FIR). */
  private readonly hist: Float64Array[];
  /** Per input: ring of the last 4·P_max inputs (a frame of 2P is read up to (D − 1)·HEAD_TAPS late). */
  private readonly ring: Float64Array[];
  private readonly ringMask: number;
  /** Per output: accumulator ring. */
  private readonly acc: Float64Array[];
  private readonly accMask: number;
  private readonly segments: Segment[];
  /** Largest partition (the clock's period). */
  private readonly pmax: number;
  /** Work buffer of the largest FFT (time domain). */
  private readonly frame: Float64Array;
  /** The WebAssembly products over the spectra's memory, or undefined (the JavaScript ones). */
  private readonly mac: MacKernel | undefined;
  /** Write position of `ring`, read position of `acc`, t mod pmax, t mod HEAD_TAPS. */
  private wpos = 0;
  private apos = 0;
  private clock = 0;
  private phase = 0;

  constructor(irs: readonly Float64Array[], paths: readonly ConvolutionPath[], inputs: number, outputs: number) {
    const length = irs[0].length;
    this.length = length;
    this.paths = paths;
    this.inputs = inputs;
    this.outputs = outputs;
    this.headLen = Math.min(HEAD_TAPS, length);
    // Reversed, so that the head FIR runs forwards through both arrays.
    this.head = irs.map((h) => Float64Array.from(h.subarray(0, this.headLen)).reverse());
    this.hist = [];
    for (let c = 0; c < inputs; c++) this.hist.push(new Float64Array(2 * HEAD_TAPS));
    const schedule = partitionSchedule(length);
    let pmax = HEAD_TAPS;
    let omax = HEAD_TAPS;
    for (const [p, o] of schedule) {
      pmax = Math.max(pmax, p);
      omax = Math.max(omax, o);
    }
    this.pmax = pmax;
    const ringSize = 4 * pmax;
    this.ringMask = ringSize - 1;
    this.ring = [];
    for (let c = 0; c < inputs; c++) this.ring.push(new Float64Array(ringSize));
    let accSize = 1;
    while (accSize < omax + HEAD_TAPS) accSize *= 2;
    this.accMask = accSize - 1;
    this.acc = [];
    for (let c = 0; c < outputs; c++) this.acc.push(new Float64Array(accSize));
    this.frame = new Float64Array(2 * pmax);
    // The spectra (the IR's, the inputs', the outputs') live in one memory: a WebAssembly
    // instance's when its SIMD kernel for the products is available, else an ArrayBuffer.
    const usesPre = (p: number, k: number) => k > 1 && p / HEAD_TAPS >= 2 * spreadOf(p);
    let doubles = 0;
    for (const [p, , k] of schedule) doubles += 2 * (p + 1) * ((irs.length + inputs) * k + outputs * (usesPre(p, k) ? 2 : 1));
    const instance = instantiateWithMemory(kernelEnabled ? compileWasm(CONVOLUTION_KERNEL_BASE64) : null, 8 * doubles);
    this.mac = instance?.exports as MacKernel | undefined;
    const buffer = instance?.buffer ?? new ArrayBuffer(8 * doubles);
    let next = 0;
    const alloc = (n: number): Float64Array => {
      const a = new Float64Array(buffer, 8 * next, n);
      next += n;
      return a;
    };
    const ffts = new Map<number, RealFFT>();
    this.segments = schedule.map(([p, o, k]) => {
      let fft = ffts.get(p);
      if (!fft) {
        fft = new RealFFT(2 * p);
        ffts.set(p, fft);
      }
      const bins = p + 1;
      const hs: Float64Array[] = [];
      const buf = new Float64Array(2 * p);
      for (const h of irs) {
        const spectra = alloc(2 * k * bins);
        for (let j = 0; j < k; j++) {
          buf.fill(0);
          const from = o + j * p;
          const to = Math.min(length, from + p);
          if (to > from) buf.set(h.subarray(from, to));
          fft.forward(buf, spectra, 2 * j * bins);
        }
        hs.push(spectra);
      }
      const xs: Float64Array[] = [];
      for (let c = 0; c < inputs; c++) xs.push(alloc(2 * k * bins));
      const ys: Float64Array[] = [];
      for (let c = 0; c < outputs; c++) ys.push(alloc(2 * bins));
      const grid = p / HEAD_TAPS;
      const spread = spreadOf(p);
      const usePre = usesPre(p, k);
      const pre: Float64Array[] = [];
      for (let c = 0; c < outputs; c++) pre.push(usePre ? alloc(2 * bins) : new Float64Array(0));
      return { p, offset: o, k, bins, fft, h: hs, x: xs, y: ys, pre, grid, slot: k - 1, spread, ...segmentPlan(p, k, usePre, paths, inputs, outputs) };
    });
  }

  /** Clear all state: the engine behaves as new (time 0). */
  reset(): void {
    for (let c = 0; c < this.inputs; c++) {
      this.hist[c].fill(0);
      this.ring[c].fill(0);
    }
    for (let c = 0; c < this.outputs; c++) this.acc[c].fill(0);
    const segs = this.segments;
    for (let s = 0; s < segs.length; s++) {
      const seg = segs[s];
      for (let c = 0; c < this.inputs; c++) seg.x[c].fill(0);
      for (let c = 0; c < this.outputs; c++) {
        seg.y[c].fill(0);
        seg.pre[c].fill(0);
      }
      seg.slot = seg.k - 1;
    }
    this.wpos = 0;
    this.apos = 0;
    this.clock = 0;
    this.phase = 0;
  }

  /** Samples until the next grid point (1 … HEAD_TAPS): the longest chunk {@link run} accepts. */
  get untilBoundary(): number {
    return HEAD_TAPS - this.phase;
  }

  /**
   * Convolve `n` ≤ {@link untilBoundary} samples: inputs `x[c][0 … n)` (finite), outputs written
   * (not added) to `y[o][yo … yo + n)`.
   */
  run(x: readonly Float64Array[], n: number, y: readonly Float64Array[], yo: number): void {
    if (this.phase === 0) {
      const segs = this.segments;
      for (let s = 0; s < segs.length; s++) {
        const seg = segs[s];
        const d = (this.clock & (seg.p - 1)) / HEAD_TAPS;
        if (d < seg.spread) this.step(seg, d);
        else if (seg.pre[0].length > 0) this.preSlice(seg, d - seg.spread);
      }
    }
    const H = HEAD_TAPS;
    const ringMask = this.ringMask;
    for (let c = 0; c < this.inputs; c++) {
      const xc = x[c];
      const hist = this.hist[c];
      const ring = this.ring[c];
      const w = this.wpos;
      for (let i = 0; i < n; i++) {
        const v = xc[i];
        hist[H + i] = v;
        ring[(w + i) & ringMask] = v;
      }
    }
    const accMask = this.accMask;
    const a0 = this.apos;
    for (let o = 0; o < this.outputs; o++) {
      const acc = this.acc[o];
      const yc = y[o];
      for (let i = 0; i < n; i++) {
        const q = (a0 + i) & accMask;
        yc[yo + i] = acc[q];
        acc[q] = 0;
      }
    }
    const hl = this.headLen;
    const paths = this.paths;
    for (let p = 0; p < paths.length; p++) {
      const path = paths[p];
      headFir(this.head[path.ir], hl, this.hist[path.input], n, y[path.output], yo);
    }
    for (let c = 0; c < this.inputs; c++) this.hist[c].copyWithin(0, n, n + H);
    this.wpos = (this.wpos + n) & ringMask;
    this.apos = (a0 + n) & accMask;
    this.phase += n;
    if (this.phase === H) {
      this.phase = 0;
      this.clock = (this.clock + H) & (this.pmax - 1);
    }
  }

  /**
   * The units of grid point `d` (0 … G − 1) of the current period of `seg`, whose frame
   * x[t − 2P, t) ended d·HEAD_TAPS samples ago (see the module comment).
   */
  private step(seg: Segment, d: number): void {
    const k = seg.k;
    if (d === 0) seg.slot = seg.slot + 1 === k ? 0 : seg.slot + 1;
    const slot = seg.slot;
    const p = seg.p;
    const w = 2 * seg.bins;
    const frame = this.frame;
    const late = d * HEAD_TAPS;
    const end = seg.planStart[d + 1];
    for (let u = seg.planStart[d]; u < end; u++) {
      const a = seg.unitA[u];
      const kind = seg.unitKind[u];
      if (kind === FWD) {
        // The frame x[t − 2P, t) of input a into the current slot.
        const ring = this.ring[a];
        const ringMask = this.ringMask;
        const start = this.wpos - 2 * p - late;
        for (let i = 0; i < 2 * p; i++) frame[i] = ring[(start + i) & ringMask];
        seg.fft.forward(frame, seg.x[a], slot * w);
      } else if (kind === MAC) {
        // Y[lo, lo + len) = (what the previous period accumulated, if any) + Σ over the paths into
        // output a of Σ_j X_{t−jP}·H_j (all j, or only j = 0 after the accumulation; j ascending,
        // in pairs).
        const lo = seg.unitLo[u];
        const len = seg.unitLen[u];
        const y = seg.y[a];
        const pre = seg.pre[a];
        const accumulated = pre.length > 0;
        const jEnd = accumulated ? 1 : k;
        if (accumulated) {
          for (let b = lo; b < lo + len; b++) {
            y[b] = pre[b];
            pre[b] = 0;
          }
        } else y.fill(0, lo, lo + len);
        const paths = this.paths;
        for (let q = 0; q < paths.length; q++) {
          const path = paths[q];
          if (path.output !== a) continue;
          partitionProducts(seg.x[path.input], seg.h[path.ir], slot, 0, jEnd, k, w, lo, len, y, this.mac);
        }
      } else {
        // Back to time and into the accumulator at the times [t + o − P, t + o), which are still
        // ahead: o − P − late ≥ 0 by the schedule (o ≥ P + (D − 1)·HEAD_TAPS).
        seg.fft.inverse(seg.y[a], frame);
        const acc = this.acc[a];
        const accMask = this.accMask;
        const at = this.apos + seg.offset - p - late;
        for (let i = 0; i < p; i++) acc[(at + i) & accMask] += frame[p + i];
      }
    }
  }

  /**
   * Slice `g` (0 … G − D − 1) of the bins of Σ_{j=1}^{K−1} X_{t−(j−1)P}·H_j into `pre`: the part of
   * the next period's products that is known once this period's forward FFTs are done (at grid
   * point D), spread evenly over the period's remaining grid points. The order of every sum is
   * fixed by absolute time, so the output stays partition-independent.
   */
  private preSlice(seg: Segment, g: number): void {
    const G = seg.grid - seg.spread;
    const bins = seg.bins;
    const lo = 2 * Math.floor((g * bins) / G);
    const len = 2 * Math.floor(((g + 1) * bins) / G) - lo;
    if (len <= 0) return;
    const k = seg.k;
    const w = 2 * bins;
    const newest = seg.slot;
    const paths = this.paths;
    for (let q = 0; q < paths.length; q++) {
      const path = paths[q];
      // Partition j meets the spectrum j − 1 periods old: slot newest − (j − 1).
      partitionProducts(seg.x[path.input], seg.h[path.ir], newest, 1, k, k, w, lo, len, seg.pre[path.output], this.mac);
    }
  }
}

/**
 * out[lo, lo + len) += Σ_{j = j0}^{j1 − 1} X_{s(j)}·H_j, with s(j0) = `slot` and each next
 * partition one ring slot older (of K): four partitions per sweep, then two, then one, j ascending
 * (a fixed order, so every caller's sums are the same whatever the block partition).
 */
function partitionProducts(xs: Float64Array, hs: Float64Array, slot: number, j0: number, j1: number, k: number, w: number, lo: number, len: number, out: Float64Array, mac: MacKernel | undefined): void {
  let j = j0;
  let s0 = slot;
  if (mac !== undefined) {
    // The same sums in the same order in WebAssembly SIMD (byte offsets into its memory).
    const xb = xs.byteOffset + 8 * lo;
    const hb = hs.byteOffset + 8 * lo;
    const yb = out.byteOffset + 8 * lo;
    for (; j + 3 < j1; j += 4) {
      const s1 = s0 === 0 ? k - 1 : s0 - 1;
      const s2 = s1 === 0 ? k - 1 : s1 - 1;
      const s3 = s2 === 0 ? k - 1 : s2 - 1;
      mac.mac4(xb + 8 * s0 * w, xb + 8 * s1 * w, xb + 8 * s2 * w, xb + 8 * s3 * w, hb + 8 * j * w, 8 * w, yb, len);
      s0 = s3 === 0 ? k - 1 : s3 - 1;
    }
    for (; j + 1 < j1; j += 2) {
      const s1 = s0 === 0 ? k - 1 : s0 - 1;
      mac.mac2(xb + 8 * s0 * w, xb + 8 * s1 * w, hb + 8 * j * w, hb + 8 * (j + 1) * w, yb, len);
      s0 = s1 === 0 ? k - 1 : s1 - 1;
    }
    if (j < j1) mac.mac1(xb + 8 * s0 * w, hb + 8 * j * w, yb, len);
    return;
  }
  for (; j + 3 < j1; j += 4) {
    const s1 = s0 === 0 ? k - 1 : s0 - 1;
    const s2 = s1 === 0 ? k - 1 : s1 - 1;
    const s3 = s2 === 0 ? k - 1 : s2 - 1;
    spectralMac4(xs, s0 * w + lo, s1 * w + lo, s2 * w + lo, s3 * w + lo, hs, j * w + lo, w, out, lo, len);
    s0 = s3 === 0 ? k - 1 : s3 - 1;
  }
  for (; j + 1 < j1; j += 2) {
    const s1 = s0 === 0 ? k - 1 : s0 - 1;
    spectralMac2(xs, s0 * w + lo, s1 * w + lo, hs, j * w + lo, (j + 1) * w + lo, out, lo, len);
    s0 = s1 === 0 ? k - 1 : s1 - 1;
  }
  if (j < j1) spectralMac(xs, s0 * w + lo, hs, j * w + lo, out, lo, len);
}

/**
 * y[yo + i] += Σ_{j<hl} r[j]·x[H + i − hl + 1 + j] = Σ_m h[m]·x[H + i − m] (r: the head taps
 * reversed; x holds HEAD_TAPS past samples, then the chunk). Four outputs per pass share the loads;
 * each sum runs over j in ascending order either way, so pairing never changes a result.
 */
function headFir(r: Float64Array, hl: number, x: Float64Array, n: number, y: Float64Array, yo: number): void {
  const H = HEAD_TAPS;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const b = H + i - hl + 1;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let xa = x[b];
    let xb = x[b + 1];
    let xc = x[b + 2];
    for (let j = 0; j < hl; j++) {
      const c = r[j];
      const xd = x[b + j + 3];
      s0 += c * xa;
      s1 += c * xb;
      s2 += c * xc;
      s3 += c * xd;
      xa = xb;
      xb = xc;
      xc = xd;
    }
    y[yo + i] += s0;
    y[yo + i + 1] += s1;
    y[yo + i + 2] += s2;
    y[yo + i + 3] += s3;
  }
  for (; i < n; i++) {
    const b = H + i - hl + 1;
    let s = 0;
    for (let j = 0; j < hl; j++) s += r[j] * x[b + j];
    y[yo + i] += s;
  }
}

/** y[yo …] += x[xo …]·h[ho …] over `len` numbers: len/2 interleaved complex bins. */
function spectralMac(x: Float64Array, xo: number, h: Float64Array, ho: number, y: Float64Array, yo: number, len: number): void {
  for (let b = 0; b < len; b += 2) {
    const ar = x[xo + b];
    const ai = x[xo + b + 1];
    const br = h[ho + b];
    const bi = h[ho + b + 1];
    y[yo + b] += ar * br - ai * bi;
    y[yo + b + 1] += ar * bi + ai * br;
  }
}

/** y[yo …] += x[xa …]·h[ha …] + x[xb …]·h[hb …]: two partitions in one sweep (interleaved bins). */
function spectralMac2(x: Float64Array, xa: number, xb: number, h: Float64Array, ha: number, hb: number, y: Float64Array, yo: number, len: number): void {
  for (let b = 0; b < len; b += 2) {
    const ar = x[xa + b];
    const ai = x[xa + b + 1];
    const br = h[ha + b];
    const bi = h[ha + b + 1];
    const cr = x[xb + b];
    const ci = x[xb + b + 1];
    const dr = h[hb + b];
    const di = h[hb + b + 1];
    y[yo + b] += ar * br - ai * bi + (cr * dr - ci * di);
    y[yo + b + 1] += ar * bi + ai * br + (cr * di + ci * dr);
  }
}

/**
 * y[yo …] += Σ_{q<4} x[x_q …]·h[ha + q·hs …]: four partitions (their spectra `hs` apart in `h`) in
 * one sweep, summed in ascending q before the one read-modify-write of y (interleaved bins).
 */
function spectralMac4(x: Float64Array, xa: number, xb: number, xc: number, xd: number, h: Float64Array, ha: number, hs: number, y: Float64Array, yo: number, len: number): void {
  const hb = ha + hs;
  const hc = hb + hs;
  const hd = hc + hs;
  for (let b = 0; b < len; b += 2) {
    const ar = x[xa + b];
    const ai = x[xa + b + 1];
    const br = h[ha + b];
    const bi = h[ha + b + 1];
    const cr = x[xb + b];
    const ci = x[xb + b + 1];
    const dr = h[hb + b];
    const di = h[hb + b + 1];
    const er = x[xc + b];
    const ei = x[xc + b + 1];
    const fr = h[hc + b];
    const fi = h[hc + b + 1];
    const gr = x[xd + b];
    const gi = x[xd + b + 1];
    const kr = h[hd + b];
    const ki = h[hd + b + 1];
    y[yo + b] += ar * br - ai * bi + (cr * dr - ci * di) + (er * fr - ei * fi) + (gr * kr - gi * ki);
    y[yo + b + 1] += ar * bi + ai * br + (cr * di + ci * dr) + (er * fi + ei * fr) + (gr * ki + gi * kr);
  }
}

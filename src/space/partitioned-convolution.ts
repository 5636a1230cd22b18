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
 * Segment s runs when the absolute sample time t is a multiple of P_s, i.e. when the input
 * frame x[t − 2P_s, t) is complete: it transforms that frame (FFT of 2P_s), pushes the spectrum
 * into its delay line, forms Σ_j X_{t−j·P_s}·H_{s,j}, transforms back and adds the last P_s
 * samples (the linear part of the circular convolution) into an output accumulator at times
 * [t + o_s − P_s, t + o_s). The schedule keeps o_s ≥ P_s, so those times are never in the past: no
 * latency. Because every computation is tied to absolute time (t mod P_s) and not to the caller's
 * blocks, and the accumulator is summed in a fixed order, the output is bit-identical for every
 * block partition. The cost is bursty: at a multiple of the largest partition every segment runs
 * in the same sample (a few ms of work for a 10 s IR at most; see docs/convolution.md).
 *
 * Schedule: P_0 = H at o_0 = H; a segment keeps {@link PARTITIONS_PER_SIZE} partitions of its
 * size, then the next doubles it (always possible: o ≥ 2P by then), up to {@link MAX_PARTITION};
 * the last segment takes the rest of the IR in partitions of its size.
 * @internal
 * @module
 */
import { RealFFT } from '../core/fft.js';

/** Direct-form head length, also the grid on which segments are started (samples). */
export const HEAD_TAPS = 64;
/** Largest partition (samples): FFTs of at most 2 × this. */
export const MAX_PARTITION = 8192;
/** Partitions of each size before the next size doubles. */
export const PARTITIONS_PER_SIZE = 4;

/** One path through the engine: input channel `input` convolved with IR `ir`, added to output `output`. */
export interface ConvolutionPath {
  readonly input: number;
  readonly ir: number;
  readonly output: number;
}

/** The partition sizes and offsets used for an IR of `length` taps: `[P, offset, count][]`. */
export function partitionSchedule(length: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let o = HEAD_TAPS;
  let p = HEAD_TAPS;
  while (o < length) {
    const rest = length - o;
    let k: number;
    if (p >= MAX_PARTITION) k = Math.ceil(rest / p);
    else k = Math.min(PARTITIONS_PER_SIZE, Math.ceil(rest / p));
    out.push([p, o, k]);
    o += k * p;
    if (p < MAX_PARTITION && o >= 2 * p) p *= 2;
  }
  return out;
}

interface Segment {
  readonly p: number;
  readonly offset: number;
  readonly k: number;
  readonly bins: number;
  readonly fft: RealFFT;
  /** Per IR: K spectra of P + 1 bins each, partition j at j·bins. */
  readonly hr: Float64Array[];
  readonly hi: Float64Array[];
  /** Per input channel: the K most recent input spectra, a ring of K slots. */
  readonly xr: Float64Array[];
  readonly xi: Float64Array[];
  /** Slot of the next spectrum. */
  slot: number;
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
  /** Head taps per IR. */
  private readonly head: Float64Array[];
  private readonly headLen: number;
  /** Per input: the last HEAD_TAPS inputs then the current chunk (linear, for the head FIR). */
  private readonly hist: Float64Array[];
  /** Per input: ring of the last 2·P_max inputs. */
  private readonly ring: Float64Array[];
  private readonly ringMask: number;
  /** Per output: accumulator ring. */
  private readonly acc: Float64Array[];
  private readonly accMask: number;
  private readonly segments: Segment[];
  /** Largest partition (the clock's period). */
  private readonly pmax: number;
  // Work buffers of the largest FFT.
  private readonly frame: Float64Array;
  private readonly yr: Float64Array;
  private readonly yi: Float64Array;
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
    this.head = irs.map((h) => Float64Array.from(h.subarray(0, this.headLen)));
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
    const ringSize = 2 * pmax;
    this.ringMask = ringSize - 1;
    this.ring = [];
    for (let c = 0; c < inputs; c++) this.ring.push(new Float64Array(ringSize));
    let accSize = 1;
    while (accSize < omax + HEAD_TAPS) accSize *= 2;
    this.accMask = accSize - 1;
    this.acc = [];
    for (let c = 0; c < outputs; c++) this.acc.push(new Float64Array(accSize));
    this.frame = new Float64Array(2 * pmax);
    this.yr = new Float64Array(pmax + 1);
    this.yi = new Float64Array(pmax + 1);
    const ffts = new Map<number, RealFFT>();
    this.segments = schedule.map(([p, o, k]) => {
      let fft = ffts.get(p);
      if (!fft) {
        fft = new RealFFT(2 * p);
        ffts.set(p, fft);
      }
      const bins = p + 1;
      const hr: Float64Array[] = [];
      const hi: Float64Array[] = [];
      const buf = new Float64Array(2 * p);
      for (const h of irs) {
        const r = new Float64Array(k * bins);
        const i = new Float64Array(k * bins);
        for (let j = 0; j < k; j++) {
          buf.fill(0);
          const from = o + j * p;
          const to = Math.min(length, from + p);
          if (to > from) buf.set(h.subarray(from, to));
          fft.forward(buf, r, i, j * bins);
        }
        hr.push(r);
        hi.push(i);
      }
      const xr: Float64Array[] = [];
      const xi: Float64Array[] = [];
      for (let c = 0; c < inputs; c++) {
        xr.push(new Float64Array(k * bins));
        xi.push(new Float64Array(k * bins));
      }
      return { p, offset: o, k, bins, fft, hr, hi, xr, xi, slot: 0 };
    });
  }

  /** Clear all state: the engine behaves as new (time 0). */
  reset(): void {
    for (const h of this.hist) h.fill(0);
    for (const r of this.ring) r.fill(0);
    for (const a of this.acc) a.fill(0);
    for (const s of this.segments) {
      for (const x of s.xr) x.fill(0);
      for (const x of s.xi) x.fill(0);
      s.slot = 0;
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
        if ((this.clock & (seg.p - 1)) === 0) this.runSegment(seg);
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

  /** One step of segment `seg` at a multiple of its partition size (see the module comment). */
  private runSegment(seg: Segment): void {
    const p = seg.p;
    const n2 = 2 * p;
    const bins = seg.bins;
    const k = seg.k;
    const frame = this.frame;
    const ringMask = this.ringMask;
    const slot = seg.slot;
    const base = slot * bins;
    // Transform the newest frame of every input into its ring slot.
    for (let c = 0; c < this.inputs; c++) {
      const ring = this.ring[c];
      const start = this.wpos - n2;
      for (let i = 0; i < n2; i++) frame[i] = ring[(start + i) & ringMask];
      seg.fft.forward(frame, seg.xr[c], seg.xi[c], base);
    }
    const yr = this.yr;
    const yi = this.yi;
    const paths = this.paths;
    for (let o = 0; o < this.outputs; o++) {
      yr.fill(0, 0, bins);
      yi.fill(0, 0, bins);
      let any = false;
      for (let q = 0; q < paths.length; q++) {
        const path = paths[q];
        if (path.output !== o) continue;
        any = true;
        const xr = seg.xr[path.input];
        const xi = seg.xi[path.input];
        const hr = seg.hr[path.ir];
        const hi = seg.hi[path.ir];
        // Y += Σ_j X[slot − j] · H_j.
        for (let j = 0; j < k; j++) {
          const s = slot - j < 0 ? slot - j + k : slot - j;
          spectralMac(xr, xi, s * bins, hr, hi, j * bins, yr, yi, bins);
        }
      }
      if (!any) continue;
      seg.fft.inverse(yr, yi, frame);
      const acc = this.acc[o];
      const accMask = this.accMask;
      const at = this.apos + seg.offset - p;
      for (let i = 0; i < p; i++) acc[(at + i) & accMask] += frame[p + i];
    }
    seg.slot = slot + 1 === k ? 0 : slot + 1;
  }
}

/** y[yo + i] += Σ_{m<hl} h[m]·x[H + i − m] (x holds HEAD_TAPS past samples, then the chunk). */
function headFir(h: Float64Array, hl: number, x: Float64Array, n: number, y: Float64Array, yo: number): void {
  const H = HEAD_TAPS;
  for (let i = 0; i < n; i++) {
    const e = H + i;
    let s = 0;
    let m = 0;
    for (; m + 3 < hl; m += 4) s += h[m] * x[e - m] + h[m + 1] * x[e - m - 1] + h[m + 2] * x[e - m - 2] + h[m + 3] * x[e - m - 3];
    for (; m < hl; m++) s += h[m] * x[e - m];
    y[yo + i] += s;
  }
}

/** (yr, yi)[0 … n) += (xr, xi)[xo …] · (hr, hi)[ho …], complex. */
function spectralMac(xr: Float64Array, xi: Float64Array, xo: number, hr: Float64Array, hi: Float64Array, ho: number, yr: Float64Array, yi: Float64Array, n: number): void {
  for (let b = 0; b < n; b++) {
    const ar = xr[xo + b];
    const ai = xi[xo + b];
    const br = hr[ho + b];
    const bi = hi[ho + b];
    yr[b] += ar * br - ai * bi;
    yi[b] += ar * bi + ai * br;
  }
}

/**
 * Biquad coefficient design, as pure functions.
 *
 * The eight second-order types follow Robert Bristow-Johnson's *Audio EQ Cookbook* (W3C Note,
 * https://www.w3.org/TR/audio-eq-cookbook/): an analog prototype H(s) mapped to z by the bilinear
 * transform with the frequency pre-warped so that the cutoff / centre lands exactly on `f0`:
 *
 * ```
 * w0 = 2π·f0/fs    alpha = sin(w0)/(2Q)    A = 10^(gainDb/40)
 * shelves: alpha = sin(w0)/2 · sqrt((A + 1/A)(1/S − 1) + 2)       (S = shelf slope)
 * ```
 *
 * Butterworth and Linkwitz-Riley high/low-pass filters of order N are cascades of cookbook
 * low/high-pass sections whose Q values place the poles of the analog prototype:
 * Butterworth order N has pole pairs at angles (2k−1)π/(2N) from the negative real axis, so
 * `Q_k = 1 / (2·sin((2k−1)π/(2N)))`, k = 1..N/2; a Linkwitz-Riley filter of order N is a
 * Butterworth filter of order N/2 applied twice (Linkwitz, "Active Crossover Networks for
 * Noncoincident Drivers", JAES 1976), where a squared first-order factor (s + 1)² is one section
 * with Q = 1/2. Every section is pre-warped at the cutoff, so the whole cascade is exactly
 * −3.01 dB (Butterworth) or −6.02 dB (Linkwitz-Riley) there at any sample rate.
 *
 * Edge cases: frequencies must lie in (0, fs/2). As f0 → fs/2, sin(w0) → 0 and the poles approach
 * the unit circle (the filter becomes a resonance at Nyquist); the callers' validation keeps f0
 * strictly below Nyquist, and the state runs in float64, so the filter stays stable.
 *
 * @module
 */

/** The eight RBJ cookbook types. */
export const RBJ_TYPES = ['lowpass', 'highpass', 'bandpass', 'notch', 'allpass', 'peaking', 'lowshelf', 'highshelf'] as const;
/** Butterworth and Linkwitz-Riley cascades (12/24/36/48 dB per octave). */
export const CASCADE_TYPES = ['butterworth-lowpass', 'butterworth-highpass', 'linkwitz-riley-lowpass', 'linkwitz-riley-highpass'] as const;
/** Every filter type a {@link BiquadFilter} or an EQ band can take. */
export const FILTER_TYPES = [...RBJ_TYPES, ...CASCADE_TYPES] as const;

/** One of the eight RBJ cookbook biquad types. */
export type RbjType = (typeof RBJ_TYPES)[number];
/** A Butterworth or Linkwitz-Riley cascade type. */
export type CascadeType = (typeof CASCADE_TYPES)[number];
/**
 * Filter type. `bandpass` is the cookbook's constant 0 dB peak gain band-pass; `peaking`,
 * `lowshelf` and `highshelf` use `gainDb`; shelves use `shelfSlope` instead of `q`;
 * the cascade types use `rolloffDbPerOctave` and ignore `q` and `gainDb`.
 */
export type FilterType = (typeof FILTER_TYPES)[number];
/** Slopes of the Butterworth / Linkwitz-Riley cascades, in dB per octave. */
export const ROLLOFFS = [12, 24, 36, 48] as const;
/** Slope of a Butterworth / Linkwitz-Riley cascade, in dB per octave. */
export type Rolloff = (typeof ROLLOFFS)[number];

/** Most sections any filter type uses (a 48 dB/octave cascade). */
export const MAX_SECTIONS = 4;

/** Normalised biquad coefficients (a0 = 1): `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`. */
export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** The design parameters of one filter (a section or a cascade). */
export interface FilterDesign {
  readonly type: FilterType;
  /** Cutoff or centre frequency in Hz, 0 < f < fs/2. */
  readonly frequencyHz: number;
  /** Quality factor (RBJ types except shelves). */
  readonly q: number;
  /** Gain in dB (peaking and shelves). */
  readonly gainDb: number;
  /** Shelf slope S in (0, 1]; 1 is the steepest slope without overshoot. */
  readonly shelfSlope: number;
  /** Cascade slope in dB per octave (Butterworth / Linkwitz-Riley types). */
  readonly rolloffDbPerOctave: Rolloff;
}

/**
 * Layout of the design-parameter array the allocation-free design functions read
 * (`[frequencyHz, sampleRate, q, gainDb, shelfSlope]`). Numbers travel through a `Float64Array`
 * rather than as arguments because V8 boxes a double passed to a call it does not inline, and
 * coefficient updates run inside `process()` while parameters ramp.
 * @internal
 */
export const enum DesignParam {
  Frequency = 0,
  SampleRate = 1,
  Q = 2,
  GainDb = 3,
  ShelfSlope = 4,
}

const publicParams = new Float64Array(5);

/**
 * Write the five normalised coefficients of one RBJ cookbook biquad into `out[offset..offset+4]`
 * as `b0, b1, b2, a1, a2`.
 *
 * @example
 * ```ts
 * const c = new Float64Array(5);
 * writeRbjCoefficients(c, 0, 'peaking', 1000, 48000, 1, 6, 1); // +6 dB bell at 1 kHz
 * ```
 */
export function writeRbjCoefficients(
  out: Float64Array,
  offset: number,
  type: RbjType,
  frequencyHz: number,
  sampleRate: number,
  q: number,
  gainDb: number,
  shelfSlope: number,
): void {
  const p = publicParams;
  p[DesignParam.Frequency] = frequencyHz;
  p[DesignParam.SampleRate] = sampleRate;
  p[DesignParam.Q] = q;
  p[DesignParam.GainDb] = gainDb;
  p[DesignParam.ShelfSlope] = shelfSlope;
  rbjFromParams(out, offset, type, p);
}

/** {@link writeRbjCoefficients} with its numbers read from a {@link DesignParam} array. @internal */
export function rbjFromParams(out: Float64Array, offset: number, type: RbjType, p: Float64Array): void {
  const frequencyHz = p[DesignParam.Frequency];
  const sampleRate = p[DesignParam.SampleRate];
  const q = p[DesignParam.Q];
  const gainDb = p[DesignParam.GainDb];
  const shelfSlope = p[DesignParam.ShelfSlope];
  const w0 = (2 * Math.PI * frequencyHz) / sampleRate;
  const cw = Math.cos(w0);
  const sw = Math.sin(w0);
  // Initialised (not just declared) so every value stays an unboxed float64 in optimised code:
  // a `let` without initialiser starts as a hole, and a phi of hole and double is boxed.
  let b0 = 0, b1 = 0, b2 = 0, a0 = 1, a1 = 0, a2 = 0;
  switch (type) {
    case 'lowpass': {
      const alpha = sw / (2 * q);
      b1 = 1 - cw;
      b0 = b1 / 2;
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cw;
      a2 = 1 - alpha;
      break;
    }
    case 'highpass': {
      const alpha = sw / (2 * q);
      b0 = (1 + cw) / 2;
      b1 = -(1 + cw);
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cw;
      a2 = 1 - alpha;
      break;
    }
    case 'bandpass': {
      // Constant 0 dB peak gain.
      const alpha = sw / (2 * q);
      b0 = alpha;
      b1 = 0;
      b2 = -alpha;
      a0 = 1 + alpha;
      a1 = -2 * cw;
      a2 = 1 - alpha;
      break;
    }
    case 'notch': {
      const alpha = sw / (2 * q);
      b0 = 1;
      b1 = -2 * cw;
      b2 = 1;
      a0 = 1 + alpha;
      a1 = -2 * cw;
      a2 = 1 - alpha;
      break;
    }
    case 'allpass': {
      const alpha = sw / (2 * q);
      b0 = 1 - alpha;
      b1 = -2 * cw;
      b2 = 1 + alpha;
      a0 = 1 + alpha;
      a1 = -2 * cw;
      a2 = 1 - alpha;
      break;
    }
    case 'peaking': {
      const A = Math.pow(10, gainDb / 40);
      const alpha = sw / (2 * q);
      b0 = 1 + alpha * A;
      b1 = -2 * cw;
      b2 = 1 - alpha * A;
      a0 = 1 + alpha / A;
      a1 = -2 * cw;
      a2 = 1 - alpha / A;
      break;
    }
    case 'lowshelf': {
      const A = Math.pow(10, gainDb / 40);
      const alpha = (sw / 2) * Math.sqrt((A + 1 / A) * (1 / shelfSlope - 1) + 2);
      const k = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cw + k);
      b1 = 2 * A * (A - 1 - (A + 1) * cw);
      b2 = A * (A + 1 - (A - 1) * cw - k);
      a0 = A + 1 + (A - 1) * cw + k;
      a1 = -2 * (A - 1 + (A + 1) * cw);
      a2 = A + 1 + (A - 1) * cw - k;
      break;
    }
    case 'highshelf': {
      const A = Math.pow(10, gainDb / 40);
      const alpha = (sw / 2) * Math.sqrt((A + 1 / A) * (1 / shelfSlope - 1) + 2);
      const k = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cw + k);
      b1 = -2 * A * (A - 1 + (A + 1) * cw);
      b2 = A * (A + 1 + (A - 1) * cw - k);
      a0 = A + 1 - (A - 1) * cw + k;
      a1 = 2 * (A - 1 - (A + 1) * cw);
      a2 = A + 1 - (A - 1) * cw - k;
      break;
    }
  }
  const inv = 1 / a0;
  out[offset] = b0 * inv;
  out[offset + 1] = b1 * inv;
  out[offset + 2] = b2 * inv;
  out[offset + 3] = a1 * inv;
  out[offset + 4] = a2 * inv;
}

/**
 * Q values of the sections of a Butterworth (`linkwitzRiley = false`) or Linkwitz-Riley cascade
 * with the given slope, written into `out`; returns the number of sections (rolloff/12 for
 * Butterworth, rounded up to whole sections for Linkwitz-Riley).
 */
export function writeCascadeQs(out: Float64Array, rolloffDbPerOctave: Rolloff, linkwitzRiley: boolean): number {
  const order = rolloffDbPerOctave / 6;
  if (!linkwitzRiley) {
    // Butterworth of (even) order N: N/2 pole pairs.
    const pairs = order / 2;
    for (let k = 1; k <= pairs; k++) out[k - 1] = 1 / (2 * Math.sin(((2 * k - 1) * Math.PI) / (2 * order)));
    return pairs;
  }
  // Linkwitz-Riley of order N = Butterworth of order M = N/2, squared.
  const m = order / 2;
  let n = 0;
  for (let k = 1; k <= Math.floor(m / 2); k++) {
    const qk = 1 / (2 * Math.sin(((2 * k - 1) * Math.PI) / (2 * m)));
    out[n++] = qk;
    out[n++] = qk;
  }
  if (m % 2 === 1) out[n++] = 0.5; // (s + 1)² = s² + 2s + 1: one section with Q = 1/2.
  return n;
}

/** Number of biquad sections `design` needs (1 for the RBJ types, up to 4 for 48 dB/octave cascades). */
export function sectionCount(design: Pick<FilterDesign, 'type' | 'rolloffDbPerOctave'>): number {
  switch (design.type) {
    case 'butterworth-lowpass':
    case 'butterworth-highpass':
      return design.rolloffDbPerOctave / 12;
    case 'linkwitz-riley-lowpass':
    case 'linkwitz-riley-highpass':
      return Math.ceil(design.rolloffDbPerOctave / 12);
    default:
      return 1;
  }
}

const qScratch = new Float64Array(MAX_SECTIONS + 1);

/**
 * Write the coefficients of every section of a design (5 per section: b0 b1 b2 a1 a2) into `out`
 * from `offset`, with its numbers read from a {@link DesignParam} array `p` (left unchanged);
 * returns the number of sections. Allocates nothing. @internal
 */
export function designFromParams(out: Float64Array, offset: number, type: FilterType, rolloffDbPerOctave: Rolloff, p: Float64Array): number {
  if (type === 'butterworth-lowpass' || type === 'linkwitz-riley-lowpass') return cascadeFromParams(out, offset, 'lowpass', type === 'linkwitz-riley-lowpass', rolloffDbPerOctave, p);
  if (type === 'butterworth-highpass' || type === 'linkwitz-riley-highpass') return cascadeFromParams(out, offset, 'highpass', type === 'linkwitz-riley-highpass', rolloffDbPerOctave, p);
  rbjFromParams(out, offset, type, p);
  return 1;
}

function cascadeFromParams(out: Float64Array, offset: number, kind: 'lowpass' | 'highpass', linkwitzRiley: boolean, rolloff: Rolloff, p: Float64Array): number {
  const n = writeCascadeQs(qScratch, rolloff, linkwitzRiley);
  // Section Q values go through qScratch[MAX_SECTIONS] (a typed-array slot), never a local double.
  qScratch[MAX_SECTIONS] = p[DesignParam.Q];
  for (let s = 0; s < n; s++) {
    p[DesignParam.Q] = qScratch[s];
    rbjFromParams(out, offset + 5 * s, kind, p);
  }
  p[DesignParam.Q] = qScratch[MAX_SECTIONS];
  return n;
}

/**
 * Write the coefficients of every section of `design` at `sampleRate` (5 per section:
 * b0 b1 b2 a1 a2) into `out` from `offset`; returns the number of sections (1 to 4).
 */
export function writeFilterCoefficients(out: Float64Array, offset: number, design: FilterDesign, sampleRate: number): number {
  const p = publicParams;
  p[DesignParam.Frequency] = design.frequencyHz;
  p[DesignParam.SampleRate] = sampleRate;
  p[DesignParam.Q] = design.q;
  p[DesignParam.GainDb] = design.gainDb;
  p[DesignParam.ShelfSlope] = design.shelfSlope;
  return designFromParams(out, offset, design.type, design.rolloffDbPerOctave, p);
}

/**
 * The sections of `design` at `sampleRate` as coefficient objects (allocates; for inspection,
 * plotting and export. Processors use {@link writeFilterCoefficients}).
 *
 * @example
 * ```ts
 * const [peak] = designFilter({ type: 'peaking', frequencyHz: 1000, q: 1, gainDb: 6, shelfSlope: 1, rolloffDbPerOctave: 12 }, 48000);
 * ```
 */
export function designFilter(design: FilterDesign, sampleRate: number): BiquadCoefficients[] {
  const buf = new Float64Array(5 * MAX_SECTIONS);
  const n = writeFilterCoefficients(buf, 0, design, sampleRate);
  const sections: BiquadCoefficients[] = [];
  for (let s = 0; s < n; s++) {
    const o = 5 * s;
    sections.push({ b0: buf[o], b1: buf[o + 1], b2: buf[o + 2], a1: buf[o + 3], a2: buf[o + 4] });
  }
  return sections;
}

/**
 * Multiply the complex response of `sections` biquads (coefficients in `coefs` from `offset`)
 * at each frequency into `re`/`im` (which the caller initialises, e.g. to 1 + 0j).
 * `H(e^{jω}) = (b0 + b1 e^{−jω} + b2 e^{−2jω}) / (1 + a1 e^{−jω} + a2 e^{−2jω})`, ω = 2πf/fs.
 */
export function accumulateResponse(
  coefs: Float64Array,
  offset: number,
  sections: number,
  frequencies: ArrayLike<number>,
  sampleRate: number,
  re: Float64Array,
  im: Float64Array,
): void {
  for (let i = 0; i < frequencies.length; i++) {
    const w = (2 * Math.PI * frequencies[i]) / sampleRate;
    const c1 = Math.cos(w);
    const s1 = -Math.sin(w);
    const c2 = Math.cos(2 * w);
    const s2 = -Math.sin(2 * w);
    let hr = re[i];
    let hi = im[i];
    for (let s = 0; s < sections; s++) {
      const o = offset + 5 * s;
      const nr = coefs[o] + coefs[o + 1] * c1 + coefs[o + 2] * c2;
      const ni = coefs[o + 1] * s1 + coefs[o + 2] * s2;
      const dr = 1 + coefs[o + 3] * c1 + coefs[o + 4] * c2;
      const di = coefs[o + 3] * s1 + coefs[o + 4] * s2;
      const dd = dr * dr + di * di;
      const qr = (nr * dr + ni * di) / dd;
      const qi = (ni * dr - nr * di) / dd;
      const tr = hr * qr - hi * qi;
      hi = hr * qi + hi * qr;
      hr = tr;
    }
    re[i] = hr;
    im[i] = hi;
  }
}

/**
 * Fill `magOut` (linear) and optionally `phaseOut` (radians) with the response of complex
 * values `re`/`im`; frequencies outside [0, fs/2] give NaN, as in Web Audio's
 * `BiquadFilterNode.getFrequencyResponse`.
 */
export function writeMagnitudePhase(
  frequencies: ArrayLike<number>,
  nyquist: number,
  re: Float64Array,
  im: Float64Array,
  magOut: Float32Array | Float64Array,
  phaseOut?: Float32Array | Float64Array,
): void {
  const n = Math.min(frequencies.length, magOut.length, phaseOut ? phaseOut.length : Infinity);
  for (let i = 0; i < n; i++) {
    const f = frequencies[i];
    const ok = f >= 0 && f <= nyquist;
    magOut[i] = ok ? Math.hypot(re[i], im[i]) : NaN;
    if (phaseOut) phaseOut[i] = ok ? Math.atan2(im[i], re[i]) : NaN;
  }
}

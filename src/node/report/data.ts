/**
 * The numbers behind the report's plots, as plain rows: loudness over time, the limiter's gain
 * reduction, the 1/3-octave spectra, the EQ's magnitude response and the compressors' static
 * curves. Pure functions of a {@link MasterReport} (no Vega here), so the tests can hold every
 * plotted value against the report and against closed forms.
 *
 * - EQ response: each band is designed at the report's sample rate by the same code the EQ runs
 *   (`designFilter`, RBJ Audio EQ Cookbook sections and Butterworth / Linkwitz-Riley cascades), the
 *   sections' complex responses are multiplied (`accumulateResponse`,
 *   H(e^{jω}) = Π (b0 + b1 e^{−jω} + b2 e^{−2jω}) / (1 + a1 e^{−jω} + a2 e^{−2jω})), and the output
 *   gain is added in dB. Bypassed bands are left out. A mid/side EQ gives two curves: the mid
 *   signal (L+R)/2 through `bands`, the side signal (L−R)/2 through `sideBands`.
 * - Compressor static curve (Giannoulis, Massberg & Reiss, JAES 2012, eq. 4, via
 *   `compressorGainReductionDb`): for a steady detector level x dBFS the gain reduction is GR(x),
 *   the wet gain 10^((makeup − GR(x))/20), and the output level
 *   y = x + 20·log10((1 − mix) + mix·10^((makeup − GR(x))/20)) (the compressor's dry/wet sum of
 *   in-phase signals), with makeup = makeupDb + GR(0) under `autoMakeup`. A multiband compressor
 *   gives one curve per band (its output gain added; a bypassed band is the identity).
 *
 * @module
 */
import type { MasterReport } from '../../chains/master.js';
import { MASTERING_STAGE_DEFAULTS, MasteringChain, type MasteringChainOptions } from '../../chains/mastering-chain.js';
import type { ProcessorJSON } from '../../core/processor.js';
import { COMPRESSOR_DEFAULTS, compressorGainReductionDb, type CompressorOptions } from '../../dynamics/compressor.js';
import { MULTIBAND_BAND_DEFAULTS, MULTIBAND_COMPRESSOR_DEFAULTS, type MultibandBandOptions } from '../../dynamics/multiband-compressor.js';
import { accumulateResponse, designFilter, MAX_SECTIONS, writeMagnitudePhase } from '../../filters/biquad-coefficients.js';
import { FILTER_DEFAULTS, type FilterOptions } from '../../filters/filter-stage.js';
import type { GainReductionSeries } from '../../chains/master.js';

/** Lowest and highest frequency of the spectrum and EQ plots, Hz. */
export const PLOT_MIN_HZ = 20;
export const PLOT_MAX_HZ = 20000;
/** Points of an EQ curve (log-spaced between {@link PLOT_MIN_HZ} and the top). */
export const EQ_CURVE_POINTS = 241;
/** Range of a compressor curve's input axis, dBFS, and its step, dB. */
export const DYNAMICS_MIN_DB = -60;
export const DYNAMICS_MAX_DB = 0;
export const DYNAMICS_STEP_DB = 0.5;

/** One value of a loudness series. */
export interface LoudnessRow {
  /** Seconds from the start (the end of the measuring window). */
  readonly t: number;
  /** LUFS; `null` for a silent window (the line breaks there). */
  readonly lufs: number | null;
  readonly measure: 'Momentary' | 'Short-term';
  readonly version: 'Before' | 'After';
}

/** One value of the gain-reduction series. */
export interface GainReductionRow {
  /** Seconds from the start (the start of its interval). */
  readonly t: number;
  /** Largest gain reduction in the interval, dB ≥ 0. */
  readonly db: number;
}

/** One band of a spectrum. */
export interface SpectrumRow {
  /** Exact base-ten band centre, Hz. */
  readonly hz: number;
  /** Nominal band centre, Hz (the label). */
  readonly nominalHz: number;
  /** Band level, dB; `null` for a band with no power or above Nyquist. */
  readonly db: number | null;
  readonly version: 'Before' | 'After';
}

/** A curve: a named list of points. */
export interface Curve {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/**
 * Most values per pixel column a time series is drawn with as it is: a longer one (over about
 * 6 minutes at 0.1 s on a 880 px plot) is reduced by {@link reduceMinMax} (at most six values per
 * column, the same picture) or {@link reduceMax}. Rendering time grows with the points drawn
 * (about 40 µs each): an hour-long set would otherwise take seconds.
 */
export const MAX_POINTS_PER_PIXEL = 4;

/**
 * The indices of `values` a line needs to look the same at `columns` pixel columns: in each
 * column's share of the indices, the first, the last, the lowest and the highest value, and the
 * first and last `null` (so the line still breaks there); in ascending order. Every index when
 * there are no more than `MAX_POINTS_PER_PIXEL · columns` values.
 */
export function reduceMinMax(values: readonly (number | null)[], columns: number): number[] {
  const n = values.length;
  if (n <= MAX_POINTS_PER_PIXEL * columns) return Array.from({ length: n }, (_, i) => i);
  const keep: number[] = [];
  for (let k = 0; k < columns; k++) {
    const from = Math.floor((k * n) / columns);
    const to = Math.floor(((k + 1) * n) / columns);
    if (to <= from) continue;
    let lo = -1;
    let hi = -1;
    let firstNull = -1;
    let lastNull = -1;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v === null) {
        if (firstNull < 0) firstNull = i;
        lastNull = i;
      } else {
        if (lo < 0 || v < (values[lo] as number)) lo = i;
        if (hi < 0 || v > (values[hi] as number)) hi = i;
      }
    }
    const picks = [from, to - 1, lo, hi, firstNull, lastNull].filter((i) => i >= 0).sort((a, b) => a - b);
    for (const i of picks) if (keep.length === 0 || keep[keep.length - 1] !== i) keep.push(i);
  }
  return keep;
}

/**
 * A gain-reduction series on at most `MAX_POINTS_PER_PIXEL · columns` intervals: consecutive
 * intervals merged, each merged interval holding the largest reduction of those it covers (the
 * series' own definition, on longer intervals). The series itself when it is short enough.
 */
export function reduceMax(gr: GainReductionSeries, columns: number): GainReductionSeries {
  const n = gr.db.length;
  const limit = MAX_POINTS_PER_PIXEL * columns;
  if (n <= limit) return gr;
  const per = Math.ceil(n / limit);
  const db: number[] = [];
  for (let i = 0; i < n; i += per) {
    let m = 0;
    for (let j = i; j < Math.min(n, i + per); j++) if (gr.db[j] > m) m = gr.db[j];
    db.push(m);
  }
  return { intervalSeconds: gr.intervalSeconds * per, startSeconds: gr.startSeconds, db };
}

/**
 * Loudness series, momentary and short-term, before and after (in that order), each reduced to
 * what `columns` pixel columns show ({@link reduceMinMax}; all values for a song of a few minutes).
 */
export function loudnessRows(report: MasterReport, columns = Infinity): LoudnessRow[] {
  const rows: LoudnessRow[] = [];
  for (const [version, a] of [['Before', report.before], ['After', report.after]] as const) {
    const s = a.series;
    for (const [measure, values] of [['Short-term', s.shortTerm], ['Momentary', s.momentary]] as const) {
      for (const i of reduceMinMax(values, columns)) rows.push({ t: round6(s.startSeconds + i * s.intervalSeconds), lufs: values[i], measure, version });
    }
  }
  return rows;
}

/** The gain-reduction series as rows, reduced to what `columns` pixel columns show ({@link reduceMax}). */
export function gainReductionRows(series: GainReductionSeries, columns = Infinity): GainReductionRow[] {
  const gr = reduceMax(series, columns);
  return gr.db.map((db, i) => ({ t: round6(gr.startSeconds + i * gr.intervalSeconds), db }));
}

/**
 * Which spectrum the report compares: the levels normalised to −23 LUFS when both programmes have
 * an integrated loudness (the curves then differ in shape only, not by the gain applied), else the
 * levels as measured.
 */
export function spectrumKind(report: MasterReport): 'normalized' | 'measured' {
  return report.before.loudness.integrated !== null && report.after.loudness.integrated !== null ? 'normalized' : 'measured';
}

/** The 1/3-octave spectra before and after, bands 25 Hz–20 kHz (see {@link spectrumKind}). */
export function spectrumRows(report: MasterReport): SpectrumRow[] {
  const kind = spectrumKind(report);
  const rows: SpectrumRow[] = [];
  for (const [version, a] of [['Before', report.before], ['After', report.after]] as const) {
    const tb = a.tonalBalance;
    const levels = kind === 'normalized' ? tb.normalizedDb : tb.levelsDb;
    for (let i = 0; i < tb.centresHz.length; i++) rows.push({ hz: tb.centresHz[i], nominalHz: tb.nominalHz[i], db: levels[i], version });
  }
  return rows;
}

/** `n` log-spaced frequencies from `lo` to `hi` Hz, both included. */
export function logFrequencies(lo: number, hi: number, n: number): number[] {
  const out: number[] = [];
  const r = Math.log(hi / lo);
  for (let i = 0; i < n; i++) out.push(lo * Math.exp((r * i) / (n - 1)));
  return out;
}

/** The chain's options (validated; `"Infinity"` read back as a number), from the report's JSON. */
export function chainOptions(chain: ProcessorJSON): MasteringChainOptions {
  return MasteringChain.fromJSON(chain).params;
}

/**
 * Magnitude response in dB of a list of EQ bands plus an output gain, at `frequencies`, designed
 * at `sampleRate` (bypassed bands left out). Frequencies at or above Nyquist give NaN.
 */
export function eqMagnitudeDb(bands: readonly Partial<FilterOptions>[], outputGainDb: number, sampleRate: number, frequencies: readonly number[]): number[] {
  const n = frequencies.length;
  const re = new Float64Array(n).fill(1);
  const im = new Float64Array(n);
  const coefs = new Float64Array(5 * MAX_SECTIONS);
  for (const b of bands) {
    const band = { ...FILTER_DEFAULTS, ...b };
    if (band.bypass) continue;
    const sections = designFilter(band, sampleRate);
    sections.forEach((s, k) => coefs.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * k));
    accumulateResponse(coefs, 0, sections.length, frequencies, sampleRate, re, im);
  }
  const mag = new Float64Array(n);
  writeMagnitudePhase(frequencies, sampleRate / 2, re, im, mag);
  return Array.from(mag, (m) => 20 * Math.log10(m) + outputGainDb);
}

/**
 * The EQ stage's magnitude response, dB: one curve (`EQ`, both channels) or two (`Mid`, `Side`);
 * `[]` when the chain has no EQ. Frequencies from {@link PLOT_MIN_HZ} to 20 kHz (or just below
 * Nyquist), {@link EQ_CURVE_POINTS} of them.
 */
export function eqCurves(chain: MasteringChainOptions, sampleRate: number): Curve[] {
  if (chain.eq === null) return [];
  const eq = { ...MASTERING_STAGE_DEFAULTS.eq, ...chain.eq };
  const top = Math.min(PLOT_MAX_HZ, 0.4999 * sampleRate);
  const f = logFrequencies(PLOT_MIN_HZ, top, EQ_CURVE_POINTS);
  if (!eq.midSide) return [{ name: 'EQ', x: f, y: eqMagnitudeDb(eq.bands, eq.outputGainDb, sampleRate, f) }];
  return [
    { name: 'Mid', x: f, y: eqMagnitudeDb(eq.bands, eq.outputGainDb, sampleRate, f) },
    { name: 'Side', x: f, y: eqMagnitudeDb(eq.sideBands, eq.outputGainDb, sampleRate, f) },
  ];
}

/** Output level, dBFS, of a compressor's static curve at detector level `x` dBFS (see the module comment). */
export function compressorOutputDb(x: number, o: Pick<CompressorOptions, 'thresholdDb' | 'ratio' | 'kneeDb' | 'makeupDb' | 'autoMakeup' | 'mix'>): number {
  const makeup = o.makeupDb + (o.autoMakeup ? compressorGainReductionDb(0, o.thresholdDb, o.ratio, o.kneeDb) : 0);
  const wet = Math.pow(10, (makeup - compressorGainReductionDb(x, o.thresholdDb, o.ratio, o.kneeDb)) / 20);
  return x + 20 * Math.log10(1 - o.mix + o.mix * wet);
}

/** Short label of a frequency: `120 Hz`, `1 kHz`, `5.5 kHz`. */
export function formatHz(hz: number): string {
  return hz >= 1000 ? `${+(hz / 1000).toFixed(2)} kHz` : `${+hz.toFixed(1)} Hz`;
}

/**
 * The compressors' static curves (input level → output level, dBFS, from {@link DYNAMICS_MIN_DB}
 * to {@link DYNAMICS_MAX_DB}): `Compressor` for the glue compressor, one per band of the
 * multiband compressor (`Band 1 (< 120 Hz)` …); `[]` when the chain has neither.
 */
export function dynamicsCurves(chain: MasteringChainOptions): Curve[] {
  const x: number[] = [];
  for (let v = DYNAMICS_MIN_DB; v <= DYNAMICS_MAX_DB + 1e-9; v += DYNAMICS_STEP_DB) x.push(v);
  const curves: Curve[] = [];
  if (chain.compressor !== null) {
    const o = { ...COMPRESSOR_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.compressor, ...chain.compressor };
    curves.push({ name: 'Compressor', x, y: x.map((v) => compressorOutputDb(v, o)) });
  }
  if (chain.multiband !== null) {
    const m = { ...MULTIBAND_COMPRESSOR_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.multiband, ...chain.multiband };
    const xs = m.crossoversHz;
    for (let k = 0; k <= xs.length; k++) {
      const band: MultibandBandOptions = { ...MULTIBAND_BAND_DEFAULTS, ...(m.bands[k] ?? {}) };
      const range = k === 0 ? `< ${formatHz(xs[0])}` : k === xs.length ? `> ${formatHz(xs[k - 1])}` : `${formatHz(xs[k - 1])}–${formatHz(xs[k])}`;
      const name = `Band ${k + 1} (${range})${band.bypass ? ', bypassed' : ''}`;
      curves.push({ name, x, y: band.bypass ? x.slice() : x.map((v) => compressorOutputDb(v, band) + band.outputGainDb) });
    }
  }
  return curves;
}

/** `v` rounded to 1e-6 (times built from a 0.1 s step read 12.3, not 12.299999999999999). */
function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/**
 * The Vega-Lite specifications of the report's plots (https://vega.github.io/vega-lite/): one
 * function per plot, the data inline, one theme ({@link REPORT_THEME}) for all of them.
 *
 * Styling: a colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008: orange for
 * *before*, blue for *after*, vermillion for the target and the limiter); units on every axis;
 * a title and a one-line subtitle with the figures that matter; legends above the plots (the plots
 * keep their width). Backgrounds are transparent and the axes are drawn in mid greys so the
 * inline SVGs read on a light and on a dark page (the HTML's stylesheet recolours text and grid
 * lines in dark mode through the classes Vega writes: `role-axis-label`, `role-axis-grid` …).
 *
 * @module
 */
import type { MasterReport } from '../../chains/master.js';
import {
  DYNAMICS_MAX_DB,
  DYNAMICS_MIN_DB,
  PLOT_MAX_HZ,
  PLOT_MIN_HZ,
  chainOptions,
  dynamicsCurves,
  eqCurves,
  gainReductionRows,
  loudnessRows,
  spectrumKind,
  spectrumRows,
  type Curve,
} from './data.js';
import { vegaTextWidth } from './text-metrics.js';
import type { ReportInput, ReportPlotId } from './types.js';

/** A Vega-Lite specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** A plot before rendering. */
export interface PlotSpec {
  readonly id: ReportPlotId;
  readonly title: string;
  readonly description: string;
  readonly spec: VegaLiteSpec;
}

/** Font stack of the plots: the reader's UI font, then DejaVu Sans (what resvg finds on a bare Linux). */
export const REPORT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif";

/** The palette (Okabe & Ito 2008), by role. */
export const REPORT_COLORS = Object.freeze({
  before: '#E69F00',
  beforeLight: '#F3CF80',
  after: '#0072B2',
  afterLight: '#80B9D9',
  target: '#D55E00',
  gainReduction: '#D55E00',
  mid: '#0072B2',
  side: '#CC79A7',
  reference: '#999999',
  /** For several curves (multiband bands): blue, orange, bluish green, reddish purple, sky blue. */
  series: Object.freeze(['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9']),
});

/** Width of a full-width plot's data rectangle, px (the SVG adds axes and legend: about 1000 px in all). */
export const WIDE_WIDTH = 880;
/** Size of the target's label, px, and its distance from the plot's right edge. */
const TARGET_LABEL_SIZE = 11;
const TARGET_LABEL_DX = 6;

/** The two lines of the target's label. */
function targetLabel(target: number): string[] {
  return ['Target', fmt1(target, 'LUFS')];
}

/**
 * Room the target's label takes right of the loudness plot, px (its bold width by the same measure
 * Vega is given, see `text-metrics.ts`): the gain-reduction plot gets it as padding, so the two
 * time axes line up one above the other.
 */
function targetLabelRoom(target: number): number {
  return TARGET_LABEL_DX + Math.max(...targetLabel(target).map((line) => vegaTextWidth({ fontSize: TARGET_LABEL_SIZE, fontWeight: 600 }, line)));
}
/** Width of the y axes of the two time plots (labels and title), px: their data rectangles start at the same x. */
const TIME_PLOT_Y_AXIS = 44;
/** Width of a half-width plot's data rectangle, px. */
export const HALF_WIDTH = 410;

/** The Vega-Lite `config` every plot uses. */
export const REPORT_THEME: VegaLiteSpec = Object.freeze({
  background: null,
  padding: { left: 4, right: 8, top: 4, bottom: 4 },
  font: REPORT_FONT,
  view: { stroke: '#8884', strokeWidth: 1 },
  title: { fontSize: 15, fontWeight: 600, color: '#333', subtitleColor: '#666', subtitleFontSize: 12, anchor: 'start', offset: 10, subtitlePadding: 4 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    labelColor: '#555',
    titleColor: '#444',
    gridColor: '#8883',
    domainColor: '#888',
    tickColor: '#888',
    titlePadding: 8,
    labelFlush: false,
  },
  legend: { orient: 'top', direction: 'horizontal', labelFontSize: 12, titleFontSize: 12, labelColor: '#444', titleColor: '#444', symbolStrokeWidth: 3, symbolSize: 200, columnPadding: 18, padding: 0, offset: 8, labelLimit: 260 },
  line: { strokeCap: 'round', strokeJoin: 'round' },
  // A null value (a silent window, an empty band) breaks the line rather than joining across it.
  mark: { invalid: 'break-paths-filter-domains' },
});

/** Tick steps of a time axis, seconds. */
const TIME_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Ticks of a time axis over `duration` seconds: the first step of {@link TIME_STEPS} giving at most 16. */
export function timeTicks(duration: number): number[] {
  const step = TIME_STEPS.find((s) => duration / s <= 16) ?? Math.ceil(duration / 16 / 3600) * 3600;
  const ticks: number[] = [];
  for (let t = 0; t <= duration + 1e-9; t += step) ticks.push(t);
  return ticks;
}

/** Axis of a time in seconds, labelled m:ss, with ticks from {@link timeTicks}. */
function timeAxis(duration: number): VegaLiteSpec {
  // Flush: the first and last labels end at the plot's edges (no overhang, so the two time plots' widths match).
  return { title: 'Time (m:ss)', values: timeTicks(duration), labelFlush: true, labelExpr: "floor(datum.value / 60) + ':' + (datum.value % 60 < 10 ? '0' : '') + format(datum.value % 60, '~g')" };
}

/** Axis of a frequency on a log scale, labelled at the octave-band centres (31.5 … 16k). */
function frequencyAxis(): VegaLiteSpec {
  return {
    title: 'Frequency (Hz)',
    values: [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000],
    labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '~g') + 'k' : format(datum.value, '~g')",
    grid: true,
  };
}

/** `v` rounded to 0.1, as text with one decimal and a real minus sign (`−14.0`). */
export function fmt1(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  // Halves away from zero (−1.25 → −1.3, as 1.25 → 1.3), and no −0.0.
  const s = ((Math.sign(v) * Math.round(Math.abs(v) * 10)) / 10 + 0).toFixed(1).replace('-', '−');
  return unit ? `${s} ${unit}` : s;
}

/** Lowest and highest finite value of `values`, or `[NaN, NaN]`. */
function extent(values: Iterable<number | null>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/** Series names of the loudness plot, in legend order. */
export const LOUDNESS_SERIES = Object.freeze(['Before · short-term', 'After · short-term', 'Before · momentary', 'After · momentary'] as const);

/** Plot 1: momentary and short-term loudness over time, before and after, and the target. */
export function loudnessSpec(input: ReportInput): PlotSpec {
  const r = input.report;
  const rows = loudnessRows(r, WIDE_WIDTH).map((row) => ({ ...row, series: `${row.version} · ${row.measure === 'Momentary' ? 'momentary' : 'short-term'}` }));
  const target = r.target.integratedLufs;
  const [lo, hi] = extent(rows.map((row) => row.lufs));
  // The floor: the quietest reading, but no more than 36 LU below the target (fades to silence would squash the rest).
  const yMin = Number.isFinite(lo) ? Math.max(Math.floor(Math.min(lo, target - 6) / 6) * 6, target - 36) : target - 36;
  const yMax = Number.isFinite(hi) ? Math.ceil(Math.max(hi, target) / 3) * 3 + 3 : target + 12;
  const duration = Math.max(r.before.duration, r.after.duration);
  const description = 'Momentary (400 ms) and short-term (3 s) loudness every 0.1 s, before and after mastering, with the integrated-loudness target.';
  const subtitle = `Integrated ${fmt1(r.before.loudness.integrated, 'LUFS')} → ${fmt1(r.after.loudness.integrated, 'LUFS')}, target ${fmt1(target, 'LUFS')}; short-term max ${fmt1(r.before.loudness.shortTermMax)} → ${fmt1(r.after.loudness.shortTermMax, 'LUFS')}`;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: [...LOUDNESS_SERIES], range: [REPORT_COLORS.before, REPORT_COLORS.after, REPORT_COLORS.beforeLight, REPORT_COLORS.afterLight] },
    legend: { values: [...LOUDNESS_SERIES] },
  };
  const x = { field: 't', type: 'quantitative', scale: { domain: [0, duration], nice: false }, axis: timeAxis(duration) };
  const y = { field: 'lufs', type: 'quantitative', scale: { domain: [yMin, yMax], nice: false }, axis: { title: 'Loudness (LUFS)', tickMinStep: 1, minExtent: TIME_PLOT_Y_AXIS } };
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    title: { text: 'Loudness over time', subtitle },
    width: WIDE_WIDTH,
    height: 250,
    config: REPORT_THEME,
    layer: [
      {
        data: { values: rows.filter((row) => row.measure === 'Momentary') },
        mark: { type: 'line', strokeWidth: 1, clip: true },
        encoding: { x, y, color },
      },
      {
        data: { values: rows.filter((row) => row.measure === 'Short-term') },
        mark: { type: 'line', strokeWidth: 2.25, clip: true },
        encoding: { x, y, color },
      },
      {
        data: { values: [{ lufs: target, label: `Target ${fmt1(target, 'LUFS')}` }] },
        mark: { type: 'rule', color: REPORT_COLORS.target, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'lufs', type: 'quantitative' } },
      },
      {
        // The label sits outside the plot, right of the line's end, where no data crosses it.
        data: { values: [{ lufs: target, label: targetLabel(target) }] },
        mark: { type: 'text', color: REPORT_COLORS.target, align: 'left', baseline: 'middle', x: 'width', dx: TARGET_LABEL_DX, fontSize: TARGET_LABEL_SIZE, fontWeight: 600, lineHeight: 13 },
        encoding: { y: { field: 'lufs', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
  return { id: 'loudness', title: 'Loudness over time', description, spec };
}

/** Plot 2: the limiter's gain reduction over time (`null` without the report's `gainReduction`). */
export function gainReductionSpec(input: ReportInput): PlotSpec | null {
  const r = input.report;
  const gr = r.gainReduction as MasterReport['gainReduction'] | undefined; // (absent from older reports)
  if (gr === undefined) return null;
  const rows = gainReductionRows(gr, WIDE_WIDTH);
  const [, hi] = extent(gr.db);
  const top = Math.max(3, Math.ceil((Number.isFinite(hi) ? hi : 0) + 0.5));
  const duration = Math.max(r.after.duration, rows.length > 0 ? rows[rows.length - 1].t + gr.intervalSeconds : 0);
  const l = r.limiter;
  const description = 'The true-peak limiter’s largest gain reduction in each 0.1 s of the final render (0 dB: the limiter was idle).';
  const subtitle = `Max ${fmt1(l.maxDb, 'dB')}, mean ${fmt1(l.meanDb, 'dB')}; above 1 dB ${fmt1(100 * l.fractionAbove1Db, '%')} of the time, above 3 dB ${fmt1(100 * l.fractionAbove3Db, '%')}`;
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    title: { text: 'Limiter gain reduction', subtitle },
    width: WIDE_WIDTH,
    height: 130,
    config: REPORT_THEME,
    padding: { ...(REPORT_THEME.padding as { right: number }), right: (REPORT_THEME.padding as { right: number }).right + targetLabelRoom(r.target.integratedLufs) },
    data: { values: rows },
    mark: { type: 'area', interpolate: 'step-after', color: REPORT_COLORS.gainReduction, fillOpacity: 0.35, line: { color: REPORT_COLORS.gainReduction, strokeWidth: 1.25 }, clip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', scale: { domain: [0, duration], nice: false }, axis: timeAxis(duration) },
      // Reversed: reduction hangs down from 0 dB, as on a gain-reduction meter.
      y: { field: 'db', type: 'quantitative', scale: { domain: [0, top], reverse: true, nice: false }, axis: { title: 'Gain reduction (dB)', tickMinStep: 1, minExtent: TIME_PLOT_Y_AXIS } },
    },
  };
  return { id: 'gain-reduction', title: 'Limiter gain reduction', description, spec };
}

/** Plot 3: the 1/3-octave long-term spectrum before and after. */
export function spectrumSpec(input: ReportInput): PlotSpec {
  const r: MasterReport = input.report;
  const kind = spectrumKind(r);
  const rows = spectrumRows(r);
  const [lo, hi] = extent(rows.map((row) => row.db));
  const yMin = Number.isFinite(lo) ? Math.floor(lo / 6) * 6 : -90;
  const yMax = Number.isFinite(hi) ? Math.ceil(hi / 6) * 6 + 3 : 0;
  const description =
    kind === 'normalized'
      ? '1/3-octave long-term average spectrum before and after mastering, both scaled to −23 LUFS so the curves compare tonal balance, not loudness.'
      : '1/3-octave long-term average spectrum before and after mastering, as measured.';
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    title: { text: 'Spectrum (1/3 octave)', subtitle: kind === 'normalized' ? 'Both at −23 LUFS: the difference is the change in tonal balance' : 'Levels as measured' },
    width: HALF_WIDTH,
    height: 250,
    config: REPORT_THEME,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, point: { size: 18, filled: true }, clip: true },
    encoding: {
      x: { field: 'hz', type: 'quantitative', scale: { type: 'log', domain: [PLOT_MIN_HZ, PLOT_MAX_HZ], nice: false }, axis: frequencyAxis() },
      y: { field: 'db', type: 'quantitative', scale: { domain: [yMin, yMax], nice: false }, axis: { title: kind === 'normalized' ? 'Band level at −23 LUFS (dB)' : 'Band level (dB)' } },
      color: { field: 'version', type: 'nominal', title: null, scale: { domain: ['Before', 'After'], range: [REPORT_COLORS.before, REPORT_COLORS.after] }, legend: { symbolType: 'stroke' } },
    },
  };
  return { id: 'spectrum', title: 'Spectrum (1/3 octave)', description, spec };
}

/** Rows of a set of curves for a Vega-Lite line (`name`, `x`, `y`), skipping non-finite y. */
function curveRows(curves: readonly Curve[]): { name: string; x: number; y: number }[] {
  const rows: { name: string; x: number; y: number }[] = [];
  for (const c of curves) for (let i = 0; i < c.x.length; i++) if (Number.isFinite(c.y[i])) rows.push({ name: c.name, x: c.x[i], y: c.y[i] });
  return rows;
}

/** Plot 4a: the EQ's magnitude response (`null` when the chain has no EQ). */
export function eqSpec(input: ReportInput): PlotSpec | null {
  const curves = eqCurves(chainOptions(input.report.chain), input.sampleRate);
  if (curves.length === 0) return null;
  const rows = curveRows(curves);
  const [lo, hi] = extent(rows.map((row) => row.y));
  // At least ±6 dB; deep cuts (a high-pass far below its corner) are clipped at −24 dB.
  const yMin = Math.max(-24, Math.min(-6, Math.floor(lo / 3) * 3));
  const yMax = Math.max(6, Math.ceil(hi / 3) * 3);
  const names = curves.map((c) => c.name);
  const description = `Magnitude response of the mastering EQ at ${input.sampleRate} Hz${names.length > 1 ? ', mid and side' : ''}, from the designed filter coefficients.`;
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    title: { text: 'EQ response', subtitle: names.length > 1 ? 'Mid/side: mid = (L+R)/2, side = (L−R)/2' : 'Both channels' },
    width: HALF_WIDTH,
    height: 250,
    config: REPORT_THEME,
    layer: [
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: REPORT_COLORS.reference, strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2.25, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { type: 'log', domain: [PLOT_MIN_HZ, PLOT_MAX_HZ], nice: false }, axis: frequencyAxis() },
          y: { field: 'y', type: 'quantitative', scale: { domain: [yMin, yMax], nice: false }, axis: { title: 'Gain (dB)', tickMinStep: 1 } },
          color: { field: 'name', type: 'nominal', title: null, scale: { domain: names, range: names.length > 1 ? [REPORT_COLORS.mid, REPORT_COLORS.side] : [REPORT_COLORS.after] } },
        },
      },
    ],
  };
  return { id: 'eq', title: 'EQ response', description, spec };
}

/** Plot 4b: the compressors' static curves (`null` when the chain has no compressor). */
export function dynamicsSpec(input: ReportInput): PlotSpec | null {
  const curves = dynamicsCurves(chainOptions(input.report.chain));
  if (curves.length === 0) return null;
  const rows = curveRows(curves);
  const names = curves.map((c) => c.name);
  const [lo, hi] = extent(rows.map((row) => row.y));
  const yMin = Math.min(DYNAMICS_MIN_DB, Math.floor(lo / 6) * 6);
  const yMax = Math.max(DYNAMICS_MAX_DB, Math.ceil(hi / 6) * 6);
  const multiband = names.length > 1 || names[0] !== 'Compressor';
  const description = `Static curve${multiband ? 's' : ''} of the ${multiband ? 'multiband ' : ''}compressor: output level against a steady detector level (makeup, mix${multiband ? ' and band gain' : ''} included; the grey diagonal is 1:1).`;
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    title: { text: multiband ? 'Multiband compressor curves' : 'Compressor curve', subtitle: 'Output against input level, 1:1 dashed' },
    width: HALF_WIDTH,
    height: 250,
    config: REPORT_THEME,
    layer: [
      {
        data: { values: [{ x: yMin, y: yMin }, { x: DYNAMICS_MAX_DB, y: DYNAMICS_MAX_DB }] },
        mark: { type: 'line', color: REPORT_COLORS.reference, strokeDash: [4, 4], strokeWidth: 1, clip: true },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2.25, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [DYNAMICS_MIN_DB, DYNAMICS_MAX_DB], nice: false }, axis: { title: 'Input level (dBFS)', tickMinStep: 1 } },
          y: { field: 'y', type: 'quantitative', scale: { domain: [yMin, yMax], nice: false }, axis: { title: 'Output level (dBFS)', tickMinStep: 1 } },
          color: { field: 'name', type: 'nominal', title: null, scale: { domain: names, range: REPORT_COLORS.series.slice(0, Math.max(1, names.length)) }, legend: multiband ? { columns: 2, direction: 'vertical' } : null },
        },
      },
    ],
  };
  return { id: 'dynamics', title: multiband ? 'Multiband compressor curves' : 'Compressor curve', description, spec };
}

/** Every plot the report has data for, in order. */
export function reportSpecs(input: ReportInput): PlotSpec[] {
  return [loudnessSpec(input), gainReductionSpec(input), spectrumSpec(input), eqSpec(input), dynamicsSpec(input)].filter((p): p is PlotSpec => p !== null);
}

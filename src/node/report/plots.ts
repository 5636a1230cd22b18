/**
 * Rendering the report's plots to SVG in Node: each Vega-Lite specification is compiled to Vega
 * (`vega-lite` `compile`), parsed, and rendered headless (`new vega.View(…, { renderer: 'none' })`,
 * `view.toSVG()`): no DOM, no canvas (text widths are Vega's estimates).
 *
 * Vega and Vega-Lite are imported on first use (about 0.4 s cold, then cached by the module
 * system), so importing the report module costs nothing until a report is made. On that first use,
 * Vega's text-width estimate is replaced by DejaVu Sans' real widths (see `text-metrics.ts`) unless
 * a canvas or another measure is in place: a process-wide change, which only makes Vega's layout
 * without a canvas tighter.
 *
 * @module
 */
import { reportSpecs, type PlotSpec } from './specs.js';
import { vegaTextWidth } from './text-metrics.js';
import type { ReportInput, ReportPlot } from './types.js';

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');

let engines: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

/** Vega and Vega-Lite, imported once. */
function loadEngines(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    // Vega measures text with a canvas when there is one; else it estimates 0.8 em per character.
    // Replace the estimate (only the estimate: a canvas, or another user's measure, is kept).
    // (`textMetrics` is exported by vega-scenegraph through vega, but missing from vega's types.)
    const tm = (vega as unknown as { textMetrics?: { width: unknown; estimateWidth: unknown } }).textMetrics;
    if (tm !== undefined && tm.width === tm.estimateWidth) tm.width = vegaTextWidth;
    return { vega, vl };
  });
  return engines;
}

/** The `width`/`height` attributes of an SVG's root element, px. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1] ?? NaN);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1] ?? NaN);
  return { width, height };
}

/**
 * Add a `<title>` and `<desc>` to the SVG root (what screen readers and image viewers show), and
 * prefix its element ids with the plot's id: Vega numbers its clip paths from a counter that two
 * views can share (`clip10` in two plots), and ids must be unique once the SVGs sit in one page.
 */
function annotateSvg(svg: string, id: string, title: string, description: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return svg
    .replace(/\bid="([^"]+)"/g, `id="mb-${id}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#mb-${id}-$1)`)
    .replace(/\bhref="#([^"]+)"/g, `href="#mb-${id}-$1"`)
    .replace(/(<svg\b[^>]*>)/, `$1<title>${esc(title)}</title><desc>${esc(description)}</desc>`);
}

/** Render one specification to SVG. */
export async function renderPlot(p: PlotSpec): Promise<ReportPlot> {
  const { vega, vl } = await loadEngines();
  const compiled = vl.compile(p.spec as unknown as Parameters<VegaLiteModule['compile']>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = annotateSvg(await view.toSVG(), p.id, p.title, p.description);
    const { width, height } = svgSize(svg);
    return { id: p.id, title: p.title, description: p.description, spec: p.spec, svg, width, height };
  } finally {
    view.finalize();
  }
}

/**
 * The report's plots as SVG, in this order, each when its data is there:
 * 1. `loudness`: momentary and short-term loudness over time, before and after, and the target;
 * 2. `gain-reduction`: the limiter's gain reduction over time (when the report has `gainReduction`);
 * 3. `spectrum`: the 1/3-octave spectrum before and after, 25 Hz–20 kHz on a log axis;
 * 4. `eq`: the chain's EQ magnitude response (mid and side for a mid/side EQ), when it has an EQ;
 * 5. `dynamics`: the compressor's static curve, or one per band of the multiband compressor.
 *
 * @example
 * ```ts
 * import { master } from 'masterbus';
 * import { reportPlots } from 'masterbus/node';
 * const sr = 48000;
 * const left = Float32Array.from({ length: sr }, (_, i) => 0.1 * Math.sin(i / 7));
 * const { report } = await master([left, left.slice()], sr);
 * const plots = await reportPlots({ title: 'Song', sampleRate: sr, report, input: { name: 'in.wav' }, output: { name: 'out.wav' } });
 * console.log(plots.map((p) => `${p.id} ${p.width}×${p.height}`)); // loudness, gain-reduction, spectrum
 * ```
 */
export async function reportPlots(input: ReportInput): Promise<ReportPlot[]> {
  checkReportInput(input);
  const plots: ReportPlot[] = [];
  for (const p of reportSpecs(input)) plots.push(await renderPlot(p));
  return plots;
}

/** Check the parts of a {@link ReportInput} the report reads; throws a one-line `TypeError`/`RangeError`. */
export function checkReportInput(input: unknown): asserts input is ReportInput {
  const where = 'report input';
  if (input === null || typeof input !== 'object') throw new TypeError(`${where} must be an object { title, sampleRate, report, input, output }, got ${input === null ? 'null' : typeof input}`);
  const i = input as Record<string, unknown>;
  if (typeof i.title !== 'string') throw new TypeError(`${where}: title must be a string, got ${typeof i.title}`);
  const sr = i.sampleRate;
  if (typeof sr !== 'number' || !(sr >= 8000 && sr <= 384000)) throw new RangeError(`${where}: sampleRate must be a number in [8000, 384000] Hz, got ${String(sr)}`);
  const r = i.report as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || typeof r.before !== 'object' || typeof r.after !== 'object' || typeof r.chain !== 'object') {
    throw new TypeError(`${where}: report must be the report of master() (with before, after and chain)`);
  }
  const measured = (r.after as { sampleRate?: unknown }).sampleRate;
  if (typeof measured === 'number' && measured !== sr) throw new RangeError(`${where}: sampleRate is ${sr} Hz but the report was measured at ${measured} Hz (the EQ curve is designed at the programme's rate)`);
  for (const side of ['input', 'output'] as const) {
    const f = i[side] as Record<string, unknown> | null;
    if (f === null || typeof f !== 'object' || typeof f.name !== 'string') throw new TypeError(`${where}: ${side} must be { name: string, href?, description? }, got ${f === null ? 'null' : typeof f}`);
    if (f.href !== undefined && typeof f.href !== 'string') throw new TypeError(`${where}: ${side}.href must be a string, got ${typeof f.href}`);
    if (f.description !== undefined && typeof f.description !== 'string') throw new TypeError(`${where}: ${side}.description must be a string, got ${typeof f.description}`);
  }
}

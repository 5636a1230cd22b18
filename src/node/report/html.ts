/**
 * The mastering report as one self-contained HTML file: the plots inline as SVG, a summary table
 * (before → after, and the target), the warnings in plain language, the chain as a readable list,
 * and the two files side by side in `<audio controls>` players.
 *
 * Self-contained and safe to open from anywhere: inline CSS, no script, no external resource but
 * the two audio files (relative links the caller gives); light and dark (`prefers-color-scheme`).
 * Every string that comes from data (title, file names, descriptions, warnings, chain values) is
 * escaped with {@link escapeHtml}; hrefs with a scheme other than http(s), file or blob are dropped.
 *
 * @module
 */
import { sep } from 'node:path';
import type { MasteringChainOptions } from '../../chains/mastering-chain.js';
import type { ProgrammeAnalysis } from '../../metering/programme-analysis.js';
import { COMPRESSOR_DEFAULTS, type CompressorOptions } from '../../dynamics/compressor.js';
import { MULTIBAND_BAND_DEFAULTS, MULTIBAND_COMPRESSOR_DEFAULTS } from '../../dynamics/multiband-compressor.js';
import { LIMITER_DEFAULTS } from '../../dynamics/limiter.js';
import { SATURATOR_DEFAULTS } from '../../color/saturator.js';
import { STEREO_WIDENER_DEFAULTS } from '../../stereo/stereo-widener.js';
import { MASTERING_STAGE_DEFAULTS } from '../../chains/mastering-chain.js';
import { FILTER_DEFAULTS, type FilterOptions } from '../../filters/filter-stage.js';
import { chainOptions, formatHz } from './data.js';
import { checkReportInput, reportPlots } from './plots.js';
import type { ReportFile, ReportInput, ReportPlot } from './types.js';

/** `text` with `& < > " '` replaced by entities: safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A relative URL for a file path: each segment percent-encoded (`my song #2.wav` →
 * `my%20song%20%232.wav`), the platform's separators turned into `/` (a backslash is a
 * separator on Windows only; elsewhere it is part of a name and is encoded). For
 * {@link ReportFile.href}: give the path of the audio file relative to the report's folder.
 */
export function fileHref(relativePath: string): string {
  const separators = sep === '\\' ? /[\\/]/ : /\//;
  return relativePath.split(separators).map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

/** The href if it is relative or uses a scheme a player may load (http, https, file, blob); else `undefined`. */
export function safeHref(href: string | undefined): string | undefined {
  if (href === undefined || href.trim() === '') return undefined;
  // A scheme is letters, digits, + - . before the first ':' that comes before any / ? #.
  const m = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(href);
  if (m === null) return href;
  return ['http', 'https', 'file', 'blob'].includes(m[1].toLowerCase()) ? href : undefined;
}

/** A number with a fixed count of decimals, a real minus sign, and `–` for nothing. */
function num(v: number | null | undefined, decimals = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  // Halves away from zero (−1.25 → −1.3, as 1.25 → 1.3), and no −0.0.
  const p = 10 ** decimals;
  const r = (Math.sign(v) * Math.round(Math.abs(v) * p)) / p + 0;
  return r.toFixed(decimals).replace('-', '−');
}

/** A signed number (`+1.5`, `−2.0`, `0.0`). */
function signed(v: number, decimals = 1): string {
  const s = num(v, decimals);
  return v > 0 && Number(s.replace('−', '-')) !== 0 ? `+${s}` : s;
}

/** One row of the summary table. */
interface SummaryRow {
  readonly label: string;
  readonly unit: string;
  readonly before: number | null;
  readonly after: number | null;
  /** The target's text, if the row has one. */
  readonly target?: string;
  /** Whether the result meets the target (`undefined`: no verdict). */
  readonly ok?: boolean;
  /** What the row means, as a tooltip. */
  readonly help: string;
}

/** The rows of the summary table. */
function summaryRows(input: ReportInput): SummaryRow[] {
  const r = input.report;
  const b = r.before.loudness;
  const a = r.after.loudness;
  const t = r.target;
  return [
    {
      label: 'Integrated loudness',
      unit: 'LUFS',
      before: b.integrated,
      after: a.integrated,
      target: num(t.integratedLufs),
      ok: a.integrated !== null ? Math.abs(a.integrated - t.integratedLufs) <= 0.5 : undefined,
      help: 'BS.1770 gated loudness of the whole programme',
    },
    { label: 'Loudness range (LRA)', unit: 'LU', before: b.lra, after: a.lra, help: 'EBU Tech 3342: the spread of short-term loudness (10th to 95th percentile)' },
    {
      label: 'True peak',
      unit: 'dBTP',
      before: b.truePeak,
      after: a.truePeak,
      target: `≤ ${num(t.truePeakDbtp)}`,
      ok: a.truePeak !== null ? a.truePeak <= t.truePeakDbtp + 1e-9 : undefined,
      help: 'Highest inter-sample peak (4× oversampled), all channels',
    },
    { label: 'Sample peak', unit: 'dBFS', before: b.samplePeak, after: a.samplePeak, help: 'Highest sample magnitude, all channels' },
    { label: 'Peak-to-loudness ratio (PLR)', unit: 'dB', before: b.plr, after: a.plr, help: 'True peak − integrated loudness: how much transient room is left' },
    { label: 'Max momentary', unit: 'LUFS', before: b.momentaryMax, after: a.momentaryMax, help: 'Loudest 400 ms window' },
    { label: 'Max short-term', unit: 'LUFS', before: b.shortTermMax, after: a.shortTermMax, help: 'Loudest 3 s window' },
  ];
}

/** The summary table. */
function summaryTable(input: ReportInput): string {
  const rows = summaryRows(input)
    .map((row) => {
      const delta = row.before !== null && row.after !== null ? signed(row.after - row.before) : '–';
      const verdict = row.ok === undefined ? '' : row.ok ? ' <span class="ok" title="meets the target">✓</span>' : ' <span class="miss" title="misses the target">✗</span>';
      return `<tr><th scope="row" title="${escapeHtml(row.help)}">${escapeHtml(row.label)} <span class="unit">${escapeHtml(row.unit)}</span></th><td>${num(row.before)}</td><td class="arrow">→</td><td class="after">${num(row.after)}${verdict}</td><td class="delta">${delta}</td><td class="target">${row.target ?? ''}</td></tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="summary">
<thead><tr><th scope="col"></th><th scope="col">Before</th><th scope="col" aria-hidden="true"></th><th scope="col">After</th><th scope="col" class="delta">Change</th><th scope="col">Target</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

/** Small facts about the programme and the mastering (beside the table). */
function factsList(input: ReportInput): string {
  const r = input.report;
  const a: ProgrammeAnalysis = r.after;
  const tr = a.translation;
  const minutes = Math.floor(a.duration / 60);
  const seconds = a.duration - 60 * minutes;
  const facts: [string, string][] = [
    ['Duration', `${minutes}:${seconds.toFixed(1).padStart(4, '0')}`],
    ['Format', `${num(input.sampleRate / 1000, input.sampleRate % 1000 === 0 ? 0 : 1)} kHz, ${a.channels === 1 ? 'mono' : a.channels === 2 ? 'stereo' : `${a.channels} channels`}`],
    ['Gain applied', `${signed(r.gainDb)} dB`],
    ['Limiter', `max ${num(r.limiter.maxDb)} dB, mean ${num(r.limiter.meanDb)} dB of gain reduction`],
    ['Renders', `${r.passes}`],
  ];
  if (tr.monoChange !== null) facts.push(['Mono fold-down', `${signed(tr.monoChange)} LU`]);
  if (tr.correlation !== null) facts.push(['L/R correlation', num(tr.correlation, 2)]);
  if (tr.lowFrequencyShare !== null) facts.push([`Below ${formatHz(tr.lowFrequencyHz)}`, `${num(100 * tr.lowFrequencyShare, 0)} % of the power`]);
  if (r.latency > 0) facts.push(['Chain latency', `${r.latency} samples (compensated)`]);
  return `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

/** Words for where a warning comes from. */
const WARNING_SOURCE: Readonly<Record<'input' | 'output' | 'master', string>> = { input: 'Source', output: 'Result', master: 'Mastering' };

/** The warnings, or a line saying there are none. */
function warningsSection(input: ReportInput): string {
  const w = input.report.warnings;
  if (w.length === 0) return '<p class="none">No warnings: the source and the result are clean.</p>';
  return `<ul class="warnings">${w.map((x) => `<li class="warning" data-code="${escapeHtml(x.code)}"><span class="tag tag-${escapeHtml(x.on)}">${escapeHtml(WARNING_SOURCE[x.on] ?? x.on)}</span> ${escapeHtml(x.message)}</li>`).join('\n')}</ul>`;
}

/** Words for filter types. */
const FILTER_WORDS: Readonly<Record<string, string>> = {
  lowpass: 'Low-pass',
  highpass: 'High-pass',
  bandpass: 'Band-pass',
  notch: 'Notch',
  allpass: 'All-pass',
  peaking: 'Bell',
  lowshelf: 'Low shelf',
  highshelf: 'High shelf',
  'butterworth-lowpass': 'Low-pass (Butterworth)',
  'butterworth-highpass': 'High-pass (Butterworth)',
  'linkwitz-riley-lowpass': 'Low-pass (Linkwitz-Riley)',
  'linkwitz-riley-highpass': 'High-pass (Linkwitz-Riley)',
};

/** One EQ band in words: `Bell 350 Hz, −2.0 dB, Q 1.20`. */
export function describeBand(partial: Partial<FilterOptions>): string {
  const b = { ...FILTER_DEFAULTS, ...partial };
  const parts = [`${FILTER_WORDS[b.type] ?? b.type} ${formatHz(b.frequencyHz)}`];
  if (b.type === 'peaking' || b.type === 'lowshelf' || b.type === 'highshelf') parts.push(`${signed(b.gainDb)} dB`);
  if (b.type === 'lowshelf' || b.type === 'highshelf') {
    if (b.shelfSlope !== 1) parts.push(`slope ${num(b.shelfSlope, 2)}`);
  } else if (b.type.includes('-')) parts.push(`${b.rolloffDbPerOctave} dB/oct`);
  else parts.push(`Q ${num(b.q, 2)}`);
  return parts.join(', ') + (b.bypass ? ' (bypassed)' : '');
}

/** A compressor's settings in words. */
function describeCompressor(o: Omit<CompressorOptions, 'smoothingMs'>): string {
  const ratio = o.ratio === Infinity ? '∞:1' : `${num(o.ratio, o.ratio % 1 === 0 ? 0 : 1)}:1`;
  const parts = [`threshold ${num(o.thresholdDb)} dBFS`, `ratio ${ratio}`, `knee ${num(o.kneeDb)} dB`, `attack ${num(o.attackMs)} ms`, `release ${num(o.releaseMs, 0)} ms`, `${o.detector} detector`];
  if (o.makeupDb !== 0 || o.autoMakeup) parts.push(`makeup ${signed(o.makeupDb)} dB${o.autoMakeup ? ' + auto' : ''}`);
  if (o.mix !== 1) parts.push(`mix ${num(100 * o.mix, 0)} %`);
  if (o.lookaheadMs > 0) parts.push(`lookahead ${num(o.lookaheadMs)} ms`);
  if (o.sidechainHighpassHz > 0) parts.push(`sidechain high-pass ${formatHz(o.sidechainHighpassHz)}`);
  return parts.join(', ');
}

/** The chain as a list of stages in processing order, each with its settings in words. */
export function describeChain(chain: MasteringChainOptions): { stage: string; details: string[] }[] {
  const out: { stage: string; details: string[] }[] = [];
  if (chain.eq !== null) {
    const eq = { ...MASTERING_STAGE_DEFAULTS.eq, ...chain.eq };
    const details: string[] = [];
    const list = (bands: readonly Partial<FilterOptions>[]) => (bands.length === 0 ? 'flat' : bands.map(describeBand).join('; '));
    if (eq.midSide) {
      details.push(`Mid: ${list(eq.bands)}`, `Side: ${list(eq.sideBands)}`);
    } else details.push(list(eq.bands));
    if (eq.outputGainDb !== 0) details.push(`output ${signed(eq.outputGainDb)} dB`);
    out.push({ stage: eq.midSide ? 'EQ (mid/side)' : 'EQ', details });
  }
  if (chain.compressor !== null) {
    out.push({ stage: 'Compressor', details: [describeCompressor({ ...COMPRESSOR_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.compressor, ...chain.compressor })] });
  }
  if (chain.multiband !== null) {
    const m = { ...MULTIBAND_COMPRESSOR_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.multiband, ...chain.multiband };
    const xs = m.crossoversHz;
    const details = [`crossovers ${xs.map(formatHz).join(', ')} (Linkwitz-Riley, ${m.rolloffDbPerOctave} dB/oct)`];
    for (let k = 0; k <= xs.length; k++) {
      const band = { ...MULTIBAND_BAND_DEFAULTS, ...(m.bands[k] ?? {}) };
      const state = band.bypass ? ' (bypassed)' : band.solo ? ' (solo)' : '';
      details.push(`Band ${k + 1}${state}: ${describeCompressor(band)}${band.outputGainDb !== 0 ? `, band gain ${signed(band.outputGainDb)} dB` : ''}`);
    }
    out.push({ stage: `Multiband compressor (${xs.length + 1} bands)`, details });
  }
  if (chain.saturator !== null) {
    const s = { ...SATURATOR_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.saturator, ...chain.saturator };
    const parts = [`${s.curve} curve`, `drive ${signed(s.driveDb)} dB`];
    if (s.trimDb !== 0) parts.push(`trim ${signed(s.trimDb)} dB`);
    if (s.mix !== 1) parts.push(`mix ${num(100 * s.mix, 0)} %`);
    if (s.autoGain) parts.push('auto gain');
    parts.push(`${s.oversampling}× oversampling`);
    out.push({ stage: 'Saturator', details: [parts.join(', ')] });
  }
  if (chain.widener !== null) {
    const w = { ...STEREO_WIDENER_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.widener, ...chain.widener };
    const parts = [`width ${num(100 * w.width, 0)} %`];
    if (w.bassMonoHz > 0) parts.push(`mono below ${formatHz(w.bassMonoHz)}`);
    if (w.midGainDb !== 0) parts.push(`mid ${signed(w.midGainDb)} dB`);
    if (w.sideGainDb !== 0) parts.push(`side ${signed(w.sideGainDb)} dB`);
    out.push({ stage: 'Stereo widener', details: [parts.join(', ')] });
  }
  if (chain.limiter !== null) {
    const l = { ...LIMITER_DEFAULTS, ...MASTERING_STAGE_DEFAULTS.limiter, ...chain.limiter };
    const parts = [`ceiling ${num(l.ceilingDb)} ${l.mode === 'true-peak' ? 'dBTP (true peak)' : 'dBFS (sample peak)'}`, `lookahead ${num(l.lookaheadMs)} ms`, `release ${num(l.releaseMs, 0)} ms${l.autoRelease ? ' (auto)' : ''}`];
    if (l.stereoLink !== 1) parts.push(`stereo link ${num(100 * l.stereoLink, 0)} %`);
    out.push({ stage: 'Limiter', details: [parts.join(', ')] });
  }
  return out;
}

/** The chain section. */
function chainSection(input: ReportInput): string {
  const stages = describeChain(chainOptions(input.report.chain));
  const gain = `<li><span class="stage">Input gain</span> <span class="details">${escapeHtml(`${signed(input.report.gainDb)} dB in all (before the stages and into the limiter), found by ${input.report.passes} render${input.report.passes === 1 ? '' : 's'}`)}</span></li>`;
  const items = stages.map((s) => `<li><span class="stage">${escapeHtml(s.stage)}</span> <span class="details">${s.details.map((d) => `<span>${escapeHtml(d)}</span>`).join('')}</span></li>`);
  return `<ol class="chain">${[gain, ...items].join('\n')}</ol>`;
}

/** One file's player card. */
function playerCard(label: string, file: ReportFile, cls: string): string {
  const href = safeHref(file.href);
  const audio = href === undefined ? '<p class="muted">No audio link given.</p>' : `<audio controls preload="metadata" src="${escapeHtml(href)}"></audio>`;
  const description = file.description === undefined ? '' : `<p class="muted">${escapeHtml(file.description)}</p>`;
  return `<figure class="player ${cls}"><figcaption><span class="label">${escapeHtml(label)}</span> <span class="file">${escapeHtml(file.name)}</span></figcaption>${description}${audio}</figure>`;
}

/** One plot's figure. */
function plotFigure(p: ReportPlot): string {
  return `<figure class="plot plot-${p.id}" id="plot-${p.id}">${p.svg}<figcaption>${escapeHtml(p.description)}</figcaption></figure>`;
}

/** The stylesheet (light by default, dark through `prefers-color-scheme`). */
const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #ffffff; --text: #1d2127; --muted: #5d6570; --line: #e2e5ea; --accent: #0072B2; --before: #E69F00; --after: #0072B2; --ok: #1a7f37; --miss: #c62828; --warn-bg: #fff6e5; --warn-line: #f0c36d; --plot-text: #444; --plot-grid: #0000001c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15181c; --card: #1f2329; --text: #e7eaee; --muted: #a0a8b3; --line: #343a42; --accent: #56B4E9; --after: #56B4E9; --ok: #4cc26a; --miss: #ff6b6b; --warn-bg: #2e2614; --warn-line: #7a5d1c; --plot-text: #c9ced6; --plot-grid: #ffffff24; }
  .plot svg .role-axis-label text, .plot svg .role-axis-title text, .plot svg .role-legend-label text, .plot svg .role-title-text text, .plot svg .role-title-subtitle text { fill: var(--plot-text); }
  .plot svg .role-axis-grid path, .plot svg .role-axis-grid line { stroke: var(--plot-grid); }
  .plot svg .role-axis-domain line, .plot svg .role-axis-tick line, .plot svg .role-axis-domain path, .plot svg .role-axis-tick path { stroke: #8b939e; }
  /* The palette's dark blue is too dark on a dark page, the light tints of the momentary lines too bright. */
  .plot svg [stroke="#0072B2"] { stroke: #56B4E9; } .plot svg [fill="#0072B2"] { fill: #56B4E9; }
  .plot svg [stroke="#80B9D9"] { stroke: #2E6C93; } .plot svg [stroke="#F3CF80"] { stroke: #8A6A1F; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 20px 40px; }
header h1 { margin: 0 0 2px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 17px; font-weight: 650; margin: 0 0 12px; }
section, .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-top: 18px; }
.players { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 18px; }
.player { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; border-top: 4px solid var(--before); min-width: 0; }
.player.after { border-top-color: var(--after); }
.player figcaption { font-weight: 600; overflow-wrap: anywhere; }
.player .label { color: var(--muted); font-weight: 500; margin-right: 4px; }
.player audio { width: 100%; margin-top: 8px; }
.muted { color: var(--muted); margin: 2px 0 0; font-size: 13px; overflow-wrap: anywhere; }
.overview { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 28px; align-items: start; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.summary thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
table.summary tbody th { text-align: left; font-weight: 500; cursor: help; }
table.summary .unit { color: var(--muted); font-size: 12px; font-weight: 400; }
table.summary td.after { font-weight: 650; color: var(--after); }
table.summary td.arrow { color: var(--muted); padding: 6px 0; }
table.summary td.delta, table.summary td.target { color: var(--muted); }
table.summary tbody tr:last-child th, table.summary tbody tr:last-child td { border-bottom: 0; }
.ok { color: var(--ok); } .miss { color: var(--miss); }
dl.facts { margin: 0; display: grid; gap: 6px; }
dl.facts div { display: grid; grid-template-columns: 9.5em 1fr; gap: 8px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
ul.warnings { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
li.warning { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: 8px; padding: 8px 12px; overflow-wrap: anywhere; }
.tag { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; padding: 1px 7px; border-radius: 99px; margin-right: 6px; background: var(--line); color: var(--text); }
p.none { margin: 0; color: var(--ok); }
.plots { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; margin-top: 18px; }
.plot { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 14px 10px; min-width: 0; }
.plot-loudness, .plot-gain-reduction { grid-column: 1 / -1; }
.plot svg { display: block; max-width: 100%; height: auto; }
.plots > section { margin-top: 0; }
.plots > section.wide { grid-column: 1 / -1; }
.plot figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
ol.chain { margin: 0; padding-left: 22px; display: grid; gap: 8px; }
ol.chain .stage { font-weight: 650; }
ol.chain .details { display: block; color: var(--muted); overflow-wrap: anywhere; }
ol.chain .details span { display: block; }
footer { color: var(--muted); font-size: 12px; margin-top: 22px; text-align: center; }
.table-wrap { overflow-x: auto; min-width: 0; }
@media (max-width: 760px) {
  .players, .plots, .overview { grid-template-columns: 1fr; }
  main { padding: 18px 10px 30px; }
  section, .card { padding: 14px 12px; }
  table.summary th, table.summary td { padding: 5px 4px; }
  table.summary tbody th { white-space: normal; }
  table.summary td.delta, table.summary th.delta { display: none; }
}
@media print { body { background: #fff; } section, .plot, .player { break-inside: avoid; } audio { display: none; } }
`;

/**
 * The report as one self-contained HTML document (see the module comment). Renders the plots with
 * {@link reportPlots}; give `plots` to reuse plots already rendered (e.g. for PNG export too).
 *
 * @example
 * ```ts
 * import { master } from 'masterbus';
 * import { fileHref, renderReportHtml } from 'masterbus/node';
 * const sr = 48000;
 * const left = Float32Array.from({ length: sr }, (_, i) => 0.1 * Math.sin(i / 7));
 * const { report } = await master([left, left.slice()], sr, { preset: 'streaming', chain: { compressor: {} } });
 * const html = await renderReportHtml({
 *   title: 'My song', sampleRate: sr, report,
 *   input: { name: 'my mix.wav', href: fileHref('my mix.wav') },      // relative to the report
 *   output: { name: 'master.wav', href: fileHref('master.wav') },
 * });
 * // writeFileSync('report.html', html) beside the two files
 * ```
 */
export async function renderReportHtml(input: ReportInput, plots?: readonly ReportPlot[]): Promise<string> {
  checkReportInput(input);
  const rendered = plots ?? (await reportPlots(input));
  const r = input.report;
  const t = r.target;
  const targetText = `${num(t.integratedLufs)} LUFS, ceiling ${num(t.truePeakDbtp)} dBTP${t.preset !== undefined ? ` (${t.preset})` : ''}`;
  const verdict = r.silent ? 'The source is silent: nothing was measured and no gain was applied.' : `Mastered to ${num(r.after.loudness.integrated)} LUFS (${signed(r.errorLu, 2)} LU from the target), true peak ${num(r.after.loudness.truePeak)} dBTP.`;
  // The chain card takes the place beside a half-width plot left alone, else a row of its own.
  const halves = rendered.filter((p) => p.id !== 'loudness' && p.id !== 'gain-reduction').length;
  const generated = input.generated === undefined ? '' : ` on ${escapeHtml(input.generated)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="masterbus">
<title>${escapeHtml(input.title)} · mastering report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p>Target ${escapeHtml(targetText)}. ${escapeHtml(verdict)}</p>
</header>
<div class="players">
${playerCard('Before', input.input, 'before')}
${playerCard('After', input.output, 'after')}
</div>
<section class="overview-section" aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
<div class="overview">
${summaryTable(input)}
${factsList(input)}
</div>
</section>
<section aria-labelledby="h-warnings">
<h2 id="h-warnings">Warnings</h2>
${warningsSection(input)}
</section>
<div class="plots">
${rendered.map(plotFigure).join('\n')}
<section class="chain-card${halves % 2 === 0 ? ' wide' : ''}" aria-labelledby="h-chain">
<h2 id="h-chain">Processing chain</h2>
${chainSection(input)}
</section>
</div>
<footer>Made by masterbus${generated}. Loudness per ITU-R BS.1770-5 and EBU R 128.</footer>
</main>
</body>
</html>
`;
}

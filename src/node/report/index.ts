/**
 * The mastering report (`masterbus master … --report report.html`): plots rendered to SVG with
 * Vega-Lite, one self-contained HTML file, and PNG export of each plot.
 *
 * @module
 */
export { reportPlots, renderPlot, checkReportInput } from './plots.js';
export { renderReportHtml, escapeHtml, fileHref, safeHref, describeChain, describeBand } from './html.js';
export { svgToPng, writeReportPngs, PNG_FALLBACK_FONT, type SvgToPngOptions } from './png.js';
export { reportSpecs, REPORT_THEME, REPORT_COLORS, REPORT_FONT, type PlotSpec, type VegaLiteSpec } from './specs.js';
export { eqCurves, eqMagnitudeDb, dynamicsCurves, compressorOutputDb, loudnessRows, gainReductionRows, spectrumRows, type Curve } from './data.js';
export type { ReportInput, ReportFile, ReportPlot, ReportPlotId, ReportMasterReport } from './types.js';

/**
 * The shapes of the mastering report: what {@link reportPlots} and {@link renderReportHtml} take
 * ({@link ReportInput}) and what a plot is ({@link ReportPlot}).
 *
 * @module
 */
import type { MasterReport } from '../../chains/master.js';

/**
 * The report a {@link ReportInput} holds: `master()`'s. A report without `gainReduction` (one
 * read back from the JSON of an older version) is accepted: its gain-reduction plot is left out.
 */
export type ReportMasterReport = MasterReport;

/** One of the two files the report compares. */
export interface ReportFile {
  /** The name shown (usually the file's base name). Any text: it is escaped. */
  readonly name: string;
  /**
   * Where the report's `<audio>` player finds the file, relative to the report (build it with
   * {@link fileHref}); no player is shown without it. Only relative URLs and `http:`, `https:`,
   * `file:` and `blob:` URLs are used; anything else (a `javascript:` URL) is dropped.
   */
  readonly href?: string;
  /** One line about the file, e.g. `'WAV PCM 24-bit, 48 kHz, stereo'`. */
  readonly description?: string;
}

/** What the report is made from. */
export interface ReportInput {
  /** The report's title, e.g. the song's name. */
  readonly title: string;
  /** The programme's sample rate, Hz: the EQ curve is that of the filters designed at this rate. */
  readonly sampleRate: number;
  /** What `master()` reported. */
  readonly report: ReportMasterReport;
  /** The file that went in. */
  readonly input: ReportFile;
  /** The file that came out. */
  readonly output: ReportFile;
  /** When the report was made, shown in its footer (ISO 8601 or any text); omitted: no date shown. */
  readonly generated?: string;
}

/** Identifiers of the report's plots, in the order they are made. */
export type ReportPlotId = 'loudness' | 'gain-reduction' | 'spectrum' | 'eq' | 'dynamics';

/** One rendered plot. */
export interface ReportPlot {
  /** Stable identifier (also the PNG's file name: `<id>.png`). */
  readonly id: ReportPlotId;
  /** Title shown above the plot. */
  readonly title: string;
  /** One sentence saying what the plot shows (the SVG's accessible description, the figure's caption). */
  readonly description: string;
  /** The Vega-Lite specification the plot was rendered from (its data inline). */
  readonly spec: Record<string, unknown>;
  /** The plot as a standalone SVG document (no scripts, no external references). */
  readonly svg: string;
  /** Size of the SVG, CSS pixels. */
  readonly width: number;
  readonly height: number;
}

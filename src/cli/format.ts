/** Plain-text tables for people (stdout); `--json` prints the data instead. */
import type { FileLoudness } from '../node/render.js';

/** A number with `digits` decimals, or `-` for null / non-finite. */
export function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** A signed number (+1.5, -0.3). */
export function signed(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The loudness columns of `analyze`. */
export const LOUDNESS_HEADER = ['integrated LUFS', 'LRA LU', 'true peak dBTP', 'sample peak dBFS', 'PLR dB', 'max M LUFS', 'max S LUFS', 'duration s'] as const;

export function loudnessCells(l: FileLoudness): string[] {
  return [fmt(l.integrated, 2), fmt(l.lra, 1), fmt(l.truePeak, 2), fmt(l.samplePeak, 2), fmt(l.plr, 1), fmt(l.momentaryMax, 1), fmt(l.shortTermMax, 1), fmt(l.duration, 1)];
}

/** `before -> after` of one figure. */
export function change(before: number | null, after: number | null, digits = 1): string {
  return `${fmt(before, digits)} -> ${fmt(after, digits)}`;
}

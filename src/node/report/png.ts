/**
 * PNG export of the report's plots with resvg (`@resvg/resvg-js`, a Rust SVG renderer: no browser,
 * no canvas). resvg draws text only with fonts it has loaded: the system fonts are loaded and the
 * generic families map to DejaVu Sans, which every Linux with fonts has (the first family of the
 * plots' font stack that exists wins, so a desktop keeps its UI font).
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { ReportPlot } from './types.js';

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Pixels per SVG pixel, (0, 8]: 2 gives a sharp image on a high-density screen. @defaultValue 2 */
  scale?: number;
  /** Background colour (CSS), or `null` for transparent. @defaultValue `'#ffffff'` */
  background?: string | null;
}

/** Family used where the SVG's families are not installed. */
export const PNG_FALLBACK_FONT = 'DejaVu Sans';

/**
 * Render an SVG document to a PNG (8-bit RGBA).
 *
 * @example
 * ```ts
 * import { svgToPng } from 'masterbus/node';
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="8" y="26" font-size="16">−14 LUFS</text></svg>';
 * const png = svgToPng(svg, { scale: 2 }); // 240 × 80 px; a plot's: svgToPng(plot.svg)
 * ```
 */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Uint8Array {
  if (typeof svg !== 'string' || !/<svg\b/.test(svg)) throw new TypeError(`svgToPng: svg must be the text of an SVG document, got ${typeof svg === 'string' ? `a string without <svg (${svg.length} characters)` : typeof svg}`);
  const scale = options.scale ?? 2;
  if (typeof scale !== 'number' || !(scale > 0 && scale <= 8)) throw new RangeError(`svgToPng: options.scale must be a number in (0, 8], got ${String(scale)}`);
  const background = options.background === undefined ? '#ffffff' : options.background;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: PNG_FALLBACK_FONT, sansSerifFamily: PNG_FALLBACK_FONT },
    ...(background === null ? {} : { background }),
  });
  const png = r.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Write one PNG per plot into `dir` (created if missing), named `<id>.png`; resolves the paths
 * written, in the plots' order.
 */
export async function writeReportPngs(plots: readonly ReportPlot[], dir: string, options: SvgToPngOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const p of plots) {
    const path = join(dir, `${p.id}.png`);
    await writeFile(path, svgToPng(p.svg, options));
    paths.push(path);
  }
  return paths;
}

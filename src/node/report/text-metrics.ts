/**
 * Text widths for Vega's layout in Node. Without a canvas Vega estimates every character as
 * 0.8 em wide, which is about 1.4 times too wide for a proportional font: titles and legends then
 * take space they do not use. This module gives Vega (through `textMetrics.width`, the hook Vega
 * provides for a user-defined measure) the advance widths of DejaVu Sans Book, the font resvg
 * falls back to and the one Linux machines have (read from the font's `hmtx` table, 2048 units per
 * em; bold text is taken as 10 % wider, as DejaVu Sans Bold is on average). Browsers showing the
 * HTML use the reader's UI font, usually a little narrower: the layout stays loose enough.
 *
 * @module
 */

/** Advance widths of the characters U+0020 … U+007E in DejaVu Sans Book, em. */
const ASCII_EM: readonly number[] = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337,
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531,
  1.0, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,
  0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5,
  0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,
  0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
];
/** Advance widths of the non-ASCII characters the report writes, em. */
const OTHER_EM: ReadonlyMap<string, number> = new Map([['−', 0.838], ['→', 0.838], ['·', 0.318], ['–', 0.5], ['…', 1.0], ['°', 0.5], ['µ', 0.636], ['’', 0.318]]);
/** Width of any other character, em (the mean of the lower-case letters). */
const DEFAULT_EM = 0.56;
/** Bold text is this much wider. */
const BOLD_FACTOR = 1.1;

/** Width in em of `text` in DejaVu Sans Book. */
export function textWidthEm(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    w += c >= 32 && c < 127 ? ASCII_EM[c - 32] : (OTHER_EM.get(ch) ?? DEFAULT_EM);
  }
  return w;
}

/** What Vega passes to `textMetrics.width`: the text item (size, weight) and one line of text. */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/** Width in px of one line of a Vega text item (Vega's `textMetrics.width` signature). */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  const line = text == null ? '' : String(text).trim();
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && +weight >= 600);
  return textWidthEm(line) * size * (bold ? BOLD_FACTOR : 1);
}

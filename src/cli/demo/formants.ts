/**
 * Vowel formants for the demo song's singer (a baritone: the adult male speakers' averages).
 *
 * F1–F3: G. E. Peterson and H. L. Barney, "Control Methods Used in a Study of the Vowels", JASA
 * 24(2), 1952, Table II (averages of 33 men). F4 and F5 (which change little between vowels) and
 * the bandwidths: D. H. Klatt, "Software for a cascade/parallel formant synthesizer", JASA 67(3),
 * 1980, Table I defaults (F4 3300 Hz, F5 3750 Hz; B4 250 Hz, B5 200 Hz) and the ranges of his
 * Table III for B1–B3 (B1 ≈ 60–90 Hz, B2 ≈ 90–110 Hz, B3 ≈ 150–170 Hz), widened a little for a
 * breathy, sung voice.
 *
 * @module
 */
import type { Vowel } from './score.js';

/** Formant frequencies F1…F5 and bandwidths B1…B5 of one vowel, in Hz. */
export interface VowelFormants {
  readonly frequencies: readonly [number, number, number, number, number];
  readonly bandwidths: readonly [number, number, number, number, number];
}

const B: VowelFormants['bandwidths'] = [80, 100, 160, 250, 200];

/** Peterson & Barney (1952) men's F1–F3 for the ten vowels, with Klatt's (1980) F4, F5 and bandwidths. */
export const VOWEL_FORMANTS: Readonly<Record<Vowel, VowelFormants>> = Object.freeze({
  i: { frequencies: [270, 2290, 3010, 3300, 3750], bandwidths: B }, // heed
  ɪ: { frequencies: [390, 1990, 2550, 3300, 3750], bandwidths: B }, // hid
  ɛ: { frequencies: [530, 1840, 2480, 3300, 3750], bandwidths: B }, // head
  æ: { frequencies: [660, 1720, 2410, 3300, 3750], bandwidths: B }, // had
  ɑ: { frequencies: [730, 1090, 2440, 3300, 3750], bandwidths: B }, // hod
  ɔ: { frequencies: [570, 840, 2410, 3300, 3750], bandwidths: B }, // hawed
  ʊ: { frequencies: [440, 1020, 2240, 3300, 3750], bandwidths: B }, // hood
  u: { frequencies: [300, 870, 2240, 3300, 3750], bandwidths: B }, // who'd
  ʌ: { frequencies: [640, 1190, 2390, 3300, 3750], bandwidths: B }, // hud
  ɝ: { frequencies: [490, 1350, 1690, 3300, 3750], bandwidths: B }, // heard
});

/**
 * The demo song's score: tempo, form, chord progression, voice-led chord voicings, bass line,
 * lead hook, sung melody with its syllables, and the drum pattern with groove and fill. Pure data
 * and small functions: the synthesis (stems.ts) turns it into audio.
 *
 * The song is in A minor at 124 BPM, 4/4, 22 bars (about 42.6 s):
 *
 * | bars   | section | chords (one per bar)    | what plays                                        |
 * |--------|---------|-------------------------|---------------------------------------------------|
 * | 1–4    | intro   | Am F C G                | pad, hats; kick and bass from bar 3               |
 * | 5–12   | verse   | Am F C G Am F C G       | + snare, sung melody; a fill in bar 12            |
 * | 13–20  | chorus  | F G Em Am F G Em Am     | + lead hook, sung harmony, 16th hats, crash       |
 * | 21–22  | outro   | F Am                    | pad, bass, a last sung note; crash                |
 *
 * The progressions are the natural-minor i–VI–III–VII (verse) and VI–VII–v–i (chorus); every note
 * of every part is in A natural minor (tested). The chord voicings follow the rule of voice
 * leading: each chord takes the close-position voicing whose voices move least from the last one
 * (common tones held). The seed changes the performance, not the composition: velocities, timing,
 * ghost notes, hat and bass variations, and a few melodic turns chosen among scale tones.
 *
 * @module
 */
import { Rng } from './synth.js';

/** Tempo in quarter notes per minute. */
export const DEMO_BPM = 124;
/** Beats per bar (4/4). */
export const BEATS_PER_BAR = 4;
/** Bars in the song. */
export const DEMO_BARS = 22;
/** The pitch classes of A natural minor (A B C D E F G), C = 0. */
export const A_MINOR_PITCH_CLASSES: readonly number[] = Object.freeze([9, 11, 0, 2, 4, 5, 7]);

/** A chord: its name, root pitch class (C = 0) and the pitch classes of its triad. */
export interface Chord {
  readonly name: string;
  readonly root: number;
  readonly tones: readonly number[];
}

const CHORDS: Readonly<Record<string, Chord>> = {
  Am: { name: 'Am', root: 9, tones: [9, 0, 4] },
  F: { name: 'F', root: 5, tones: [5, 9, 0] },
  C: { name: 'C', root: 0, tones: [0, 4, 7] },
  G: { name: 'G', root: 7, tones: [7, 11, 2] },
  Em: { name: 'Em', root: 4, tones: [4, 7, 11] },
};

/** One chord per bar, in order. */
export const PROGRESSION: readonly Chord[] = [
  ...'Am F C G'.split(' '), // intro
  ...'Am F C G Am F C G'.split(' '), // verse
  ...'F G Em Am F G Em Am'.split(' '), // chorus
  ...'F Am'.split(' '), // outro
].map((n) => CHORDS[n]);

/** Sections by first bar (0-based) and length in bars. */
export const SECTIONS = Object.freeze({
  intro: { bar: 0, bars: 4 },
  verse: { bar: 4, bars: 8 },
  chorus: { bar: 12, bars: 8 },
  outro: { bar: 20, bars: 2 },
});

/** A pitched note: start and length in beats from the song's start, MIDI pitch, velocity 0…1. */
export interface Note {
  start: number;
  length: number;
  midi: number;
  velocity: number;
}

/** A sung note: a note and its syllable (the vowel a Peterson & Barney symbol, see formants.ts). */
export interface SungNote extends Note {
  /** The syllable as written (for the report). */
  text: string;
  /** The vowel sung. */
  vowel: Vowel;
  /** An onset consonant that is synthesised: aspiration (`h`), a hiss (`s`), or none. */
  onset: '' | 'h' | 's';
}

/** Vowels of the formant table (Peterson & Barney 1952 symbols). */
export type Vowel = 'i' | 'ɪ' | 'ɛ' | 'æ' | 'ɑ' | 'ɔ' | 'ʊ' | 'u' | 'ʌ' | 'ɝ';

/** A drum hit: start in beats, the instrument, velocity 0…1. */
export interface DrumHit {
  start: number;
  kind: 'kick' | 'snare' | 'tom-high' | 'tom-mid' | 'tom-low' | 'hat-closed' | 'hat-open' | 'crash';
  velocity: number;
}

/** The whole score. */
export interface DemoScore {
  bpm: number;
  bars: number;
  chords: readonly Chord[];
  /** The pad's chord tones (voice-led), one entry per sounding note; common tones are tied. */
  pad: Note[];
  bass: Note[];
  lead: Note[];
  voice: SungNote[];
  drums: DrumHit[];
}

/**
 * Close-position voicings of `chord` (three voices, lowest in [low, low + 12)) ordered; the one
 * nearest `previous` (least total movement of the voices, each voice against the same-rank voice)
 * is chosen. Ties go to the lower voicing.
 */
export function voiceLead(chord: Chord, previous: readonly number[], low = 55): number[] {
  let best: number[] = [];
  let bestCost = Infinity;
  for (let bottom = low; bottom < low + 12; bottom++) {
    const pc = ((bottom % 12) + 12) % 12;
    if (!chord.tones.includes(pc)) continue;
    // Stack the other two chord tones above the bottom note, each the nearest above the last.
    const v = [bottom];
    for (let k = 1; k < 3; k++) {
      let n = v[k - 1] + 1;
      while (!chord.tones.includes(n % 12) || v.some((x) => x % 12 === n % 12)) n++;
      v.push(n);
    }
    const cost = previous.length === 0 ? Math.abs(v[1] - 60) : v.reduce((s, x, i) => s + Math.abs(x - previous[i]), 0);
    if (cost < bestCost) {
      bestCost = cost;
      best = v;
    }
  }
  return best;
}

/** A bar's chord root as a MIDI note in [lo, lo + 12). */
function rootIn(chord: Chord, lo: number): number {
  let n = lo;
  while (n % 12 !== chord.root) n++;
  return n;
}

/** Snap a MIDI note to the nearest A-minor scale tone (downwards on a tie). */
function inKey(midi: number): number {
  for (let d = 0; d < 12; d++) {
    if (A_MINOR_PITCH_CLASSES.includes((((midi - d) % 12) + 12) % 12)) return midi - d;
    if (A_MINOR_PITCH_CLASSES.includes((((midi + d) % 12) + 12) % 12)) return midi + d;
  }
  return midi;
}

// The sung verse: [beat in bar, length in beats, MIDI, syllable, vowel, onset], two 2-bar phrases
// per 4 bars with rests between, in a baritone register (A2–A3, 110–220 Hz).
type Syl = [number, number, number, string, Vowel, '' | 'h' | 's'];
const VERSE_A: Syl[][] = [
  [[0.5, 0.5, 52, 'we', 'i', ''], [1, 0.5, 52, 'ride', 'ɑ', ''], [1.5, 0.5, 50, 'in', 'ɪ', ''], [2, 1, 48, 'the', 'ʌ', ''], [3, 0.75, 45, 'glow', 'ɔ', '']],
  [[0, 0.5, 48, 'of', 'ʌ', ''], [0.5, 0.5, 50, 'a', 'ɛ', ''], [1, 1.5, 48, 'sea', 'i', 's'], [2.5, 1, 45, 'shore', 'ɔ', 's']],
  [[0.5, 0.5, 52, 'hold', 'ɔ', 'h'], [1, 1, 55, 'on', 'ɑ', ''], [2, 0.5, 52, 'to', 'u', ''], [2.5, 0.5, 50, 'the', 'ʌ', ''], [3, 1, 48, 'sound', 'æ', 's']],
  [[0, 2.5, 50, 'oh', 'ɔ', '']],
];
const VERSE_B: Syl[][] = [
  [[0.5, 0.5, 52, 'we', 'i', ''], [1, 0.5, 55, 'ride', 'ɑ', ''], [1.5, 0.5, 52, 'in', 'ɪ', ''], [2, 1, 57, 'the', 'ʌ', ''], [3, 0.75, 52, 'night', 'ɑ', '']],
  [[0, 0.5, 53, 'on', 'ɑ', ''], [0.5, 0.5, 52, 'and', 'æ', ''], [1, 1.5, 48, 'on', 'ɑ', ''], [2.5, 1, 45, 'more', 'ɔ', '']],
  [[0.5, 0.5, 52, 'hold', 'ɔ', 'h'], [1, 1, 55, 'on', 'ɑ', ''], [2, 0.5, 57, 'to', 'u', ''], [2.5, 0.5, 55, 'the', 'ʌ', ''], [3, 1, 52, 'sound', 'æ', 's']],
  [[0, 1.5, 50, 'oh', 'ɔ', ''], [1.5, 0.5, 47, 'oh', 'ɔ', ''], [2, 1.5, 50, 'here', 'i', 'h']],
];
// The sung chorus: long harmony notes under the lead (F G Em Am).
const CHORUS_VOX: Syl[][] = [
  [[0, 1.75, 57, 'ah', 'ɑ', ''], [2, 1.75, 53, 'oh', 'ɔ', '']],
  [[0, 1.75, 55, 'ah', 'ɑ', ''], [2, 1.75, 59, 'oh', 'ɔ', '']],
  [[0, 3.5, 55, 'ooh', 'u', '']],
  [[0, 1.75, 57, 'ah', 'ɑ', ''], [2, 1.75, 52, 'ee', 'i', '']],
];
const OUTRO_VOX: Syl[][] = [
  [[0, 1.5, 53, 'oh', 'ɔ', ''], [2, 1.5, 48, 'ooh', 'u', '']],
  [[0, 3, 45, 'ah', 'ɑ', 'h']],
];
// The lead's hook over F G Em Am: [beat, length, MIDI].
const HOOK: [number, number, number][][] = [
  [[0, 0.75, 69], [0.75, 0.75, 72], [1.5, 0.5, 69], [2, 1, 67], [3, 0.5, 65]],
  [[0, 0.5, 67], [0.5, 0.5, 71], [1, 1.5, 74], [2.5, 0.5, 71], [3, 0.75, 67]],
  [[0, 0.75, 71], [0.75, 0.75, 67], [1.5, 1.5, 64]],
  [[0, 0.5, 72], [0.5, 0.5, 71], [1, 2.5, 69]],
];

/**
 * The score for a seed. Deterministic: the same seed gives the same score. The seed varies the
 * performance (velocities, micro-timing, ghost notes, fills) and a few melodic turns.
 */
export function demoScore(seed = 1): DemoScore {
  const rng = new Rng(seed);
  const chords = PROGRESSION;
  const bars = DEMO_BARS;
  const at = (bar: number, beat: number) => bar * BEATS_PER_BAR + beat;

  // Pad: voice-led triads over a low root (the "mud" the mix's EQ takes out); tied common tones.
  const pad: Note[] = [];
  let prev: number[] = [];
  const open = new Map<number, Note>();
  for (let bar = 0; bar < bars; bar++) {
    const chord = chords[bar];
    const voicing = voiceLead(chord, prev);
    prev = voicing;
    // The low root, unless the voicing already holds that very note.
    const sounding = [...new Set([rootIn(chord, 45), ...voicing])];
    const last = bar === bars - 1;
    const length = last ? BEATS_PER_BAR - 0.5 : BEATS_PER_BAR;
    const next = new Map<number, Note>();
    for (const midi of sounding) {
      const held = open.get(midi);
      if (held && !last) {
        held.length += length;
        next.set(midi, held);
      } else {
        const n = { start: at(bar, 0), length, midi, velocity: 0.8 + 0.1 * rng.next() };
        pad.push(n);
        next.set(midi, n);
      }
    }
    open.clear();
    for (const [k, v] of next) open.set(k, v);
  }

  // Bass: root-following rhythm, by section.
  const bass: Note[] = [];
  for (let bar = 2; bar < bars; bar++) {
    const chord = chords[bar];
    const root = rootIn(chord, 28); // E1 … D#2
    const v = () => 0.85 + 0.15 * rng.next();
    if (bar < SECTIONS.verse.bar) {
      bass.push({ start: at(bar, 0), length: 2.5, midi: root, velocity: v() }, { start: at(bar, 3), length: 0.75, midi: root, velocity: v() * 0.8 });
    } else if (bar < SECTIONS.chorus.bar) {
      for (const [b, l, oct] of [[0, 0.5, 0], [0.75, 0.5, 0], [1.5, 0.75, 0], [2.5, 0.5, 0], [3, 0.5, 0], [3.5, 0.25, 12]] as const) {
        bass.push({ start: at(bar, b), length: l, midi: root + oct, velocity: v() * (b % 1 === 0 ? 1 : 0.8) });
      }
      // A seeded pickup: the fifth (in key) on the last sixteenth.
      if (rng.chance(0.5)) bass.push({ start: at(bar, 3.75), length: 0.2, midi: inKey(root + 7), velocity: 0.7 });
    } else if (bar < SECTIONS.outro.bar) {
      for (let e = 0; e < 8; e++) bass.push({ start: at(bar, e / 2), length: 0.4, midi: root + (e % 2 === 1 && rng.chance(0.6) ? 12 : 0), velocity: v() * (e % 2 === 0 ? 1 : 0.75) });
    } else {
      bass.push({ start: at(bar, 0), length: bar === bars - 1 ? 3 : 3.75, midi: root, velocity: 0.9 });
    }
  }

  // Lead: the hook twice in the chorus; the second time it climbs to E5 at the end.
  const lead: Note[] = [];
  for (let rep = 0; rep < 2; rep++) {
    HOOK.forEach((notes, i) => {
      const bar = SECTIONS.chorus.bar + rep * 4 + i;
      notes.forEach(([b, l, m], k) => {
        let midi = m;
        if (rep === 1 && i === 3 && k === 2) midi = 76;
        if (rep === 1 && i === 3 && k === 1) midi = 74;
        // A seeded turn: sometimes the neighbouring scale tone on a short passing note.
        if (l <= 0.5 && k > 0 && rng.chance(0.15)) midi = inKey(midi + (rng.chance(0.5) ? 2 : -2));
        lead.push({ start: at(bar, b), length: l, midi, velocity: 0.8 + 0.2 * rng.next() });
      });
    });
  }

  // Voice: verse melody, chorus harmony, outro.
  const voice: SungNote[] = [];
  const sing = (bar: number, line: Syl[]) => {
    for (const [b, l, m, text, vowel, onset] of line) voice.push({ start: at(bar, b), length: l, midi: m, velocity: 0.75 + 0.25 * rng.next(), text, vowel, onset });
  };
  VERSE_A.forEach((line, i) => sing(SECTIONS.verse.bar + i, line));
  VERSE_B.forEach((line, i) => sing(SECTIONS.verse.bar + 4 + i, line));
  for (let rep = 0; rep < 2; rep++) CHORUS_VOX.forEach((line, i) => sing(SECTIONS.chorus.bar + rep * 4 + i, line));
  OUTRO_VOX.forEach((line, i) => sing(SECTIONS.outro.bar + i, line));

  return { bpm: DEMO_BPM, bars, chords, pad, bass, lead, voice, drums: drumPattern(rng) };
}

/** Swing: an off-beat sixteenth is late by `(SWING − 0.5)` of an eighth (0.5 is straight). */
export const SWING = 0.56;

/** The drum part: groove, ghost notes, the fill before the chorus, crashes. */
function drumPattern(rng: Rng): DrumHit[] {
  const hits: DrumHit[] = [];
  const hit = (bar: number, beat: number, kind: DrumHit['kind'], velocity: number) => {
    // Swing the off-beat sixteenths, and humanise by up to ±4 ms (±0.008 beat at 124 BPM).
    const sixteenth = Math.round(beat * 4) % 2 === 1;
    const swung = beat + (sixteenth ? (SWING - 0.5) * 0.5 : 0);
    const start = Math.max(0, bar * BEATS_PER_BAR + swung + 0.008 * rng.bipolar());
    hits.push({ start, kind, velocity: Math.min(1, Math.max(0.05, velocity * (1 + 0.08 * rng.bipolar()))) });
  };
  const { verse, chorus, outro } = SECTIONS;
  for (let bar = 0; bar < DEMO_BARS; bar++) {
    const fillBar = bar === chorus.bar - 1;
    if (bar < verse.bar) {
      // Intro: closed hats in eighths; the kick joins in bar 3 on every beat, a snare pickup at the end.
      for (let e = 0; e < 8; e++) hit(bar, e / 2, 'hat-closed', e % 2 === 0 ? 0.55 : 0.35);
      if (bar >= 2) for (let q = 0; q < 4; q++) hit(bar, q, 'kick', q === 0 ? 1 : 0.85);
      if (bar === verse.bar - 1) {
        hit(bar, 3, 'snare', 0.6);
        hit(bar, 3.5, 'snare', 0.8);
      }
    } else if (bar < chorus.bar) {
      for (const b of fillBar ? [0, 1.5] : [0, 1.5, 2]) hit(bar, b, 'kick', b === 0 ? 1 : 0.9);
      if (!fillBar && rng.chance(0.4)) hit(bar, 3.75, 'kick', 0.6);
      hit(bar, 1, 'snare', 1);
      if (!fillBar) hit(bar, 3, 'snare', 1);
      // Ghost notes on the snare, seeded.
      for (const g of [0.75, 2.25, 2.75, 3.75]) if (!fillBar && rng.chance(0.3)) hit(bar, g, 'snare', 0.22);
      const hatEnd = fillBar ? 4 : 8;
      for (let e = 0; e < hatEnd; e++) hit(bar, e / 2, 'hat-closed', e % 2 === 0 ? 0.8 : 0.5);
      if (!fillBar && rng.chance(0.5)) hit(bar, 3.75, 'hat-closed', 0.35);
      if (bar % 4 === 3 && !fillBar) hit(bar, 3.5, 'hat-open', 0.6);
      if (fillBar) {
        // The fill: sixteenth snares rising, then toms down high → mid → low.
        for (let s = 0; s < 4; s++) hit(bar, 2 + s / 4, 'snare', 0.45 + 0.12 * s);
        hit(bar, 3, 'tom-high', 0.9);
        hit(bar, 3.25, 'tom-high', 0.8);
        hit(bar, 3.5, 'tom-mid', 0.9);
        hit(bar, 3.75, 'tom-low', 1);
      }
    } else if (bar < outro.bar) {
      // Chorus: four on the floor, backbeat, sixteenth hats with accents, open hats on the "and"s.
      for (let q = 0; q < 4; q++) hit(bar, q, 'kick', q === 0 ? 1 : 0.9);
      hit(bar, 1, 'snare', 1);
      hit(bar, 3, 'snare', 1);
      if (rng.chance(0.35)) hit(bar, 3.75, 'snare', 0.25);
      for (let s = 0; s < 16; s++) {
        if (s % 4 === 2) continue; // the open hat's place
        hit(bar, s / 4, 'hat-closed', s % 4 === 0 ? 0.75 : 0.3 + 0.15 * rng.next());
      }
      for (let q = 0; q < 4; q++) hit(bar, q + 0.5, 'hat-open', q % 2 === 1 ? 0.6 : 0.5);
      if (bar === chorus.bar || bar === chorus.bar + 4) hit(bar, 0, 'crash', 1);
    } else {
      if (bar === outro.bar) {
        hit(bar, 0, 'crash', 1);
        hit(bar, 0, 'kick', 1);
        hit(bar, 2, 'kick', 0.8);
        for (let e = 0; e < 8; e++) hit(bar, e / 2, 'hat-closed', e % 2 === 0 ? 0.45 : 0.3);
      } else {
        hit(bar, 0, 'kick', 0.9);
        hit(bar, 0, 'crash', 0.7);
      }
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

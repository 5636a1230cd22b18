/**
 * Musical time: note values at a tempo, for tempo-synced delays and LFOs.
 *
 * A note value is written `1/n` (n = 1, 2, 4, 8, 16, 32, 64: whole note to sixty-fourth), with
 * an optional suffix `d` (dotted: 3/2 of its length) or `t` (triplet: 2/3 of its length, three
 * in the time of two). At `bpm` quarter notes per minute a quarter lasts 60000/bpm ms, so
 *
 * ```
 * ms(1/n) = (4/n) · 60000/bpm      ms(1/n d) = 1.5 · ms(1/n)      ms(1/n t) = (2/3) · ms(1/n)
 * ```
 *
 * @example
 * ```ts
 * import { noteToMs, noteToHz } from 'masterbus';
 * noteToMs('1/8d', 120); // 375: a dotted eighth at 120 bpm
 * noteToHz('1/4', 120);  // 2: one cycle per quarter note
 * ```
 * @module
 */
import { checkNumber, checkOneOf } from './validate.js';

/** Every note value {@link noteToMs} accepts: plain, dotted (`d`) and triplet (`t`). */
export const NOTE_VALUES = Object.freeze([
  '1/1', '1/1d', '1/1t',
  '1/2', '1/2d', '1/2t',
  '1/4', '1/4d', '1/4t',
  '1/8', '1/8d', '1/8t',
  '1/16', '1/16d', '1/16t',
  '1/32', '1/32d', '1/32t',
  '1/64', '1/64d', '1/64t',
] as const);

/** One of {@link NOTE_VALUES}. */
export type NoteValue = (typeof NOTE_VALUES)[number];

/** Tempo range in beats (quarter notes) per minute. */
export const BPM_RANGE = Object.freeze({ min: 20, max: 400, unit: 'bpm' });

/**
 * Length of a note value at `bpm` quarter notes per minute, in milliseconds. Throws a
 * `TypeError` for an unknown note value and a `RangeError` for a tempo outside {@link BPM_RANGE}.
 */
export function noteToMs(note: NoteValue, bpm: number, owner = 'noteToMs'): number {
  checkOneOf(owner, 'note', note, NOTE_VALUES);
  checkNumber(owner, 'bpm', bpm, BPM_RANGE);
  const suffix = note[note.length - 1];
  const n = Number(note.slice(2, suffix === 'd' || suffix === 't' ? -1 : undefined));
  const plain = (4 / n) * (60000 / bpm);
  return suffix === 'd' ? plain * 1.5 : suffix === 't' ? (plain * 2) / 3 : plain;
}

/** Frequency of one cycle per note value at `bpm`, in Hz: 1000 / {@link noteToMs}. */
export function noteToHz(note: NoteValue, bpm: number, owner = 'noteToHz'): number {
  return 1000 / noteToMs(note, bpm, owner);
}

/** Note values at a tempo: the closed forms 240000/(n·bpm) ms, × 3/2 dotted, × 2/3 triplet. */
import { describe, expect, it } from 'vitest';
import { NOTE_VALUES, noteToHz, noteToMs, type NoteValue } from '../../src/core/tempo.js';

describe('tempo', () => {
  it('every note value at several tempos equals 240000/(n·bpm) ms times its dot or triplet factor', () => {
    for (const bpm of [20, 60, 97.5, 120, 400]) {
      for (const n of [1, 2, 4, 8, 16, 32, 64]) {
        const plain = 240000 / (n * bpm);
        expect(noteToMs(`1/${n}` as NoteValue, bpm)).toBeCloseTo(plain, 9);
        expect(noteToMs(`1/${n}d` as NoteValue, bpm)).toBeCloseTo(plain * 1.5, 9);
        expect(noteToMs(`1/${n}t` as NoteValue, bpm)).toBeCloseTo((plain * 2) / 3, 9);
      }
    }
    expect(NOTE_VALUES.length).toBe(21);
  });

  it('known values: a quarter at 120 bpm is 500 ms (2 Hz), a dotted eighth 375 ms, an eighth triplet 166.67 ms', () => {
    expect(noteToMs('1/4', 120)).toBe(500);
    expect(noteToHz('1/4', 120)).toBe(2);
    expect(noteToMs('1/8d', 120)).toBe(375);
    expect(noteToMs('1/8t', 120)).toBeCloseTo(500 / 3, 12);
    expect(noteToMs('1/1', 60)).toBe(4000);
  });

  it('rejects unknown note values (TypeError) and tempos out of range (RangeError), naming them', () => {
    expect(() => noteToMs('1/3' as NoteValue, 120)).toThrow(TypeError);
    expect(() => noteToMs('1/3' as NoteValue, 120)).toThrow(/noteToMs\.note must be one of .*got "1\/3"/);
    expect(() => noteToMs('1/4', 10)).toThrow(RangeError);
    expect(() => noteToMs('1/4', NaN)).toThrow(/noteToMs\.bpm must be in \[20, 400\] bpm, got NaN/);
    expect(() => noteToHz('1/4', 401, 'Phaser')).toThrow(/Phaser\.bpm/);
  });
});

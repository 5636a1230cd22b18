/**
 * EBU Tech 3341 (loudness, true peak) and Tech 3342 (loudness range) conformance, with the test
 * signals generated here from the documents' definitions: stereo in-phase 1 kHz sines at 48 kHz
 * unless stated, levels as the sine's peak in dBFS. Tolerances: ±0.1 LU (M, S, I),
 * +0.2 / −0.4 dB (true peak), ±1 LU (LRA).
 *
 * Not reproduced here: Tech 3341 cases 7 and 8 and Tech 3342 cases 5 and 6 are authentic programme
 * excerpts that exist only as EBU files (not available to this project). Cases 20–23 (inter-sample
 * peaks) also exist only as files; they are read from ../shared/ebu/ when present.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LoudnessMeter, measureLoudness } from '../../src/metering/loudness-meter.js';
import { readWav } from '../support/wav.js';

const fs = 48000;

/** Concatenated 1 kHz sine segments [seconds, dBFS | null for silence], continuous phase. */
function tone(segments: [number, number | null][], freq = 1000, rate = fs): Float32Array {
  const total = segments.reduce((n, [sec]) => n + Math.round(sec * rate), 0);
  const x = new Float32Array(total);
  let i = 0;
  for (const [sec, db] of segments) {
    const n = Math.round(sec * rate);
    const a = db === null ? 0 : Math.pow(10, db / 20);
    for (let k = 0; k < n; k++, i++) x[i] = a * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return x;
}

const stereo = (x: Float32Array) => [x, x];
const within = (v: number, target: number, tol: number) => expect(Math.abs(v - target), `${v} vs ${target}`).toBeLessThanOrEqual(tol);

/** Drive a meter in 10 ms blocks, calling `watch` after each. */
function drive(channels: Float32Array[], watch: (m: LoudnessMeter, seconds: number) => void): LoudnessMeter {
  const m = new LoudnessMeter();
  const block = fs / 100;
  m.prepare({ sampleRate: fs, maxBlockSize: block, channels: channels.length });
  for (let p = 0; p + block <= channels[0].length; p += block) {
    m.process(channels.map((c) => c.subarray(p, p + block)));
    watch(m, (p + block) / fs);
  }
  return m;
}

describe('EBU Tech 3341 minimum requirements', () => {
  it('case 1: −23 dBFS, 20 s → M = S = I = −23.0 LUFS', () => {
    const r = measureLoudness(stereo(tone([[20, -23]])), fs);
    for (const v of [r.momentary, r.shortTerm, r.integrated]) within(v, -23, 0.1);
  });

  it('case 2: −33 dBFS, 20 s → M = S = I = −33.0 LUFS', () => {
    const r = measureLoudness(stereo(tone([[20, -33]])), fs);
    for (const v of [r.momentary, r.shortTerm, r.integrated]) within(v, -33, 0.1);
  });

  it('case 3: −36 / −23 / −36 dBFS (10 / 60 / 10 s) → I = −23.0 (relative gate)', () => {
    within(measureLoudness(stereo(tone([[10, -36], [60, -23], [10, -36]])), fs).integrated, -23, 0.1);
  });

  it('case 4: −72 / −36 / −23 / −36 / −72 dBFS → I = −23.0 (absolute and relative gates)', () => {
    within(measureLoudness(stereo(tone([[10, -72], [10, -36], [60, -23], [10, -36], [10, -72]])), fs).integrated, -23, 0.1);
  });

  it('case 5: −26 / −20 / −26 dBFS (20 / 20.1 / 20 s) → I = −23.0', () => {
    within(measureLoudness(stereo(tone([[20, -26], [20.1, -20], [20, -26]])), fs).integrated, -23, 0.1);
  });

  it('case 6: 5.0 channels L R C Ls Rs at −28 −28 −24 −30 −30 dBFS → I = −23.0 (surround weight 1.41)', () => {
    const ch = [-28, -28, -24, -30, -30].map((db) => tone([[20, db]]));
    within(measureLoudness(ch, fs).integrated, -23, 0.1);
  });

  it('case 9: 1.34 s at −20 / 1.66 s at −30 dBFS, ×5 → S = −23.0 constant after 3 s', () => {
    const x = tone(Array.from({ length: 5 }, () => [[1.34, -20], [1.66, -30]] as [number, number][]).flat());
    let checked = 0;
    drive(stereo(x), (m, t) => {
      if (t >= 3 && t <= 15) {
        within(m.shortTerm, -23, 0.1);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(1000);
  });

  it('case 12: 0.18 s at −20 / 0.22 s at −30 dBFS, ×25 → M = −23.0 constant after 1 s', () => {
    const x = tone(Array.from({ length: 25 }, () => [[0.18, -20], [0.22, -30]] as [number, number][]).flat());
    let checked = 0;
    drive(stereo(x), (m, t) => {
      if (t >= 1 && t <= 10) {
        within(m.momentary, -23, 0.1);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(800);
  });

  /** Per-segment maxima of M or S for the burst cases 10, 11, 13, 14. */
  function burstMaxima(segments: [number, number | null][][], read: (m: LoudnessMeter) => number): number[] {
    const bounds: number[] = [];
    let t = 0;
    for (const seg of segments) {
      t += seg.reduce((n, [s]) => n + s, 0);
      bounds.push(t);
    }
    const maxima = segments.map(() => -Infinity);
    drive(stereo(tone(segments.flat())), (m, time) => {
      const i = bounds.findIndex((b) => time <= b + 1e-9);
      if (i >= 0) maxima[i] = Math.max(maxima[i], read(m));
    });
    return maxima;
  }

  it('case 10: 20 segments of i·0.15 s silence, 3 s at −23 dBFS, 1 s silence → each max S = −23.0', () => {
    const segs = Array.from({ length: 20 }, (_, i) => [[0.15 * i, null], [3, -23], [1, null]] as [number, number | null][]);
    for (const v of burstMaxima(segs, (m) => m.shortTerm)) within(v, -23, 0.1);
  });

  it('case 11: 20 segments of i·0.15 s silence, 3 s at −38 + i dBFS, (3 − 0.15·i) s silence → max S = −38 + i', () => {
    const segs = Array.from({ length: 20 }, (_, i) => [[0.15 * i, null], [3, -38 + i], [3 - 0.15 * i, null]] as [number, number | null][]);
    burstMaxima(segs, (m) => m.shortTerm).forEach((v, i) => within(v, -38 + i, 0.1));
  });

  it('case 13: 20 segments of i·20 ms silence, 400 ms at −23 dBFS, 1 s silence → each max M = −23.0', () => {
    const segs = Array.from({ length: 20 }, (_, i) => [[0.02 * i, null], [0.4, -23], [1, null]] as [number, number | null][]);
    for (const v of burstMaxima(segs, (m) => m.momentary)) within(v, -23, 0.1);
  });

  it('case 14: 20 segments of i·20 ms silence, 400 ms at −38 + i dBFS, (400 − 20·i) ms silence → max M = −38 + i', () => {
    const segs = Array.from({ length: 20 }, (_, i) => [[0.02 * i, null], [0.4, -38 + i], [0.4 - 0.02 * i, null]] as [number, number | null][]);
    burstMaxima(segs, (m) => m.momentary).forEach((v, i) => within(v, -38 + i, 0.1));
  });

  /**
   * Tech 3341 true-peak cases: a stereo sine at fs/div with amplitude a and phase offset deg,
   * 1 s long with 10 ms raised-cosine fades in and out (the document gives case 15's fades; an
   * abrupt start would add an onset transient that overshoots).
   */
  function truePeakCase(div: number, amp: number, deg: number): number {
    const n = fs;
    const fade = fs / 100;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const edge = Math.min(i, n - 1 - i);
      const g = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
      x[i] = g * amp * Math.sin((2 * Math.PI * i) / div + (deg * Math.PI) / 180);
    }
    return measureLoudness(stereo(x), fs).truePeak;
  }
  const truePeakWithin = (v: number, target: number) => {
    expect(v, `${v} dBTP`).toBeLessThanOrEqual(target + 0.2);
    expect(v, `${v} dBTP`).toBeGreaterThanOrEqual(target - 0.4);
  };

  it('case 15: fs/4, 0.5, 0° → −6.0 dBTP', () => truePeakWithin(truePeakCase(4, 0.5, 0), -6.02));
  it('case 16: fs/4, 0.5, 45° → −6.0 dBTP', () => truePeakWithin(truePeakCase(4, 0.5, 45), -6.02));
  it('case 17: fs/6, 0.5, 60° → −6.0 dBTP', () => truePeakWithin(truePeakCase(6, 0.5, 60), -6.02));
  it('case 18: fs/8, 0.5, 67.5° → −6.0 dBTP', () => truePeakWithin(truePeakCase(8, 0.5, 67.5), -6.02));
  it('case 19: fs/4, 1.41, 45° → +3.0 dBTP (samples at ±1.0: sample peak 0 dBFS)', () => {
    truePeakWithin(truePeakCase(4, 1.41, 45), 2.98);
  });

  const ebuDir = fileURLToPath(new URL('../../../shared/ebu/', import.meta.url));
  const haveFiles = existsSync(`${ebuDir}seq-3341-20-24bit.wav`);
  if (!haveFiles) console.warn(`[ebu-conformance] SKIPPED cases 20–23: EBU files not found in ${ebuDir}`);
  for (const n of [20, 21, 22, 23]) {
    it.skipIf(!haveFiles)(`case ${n}: official EBU file seq-3341-${n} → 0.0 dBTP`, () => {
      const w = readWav(`${ebuDir}seq-3341-${n}-24bit.wav`);
      truePeakWithin(measureLoudness(w.channels, w.sampleRate).truePeak, 0);
    });
  }
});

describe('EBU Tech 3342 loudness range', () => {
  const cases: [string, [number, number][], number][] = [
    ['case 1: 20 s at −20, 20 s at −30 dBFS', [[20, -20], [20, -30]], 10],
    ['case 2: 20 s at −20, 20 s at −15 dBFS', [[20, -20], [20, -15]], 5],
    ['case 3: 20 s at −40, 20 s at −20 dBFS', [[20, -40], [20, -20]], 20],
    ['case 4: 20 s each at −50, −35, −20, −35, −50 dBFS', [[20, -50], [20, -35], [20, -20], [20, -35], [20, -50]], 15],
  ];
  for (const [name, segs, lra] of cases) {
    it(`${name} → LRA = ${lra} LU`, () => within(measureLoudness(stereo(tone(segs)), fs).lra, lra, 1));
  }
});

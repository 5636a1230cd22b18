/**
 * The demo song (src/cli/demo): determinism, form, levels, and per-stem checks against
 * independent expectations — the key's pitch classes, the chords' tones, a kick's energy between
 * 40 and 100 Hz, hats above 6 kHz, each bar's bass fundamental on its chord root, the voice's first
 * two formants by LPC against Peterson & Barney's table, no clicks on the tonal stems, band-limited
 * oscillators — and the mix: the session loads (also after a JSON round trip), renders, is stereo,
 * has a plausible loudness and ends in silence.
 *
 * One render at 48 kHz is shared by most tests (about 3 s of CPU), the mix by the mix tests (about
 * 4 s); determinism renders three times more at 22.05 kHz.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Mixer } from '../../src/chains/mixer.js';
import { measureLoudness } from '../../src/metering/loudness-meter.js';
import { processorFromJSON } from '../../src/registry.js';
import { A_MINOR_PITCH_CLASSES, DEMO_BPM, DEMO_STEM_NAMES, DEMO_STEM_PEAKS_DB, VOWEL_FORMANTS, demoScore, demoSession, mixDemo, renderDemoStems, type DemoMix, type DemoStems } from '../../src/cli/demo/index.js';
import { renderVoice } from '../../src/cli/demo/instruments.js';
import { BEATS_PER_BAR, voiceLead, type Vowel } from '../../src/cli/demo/score.js';
import { BlepOscillator, Rng, adsrAt } from '../../src/cli/demo/synth.js';
import { dftAmplitude, lineSpectrum, strongestAliasDb } from '../support/spectrum.js';
import { runs } from '../support/signals.js';

const FS = 48000;
let song: DemoStems;
let mixed: DemoMix;

beforeAll(() => {
  song = renderDemoStems();
  mixed = mixDemo(song);
});

const stem = (name: string) => {
  const s = song.stems.find((x) => x.name === name);
  if (!s) throw new Error(`no stem ${name}`);
  return s.audio;
};
const db = (x: number) => 20 * Math.log10(x);
const peakOf = (chs: readonly Float32Array[]) => chs.reduce((m, ch) => ch.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0);

/** Power spectrum of `x` (channels summed in power): the mean of consecutive 8192-point Hann-windowed DFTs (a plain radix-2 FFT written here). */
function powerSpectrum(chs: readonly Float32Array[], n = 8192): Float64Array {
  const p = new Float64Array(n / 2 + 1);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (const x of chs) {
    for (let start = 0; start + n <= x.length; start += n) {
      let energy = 0;
      for (let i = 0; i < n; i++) energy += x[start + i] * x[start + i];
      if (energy === 0) continue;
      for (let i = 0; i < n; i++) {
        re[i] = x[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
        im[i] = 0;
      }
      fft(re, im);
      for (let k = 0; k <= n / 2; k++) p[k] += re[k] * re[k] + im[k] * im[k];
    }
  }
  return p;
}

const twiddles = new Map<number, { c: Float64Array; s: Float64Array }>();
/** In-place iterative radix-2 FFT (Cooley–Tukey). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  let tw = twiddles.get(n);
  if (!tw) {
    tw = { c: new Float64Array(n / 2), s: new Float64Array(n / 2) };
    for (let k = 0; k < n / 2; k++) {
      tw.c[k] = Math.cos((-2 * Math.PI * k) / n);
      tw.s[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    twiddles.set(n, tw);
  }
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const c = tw.c[k * step];
        const s = tw.s[k * step];
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * c - im[b] * s;
        const ti = re[b] * s + im[b] * c;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Share of the spectrum's power between `lo` and `hi` Hz, and its centroid. */
function bandShare(p: Float64Array, lo: number, hi: number, n = 8192): number {
  let inside = 0;
  let total = 0;
  for (let k = 1; k < p.length; k++) {
    const f = (k * FS) / n;
    total += p[k];
    if (f >= lo && f < hi) inside += p[k];
  }
  return inside / total;
}
function centroid(p: Float64Array, n = 8192): number {
  let num = 0;
  let den = 0;
  for (let k = 1; k < p.length; k++) {
    num += ((k * FS) / n) * p[k];
    den += p[k];
  }
  return num / den;
}

describe('renderDemoStems', () => {
  it('rejects bad options with a one-line error naming the option', () => {
    expect(() => renderDemoStems({ sampleRate: 8000 })).toThrow(/renderDemoStems\.sampleRate must be in \[22050, 192000\] Hz, got 8000/);
    expect(() => renderDemoStems({ seed: -1 })).toThrow(/renderDemoStems\.seed/);
    expect(() => renderDemoStems({ seed: 1.5 })).toThrow(/renderDemoStems\.seed must be an integer/);
    expect(() => renderDemoStems({ tempo: 120 } as never)).toThrow(/unknown option "tempo"/);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = renderDemoStems({ sampleRate: 22050, seed: 7 });
    const b = renderDemoStems({ sampleRate: 22050, seed: 7 });
    const c = renderDemoStems({ sampleRate: 22050, seed: 8 });
    for (let s = 0; s < a.stems.length; s++) {
      for (let ch = 0; ch < a.stems[s].audio.length; ch++) {
        expect(Buffer.from(a.stems[s].audio[ch].buffer).equals(Buffer.from(b.stems[s].audio[ch].buffer)), `${a.stems[s].name}[${ch}]`).toBe(true);
      }
      // Every part is performed differently with another seed (noise, velocities, phases, timing).
      expect(Buffer.from(a.stems[s].audio[0].buffer).equals(Buffer.from(c.stems[s].audio[0].buffer)), a.stems[s].name).toBe(false);
    }
    expect(demoScore(7)).toEqual(demoScore(7));
    expect(demoScore(7).drums).not.toEqual(demoScore(8).drums);
  });

  it('is 30–45 s of music at 48 kHz, one stem per track, finite, peaking at its planned level below 0 dBFS', () => {
    expect(song.sampleRate).toBe(FS);
    expect(song.bpm).toBe(DEMO_BPM);
    expect(song.seconds).toBeGreaterThanOrEqual(30);
    expect(song.seconds).toBeLessThanOrEqual(45);
    expect(song.stems.map((s) => s.name)).toEqual([...DEMO_STEM_NAMES]);
    for (const s of song.stems) {
      expect([1, 2]).toContain(s.audio.length);
      for (const ch of s.audio) {
        expect(ch.length).toBe(Math.round(song.seconds * FS));
        expect(ch.every(Number.isFinite), s.name).toBe(true);
      }
      const p = db(peakOf(s.audio));
      expect(p, s.name).toBeLessThan(-1);
      expect(p, s.name).toBeCloseTo(DEMO_STEM_PEAKS_DB[s.name], 2);
    }
    expect(stem('hats').length).toBe(2);
    expect(stem('pad').length).toBe(2);
  });

  it('has a form: the intro has no voice, the chorus has the lead, the voice sings phrases with rests', () => {
    const bar = (b: number) => Math.round(b * BEATS_PER_BAR * (60 / song.bpm) * FS);
    const rms = (x: Float32Array, a: number, b: number) => Math.sqrt(x.subarray(a, b).reduce((s, v) => s + v * v, 0) / (b - a));
    const voice = stem('voice')[0];
    const lead = stem('lead')[0];
    expect(rms(voice, 0, bar(4) - FS / 5)).toBe(0);
    expect(rms(voice, bar(4), bar(12))).toBeGreaterThan(0.01);
    expect(rms(lead, 0, bar(12))).toBe(0);
    expect(rms(lead, bar(12), bar(20))).toBeGreaterThan(0.01);
    // Phrases: rests of a beat or more between them, and breaths (an eighth or more) within.
    const notes = [...song.score.voice].sort((a, b) => a.start - b.start);
    const gaps = notes.slice(1).map((n, i) => n.start - (notes[i].start + notes[i].length));
    expect(gaps.filter((g) => g >= 1).length).toBeGreaterThanOrEqual(3);
    expect(gaps.filter((g) => g >= 0.5).length).toBeGreaterThanOrEqual(8);
    // The pad's low voice leaves the first bars open for the EQ: some energy below 300 Hz (mud).
    const pad = powerSpectrum(stem('pad'));
    expect(bandShare(pad, 90, 300)).toBeGreaterThan(0.2);
  });
});

describe('the stems’ dynamics', () => {
  /** Peak over RMS in dB, the RMS taken over the 100 ms windows where the part plays (above −60 dBFS). */
  function activeCrestDb(chs: readonly Float32Array[]): number {
    const w = FS / 10;
    let energy = 0;
    let frames = 0;
    for (const ch of chs) {
      for (let a = 0; a + w <= ch.length; a += w) {
        let e = 0;
        for (let i = a; i < a + w; i++) e += ch[i] * ch[i];
        if (e / w > 1e-6) {
          energy += e;
          frames += w;
        }
      }
    }
    return db(peakOf(chs) / Math.sqrt(energy / frames));
  }

  it('are uncompressed: percussion far above its RMS, sustained parts less so, all within what recorded parts show', () => {
    // Unprocessed recordings: snare and hat tracks run about 15–25 dB of crest factor, a kick,
    // bass, keys and vocal tracks about 8–16 dB (a compressed or limited part would sit lower).
    for (const name of ['snare', 'hats']) expect(activeCrestDb(stem(name)), name).toBeGreaterThan(15);
    for (const name of ['kick', 'bass', 'pad', 'lead', 'voice']) {
      const c = activeCrestDb(stem(name));
      expect(c, name).toBeGreaterThan(8);
      expect(c, name).toBeLessThan(16);
    }
  });
});

describe('the score', () => {
  const score = demoScore(1);
  it('stays in A natural minor: every pitched note of every part', () => {
    for (const part of [score.pad, score.bass, score.lead, score.voice]) {
      for (const n of part) expect(A_MINOR_PITCH_CLASSES, `MIDI ${n.midi}`).toContain(((n.midi % 12) + 12) % 12);
    }
  });

  it('plays the chord of every bar: each pad note is a tone of every chord it sounds over', () => {
    for (const n of score.pad) {
      for (let bar = Math.floor(n.start / BEATS_PER_BAR); bar * BEATS_PER_BAR < n.start + n.length - 1e-9; bar++) {
        expect(score.chords[bar].tones, `MIDI ${n.midi} in bar ${bar + 1} (${score.chords[bar].name})`).toContain(n.midi % 12);
      }
    }
    // The bass starts every bar it plays on the bar's root.
    for (const n of score.bass) if (n.start % BEATS_PER_BAR === 0) expect(n.midi % 12).toBe(score.chords[n.start / BEATS_PER_BAR].root);
  });

  it('leads the voices: consecutive voicings move by at most a third in each voice (and hold common tones)', () => {
    let prev = voiceLead(score.chords[0], []);
    for (let bar = 1; bar < score.chords.length; bar++) {
      const next = voiceLead(score.chords[bar], prev);
      expect(next.every((v, i) => Math.abs(v - prev[i]) <= 4), `${score.chords[bar - 1].name} → ${score.chords[bar].name}: ${prev} → ${next}`).toBe(true);
      const common = score.chords[bar].tones.filter((t) => score.chords[bar - 1].tones.includes(t));
      for (const t of common) expect(next.filter((v) => v % 12 === t), `common tone ${t}`).toEqual(prev.filter((v) => v % 12 === t));
      prev = next;
    }
  });

  it('swings and humanises the drums, with velocity, and fills the bar before the chorus', () => {
    const kinds = new Set(score.drums.map((d) => d.kind));
    for (const k of ['kick', 'snare', 'hat-closed', 'hat-open', 'crash', 'tom-high', 'tom-mid', 'tom-low']) expect(kinds.has(k as never), k).toBe(true);
    const velocities = new Set(score.drums.map((d) => Math.round(d.velocity * 100)));
    expect(velocities.size).toBeGreaterThan(20);
    const toms = score.drums.filter((d) => d.kind.startsWith('tom'));
    for (const t of toms) expect(Math.floor(t.start / BEATS_PER_BAR)).toBe(11);
    // Off-beat sixteenths land late (swing), on-beats within the ±4 ms humanisation.
    const offsets = score.drums.map((d) => d.start * 4 - Math.round(d.start * 4));
    expect(Math.max(...offsets)).toBeGreaterThan(0.1);
  });
});

describe('the stems against independent expectations', () => {
  it('kick: most energy between 40 and 100 Hz, spectral centroid below 200 Hz', () => {
    const p = powerSpectrum(stem('kick'));
    expect(bandShare(p, 40, 100)).toBeGreaterThan(0.6);
    expect(centroid(p)).toBeLessThan(200);
  });

  it('hats: more than 90 % of their energy above 6 kHz', () => {
    expect(bandShare(powerSpectrum(stem('hats')), 6000, FS / 2 + 1)).toBeGreaterThan(0.9);
  });

  it('snare: a body below 400 Hz and wires above 1.5 kHz, centroid between 1 and 6 kHz', () => {
    const p = powerSpectrum(stem('snare'));
    expect(bandShare(p, 150, 400)).toBeGreaterThan(0.1);
    expect(bandShare(p, 1500, 12000)).toBeGreaterThan(0.3);
    const c = centroid(p);
    expect(c).toBeGreaterThan(1000);
    expect(c).toBeLessThan(6000);
  });

  it('bass: the strongest line below 130 Hz of every bar it plays is its chord root (or its octave)', () => {
    const x = stem('bass')[0];
    const spb = 60 / song.bpm;
    for (let bar = 4; bar < 20; bar++) {
      const a = Math.round(bar * 4 * spb * FS);
      const n = Math.round(1.5 * spb * FS); // the first beat and a half: the root
      const root = song.score.chords[bar].root;
      let best = 0;
      let bestMidi = 0;
      for (let midi = 24; midi < 48; midi++) {
        const amp = dftAmplitude(x, a, n, 440 * 2 ** ((midi - 69) / 12), FS);
        if (amp > best) {
          best = amp;
          bestMidi = midi;
        }
      }
      expect(bestMidi % 12, `bar ${bar + 1} (${song.score.chords[bar].name})`).toBe(root);
    }
  });

  it('pad: in the last beat of every bar the three most salient pitch classes are the bar’s chord', () => {
    const [l, r] = stem('pad');
    const mono = l.map((v, i) => v + r[i]);
    const spb = 60 / song.bpm;
    for (let bar = 0; bar < song.score.bars - 1; bar++) {
      const a = Math.round((bar * 4 + 3) * spb * FS);
      const n = Math.round(spb * FS);
      // Pitch salience by subharmonic summation (Hermes, JASA 83(1), 1988), kept to two harmonics:
      // a pitch's amplitude plus 0.84 × its octave's, so that an overtone (the 5th harmonic of A
      // is a C♯) does not count as a note, nor a sub-fifth (A under E) through the other notes'
      // partials, as it does with three or more. Summed per pitch class over the pad's range, A2–C5.
      const chroma = new Float64Array(12);
      for (let midi = 45; midi <= 72; midi++) {
        const f = 440 * 2 ** ((midi - 69) / 12);
        let salience = 0;
        for (let h = 1; h <= 2; h++) salience += 0.84 ** (h - 1) * dftAmplitude(mono, a, n, h * f, FS);
        chroma[midi % 12] += salience;
      }
      const top = [...chroma.keys()].sort((x, y) => chroma[y] - chroma[x]).slice(0, 3).sort((x, y) => x - y);
      expect(top, `bar ${bar + 1} (${song.score.chords[bar].name})`).toEqual([...song.score.chords[bar].tones].sort((x, y) => x - y));
    }
  });

  /** LPC (autocorrelation method, Levinson–Durbin) formant estimates of `x` at `fs`: the envelope's peaks. */
  function lpcFormants(x: Float64Array, fs: number, order: number): number[] {
    const n = x.length;
    const w = x.map((v, i) => v * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1))));
    const r = new Float64Array(order + 1);
    for (let k = 0; k <= order; k++) for (let i = k; i < n; i++) r[k] += w[i] * w[i - k];
    let a = new Float64Array(order + 1);
    a[0] = 1;
    let e = r[0];
    for (let i = 1; i <= order; i++) {
      let acc = r[i];
      for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
      const k = -acc / e;
      const next = a.slice();
      for (let j = 1; j < i; j++) next[j] = a[j] + k * a[i - j];
      next[i] = k;
      a = next;
      e *= 1 - k * k;
    }
    const env = (f: number) => {
      let re = 0;
      let im = 0;
      for (let k = 0; k <= order; k++) {
        re += a[k] * Math.cos((2 * Math.PI * f * k) / fs);
        im -= a[k] * Math.sin((2 * Math.PI * f * k) / fs);
      }
      return 1 / Math.hypot(re, im);
    };
    const peaks: number[] = [];
    for (let f = 150; f < 4000; f += 5) if (env(f) > env(f - 5) && env(f) > env(f + 5)) peaks.push(f);
    return peaks;
  }

  it.each(['ɑ', 'i', 'u', 'æ', 'ɛ', 'ɔ'] as Vowel[])('voice: /%s/ sung at 110 Hz shows F1 and F2 of Peterson & Barney’s table (LPC)', (vowel) => {
    const out = new Float32Array(FS * 2);
    const ctx = { sampleRate: FS, secondsPerBeat: 0.5, rng: new Rng(3) };
    renderVoice(out, [{ start: 0.2, length: 3, midi: 45, velocity: 1, text: vowel, vowel, onset: '' }], ctx, { breath: 0, vibrato: 0 });
    // 0.5 s of the steady vowel, decimated to 12 kHz (4-sample means), pre-emphasised.
    const seg = out.subarray(FS / 2, FS);
    const dec = new Float64Array(seg.length / 4);
    for (let i = 0; i < dec.length; i++) dec[i] = (seg[4 * i] + seg[4 * i + 1] + seg[4 * i + 2] + seg[4 * i + 3]) / 4;
    const pre = dec.map((v, i) => v - 0.9 * (i > 0 ? dec[i - 1] : 0));
    const [f1, f2] = lpcFormants(pre, FS / 4, 14);
    const [t1, t2] = VOWEL_FORMANTS[vowel].frequencies;
    expect(Math.abs(f1 - t1) / t1, `F1 ${f1} Hz vs ${t1} Hz`).toBeLessThan(0.1);
    expect(Math.abs(f2 - t2) / t2, `F2 ${f2} Hz vs ${t2} Hz`).toBeLessThan(0.05);
  });

  /**
   * Click detector: the largest output of a 24 dB/octave 18 kHz high-pass of `x`, in dB re x's
   * peak. The tonal stems are low-passed, so a step (which has energy at every frequency) stands out.
   */
  function clickDb(x: Float32Array): number {
    // Two cascaded RBJ high-pass biquads, Q = 0.7071.
    const w0 = (2 * Math.PI * 18000) / FS;
    const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
    const cw = Math.cos(w0);
    const a0 = 1 + alpha;
    const b = [(1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0];
    const a = [(-2 * cw) / a0, (1 - alpha) / a0];
    const [b0, b1, b2] = b;
    const [a1, a2] = a;
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0, z1 = 0, z2 = 0;
    let max = 0;
    for (let i = 0; i < x.length; i++) {
      const v = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x[i];
      const w = b0 * v + b1 * y1 + b2 * y2 - a1 * z1 - a2 * z2;
      y2 = y1;
      y1 = v;
      z2 = z1;
      z1 = w;
      if (Math.abs(w) > max) max = Math.abs(w);
    }
    return db(max / peakOf([x]));
  }

  it('has no clicks: the tonal stems hold almost nothing above 18 kHz, where a 1 % step would show', () => {
    for (const name of ['bass', 'pad', 'lead']) for (const ch of stem(name)) expect(clickDb(ch), name).toBeLessThan(-60);
    // The negative control: the bass with one step of 1 % of its peak (decaying over 10 ms).
    const bass = stem('bass')[0].slice();
    const at = Math.round(10 * FS);
    const step = 0.01 * peakOf([bass]);
    for (let i = at; i < at + 2000; i++) bass[i] += step * Math.exp(-(i - at) / 500);
    expect(clickDb(bass)).toBeGreaterThan(-60);
  });

  it('envelopes never jump: |Δenv| per sample stays under the steepest segment’s slope', () => {
    fc.assert(
      fc.property(
        fc.record({ attack: fc.double({ min: 0.001, max: 2, noNaN: true }), decay: fc.double({ min: 0.01, max: 3, noNaN: true }), sustain: fc.double({ min: 0, max: 1, noNaN: true }), release: fc.double({ min: 0.005, max: 3, noNaN: true }) }),
        fc.double({ min: 0.001, max: 4, noNaN: true }),
        (env, length) => {
          const dt = 1 / FS;
          // Slopes: attack π/(2·attack), decay (1 − sustain)/decay, release 2/release (from at most 1).
          const bound = (Math.max(Math.PI / (2 * env.attack), (1 - env.sustain) / env.decay, 2 / env.release) * dt) * 1.0001 + 1e-12;
          let prev = 0;
          for (let t = 0; t < length + env.release + 0.01; t += dt) {
            const v = adsrAt(env, t, length);
            if (!(Math.abs(v - prev) <= bound)) return false;
            prev = v;
          }
          return prev === 0;
        },
      ),
      { numRuns: runs(20, 500) },
    );
  });

  it('band-limits its oscillators: the PolyBLEP sawtooth aliases 20 dB less than the naive one below 8 kHz', () => {
    // 1680 Hz = 7 · 240 Hz: harmonics fall on multiples of 1680 Hz, aliases (48000 − k·1680) between them.
    const f0 = 1680;
    const n = 48000;
    const blep = new BlepOscillator();
    const y = Float32Array.from({ length: n }, () => blep.saw(f0 / FS));
    let phase = 0;
    const naive = Float32Array.from({ length: n }, () => {
      const v = 2 * phase - 1;
      phase = (phase + f0 / FS) % 1;
      return v;
    });
    // The strongest alias below 8 kHz (where aliases are not masked by the top octave), re the fundamental.
    const worstBelow8k = (sig: Float32Array) => {
      const { amplitudes } = lineSpectrum(sig, 0, n, 240, FS);
      let worst = 0;
      for (let k = 1; k * 240 < 8000; k++) if ((k * 240) % f0 !== 0) worst = Math.max(worst, amplitudes[k]);
      return db(worst / amplitudes[f0 / 240]);
    };
    const good = worstBelow8k(y);
    const bad = worstBelow8k(naive);
    expect(good).toBeLessThan(-50);
    expect(good).toBeLessThan(bad - 20);
    // Over the whole band the strongest alias (just below Nyquist, where PolyBLEP is weakest) is still lower.
    expect(strongestAliasDb(y, 0, n, f0, 240, FS).db).toBeLessThan(strongestAliasDb(naive, 0, n, f0, 240, FS).db - 6);
  });
});

describe('the mix', () => {
  it('loads from JSON (also after a round trip) and ties the echo to the song’s tempo', () => {
    const json = demoSession();
    const m = Mixer.fromJSON(JSON.parse(JSON.stringify(json)), processorFromJSON);
    expect(m.trackCount).toBe(DEMO_STEM_NAMES.length);
    const delay = json.session.buses.find((b) => b.name === 'echo')?.inserts as { type: string; params: { bpm: number; note: string } }[];
    expect(delay[0]).toMatchObject({ type: 'Delay', params: { bpm: DEMO_BPM, note: '1/8d' } });
    expect(JSON.stringify(json.session.master)).not.toMatch(/Limiter/);
    expect(() => demoSession({ sampleRate: 1000 })).toThrow(/demoSession\.sampleRate/);
  });

  it('prepares at every sample rate the stems can be rendered at', () => {
    for (const sampleRate of [22050, 44100, 48000, 96000, 192000]) {
      const m = Mixer.fromJSON(demoSession({ sampleRate }), processorFromJSON);
      expect(() => m.prepare({ sampleRate, maxBlockSize: 1024, channels: 2 }), `${sampleRate} Hz`).not.toThrow();
    }
  });

  it('renders the song plus a 2 s tail that fades to silence, finite, below full scale', () => {
    const frames = Math.round(song.seconds * FS) + 2 * FS;
    expect(mixed.mix.length).toBe(2);
    expect(mixed.latency).toBeGreaterThanOrEqual(0);
    for (const ch of mixed.mix) {
      expect(ch.length).toBe(frames);
      expect(ch.every(Number.isFinite)).toBe(true);
      expect(Math.abs(ch[frames - 1])).toBe(0);
      // The last 50 ms are at least 50 dB down on the mix's peak.
      expect(peakOf([ch.subarray(frames - FS / 20)])).toBeLessThan(peakOf(mixed.mix) * 10 ** (-50 / 20));
    }
    expect(db(peakOf(mixed.mix))).toBeLessThan(-1);
  });

  it('is a plausible pre-master: −26…−14 LUFS, stereo (L/R correlation below 0.95)', () => {
    const loud = measureLoudness(mixed.mix, FS);
    expect(loud.integrated).toBeGreaterThan(-26);
    expect(loud.integrated).toBeLessThan(-14);
    const [l, r] = mixed.mix;
    let ll = 0, rr = 0, lr = 0;
    for (let i = 0; i < l.length; i++) {
      ll += l[i] * l[i];
      rr += r[i] * r[i];
      lr += l[i] * r[i];
    }
    const corr = lr / Math.sqrt(ll * rr);
    expect(corr).toBeLessThan(0.95);
    expect(corr).toBeGreaterThan(0.3);
  });

  // Every seed is a performance of the same song: with SOAK=1, a few more seeds at 44.1 kHz go
  // through the whole path (render, mix) and must stay finite, in level and in loudness.
  it.runIf(process.env.SOAK)('holds for other seeds and rates (SOAK)', () => {
    for (const seed of [2, 3, 1000, 65537, 4294967295]) {
      const s = renderDemoStems({ seed, sampleRate: 44100 });
      for (const st of s.stems) expect(db(peakOf(st.audio)), `seed ${seed} ${st.name}`).toBeCloseTo(DEMO_STEM_PEAKS_DB[st.name], 2);
      const { mix } = mixDemo(s);
      expect(mix.every((ch) => ch.every(Number.isFinite)), `seed ${seed}`).toBe(true);
      const loud = measureLoudness(mix, 44100).integrated;
      expect(loud, `seed ${seed}`).toBeGreaterThan(-26);
      expect(loud, `seed ${seed}`).toBeLessThan(-14);
      expect(db(peakOf(mix)), `seed ${seed}`).toBeLessThan(-1);
    }
  });

  it('names a stem that has no track', () => {
    const odd = { ...song, stems: [...song.stems, { name: 'tuba', audio: [new Float32Array(10)] }] };
    expect(() => mixDemo(odd)).toThrow(/mixDemo: stem "tuba" has no track of that name in the session/);
  });
});

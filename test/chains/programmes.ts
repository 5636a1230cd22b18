/**
 * Generated programmes for the mastering tests: music-like, speech-like (bursts with pauses) and
 * sparse material, band-limited (so an independent true-peak reference applies), deterministic
 * from a seed, scaled to a given integrated loudness.
 */
import { measureLoudness } from '../../src/metering/loudness-meter.js';
import { lcg } from '../support/signals.js';

export type ProgrammeKind = 'music' | 'speech' | 'sparse';

/** A two-pole low-pass (RBJ cookbook, Q = 0.707) applied in place: keeps the noise band-limited. */
function lowpass(x: Float32Array, fc: number, fs: number): void {
  const w = (2 * Math.PI * fc) / fs;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const cw = Math.cos(w);
  const a0 = 1 + alpha;
  const b0 = (1 - cw) / 2 / a0;
  const b1 = (1 - cw) / a0;
  const a1 = (-2 * cw) / a0;
  const a2 = (1 - alpha) / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const y = b0 * v + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

/** Music: kick, bass, chords, low-passed hats, sections at different levels (a loudness range). */
function music(seed: number, n: number, fs: number, spreadDb: number): Float32Array[] {
  const r = lcg(seed);
  const out = [new Float32Array(n), new Float32Array(n)];
  const noise = [new Float32Array(n), new Float32Array(n)];
  for (const c of noise) {
    for (let i = 0; i < n; i++) c[i] = r();
    lowpass(c, 9000, fs);
  }
  const sections = Array.from({ length: Math.ceil(n / fs / 4) + 1 }, () => Math.pow(10, (-(spreadDb / 2) * (r() + 1)) / 20));
  const root = 45 + 25 * (r() + 1);
  const tempo = 0.4 + 0.15 * (r() + 1);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const g = sections[Math.floor(t / 4)];
    const beat = t % tempo;
    const kick = Math.exp(-beat * 18) * Math.sin(2 * Math.PI * (50 + 120 * Math.exp(-beat * 30)) * beat);
    const bass = 0.4 * Math.sin(2 * Math.PI * root * t) * (0.7 + 0.3 * Math.sin(2 * Math.PI * 0.25 * t));
    const chord = 0.12 * (Math.sin(2 * Math.PI * root * 4 * t) + Math.sin(2 * Math.PI * root * 5 * t + 1) + Math.sin(2 * Math.PI * root * 6 * t + 2));
    const hat = (t % (tempo / 2) < 0.03 ? 1 : 0.2) * 0.5;
    const hit = Math.floor(t * 4) % 13 === 0 ? 0.5 * Math.sin(2 * Math.PI * (fs / 4) * t + Math.PI / 4) : 0;
    out[0][i] = g * (0.8 * kick + bass + chord + hat * noise[0][i] + hit);
    out[1][i] = g * (0.8 * kick + bass + 0.8 * chord + hat * noise[1][i] + hit);
  }
  return out;
}

/** Speech: voiced bursts (harmonics of a gliding f0 under two formant-ish weights) of 0.2–0.9 s, pauses of 0.1–0.8 s. */
function speech(seed: number, n: number, fs: number): Float32Array[] {
  const r = lcg(seed);
  const x = new Float32Array(n);
  let i = Math.floor(0.2 * fs);
  while (i < n) {
    const len = Math.floor((0.55 + 0.35 * r()) * fs);
    const f0 = 150 + 60 * r();
    const f1 = 500 + 200 * r();
    const f2 = 1500 + 500 * r();
    const amp = 0.5 + 0.3 * r();
    let phase = 0;
    for (let k = 0; k < len && i + k < n; k++) {
      const t = k / len;
      const env = Math.sin(Math.PI * t) ** 0.6 * amp;
      const f = f0 * (1 + 0.15 * Math.sin(2 * Math.PI * 3 * t));
      phase += (2 * Math.PI * f) / fs;
      let v = 0;
      for (let h = 1; h <= 24; h++) {
        const fh = h * f;
        if (fh > 7000) break;
        const w = Math.exp(-(((fh - f1) / 300) ** 2)) + 0.5 * Math.exp(-(((fh - f2) / 500) ** 2)) + 0.05;
        v += (w / h ** 0.5) * Math.sin(h * phase);
      }
      x[i + k] = 0.3 * env * v;
    }
    i += len + Math.floor((0.45 + 0.35 * r()) * fs);
  }
  return [x, x.slice()];
}

/** Sparse: mostly silence, a few decaying plucked notes. */
function sparse(seed: number, n: number, fs: number): Float32Array[] {
  const r = lcg(seed);
  const out = [new Float32Array(n), new Float32Array(n)];
  for (let start = Math.floor(0.3 * fs); start < n; start += Math.floor((1.2 + 0.8 * r()) * fs)) {
    const f = 200 * 2 ** (r() + 1);
    const pan = 0.5 + 0.4 * r();
    for (let k = 0; k < 0.8 * fs && start + k < n; k++) {
      const t = k / fs;
      const v = Math.exp(-t * 6) * (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(2 * Math.PI * 2 * f * t) + 0.1 * Math.sin(2 * Math.PI * 5 * f * t));
      out[0][start + k] += pan * v;
      out[1][start + k] += (1 - pan) * v;
    }
  }
  return out;
}

/**
 * A programme of `kind`, `seconds` long at `fs`, scaled to `lufs` integrated (BS.1770). Music's
 * 4 s sections vary in level by up to `spreadDb` (16 dB: an LRA of about 10–13 LU; 6 dB: about 4–5).
 */
export function programme(kind: ProgrammeKind, seed: number, seconds: number, fs: number, lufs: number, spreadDb = 16): Float32Array[] {
  const n = Math.round(seconds * fs);
  const x = kind === 'music' ? music(seed, n, fs, spreadDb) : kind === 'speech' ? speech(seed, n, fs) : sparse(seed, n, fs);
  const l = measureLoudness(x, fs, { truePeak: false }).integrated;
  const g = 10 ** ((lufs - l) / 20);
  for (const c of x) for (let i = 0; i < n; i++) c[i] *= g;
  return x;
}

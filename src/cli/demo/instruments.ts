/**
 * The demo song's instruments: each renders its part of the score (score.ts) into the arrays of a
 * stem, adding to what is there. Drums are synthesised the way analogue drum machines make them
 * (a pitch-swept sine for the kick, tone plus filtered noise for the snare, high-passed noise for
 * the hats); the bass, pad and lead are subtractive synthesisers over band-limited oscillators;
 * the voice is a source–filter formant synthesiser (Klatt 1980's cascade branch: a band-limited
 * glottal pulse train through five formant resonators, with aspiration noise).
 *
 * Every envelope is continuous (see {@link adsrAt}) and every note starts and ends at zero, so the
 * stems have no clicks (tested: the tonal stems hold nothing above 18 kHz where a 1 % step would
 * show, and the envelopes' per-sample change never exceeds their steepest segment's slope).
 *
 * @module
 */
import { VOWEL_FORMANTS } from './formants.js';
import type { DrumHit, Note, SungNote } from './score.js';
import { Blit, BlepOscillator, Resonator, Rng, Svf, adsrAt, midiToHz, polyBlep, type Adsr } from './synth.js';

/** What every instrument needs: where beats fall and the sample rate. */
export interface RenderContext {
  readonly sampleRate: number;
  /** Seconds per beat (60 / bpm). */
  readonly secondsPerBeat: number;
  /** The random source (noise, phases, small variations). */
  readonly rng: Rng;
  /** Waveforms rendered once and reused (the kick's and snare's pitched bodies), by name. */
  readonly cache?: Map<string, Float32Array>;
}

/** A waveform from the context's cache, made on first use (without a cache, made every time). */
function cached(ctx: RenderContext, name: string, make: () => Float32Array): Float32Array {
  let w = ctx.cache?.get(name);
  if (w === undefined) {
    w = make();
    ctx.cache?.set(name, w);
  }
  return w;
}

const TWO_PI = 2 * Math.PI;

/** The frame a beat falls on. */
function frameOf(ctx: RenderContext, beat: number): number {
  return Math.round(beat * ctx.secondsPerBeat * ctx.sampleRate);
}

/** A raised-cosine ramp from 0 at `t = 0` to 1 at `t = width` (seconds). */
function fadeIn(t: number, width: number): number {
  return t >= width ? 1 : t <= 0 ? 0 : 0.5 - 0.5 * Math.cos((Math.PI * t) / width);
}

// ---------------------------------------------------------------------------------------------
// Drums

/**
 * A kick: a sine whose pitch falls from about 170 Hz to 50 Hz in a few tens of milliseconds (the
 * TR-808/909 bridged-T recipe), gently saturated, with a 4 ms band-passed noise click on top.
 */
export function renderKick(out: Float32Array, start: number, velocity: number, ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const body = cached(ctx, 'kick', () => {
    const b = new Float32Array(Math.round(0.5 * fs));
    let phase = 0;
    const drive = 1.6;
    const norm = 1 / Math.tanh(drive);
    for (let n = 0; n < b.length; n++) {
      const t = n / fs;
      phase += (50 + 120 * Math.exp(-t / 0.028)) / fs;
      const env = fadeIn(t, 0.0015) * Math.exp(-t / 0.16) * (1 - fadeIn(t - 0.44, 0.06));
      b[n] = 0.9 * env * Math.tanh(drive * Math.sin(TWO_PI * phase)) * norm;
    }
    return b;
  });
  const length = Math.min(body.length, out.length - start);
  const clickLength = Math.min(Math.round(0.03 * fs), length);
  const click = new Svf();
  click.setup(3500, 0.8, fs);
  const decay = Math.exp(-1 / (0.004 * fs));
  let e = 0.35;
  for (let n = 0; n < clickLength; n++) {
    out[start + n] += velocity * click.bandpass(ctx.rng.bipolar()) * fadeIn(n / fs, 0.0005) * e;
    e *= decay;
  }
  for (let n = 0; n < length; n++) out[start + n] += velocity * body[n];
}

/** A snare: two decaying partials of the drum head (185 and 330 Hz) and band-limited noise for the wires. */
export function renderSnare(out: Float32Array, start: number, velocity: number, ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const head = cached(ctx, 'snare', () => {
    const b = new Float32Array(Math.round(0.4 * fs));
    let p1 = 0;
    let p2 = 0;
    for (let n = 0; n < b.length; n++) {
      const t = n / fs;
      const drop = 1 + 0.15 * Math.exp(-t / 0.02);
      p1 += (185 * drop) / fs;
      p2 += (330 * drop) / fs;
      b[n] = 0.7 * (0.6 * Math.sin(TWO_PI * p1) + 0.35 * Math.sin(TWO_PI * p2)) * Math.exp(-t / 0.045);
    }
    return b;
  });
  const length = Math.min(head.length, out.length - start);
  const hp = new Svf();
  const lp = new Svf();
  hp.setup(1500, 0.7, fs);
  lp.setup(9000, 0.7, fs);
  const decay = Math.exp(-1 / (0.11 * fs));
  let e = 0.9;
  for (let n = 0; n < length; n++) {
    const t = n / fs;
    const wires = lp.lowpass(hp.highpass(ctx.rng.bipolar())) * e;
    e *= decay;
    const env = fadeIn(t, 0.0008) * (1 - fadeIn(t - 0.34, 0.06));
    out[start + n] += velocity * env * (head[n] + wires);
  }
}

/** A tom: a sine falling a fifth onto `hz`, with a short noise attack. */
export function renderTom(out: Float32Array, start: number, hz: number, velocity: number, ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const length = Math.min(Math.round(0.6 * fs), out.length - start);
  const bp = new Svf();
  bp.setup(2500, 0.7, fs);
  let phase = 0;
  for (let n = 0; n < length; n++) {
    const t = n / fs;
    phase += (hz * (1 + 0.5 * Math.exp(-t / 0.04))) / fs;
    const env = fadeIn(t, 0.001) * Math.exp(-t / 0.2) * (1 - fadeIn(t - 0.54, 0.06));
    const stick = bp.bandpass(ctx.rng.bipolar()) * Math.exp(-t / 0.006);
    out[start + n] += velocity * (env * Math.sin(TWO_PI * phase) + 0.25 * stick * fadeIn(t, 0.0005));
  }
}

/**
 * Hats and crash into a stereo pair: white noise under a closed (35 ms), open (350 ms, choked by
 * the next hat) or crash (1.6 s) envelope, then high-passed: hats at 7 kHz (24 dB/octave: two SVF
 * sections), the crash at 4 kHz. The hats sit a little right, the crash is wide (decorrelated noise).
 */
export function renderCymbals(out: readonly Float32Array[], hits: readonly DrumHit[], ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const frames = out[0].length;
  const hats = new Float32Array(frames);
  const crash = [new Float32Array(frames), new Float32Array(frames)];
  const hatHits = hits.filter((h) => h.kind === 'hat-closed' || h.kind === 'hat-open');
  hatHits.forEach((h, i) => {
    const start = frameOf(ctx, h.start);
    const open = h.kind === 'hat-open';
    const tau = open ? 0.35 : 0.035;
    const natural = open ? 1.2 : 0.2;
    // Choke: the next hat closes an open one (a 10 ms fade starting where it strikes).
    const next = i + 1 < hatHits.length ? (frameOf(ctx, hatHits[i + 1].start) - start) / fs : Infinity;
    const end = Math.min(natural, next + 0.01);
    const length = Math.min(Math.round(end * fs), frames - start);
    const decay = Math.exp(-1 / (tau * fs));
    let e = h.velocity;
    for (let n = 0; n < length; n++) {
      const t = n / fs;
      hats[start + n] += e * fadeIn(t, 0.0004) * (1 - fadeIn(t - (end - 0.01), 0.01)) * ctx.rng.bipolar();
      e *= decay;
    }
  });
  for (const h of hits) {
    if (h.kind !== 'crash') continue;
    const start = frameOf(ctx, h.start);
    const length = Math.min(Math.round(2.2 * fs), frames - start);
    const decay = Math.exp(-1 / (0.6 * fs));
    let e = h.velocity;
    for (let n = 0; n < length; n++) {
      const t = n / fs;
      const env = e * fadeIn(t, 0.001) * (1 - fadeIn(t - 2.1, 0.1));
      e *= decay;
      crash[0][start + n] += env * ctx.rng.bipolar();
      crash[1][start + n] += env * ctx.rng.bipolar();
    }
  }
  const a = new Svf();
  const b = new Svf();
  a.setup(7000, 0.7, fs);
  b.setup(7000, 0.7, fs);
  const c0 = new Svf();
  const c1 = new Svf();
  c0.setup(4000, 0.7, fs);
  c1.setup(4000, 0.7, fs);
  for (let n = 0; n < frames; n++) {
    const hat = b.highpass(a.highpass(hats[n]));
    out[0][n] += 0.75 * hat + 0.45 * c0.highpass(crash[0][n]);
    out[1][n] += 1.0 * hat + 0.45 * c1.highpass(crash[1][n]);
  }
}

// ---------------------------------------------------------------------------------------------
// Bass and pad

/**
 * The bass: a sub sine and a PolyBLEP sawtooth at the note's pitch, the saw through a resonant (Q 2.2) low-pass whose cutoff jumps up with each note and decays in 120 ms
 * (the classic filter envelope), and an amplitude ADSR.
 */
export function renderBass(out: Float32Array, notes: readonly Note[], ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const env: Adsr = { attack: 0.004, decay: 0.25, sustain: 0.75, release: 0.05 };
  const filter = new Svf();
  const osc = new BlepOscillator();
  for (const note of notes) {
    const start = frameOf(ctx, note.start);
    const seconds = note.length * ctx.secondsPerBeat;
    const length = Math.min(Math.round((seconds + env.release) * fs), out.length - start);
    const f = midiToHz(note.midi);
    const dt = f / fs;
    // Free-running oscillators: the phase is where it would be had it run since frame 0, so
    // repeated notes of one pitch stay phase-coherent (a steady line, as on an analogue synth).
    const phase0 = (f * start) / fs - Math.floor((f * start) / fs);
    osc.phase = phase0;
    let sub = phase0;
    for (let n = 0; n < length; n++) {
      const t = n / fs;
      if ((n & 3) === 0) filter.setup(90 + 2.5 * f + note.velocity * 1600 * Math.exp(-t / 0.12), 2.2, fs);
      const saw = filter.lowpass(osc.saw(dt));
      sub += dt;
      const a = adsrAt(env, t, seconds);
      out[start + n] += note.velocity * a * (0.6 * Math.sin(TWO_PI * sub) + 0.45 * saw);
    }
  }
}

/**
 * The pad: every chord tone as four PolyBLEP sawtooths detuned by −12, −4, +5 and +13 cents (two
 * mostly left, two mostly right: a wide, moving stereo image), a slow ADSR (0.6 s attack, 1.2 s release),
 * and a gently resonant low-pass per channel whose cutoff breathes between 1.3 and 2.6 kHz.
 */
export function renderPad(out: readonly Float32Array[], notes: readonly Note[], ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const frames = out[0].length;
  const env: Adsr = { attack: 0.6, decay: 1.5, sustain: 0.8, release: 1.2 };
  const detune = [-12, -4, 5, 13];
  const left = [1, 0.15, 0.9, 0.1];
  const right = [0.1, 0.9, 0.15, 1];
  const raw = [new Float32Array(frames), new Float32Array(frames)];
  for (const note of notes) {
    const start = frameOf(ctx, note.start);
    const seconds = note.length * ctx.secondsPerBeat;
    const length = Math.min(Math.round((seconds + env.release) * fs), frames - start);
    const [d0, d1, d2, d3] = detune.map((c) => midiToHz(note.midi + c / 100) / fs);
    // Four sawtooths inline (phases in locals: this loop is the song's hottest).
    let p0 = ctx.rng.next();
    let p1 = ctx.rng.next();
    let p2 = ctx.rng.next();
    let p3 = ctx.rng.next();
    const g = 0.25 * note.velocity;
    const [l0, l1, l2, l3] = left;
    const [r0, r1, r2, r3] = right;
    const outL = raw[0];
    const outR = raw[1];
    // The envelope at every 16th sample, linearly interpolated between (it moves slowly).
    let a0 = 0;
    let a1 = 0;
    for (let n = 0; n < length; n++) {
      const r = n & 15;
      if (r === 0) {
        a0 = n === 0 ? 0 : a1;
        a1 = g * adsrAt(env, (n + 16) / fs, seconds);
      }
      const a = a0 + (a1 - a0) * (r * 0.0625);
      const s0 = 2 * p0 - 1 - polyBlep(p0, d0);
      const s1 = 2 * p1 - 1 - polyBlep(p1, d1);
      const s2 = 2 * p2 - 1 - polyBlep(p2, d2);
      const s3 = 2 * p3 - 1 - polyBlep(p3, d3);
      p0 += d0;
      if (p0 >= 1) p0 -= 1;
      p1 += d1;
      if (p1 >= 1) p1 -= 1;
      p2 += d2;
      if (p2 >= 1) p2 -= 1;
      p3 += d3;
      if (p3 >= 1) p3 -= 1;
      outL[start + n] += a * (l0 * s0 + l1 * s1 + l2 * s2 + l3 * s3);
      outR[start + n] += a * (r0 * s0 + r1 * s1 + r2 * s2 + r3 * s3);
    }
  }
  const fl = new Svf();
  const fr = new Svf();
  for (let n = 0; n < frames; n++) {
    if ((n & 15) === 0) {
      const t = n / fs;
      const cutoff = 1300 * Math.pow(2, 0.5 + 0.5 * Math.sin(TWO_PI * 0.09 * t));
      fl.setup(cutoff, 1.1, fs);
      fr.setup(cutoff * 1.04, 1.1, fs);
    }
    out[0][n] += fl.lowpass(raw[0][n]);
    out[1][n] += fr.lowpass(raw[1][n]);
  }
}

// ---------------------------------------------------------------------------------------------
// Monophonic lines: lead and voice

/** Notes grouped into legato phrases (a note starting within 0.01 beat of the last one's end). */
function phrases<T extends Note>(notes: readonly T[]): T[][] {
  const out: T[][] = [];
  for (const n of [...notes].sort((a, b) => a.start - b.start)) {
    const cur = out[out.length - 1];
    const last = cur?.[cur.length - 1];
    if (last && n.start - (last.start + last.length) < 0.01) cur.push(n);
    else out.push([n]);
  }
  return out;
}

/** Vibrato depth that fades in from 0 over 0.3 s, starting 0.15 s into a note (as singers do). */
function vibratoDepth(sinceOnset: number, depth: number): number {
  return depth * fadeIn(sinceOnset - 0.15, 0.3);
}

/**
 * The lead: a sawtooth and a square (PolyBLEP, the square an octave down at 40 %) with portamento
 * (a 40 ms exponential glide between legato notes), delayed vibrato (5.6 Hz, ±0.25 semitone), a
 * low-pass that opens with each note, and one envelope per legato phrase.
 */
export function renderLead(out: Float32Array, notes: readonly Note[], ctx: RenderContext): void {
  const fs = ctx.sampleRate;
  const env: Adsr = { attack: 0.012, decay: 0.4, sustain: 0.85, release: 0.18 };
  const saw = new BlepOscillator();
  const sq = new BlepOscillator();
  const filter = new Svf();
  const glide = 1 - Math.exp(-1 / (0.04 * fs));
  const level = 1 - Math.exp(-1 / (0.015 * fs));
  const bright = 1 - Math.exp(-8 / (0.003 * fs));
  for (const phrase of phrases(notes)) {
    const start = frameOf(ctx, phrase[0].start);
    const last = phrase[phrase.length - 1];
    const seconds = (last.start + last.length - phrase[0].start) * ctx.secondsPerBeat;
    const length = Math.min(Math.round((seconds + env.release) * fs), out.length - start);
    const onsets = phrase.map((n) => frameOf(ctx, n.start) - start);
    let k = 0;
    let pitch = phrase[0].midi;
    let vel = phrase[0].velocity;
    let vibPhase = 0;
    let cutoff = midiToHz(pitch) * 3 + 2800;
    let f = 0;
    saw.phase = 0;
    sq.phase = 0.25;
    for (let n = 0; n < length; n++) {
      while (k + 1 < phrase.length && n >= onsets[k + 1]) k++;
      const note = phrase[k];
      const since = (n - onsets[k]) / fs;
      pitch += (note.midi - pitch) * glide;
      vel += (note.velocity - vel) * level;
      vibPhase += 5.6 / fs;
      if ((n & 7) === 0) {
        f = midiToHz(pitch + vibratoDepth(since, 0.25) * Math.sin(TWO_PI * vibPhase));
        // The filter envelope restarts with each note; its cutoff follows through a 3 ms one-pole,
        // so a legato note brightens at once but without a spectral click.
        cutoff += (f * 3 + 2800 * Math.exp(-since / 0.3) - cutoff) * bright;
        filter.setup(cutoff, 1.2, fs);
      }
      const x = 0.6 * saw.saw(f / fs) + 0.4 * sq.square((0.5 * f) / fs);
      out[start + n] += vel * adsrAt(env, n / fs, seconds) * filter.lowpass(x);
    }
  }
}

/** Options of {@link renderVoice}: pitch drift and breathiness. */
export interface VoiceOptions {
  /** Aspiration noise relative to the voiced source (breathiness). @defaultValue 0.06 */
  breath: number;
  /** Vibrato depth in semitones. @defaultValue 0.3 */
  vibrato: number;
}

/**
 * The singer: a source–filter formant synthesiser (Klatt 1980, cascade branch).
 *
 * Source: a band-limited impulse train (Stilson & Smith 1996) at f0, shaped into glottal flow by
 * two real poles at 150 Hz (−12 dB/octave above them) and differentiated for the lip radiation
 * (+6 dB/octave): the classic −6 dB/octave voiced source of Rabiner & Schafer's digital model of
 * speech production. Aspiration noise, stronger while the glottis opens, adds breath; syllables
 * with `h` start with aspiration only, with `s` with a hiss band-passed to 5–11 kHz.
 *
 * Filter: five Klatt resonators in cascade at the vowel's formants (formants.ts, Peterson & Barney
 * 1952), gliding to each syllable's vowel with a 45 ms time constant. Pitch: portamento between
 * legato notes, vibrato (5.2 Hz) fading in after each onset, and a slow random drift of a few cents.
 */
export function renderVoice(out: Float32Array, notes: readonly SungNote[], ctx: RenderContext, options: Partial<VoiceOptions> = {}): void {
  const fs = ctx.sampleRate;
  const breath = options.breath ?? 0.06;
  const vibrato = options.vibrato ?? 0.3;
  const env: Adsr = { attack: 0.05, decay: 0.5, sustain: 0.9, release: 0.22 };
  const glide = 1 - Math.exp(-1 / (0.05 * fs));
  const smooth = 1 - Math.exp(-1 / (0.045 * fs));
  const level = 1 - Math.exp(-1 / (0.02 * fs));
  const pole = Math.exp((-TWO_PI * 150) / fs);
  const res = [new Resonator(), new Resonator(), new Resonator(), new Resonator(), new Resonator()];
  const hiss = new Svf();
  const hissTop = new Svf();
  hiss.setup(5000, 0.7, fs);
  hissTop.setup(11000, 0.7, fs);
  const lead = 0.09; // consonants start this many seconds before the beat
  for (const phrase of phrases(notes)) {
    const first = phrase[0];
    const startBeat = first.start;
    const start = Math.max(0, frameOf(ctx, startBeat) - Math.round(lead * fs));
    const voiceStart = frameOf(ctx, startBeat) - start;
    const last = phrase[phrase.length - 1];
    const seconds = (last.start + last.length - startBeat) * ctx.secondsPerBeat;
    const length = Math.min(voiceStart + Math.round((seconds + env.release) * fs), out.length - start);
    const onsets = phrase.map((n) => frameOf(ctx, n.start) - start);
    const blit = new Blit();
    let k = 0;
    let pitch = first.midi;
    let vel = first.velocity;
    let vibPhase = ctx.rng.next();
    let drift = 0;
    let driftTarget = 0;
    let g1 = 0;
    let g2 = 0;
    let prevFlow = 0;
    const formants = VOWEL_FORMANTS[first.vowel].frequencies.slice();
    const bws = VOWEL_FORMANTS[first.vowel].bandwidths;
    let glottalPhase = 0;
    let dt = 0;
    let envelope = 0;
    for (let n = 0; n < length; n++) {
      while (k + 1 < phrase.length && n >= onsets[k + 1] - Math.round(0.03 * fs)) k++;
      const note = phrase[k];
      const since = (n - onsets[k]) / fs;
      pitch += (note.midi - pitch) * glide;
      vel += (note.velocity - vel) * level;
      if ((n & 4095) === 0) driftTarget = 0.06 * ctx.rng.bipolar();
      drift += (driftTarget - drift) * 0.0005;
      vibPhase += 5.2 / fs;
      // The pitch (glide, drift, vibrato: all slow) is evaluated every 8 samples.
      if ((n & 7) === 0) dt = midiToHz(pitch + drift + vibratoDepth(since, vibrato) * Math.sin(TWO_PI * vibPhase)) / fs;
      glottalPhase += dt;
      if (glottalPhase >= 1) glottalPhase -= 1;
      // The formants glide toward the syllable's vowel (updated every 16 samples).
      if ((n & 15) === 0) {
        const target = VOWEL_FORMANTS[note.vowel].frequencies;
        const a = 1 - Math.pow(1 - smooth, 16);
        for (let j = 0; j < 5; j++) {
          formants[j] += (target[j] - formants[j]) * a;
          res[j].setup(formants[j], bws[j], fs);
        }
      }
      // Voicing: the phrase envelope from the first beat, dipped 35 % around each later syllable's onset.
      const tv = (n - voiceStart) / fs;
      if ((n & 7) === 0 || tv < env.attack || tv > seconds) envelope = adsrAt(env, tv, seconds);
      let voiced = envelope;
      for (let j = k; j <= k + 1 && j < phrase.length; j++) {
        if (j === 0) continue;
        const d = Math.abs(n - onsets[j]) / fs;
        if (d < 0.04) voiced *= 1 - 0.35 * (0.5 + 0.5 * Math.cos((Math.PI * d) / 0.04));
      }
      // Glottal flow (two poles) and its derivative (radiation).
      const pulse = blit.next(dt);
      g1 = pole * g1 + (1 - pole) * pulse;
      g2 = pole * g2 + (1 - pole) * g1;
      const source = (g2 - prevFlow) * 2600;
      prevFlow = g2;
      // How open the glottis is: 1 at the pulse, 0 half a period later (a triangle).
      const open = glottalPhase < 0.5 ? 1 - 2 * glottalPhase : 2 * glottalPhase - 1;
      const noise = ctx.rng.bipolar();
      // Onset consonants: `h` (aspiration through the tract) and `s` (a hiss beside it), each in the
      // 90 ms before its syllable's beat, rising then falling (a half sine).
      let aspiration = breath * (0.4 + 0.6 * open) * voiced;
      let sibilance = 0;
      for (let j = k; j <= k + 1 && j < phrase.length; j++) {
        const c = phrase[j].onset;
        if (c === '') continue;
        const u = (n - (onsets[j] - Math.round(lead * fs))) / (lead * fs);
        if (u <= 0 || u >= 1) continue;
        const shape = Math.sin(Math.PI * u);
        if (c === 'h') aspiration += 0.3 * shape * phrase[j].velocity;
        else sibilance += 0.35 * shape * phrase[j].velocity;
      }
      let y = vel * (voiced * source + aspiration * noise);
      for (let j = 0; j < 5; j++) y = res[j].next(y);
      out[start + n] += y + sibilance * hissTop.lowpass(hiss.highpass(noise));
    }
  }
}

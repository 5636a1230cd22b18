/**
 * `renderDemoStems()`: the demo song (score.ts) played by its instruments (instruments.ts) into
 * one array set per Mixer track. Deterministic for a seed.
 *
 * @module
 */
import { checkKnownKeys, checkNumber, checkObject } from '../../core/validate.js';
import { renderBass, renderCymbals, renderKick, renderLead, renderPad, renderSnare, renderTom, renderVoice, type RenderContext } from './instruments.js';
import { BEATS_PER_BAR, demoScore, type DemoScore } from './score.js';
import { Rng, normalizePeak } from './synth.js';

/** One stem: the Mixer track's name and its channels (one: mono, two: stereo). */
export interface DemoStem {
  name: string;
  audio: Float32Array[];
}

/** The rendered song. */
export interface DemoStems {
  sampleRate: number;
  bpm: number;
  /** Length of the song in seconds (every stem is `round(seconds · sampleRate)` frames long). */
  seconds: number;
  stems: DemoStem[];
  /** The score the stems play (chords, notes, lyrics, drum hits). */
  score: DemoScore;
}

/** Options of {@link renderDemoStems}. */
export interface DemoStemsOptions {
  /** Sample rate in Hz, [22050, 192000]. @defaultValue 48000 */
  sampleRate: number;
  /** Seed of the performance (velocities, timing, ghost notes, noise), an integer in [0, 2³²). @defaultValue 1 */
  seed: number;
}

/**
 * Peak level of each stem in dBFS: headroom below full scale, as a recording engineer leaves it
 * (the kick and voice highest, the hats quietest), so the mix's faders start near 0 dB.
 */
export const DEMO_STEM_PEAKS_DB: Readonly<Record<string, number>> = Object.freeze({
  kick: -3,
  snare: -4,
  hats: -9,
  bass: -4,
  pad: -6,
  lead: -6,
  voice: -3,
});

/** The stems' names in the order they are returned (the demo session's track order). */
export const DEMO_STEM_NAMES = Object.freeze(['kick', 'snare', 'hats', 'bass', 'pad', 'lead', 'voice'] as const);

const OWNER = 'renderDemoStems';

/**
 * Render the demo song: about 42.6 s of music in A minor at 124 BPM (intro, verse, chorus, outro),
 * as seven stems named after the demo session's tracks: `kick`, `snare` (with the toms of the
 * fill), `hats` (with the crash; stereo), `bass`, `pad` (stereo), `lead` and `voice`. Mono stems
 * hold one channel. Each stem peaks at its {@link DEMO_STEM_PEAKS_DB} level.
 *
 * Usage: `const { mix } = mixDemo(renderDemoStems({ seed: 7 }))`.
 *
 * @throws `RangeError` naming the option for a sample rate or seed out of range.
 */
export function renderDemoStems(options: Partial<DemoStemsOptions> = {}): DemoStems {
  const o = checkObject(OWNER, 'options', options);
  checkKnownKeys(OWNER, o, ['sampleRate', 'seed']);
  const sampleRate = o.sampleRate === undefined ? 48000 : checkNumber(OWNER, 'sampleRate', o.sampleRate, { min: 22050, max: 192000, unit: 'Hz' });
  const seed = o.seed === undefined ? 1 : checkNumber(OWNER, 'seed', o.seed, { min: 0, max: 2 ** 32 - 1 });
  if (!Number.isInteger(seed)) throw new RangeError(`${OWNER}.seed must be an integer in [0, 4294967295], got ${seed}`);
  const score = demoScore(seed);
  const secondsPerBeat = 60 / score.bpm;
  const seconds = score.bars * BEATS_PER_BAR * secondsPerBeat;
  const frames = Math.round(seconds * sampleRate);
  // One random stream per instrument, so that a change to one part leaves the others as they were.
  const cache = new Map<string, Float32Array>();
  const ctx = (k: number): RenderContext => ({ sampleRate, secondsPerBeat, rng: new Rng((Math.imul(seed, 0x9e3779b1) + Math.imul(k, 0x85ebca6b)) >>> 0), cache });
  const mono = () => [new Float32Array(frames)];
  const stereo = () => [new Float32Array(frames), new Float32Array(frames)];

  const kick = mono();
  const snare = mono();
  const hats = stereo();
  const drumCtx = ctx(1);
  const at = (beat: number) => Math.round(beat * secondsPerBeat * sampleRate);
  const toms = { 'tom-high': 196, 'tom-mid': 147, 'tom-low': 110 } as const;
  for (const hit of score.drums) {
    const start = at(hit.start);
    if (start >= frames) continue;
    if (hit.kind === 'kick') renderKick(kick[0], start, hit.velocity, drumCtx);
    else if (hit.kind === 'snare') renderSnare(snare[0], start, hit.velocity, drumCtx);
    else if (hit.kind === 'tom-high' || hit.kind === 'tom-mid' || hit.kind === 'tom-low') renderTom(snare[0], start, toms[hit.kind], hit.velocity, drumCtx);
  }
  renderCymbals(hats, score.drums, ctx(2));
  const bass = mono();
  renderBass(bass[0], score.bass, ctx(3));
  const pad = stereo();
  renderPad(pad, score.pad, ctx(4));
  const lead = mono();
  renderLead(lead[0], score.lead, ctx(5));
  const voice = mono();
  renderVoice(voice[0], score.voice, ctx(6));

  const stems: DemoStem[] = [
    { name: 'kick', audio: kick },
    { name: 'snare', audio: snare },
    { name: 'hats', audio: hats },
    { name: 'bass', audio: bass },
    { name: 'pad', audio: pad },
    { name: 'lead', audio: lead },
    { name: 'voice', audio: voice },
  ];
  for (const s of stems) normalizePeak(s.audio, DEMO_STEM_PEAKS_DB[s.name]);
  return { sampleRate, bpm: score.bpm, seconds: frames / sampleRate, stems, score };
}

/**
 * `demoSession()`: the mix of the demo song as a saved Mixer session (what `Mixer.toJSON()` writes
 * and `Mixer.fromJSON(json, processorFromJSON)` reads), built as plain data.
 *
 * The mix, as an engineer would set it up:
 * - kick, snare and hats are grouped on a `drums` bus (glue compression, a little parallel tape
 *   saturation, and a low-pass that opens over the intro: the classic filtered drum intro);
 * - each track has its corrective EQ (high-passes against rumble, the pad's 300 Hz mud and the
 *   bass's boxiness cut, presence and air on the voice) and its compressor where the part is
 *   dynamic (kick, snare, bass, voice);
 * - a gate tightens the snare's wires between hits; the pad gets a slow phaser, the lead a chorus;
 * - two aux returns: `space` (the feedback-delay-network Reverb, its return high-passed and darkened)
 *   and `echo` (a ping-pong Delay on dotted eighths at the song's tempo, band-limited in the loop);
 * - automation: the drum bus's low-pass sweep through the intro, the voice's reverb send rising into
 *   the chorus and the voice stepping back under the lead's hook there, the lead fading in at the
 *   chorus, and the master fading out over the last bar and the reverb tail.
 *
 * No limiter on the master: mastering comes after the mix.
 *
 * @module
 */
import { checkKnownKeys, checkNumber, checkObject } from '../../core/validate.js';
import { BPM_RANGE } from '../../core/tempo.js';
import { DEMO_BPM, SECTIONS, BEATS_PER_BAR, DEMO_BARS } from './score.js';

/** Options of {@link demoSession}. */
export interface DemoSessionOptions {
  /** Sample rate the automation's frames are counted in, [22050, 192000] Hz. @defaultValue 48000 */
  sampleRate: number;
  /** The song's tempo (for the tempo-synced delay and the automation times). @defaultValue {@link DEMO_BPM} */
  bpm: number;
}

/** A Mixer session as saved JSON (the shape `Mixer.fromJSON` reads). */
export interface DemoSessionJSON {
  type: 'Mixer';
  version: 1;
  session: {
    tracks: Record<string, unknown>[];
    buses: Record<string, unknown>[];
    master: Record<string, unknown>;
    automation: Record<string, { kind: 'set' | 'linear' | 'exponential'; value: number; frame: number }[]>;
    meters?: boolean;
  };
}

const OWNER = 'demoSession';

/** A ParametricEQ insert. */
function eq(bands: Record<string, unknown>[]): Record<string, unknown> {
  return { type: 'ParametricEQ', params: { bands } };
}

/** A Compressor insert. */
function comp(params: Record<string, unknown>): Record<string, unknown> {
  return { type: 'Compressor', params };
}

/**
 * The demo song's mix as Mixer session JSON, for `Mixer.fromJSON(json, processorFromJSON)`. Track
 * names are the stems' names ({@link DEMO_STEM_NAMES}); automation times are frames at
 * `sampleRate`, computed from the song's form at `bpm`.
 *
 * Usage: `Mixer.fromJSON(demoSession(), processorFromJSON)`, or `mixDemo(stems)`, which does that.
 * (No `@example` block: the docs test runs those against the package entry, which does not
 * export the CLI's demo.)
 */
export function demoSession(options: Partial<DemoSessionOptions> = {}): DemoSessionJSON {
  const o = checkObject(OWNER, 'options', options);
  checkKnownKeys(OWNER, o, ['sampleRate', 'bpm']);
  const sampleRate = o.sampleRate === undefined ? 48000 : checkNumber(OWNER, 'sampleRate', o.sampleRate, { min: 22050, max: 192000, unit: 'Hz' });
  const bpm = o.bpm === undefined ? DEMO_BPM : checkNumber(OWNER, 'bpm', o.bpm, BPM_RANGE);
  const bar = (b: number) => Math.round(b * BEATS_PER_BAR * (60 / bpm) * sampleRate);
  const seconds = (s: number) => Math.round(s * sampleRate);
  const { verse, chorus, outro } = SECTIONS;
  const end = bar(DEMO_BARS);
  // Frequencies near the top of the band move below Nyquist at low sample rates.
  const hz = (f: number) => Math.min(f, Math.floor(0.45 * sampleRate));
  // The open drum low-pass.
  const open = hz(20000);

  const tracks: Record<string, unknown>[] = [
    {
      name: 'kick',
      channels: 1,
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
          { type: 'peaking', frequencyHz: 60, q: 1.2, gainDb: 2 },
          { type: 'peaking', frequencyHz: 350, q: 1.5, gainDb: -4 },
          { type: 'peaking', frequencyHz: 4000, q: 1, gainDb: 2.5 },
        ]),
        comp({ thresholdDb: -14, ratio: 4, kneeDb: 4, attackMs: 8, releaseMs: 90 }),
      ],
      faderDb: -2,
      output: 'drums',
    },
    {
      name: 'snare',
      channels: 1,
      inserts: [
        { type: 'Gate', params: { thresholdDb: -32, rangeDb: 14, attackMs: 0.5, holdMs: 30, releaseMs: 90 } },
        eq([
          { type: 'butterworth-highpass', frequencyHz: 100, rolloffDbPerOctave: 12 },
          { type: 'peaking', frequencyHz: 200, q: 1.4, gainDb: 2 },
          { type: 'highshelf', frequencyHz: 6000, gainDb: 3 },
        ]),
        comp({ thresholdDb: -16, ratio: 3.5, kneeDb: 6, attackMs: 5, releaseMs: 110 }),
      ],
      faderDb: 2,
      output: 'drums',
      sends: [{ bus: 'space', levelDb: -14 }],
    },
    {
      name: 'hats',
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 500, rolloffDbPerOctave: 24 },
          { type: 'highshelf', frequencyHz: hz(12000), gainDb: -1.5 },
        ]),
      ],
      faderDb: -5,
      pan: 0.3,
      output: 'drums',
      sends: [{ bus: 'space', levelDb: -24 }],
    },
    {
      name: 'bass',
      channels: 1,
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 32, rolloffDbPerOctave: 24 },
          { type: 'peaking', frequencyHz: 250, q: 1.2, gainDb: -3 },
          { type: 'peaking', frequencyHz: 900, q: 1, gainDb: 2 },
        ]),
        comp({ thresholdDb: -18, ratio: 4, kneeDb: 6, attackMs: 12, releaseMs: 120 }),
        { type: 'Saturator', params: { curve: 'tube', driveDb: 6, mix: 0.35, autoGain: true, oversampling: 2 } },
      ],
      faderDb: -1,
    },
    {
      name: 'pad',
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 140, rolloffDbPerOctave: 12 },
          { type: 'peaking', frequencyHz: 300, q: 1, gainDb: -4 },
          { type: 'highshelf', frequencyHz: 5000, gainDb: 2 },
        ]),
        { type: 'Phaser', params: { stages: 6, centerHz: 900, sweepOctaves: 3, rateHz: 0.12, feedback: 0.3, mix: 0.35 } },
      ],
      faderDb: -9,
      sends: [{ bus: 'space', levelDb: -10 }],
    },
    {
      name: 'lead',
      channels: 1,
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 180, rolloffDbPerOctave: 12 },
          { type: 'peaking', frequencyHz: 2800, q: 1, gainDb: 2 },
        ]),
        { type: 'Chorus', params: { voices: 3, rateHz: 0.5, depthMs: 2.5, baseDelayMs: 14, mix: 0.25 } },
      ],
      faderDb: -8,
      pan: -0.3,
      sends: [
        { bus: 'space', levelDb: -14 },
        { bus: 'echo', levelDb: -10 },
      ],
    },
    {
      name: 'voice',
      channels: 1,
      inserts: [
        eq([
          { type: 'butterworth-highpass', frequencyHz: 85, rolloffDbPerOctave: 12 },
          { type: 'peaking', frequencyHz: 320, q: 1.2, gainDb: -2.5 },
          { type: 'peaking', frequencyHz: 3000, q: 0.9, gainDb: 3.5 },
          { type: 'highshelf', frequencyHz: hz(9000), gainDb: 3 },
        ]),
        comp({ thresholdDb: -24, ratio: 3.5, kneeDb: 6, attackMs: 4, releaseMs: 90, makeupDb: 3 }),
      ],
      faderDb: 1,
      sends: [
        { bus: 'space', levelDb: -16 },
        { bus: 'echo', levelDb: -18 },
      ],
    },
  ];

  const buses: Record<string, unknown>[] = [
    {
      name: 'drums',
      inserts: [
        eq([
          { type: 'butterworth-lowpass', frequencyHz: open, rolloffDbPerOctave: 12 },
          { type: 'lowshelf', frequencyHz: 80, gainDb: 1 },
        ]),
        comp({ thresholdDb: -14, ratio: 2.5, kneeDb: 6, attackMs: 15, releaseMs: 120 }),
        { type: 'Saturator', params: { curve: 'tape', driveDb: 6, mix: 0.3, autoGain: true, oversampling: 2 } },
      ],
      faderDb: -2,
    },
    {
      name: 'space',
      inserts: [
        { type: 'Reverb', params: { decaySeconds: 2.2, preDelayMs: 30, size: 1.2, diffusion: 0.75, highDecayRatio: 0.45, mix: 1 } },
        eq([
          { type: 'butterworth-highpass', frequencyHz: 250, rolloffDbPerOctave: 12 },
          { type: 'highshelf', frequencyHz: 6000, gainDb: -3 },
        ]),
      ],
      faderDb: -2,
      soloSafe: true,
    },
    {
      name: 'echo',
      inserts: [{ type: 'Delay', params: { mode: 'ping-pong', note: '1/8d', bpm, feedback: 0.35, lowCutHz: 300, highCutHz: 4500, mix: 1 } }],
      faderDb: -4,
      soloSafe: true,
    },
  ];

  const automation: DemoSessionJSON['session']['automation'] = {
    // The filtered drum intro: the drum bus's low-pass opens from 1.5 kHz to 20 kHz over the intro.
    'buses.drums.inserts.0.bands.0.frequencyHz': [
      { kind: 'set', value: 1500, frame: 0 },
      { kind: 'exponential', value: open, frame: bar(verse.bar) },
    ],
    // The voice's reverb send swells over the last verse bar into the chorus, and back for the outro.
    'tracks.voice.sends.0.levelDb': [
      { kind: 'set', value: -16, frame: bar(chorus.bar - 1) },
      { kind: 'linear', value: -10, frame: bar(chorus.bar) },
      { kind: 'set', value: -10, frame: bar(outro.bar) },
      { kind: 'linear', value: -14, frame: bar(outro.bar + 1) },
    ],
    // In the chorus the voice sings long harmony notes under the lead's hook: it steps back 3 dB,
    // and comes forward again for the outro.
    'tracks.voice.faderDb': [
      { kind: 'set', value: 1, frame: bar(chorus.bar) - seconds(0.25) },
      { kind: 'linear', value: -2, frame: bar(chorus.bar) },
      { kind: 'set', value: -2, frame: bar(outro.bar) - seconds(0.25) },
      { kind: 'linear', value: 1, frame: bar(outro.bar) },
    ],
    // The lead fades in over the first half bar of its hook.
    'tracks.lead.faderDb': [
      { kind: 'set', value: -20, frame: bar(chorus.bar) - seconds(0.05) },
      { kind: 'linear', value: -8, frame: bar(chorus.bar + 0.5) },
    ],
    // The master fades over the last bar and the reverb tail.
    'master.faderDb': [
      { kind: 'set', value: 0, frame: bar(DEMO_BARS - 1) },
      { kind: 'linear', value: -6, frame: end },
      { kind: 'linear', value: -40, frame: end + seconds(2) },
    ],
  };

  // Strip meters off: they cost about a third of the mix's time here (measured: 3.1 → 2.0 s of CPU
  // for the song), and the demo measures its files instead. Set `meters: true` to read them.
  return { type: 'Mixer', version: 1, session: { tracks, buses, master: { inserts: [] }, automation, meters: false } };
}

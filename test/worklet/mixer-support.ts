/**
 * Shared by the mixer-in-a-worklet tests: a session with inserts (a compressor among them), an aux
 * bus fed by sends, a limiter on the master; the track inputs; and the reference: the same
 * session as a plain {@link Mixer} in Node, run over the whole signal in one call per stretch
 * between changes (so its blocks are cut nothing like the worklet's 128-frame quanta).
 */
import type { ProcessorJSON } from '../../src/core/processor.js';
import { Mixer, type AutomationEvent } from '../../src/chains/mixer.js';
import { processorFromJSON } from '../../src/registry.js';
import { multiChannel } from '../support/signals.js';

export const FS = 48000;

export type MixerJSON = ReturnType<Mixer['toJSON']>;

/** Four tracks: kick (mono, compressor), keys (stereo, EQ, pre-fader send), vox (mono track, fed stereo: down-mixed), spare (never connected). */
export function testSession(): MixerJSON {
  const compressor: ProcessorJSON = { type: 'Compressor', params: { thresholdDb: -24, ratio: 4, attackMs: 2, releaseMs: 60 } };
  return new Mixer({
    tracks: [
      { name: 'kick', channels: 1, inserts: [processorFromJSON(compressor)], pan: -0.2, sends: [{ bus: 'verb', levelDb: -10 }] },
      {
        name: 'keys',
        channels: 2,
        inserts: [processorFromJSON({ type: 'ParametricEQ', params: { bands: [{ type: 'peaking', frequencyHz: 800, gainDb: 4, q: 1 }] } })],
        faderDb: -3,
        sends: [{ bus: 'verb', levelDb: -6, preFader: true }],
      },
      { name: 'vox', channels: 1, inserts: [processorFromJSON({ type: 'Saturator', params: { curve: 'tape', driveDb: 6, mix: 0.5 } })], pan: 0.3 },
      { name: 'spare', channels: 2 },
    ],
    buses: [{ name: 'verb', inserts: [processorFromJSON({ type: 'Chorus', params: { voices: 2, mix: 0.5, feedback: 0.2 } })], soloSafe: true }],
    master: { inserts: [processorFromJSON({ type: 'Limiter', params: { ceilingDb: -1 } })] },
  }).toJSON();
}

/** What each track's source gives (channels as connected): kick mono, keys stereo, vox stereo (to a mono track), spare nothing. */
export function testInputs(frames: number): Float32Array[][] {
  return [multiChannel(1, frames, 21), multiChannel(2, frames, 22), multiChannel(2, frames, 23), []];
}

/**
 * What the mixer hears from a source of `x.length` channels on a track of `channels`: a stereo
 * source on a mono track as 0.5·(L + R) in float32 (the Web Audio speakers down-mix).
 */
export function asTrackInput(x: Float32Array[], channels: number): Float32Array[] {
  if (channels === 1 && x.length >= 2) return [x[0].map((l, i) => 0.5 * (l + x[1][i]))];
  return x;
}

/** A change made to the reference mixer right before `frame`. */
export interface Change {
  frame: number;
  apply(m: Mixer): void;
}

/**
 * The session as a plain Mixer: automation events (in frames from the start) put on their lanes
 * first, then the whole signal mixed in one `process()` call per stretch between changes.
 */
export function mixInNode(json: MixerJSON, sources: Float32Array[][], frames: number, changes: Change[] = [], automation: Record<string, AutomationEvent[]> = {}): Float32Array[] {
  const m = Mixer.fromJSON(json, (j) => processorFromJSON(j));
  m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
  for (const [path, events] of Object.entries(automation)) {
    const lane = m.automate(path);
    for (const e of events) {
      if (e.kind === 'set') lane.setValue(e.value, e.frame);
      else if (e.kind === 'linear') lane.linearRamp(e.value, e.frame);
      else if (e.kind === 'exponential') lane.exponentialRamp(e.value, e.frame);
      else lane.setTarget(e.value, e.frame, e.timeConstant!);
    }
  }
  const channels = (json.session.tracks as { channels: number }[]).map((t) => t.channels);
  const inputs = sources.map((x, t) => asTrackInput(x, channels[t]));
  const out = [new Float32Array(frames), new Float32Array(frames)];
  const cuts = [...new Set([0, ...changes.map((c) => c.frame), frames])].sort((a, b) => a - b);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k], cuts[k + 1]];
    for (const c of changes) if (c.frame === a) c.apply(m);
    m.process(
      inputs.map((x) => x.map((ch) => ch.subarray(a, b))),
      out.map((ch) => ch.subarray(a, b)),
    );
  }
  return out;
}

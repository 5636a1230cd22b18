/**
 * `mixDemo()`: the demo song's stems through the Mixer, offline, in blocks.
 *
 * @module
 */
import { Mixer } from '../../chains/mixer.js';
import { processorFromJSON } from '../../registry.js';
import { demoSession } from './session.js';
import type { DemoStems } from './stems.js';

/** Options of {@link mixDemo}. */
export interface MixDemoOptions {
  /** Frames per `Mixer.process()` call, [1, 16384]. @defaultValue 1024 */
  blockSize: number;
  /** Seconds of reverb and echo tail kept after the song, faded to silence, [0, 10]. @defaultValue 2 */
  tailSeconds: number;
}

/** The mix. */
export interface DemoMix {
  /** The stereo mix, `round((seconds + tailSeconds) · sampleRate)` frames, aligned with the stems. */
  mix: Float32Array[];
  /** The mixer's latency in samples (removed from `mix`: the mix starts with the song). */
  latency: number;
  /** The mixer after rendering (its meters and session can be read for a report). */
  mixer: Mixer;
}

const OWNER = 'mixDemo';

/**
 * Mix the stems with a session (default: {@link demoSession} at the stems' sample rate and tempo).
 * The stems are fed to the tracks of the same names, in blocks of `blockSize` frames; the output
 * is latency-compensated (the first `latency` frames of the mixer's output, before the song,
 * are dropped), cut at the song's end plus `tailSeconds` of tail, and the tail is faded to silence
 * by a half cosine from the song's end, so the mix ends at exactly 0.
 *
 * @throws `TypeError` naming the stem or track when a stem has no track of its name in the session,
 * or when their channel counts differ; `RangeError` for options out of range.
 */
export function mixDemo(stems: DemoStems, session: unknown = demoSession({ sampleRate: stems.sampleRate, bpm: stems.bpm }), options: Partial<MixDemoOptions> = {}): DemoMix {
  const blockSize = options.blockSize ?? 1024;
  const tailSeconds = options.tailSeconds ?? 2;
  if (!Number.isInteger(blockSize) || !(blockSize >= 1 && blockSize <= 16384)) throw new RangeError(`${OWNER}: options.blockSize must be an integer in [1, 16384], got ${blockSize}`);
  if (!(tailSeconds >= 0 && tailSeconds <= 10)) throw new RangeError(`${OWNER}: options.tailSeconds must be in [0, 10] s, got ${tailSeconds}`);
  const mixer = Mixer.fromJSON(session, processorFromJSON);
  const tracks = (mixer.toJSON().session.tracks as { name: string; channels: number }[]).map((t) => ({ name: t.name, channels: t.channels }));
  for (const s of stems.stems) {
    const t = tracks.find((x) => x.name === s.name);
    if (t === undefined) throw new TypeError(`${OWNER}: stem "${s.name}" has no track of that name in the session (tracks: ${tracks.map((x) => x.name).join(', ')})`);
    if (t.channels !== s.audio.length) throw new TypeError(`${OWNER}: stem "${s.name}" has ${s.audio.length} channel(s), its track ${t.channels}`);
  }
  const sampleRate = stems.sampleRate;
  mixer.prepare({ sampleRate, maxBlockSize: blockSize, channels: 2 });
  const latency = mixer.latency;
  const songFrames = Math.max(0, ...stems.stems.map((s) => s.audio[0]?.length ?? 0));
  const length = songFrames + Math.round(tailSeconds * sampleRate);
  const total = length + latency;
  // Inputs: each track's stem (a track without a stem gets silence), read past its end as silence.
  const silence = new Float32Array(blockSize);
  const sources = tracks.map((t) => stems.stems.find((s) => s.name === t.name)?.audio ?? Array.from({ length: t.channels }, () => new Float32Array(0)));
  const scratch = sources.map((chs) => chs.map(() => new Float32Array(blockSize)));
  const out = [new Float32Array(total), new Float32Array(total)];
  for (let pos = 0; pos < total; pos += blockSize) {
    const n = Math.min(blockSize, total - pos);
    const inputs = sources.map((chs, t) =>
      chs.map((x, c) => {
        if (pos + n <= x.length) return x.subarray(pos, pos + n);
        if (pos >= x.length) return silence.subarray(0, n);
        const buf = scratch[t][c];
        buf.fill(0);
        buf.set(x.subarray(pos));
        return buf.subarray(0, n);
      }),
    );
    mixer.process(inputs, [out[0].subarray(pos, pos + n), out[1].subarray(pos, pos + n)], n);
  }
  const mix = out.map((ch) => ch.slice(latency, latency + length));
  const fade = length - songFrames;
  for (const ch of mix) {
    for (let i = 0; i < fade; i++) ch[songFrames + i] *= 0.5 + 0.5 * Math.cos((Math.PI * (i + 1)) / fade);
  }
  return { mix, latency, mixer };
}

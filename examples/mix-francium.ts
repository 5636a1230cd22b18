/**
 * Mix the nine Francium stems (real production audio, CC0; `../shared/stems/francium/`) with the
 * session saved in `examples/francium.session.json`: EQ, compression and chorus on the tracks, a
 * drum group bus with its own compressor, a solo-safe "space" reverb bus (Reverb, EQ) and a
 * ping-pong "echo" bus (Delay, dotted eighths at 100 BPM) fed by sends, a master bus (EQ → glue
 * compressor → true-peak limiter at −1 dBTP), and automation (a synth fade-in, a hi-hat pan
 * sweep, a send ramp, a crash mute, a master fade-out).
 *
 *   npx tsx examples/mix-francium.ts [stems folder] [out.wav]
 *
 * prints the mix's loudness and peaks and, given a second argument, writes it as a 32-bit float
 * WAV. The stems are read with the test suite's small WAV reader until `masterbus/node` brings
 * file I/O.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Mixer, measureLoudness, processorFromJSON, type LoudnessSummary } from '../src/index.js';
import { readWav, writeWavFloat } from '../test/support/wav.js';

/** The session file beside this script. */
export const FRANCIUM_SESSION = fileURLToPath(new URL('./francium.session.json', import.meta.url));
/** Where the stems live in this workspace. */
export const FRANCIUM_STEMS = fileURLToPath(new URL('../../shared/stems/francium/', import.meta.url));

export interface FranciumMix {
  mixer: Mixer;
  /** The mix, stereo, `frames + latency` long: the delay-compensated tail is kept whole. */
  output: Float32Array[];
  sampleRate: number;
  loudness: LoudnessSummary;
  samplePeakDb: number;
  /** Wall time of the rendering loop alone (no file reading, no metering), in milliseconds. */
  renderMs: number;
}

/** Read the stems the session names (`<track name>.wav` in `stemsDir`), in the session's track order. */
export function readStems(mixer: Mixer, stemsDir: string): { sampleRate: number; stems: Float32Array[][] } {
  const names = (mixer.toJSON().session.tracks as { name: string }[]).map((t) => t.name);
  const files = new Set(readdirSync(stemsDir));
  let sampleRate = 0;
  const stems = names.map((name) => {
    if (!files.has(`${name}.wav`)) throw new Error(`no stem ${name}.wav in ${stemsDir}`);
    const wav = readWav(`${stemsDir}/${name}.wav`);
    if (sampleRate !== 0 && wav.sampleRate !== sampleRate) throw new Error(`${name}.wav: ${wav.sampleRate} Hz, the others ${sampleRate} Hz`);
    sampleRate = wav.sampleRate;
    return wav.channels;
  });
  return { sampleRate, stems };
}

/**
 * Load the session, prepare it and render the stems through it in blocks of `blockSizes` frames
 * (cycled; `[128]` is what an AudioWorklet does). `session`: the saved session (default: the file). The inputs are padded with `latency` frames of
 * silence so that the whole delay-compensated mix comes out.
 */
export function mixFrancium(stemsDir = FRANCIUM_STEMS, blockSizes: readonly number[] = [128], session: unknown = JSON.parse(readFileSync(FRANCIUM_SESSION, 'utf8'))): FranciumMix {
  const mixer = Mixer.fromJSON(session, processorFromJSON);
  const { sampleRate, stems } = readStems(mixer, stemsDir);
  const maxBlockSize = Math.max(...blockSizes);
  mixer.prepare({ sampleRate, maxBlockSize, channels: 2 });
  const frames = Math.max(...stems.map((s) => s[0].length)) + mixer.latency;
  const inputs = stems.map((chs) =>
    chs.map((x) => {
      const y = new Float32Array(frames);
      y.set(x);
      return y;
    }),
  );
  const output = [new Float32Array(frames), new Float32Array(frames)];
  const t0 = performance.now();
  for (let pos = 0, k = 0; pos < frames; k++) {
    const end = Math.min(pos + blockSizes[k % blockSizes.length], frames);
    mixer.process(
      inputs.map((chs) => chs.map((x) => x.subarray(pos, end))),
      output.map((x) => x.subarray(pos, end)),
    );
    pos = end;
  }
  const renderMs = performance.now() - t0;
  let peak = 0;
  for (const ch of output) for (const v of ch) peak = Math.max(peak, Math.abs(v));
  return { mixer, output, sampleRate, loudness: measureLoudness(output, sampleRate), samplePeakDb: 20 * Math.log10(peak), renderMs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [stemsDir = FRANCIUM_STEMS, out] = process.argv.slice(2);
  const { mixer, output, sampleRate, loudness, samplePeakDb, renderMs } = mixFrancium(stemsDir);
  const seconds = output[0].length / sampleRate;
  console.log(`Francium: ${mixer.trackCount} tracks, ${seconds.toFixed(1)} s at ${sampleRate} Hz, mixed in ${(renderMs / 1000).toFixed(2)} s (${((seconds * 1000) / renderMs).toFixed(0)}× real time, 128-frame blocks)`);
  console.log(`  integrated ${loudness.integrated.toFixed(2)} LUFS, LRA ${loudness.lra.toFixed(2)} LU, true peak ${loudness.truePeak.toFixed(2)} dBTP, sample peak ${samplePeakDb.toFixed(2)} dBFS, latency ${mixer.latency} samples`);
  if (out) {
    writeWavFloat(out, output, sampleRate);
    console.log(`  wrote ${out}`);
  }
}

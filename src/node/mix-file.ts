/**
 * Mix a session's tracks from files with the {@link Mixer}, streamed in constant memory: every
 * track's file is read block by block, the stereo mix is written as it is made, the mixer's
 * latency compensated and the tail (reverb, echoes) rendered until it has died away.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { Mixer } from '../chains/mixer.js';
import { processorFromJSON } from '../registry.js';
import { AudioFileError, type AudioSink, type AudioSource } from './audio-file.js';
import { createAudioWriter, describeFsError, openAudio, type AudioWriterOptions } from './open-audio.js';
import { FILE_BLOCK, blockBuffers, fileLoudness, throwIfAborted, type FileLoudness, type FileWorkOptions } from './render.js';
import { LoudnessMeter } from '../metering/loudness-meter.js';

/** Extensions tried, in order, for a track without a file named in the session. */
export const STEM_EXTENSIONS = Object.freeze(['.wav', '.flac', '.mp3', '.ogg', '.opus']);

/** Longest tail rendered after the last track ends, s. */
export const MIX_MAX_TAIL_SECONDS = 10;
/** The tail ends when the mix stays below this level, dBFS … */
export const MIX_TAIL_FLOOR_DB = -96;
/** … for this long, s (longer than the gap between two echoes of a slow delay). */
export const MIX_QUIET_SECONDS = 1;

/** A session file: a Mixer session (`Mixer.toJSON()`), and optionally where each track's audio is. */
export interface SessionFile {
  type: 'Mixer';
  version: number;
  session: Record<string, unknown>;
  /** Track name → audio file, relative to the session file. Tracks not named here are looked up as `<stems>/<name>.<ext>`. */
  files?: Record<string, string>;
}

/** Options of {@link mixSessionFile}. */
export interface MixFileOptions extends FileWorkOptions, Omit<AudioWriterOptions, 'sampleRate' | 'channels'> {
  /** Where tracks without a `files` entry are found. @defaultValue the session file's folder */
  stemsDir?: string;
}

/** What {@link mixSessionFile} resolves to. */
export interface MixFileResult {
  readonly sampleRate: number;
  /** Frames written (the longest track, plus the tail). */
  readonly frames: number;
  /** Tail rendered after the longest track, s. */
  readonly tailSeconds: number;
  /** Each track's file, in session order. */
  readonly tracks: readonly { readonly name: string; readonly file: string; readonly description: string }[];
  /** The mix's loudness as written (before quantisation to the file's format). */
  readonly loudness: FileLoudness;
  readonly mixer: Mixer;
}

/** Load and check a session file (a one-line {@link AudioFileError} for a bad one). */
export async function loadSessionFile(path: string): Promise<{ mixer: Mixer; json: SessionFile }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AudioFileError(path, describeFsError(e), { cause: e });
  }
  let json: SessionFile;
  try {
    json = JSON.parse(text) as SessionFile;
  } catch (e) {
    throw new AudioFileError(path, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AudioFileError(path, 'a session file holds a JSON object');
  const { files, ...rest } = json;
  if (files !== undefined && (files === null || typeof files !== 'object' || Array.isArray(files) || !Object.values(files).every((f) => typeof f === 'string'))) {
    throw new AudioFileError(path, '"files" must map track names to file paths (strings)');
  }
  try {
    return { mixer: Mixer.fromJSON(rest, processorFromJSON), json };
  } catch (e) {
    throw new AudioFileError(path, (e as Error).message.split('\n')[0]);
  }
}

/** The file of track `name`: the session's `files` entry, else `<stemsDir>/<name>.<ext>` for the first extension found. */
export function trackFile(sessionPath: string, json: SessionFile, name: string, stemsDir?: string): string {
  const base = dirname(resolve(sessionPath));
  const named = json.files?.[name];
  if (named !== undefined) return isAbsolute(named) ? named : join(base, named);
  const dir = stemsDir ?? base;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // reported below as a missing file
  }
  for (const ext of STEM_EXTENSIONS) {
    const hit = names.find((f) => f.toLowerCase() === `${name.toLowerCase()}${ext}`);
    if (hit !== undefined) return join(dir, hit);
  }
  const guess = join(dir, `${name}.wav`);
  if (!existsSync(guess)) throw new AudioFileError(sessionPath, `no audio for track "${name}": no ${STEM_EXTENSIONS.map((e) => name + e).join(', ')} in ${dir}, and no "files" entry`);
  return guess;
}

/**
 * Mix the session in `sessionPath` into `outputPath` (stereo; WAV or FLAC by extension). Every
 * track needs a file at the same sample rate; a mono file on a stereo track feeds both sides, a
 * stereo file on a mono track is summed to mono (L + R)/2. Tracks shorter than the longest are
 * silent after their end. Nothing appears at `outputPath` unless it succeeds.
 */
export async function mixSessionFile(sessionPath: string, outputPath: string, options: MixFileOptions = {}): Promise<MixFileResult> {
  const { mixer, json } = await loadSessionFile(sessionPath);
  const names = (mixer.toJSON().session.tracks as { name: string; channels?: number }[]).map((t) => ({ name: t.name, channels: t.channels === 1 ? 1 : 2 }));
  const sources: AudioSource[] = [];
  let sink: AudioSink | undefined;
  try {
    for (const t of names) sources.push(await openAudio(trackFile(sessionPath, json, t.name, options.stemsDir)));
    const sampleRate = sources.length > 0 ? sources[0].sampleRate : 48000;
    for (const s of sources) {
      if (s.sampleRate !== sampleRate) throw new AudioFileError(s.path, `${s.sampleRate} Hz, but ${sources[0].path} is ${sampleRate} Hz: resample the stems to one rate first`);
    }
    mixer.prepare({ sampleRate, maxBlockSize: FILE_BLOCK, channels: 2 });
    const protect = [...sources.map((s) => s.path), sessionPath, ...(options.protect ?? [])];
    sink = await createAudioWriter(outputPath, { sampleRate, channels: 2, sampleFormat: options.sampleFormat, dither: options.dither, protect });
    for (const s of sources) {
      if (s.channels > 2) throw new AudioFileError(s.path, `${s.channels} channels; a mixer track takes a mono or stereo file`);
    }
    const meter = new LoudnessMeter({ historySeconds: 0 });
    meter.prepare({ sampleRate, maxBlockSize: FILE_BLOCK, channels: 2 });
    const written = { frames: 0 };
    const write = async (block: readonly Float32Array[], n: number) => {
      meter.process(block, n);
      await sink!.write(block, n);
      written.frames += n;
    };
    const reads = sources.map((s) => blockBuffers(s.channels));
    const inputs = names.map((t) => blockBuffers(t.channels));
    const ended = sources.map(() => false);
    const out = blockBuffers(2);
    const total = Math.max(0, ...sources.map((s) => s.frames ?? 0));
    const floor = 10 ** (MIX_TAIL_FLOOR_DB / 20);
    // Quiet blocks of the tail wait here: written if something audible follows (the gap between
    // two echoes), dropped when the tail has stayed quiet for MIX_QUIET_SECONDS.
    const quietBlocks = Math.ceil((MIX_QUIET_SECONDS * sampleRate) / FILE_BLOCK);
    const held = Array.from({ length: quietBlocks }, () => blockBuffers(2));
    let nHeld = 0;
    let skip = mixer.latency;
    let done = 0;
    let tail = 0;
    const maxTail = Math.round(MIX_MAX_TAIL_SECONDS * sampleRate) + mixer.latency;
    for (;;) {
      throwIfAborted(options.signal);
      let longest = 0;
      for (let t = 0; t < sources.length; t++) {
        const inp = inputs[t];
        let n = 0;
        if (!ended[t]) {
          n = await sources[t].read(reads[t], FILE_BLOCK);
          if (n < FILE_BLOCK) ended[t] = true;
        }
        const r = reads[t];
        if (inp.length === r.length) for (let c = 0; c < inp.length; c++) inp[c].set(r[c].subarray(0, n));
        else if (inp.length === 2) {
          inp[0].set(r[0].subarray(0, n));
          inp[1].set(r[0].subarray(0, n));
        } else {
          const a = r[0], b = r[1], m = inp[0];
          for (let i = 0; i < n; i++) m[i] = (a[i] + b[i]) * 0.5;
        }
        for (const c of inp) c.fill(0, n);
        if (n > longest) longest = n;
      }
      const inputOver = ended.every(Boolean);
      mixer.process(inputs, out, FILE_BLOCK);
      done += longest;
      const drop = Math.min(skip, FILE_BLOCK);
      skip -= drop;
      if (inputOver && longest === 0 && skip === 0) {
        // The tail, after the latency: hold quiet blocks; stop after a quiet stretch or at the cap.
        tail += FILE_BLOCK;
        let peak = 0;
        for (const c of out) for (let i = 0; i < FILE_BLOCK; i++) peak = Math.max(peak, Math.abs(c[i]));
        if (peak < floor) {
          if (nHeld === quietBlocks || tail >= maxTail) break;
          for (let c = 0; c < 2; c++) held[nHeld][c].set(out[c]);
          nHeld++;
          continue;
        }
        if (tail >= maxTail) break;
      }
      for (let k = 0; k < nHeld; k++) await write(held[k], FILE_BLOCK);
      nHeld = 0;
      if (FILE_BLOCK - drop > 0) await write(out.map((c) => c.subarray(drop)), FILE_BLOCK - drop);
      options.onProgress?.({ done, total: total > 0 ? total : undefined });
    }
    await sink.close();
    meter.finish();
    return {
      sampleRate,
      frames: written.frames,
      tailSeconds: Math.max(0, written.frames - done) / sampleRate,
      tracks: names.map((t, i) => ({ name: t.name, file: sources[i].path, description: sources[i].description })),
      loudness: fileLoudness(meter.reading()),
      mixer,
    };
  } catch (e) {
    await sink?.abort();
    throw e;
  } finally {
    for (const s of sources) await s.close();
  }
}

/** `extname` in lower case. */
export function extensionOf(path: string): string {
  return extname(path).toLowerCase();
}

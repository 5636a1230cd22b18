/**
 * Offline rendering and measuring of files, streamed in constant memory: a processor (any
 * processor, chain or preset) from an {@link AudioSource} to an {@link AudioSink} with its latency
 * compensated, and the BS.1770 loudness of one or several sources (several gated as one
 * programme, the album).
 */
import type { Processor } from '../core/processor.js';
import { LoudnessMeter, defaultChannelWeights, type LoudnessReading } from '../metering/loudness-meter.js';
import { AudioFileError, type AudioSink, type AudioSource } from './audio-file.js';

/** Frames per block read, processed and written (about 85 ms at 48 kHz; 256 kB per channel buffer pair). */
export const FILE_BLOCK = 4096;

/** Progress of a long file operation: frames done of the whole (`total` is `undefined` when the source does not state its length). */
export interface FileProgress {
  readonly done: number;
  readonly total: number | undefined;
}

/** What {@link renderFile} and the other file operations accept besides their inputs. */
export interface FileWorkOptions {
  /** Called after every block with the frames done. */
  onProgress?: (progress: FileProgress) => void;
  /** Stops the work: the promise rejects with the signal's reason, the sink is aborted (nothing written). */
  signal?: AbortSignal;
}

/** Throw the signal's reason if it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/** `channels` buffers of `frames` floats. */
export function blockBuffers(channels: number, frames = FILE_BLOCK): Float32Array[] {
  return Array.from({ length: channels }, () => new Float32Array(frames));
}

/**
 * Run `processor` (prepared by this function for the source's rate and channel count) over the
 * whole source and write the result, aligned with the input (the processor's `latency` is fed as
 * trailing silence and its first `latency` output frames are dropped): the output has exactly the
 * input's length. Closes the sink on success, aborts it on any error (so no file appears).
 * Resolves the frames written.
 */
export async function renderFile(processor: Processor, source: AudioSource, sink: AudioSink, options: FileWorkOptions = {}): Promise<number> {
  const ch = source.channels;
  try {
    if (sink.channels !== ch) throw new AudioFileError(sink.path, `the output has ${sink.channels} channels, the input ${ch}`);
    processor.prepare({ sampleRate: source.sampleRate, maxBlockSize: FILE_BLOCK, channels: ch });
    const lat = processor.latency;
    const buf = blockBuffers(ch);
    const views = new Array<Float32Array>(ch);
    let inputDone = false;
    let read = 0; // input frames read
    let skip = lat; // output frames still to drop
    let pending = 0; // trailing silence still to feed after the input ends
    let written = 0;
    for (;;) {
      throwIfAborted(options.signal);
      let n = 0;
      if (!inputDone) {
        n = await source.read(buf, FILE_BLOCK);
        read += n;
        if (n < FILE_BLOCK) {
          inputDone = true;
          pending = lat;
        }
      }
      if (n < FILE_BLOCK && pending > 0) {
        const z = Math.min(FILE_BLOCK - n, pending);
        for (let c = 0; c < ch; c++) buf[c].fill(0, n, n + z);
        pending -= z;
        n += z;
      }
      if (n === 0) break;
      processor.process(buf, n);
      const drop = Math.min(skip, n);
      skip -= drop;
      const keep = n - drop;
      if (keep > 0) {
        for (let c = 0; c < ch; c++) views[c] = drop === 0 ? buf[c] : buf[c].subarray(drop, n);
        await sink.write(views, keep);
        written += keep;
      }
      options.onProgress?.({ done: read, total: source.frames });
      if (inputDone && pending === 0) break;
    }
    await sink.close();
    return written;
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** The loudness figures of {@link analyzeSources}, per file and for the album. */
export interface FileLoudness {
  /** Integrated loudness, LUFS (`null`: nothing above the −70 LUFS gate). */
  readonly integrated: number | null;
  /** Loudness range, LU (EBU Tech 3342). */
  readonly lra: number;
  /** True peak, dBTP (`null` for digital silence). */
  readonly truePeak: number | null;
  /** Sample peak, dBFS (`null` for digital silence). */
  readonly samplePeak: number | null;
  /** Peak-to-loudness ratio, true peak − integrated, dB (`null` when either is). */
  readonly plr: number | null;
  /** Highest momentary (400 ms) loudness, LUFS. */
  readonly momentaryMax: number | null;
  /** Highest short-term (3 s) loudness, LUFS. */
  readonly shortTermMax: number | null;
  /** Seconds measured. */
  readonly duration: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** {@link FileLoudness} from a meter's reading (JSON-safe: `null` for −∞). */
export function fileLoudness(r: LoudnessReading): FileLoudness {
  const integrated = finite(r.integrated);
  const truePeak = finite(r.truePeak);
  return {
    integrated,
    lra: r.lra,
    truePeak,
    samplePeak: finite(r.samplePeak),
    plr: integrated !== null && truePeak !== null ? truePeak - integrated : null,
    momentaryMax: finite(r.momentaryMax),
    shortTermMax: finite(r.shortTermMax),
    duration: r.duration,
  };
}

/**
 * BS.1770 channel weights for `channels`: the standard layout's (1–8 channels, as
 * `LoudnessMeter` assumes them), else 1 for every channel (no standard layout exists; said in
 * the docs).
 */
export function fileChannelWeights(channels: number): number[] {
  return defaultChannelWeights(channels) ?? new Array<number>(channels).fill(1);
}

/**
 * Measure every source (read once, from its start, and closed afterwards), each on its own and,
 * with two or more, all of them as one album (their concatenation gated as one programme, BS.1770
 * §5.1 / EBU Tech 3342: the album's integrated loudness and LRA; its peaks are the largest).
 * Sources of different sample rates or channel counts cannot form an album: `album` is then
 * `null`.
 */
export async function analyzeSources(sources: readonly AudioSource[], options: FileWorkOptions = {}): Promise<{ files: FileLoudness[]; album: FileLoudness | null }> {
  const sameShape = sources.every((s) => s.sampleRate === sources[0].sampleRate && s.channels === sources[0].channels);
  let album: LoudnessMeter | null = null;
  if (sources.length > 1 && sameShape) {
    album = new LoudnessMeter({ channelWeights: fileChannelWeights(sources[0].channels), historySeconds: 0 });
    album.prepare({ sampleRate: sources[0].sampleRate, maxBlockSize: FILE_BLOCK, channels: sources[0].channels });
  }
  const files: FileLoudness[] = [];
  for (const source of sources) {
    const meter = new LoudnessMeter({ channelWeights: fileChannelWeights(source.channels), historySeconds: 0 });
    meter.prepare({ sampleRate: source.sampleRate, maxBlockSize: FILE_BLOCK, channels: source.channels });
    const buf = blockBuffers(source.channels);
    let done = 0;
    try {
      for (;;) {
        throwIfAborted(options.signal);
        const n = await source.read(buf, FILE_BLOCK);
        if (n === 0) break;
        meter.process(buf, n);
        album?.process(buf, n);
        done += n;
        options.onProgress?.({ done, total: source.frames });
        if (n < FILE_BLOCK) break;
      }
    } finally {
      await source.close();
    }
    meter.finish();
    files.push(fileLoudness(meter.reading()));
  }
  if (album === null) return { files, album: null };
  album.finish();
  return { files, album: fileLoudness(album.reading()) };
}

/**
 * Open any supported audio file by its content (never by its name), write WAV or FLAC by the
 * output's extension, and read a whole source into memory when a caller needs it all.
 */
import { open } from 'node:fs/promises';
import type { DitherMode } from '../core/dither.js';
import { AudioFileError, type AudioSink, type AudioSource, type SampleFormat } from './audio-file.js';
import { openFlac, openMp3, openOggOpus, openOggVorbis } from './decoders.js';
import { createFlacWriter } from './flac-writer.js';
import { id3v2Length, sniffAudioFormat } from './sniff.js';
import { createWavWriter, openWav } from './wav.js';

/** Bytes read to recognise a file (an ID3v2 tag before FLAC or MP3 data is skipped by its size). */
const SNIFF_BYTES = 64;

/** One line about an OS error: "no such file", "permission denied", "is a folder" … */
export function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

/**
 * Open an audio file for streaming: WAV (PCM, float, EXTENSIBLE, RF64), FLAC, MP3, Ogg Vorbis or
 * Ogg Opus, recognised by its first bytes. Throws an {@link AudioFileError} (one line) for a
 * missing, unreadable, empty or unsupported file.
 */
export async function openAudio(path: string): Promise<AudioSource> {
  let head: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('dir'), { code: 'EISDIR' });
      head = new Uint8Array(SNIFF_BYTES);
      const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
      head = head.subarray(0, bytesRead);
      if (bytesRead === 0) throw new AudioFileError(path, 'empty file');
      const tag = id3v2Length(head);
      if (tag > 0) {
        // An ID3v2 tag (cover art can make it large): sniff what follows it.
        const after = new Uint8Array(SNIFF_BYTES);
        const r = await fh.read(after, 0, SNIFF_BYTES, tag);
        if (sniffAudioFormat(after.subarray(0, r.bytesRead)) === 'flac') head = after.subarray(0, r.bytesRead);
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof AudioFileError) throw e;
    throw new AudioFileError(path, describeFsError(e), { cause: e });
  }
  const format = sniffAudioFormat(head);
  switch (format) {
    case 'wav':
      return openWav(path);
    case 'flac':
      return openFlac(path);
    case 'mp3':
      return openMp3(path);
    case 'ogg-vorbis':
      return openOggVorbis(path);
    case 'ogg-opus':
      return openOggOpus(path);
    default:
      throw new AudioFileError(path, 'not a supported audio file (WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus)');
  }
}

/** The output file types. */
export type OutputContainer = 'wav' | 'flac';

/** Options of {@link createAudioWriter}. */
export interface AudioWriterOptions {
  sampleRate: number;
  channels: number;
  /** Sample format; FLAC takes `pcm16` or `pcm24`. @defaultValue `'pcm24'` */
  sampleFormat?: SampleFormat;
  /** Dither for integer formats of 24 bits or fewer. @defaultValue `'tpdf'` */
  dither?: DitherMode;
  /** Files the output must not be (the inputs). */
  protect?: readonly string[];
}

/**
 * The dither to use at `sampleRate`: the noise-shaped filter is designed for 44.1 and 48 kHz
 * (docs/dither.md), so elsewhere `'shaped'` becomes `'tpdf'`, with a warning saying so.
 */
export function ditherFor(mode: DitherMode, sampleRate: number): { mode: DitherMode; warning?: string } {
  if (mode !== 'shaped' || sampleRate === 44100 || sampleRate === 48000) return { mode };
  return { mode: 'tpdf', warning: `shaped dither is designed for 44.1 and 48 kHz; TPDF used at ${sampleRate} Hz` };
}

/** The container of an output path, by its extension: `.flac` → FLAC, anything else → WAV. */
export function outputContainer(path: string): OutputContainer {
  return /\.flac$/i.test(path) ? 'flac' : 'wav';
}

/** A streaming writer for `path`, WAV or FLAC by its extension (see {@link outputContainer}). */
export async function createAudioWriter(path: string, options: AudioWriterOptions): Promise<AudioSink> {
  const sampleFormat = options.sampleFormat ?? 'pcm24';
  // Dither applies to integer formats of 24 bits or fewer; 32-bit integers are rounded, floats stored as they are.
  const ditherable = sampleFormat === 'pcm8' || sampleFormat === 'pcm16' || sampleFormat === 'pcm24';
  const dither = ditherable ? { mode: options.dither ?? 'tpdf' } : undefined;
  const protect = options.protect === undefined ? undefined : [...options.protect];
  if (outputContainer(path) === 'flac') {
    if (sampleFormat !== 'pcm16' && sampleFormat !== 'pcm24') throw new AudioFileError(path, `FLAC stores 16 or 24-bit integers, not ${sampleFormat}`);
    return createFlacWriter(path, { sampleRate: options.sampleRate, channels: options.channels, bits: sampleFormat === 'pcm16' ? 16 : 24, dither, protect });
  }
  return createWavWriter(path, { sampleRate: options.sampleRate, channels: options.channels, format: sampleFormat, dither, protect });
}

/**
 * Read a whole source into memory (one `Float32Array` per channel) and close it. The buffers grow
 * as the file is read when its length is not stated; `maxFrames` (default 2^31 − 1) bounds them.
 */
export async function readSource(source: AudioSource, maxFrames = 0x7fffffff): Promise<Float32Array[]> {
  try {
    let cap = Math.min(source.frames ?? source.sampleRate * 60, maxFrames);
    let out = Array.from({ length: source.channels }, () => new Float32Array(Math.max(1, cap)));
    let n = 0;
    const views = new Array<Float32Array>(source.channels);
    for (;;) {
      if (n === cap) {
        if (cap >= maxFrames) throw new AudioFileError(source.path, `longer than ${maxFrames} frames`);
        cap = Math.min(maxFrames, cap * 2);
        out = out.map((c) => {
          const g = new Float32Array(cap);
          g.set(c);
          return g;
        });
      }
      for (let c = 0; c < source.channels; c++) views[c] = out[c].subarray(n);
      const want = Math.min(cap - n, 1 << 16);
      const got = await source.read(views, want);
      // Until a read gives nothing: a source may hand out fewer frames than asked before its end.
      if (!(got > 0)) break;
      n += got;
    }
    return out.map((c) => (c.length === n ? c : c.slice(0, n)));
  } finally {
    await source.close();
  }
}

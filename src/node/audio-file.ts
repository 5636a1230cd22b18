/**
 * The shapes every audio file reader and writer of `masterbus/node` shares: a streaming
 * {@link AudioSource} (constant memory, re-readable for multi-pass work), a streaming
 * {@link AudioSink}, and {@link AudioFileError}, whose message is one line naming the file and the
 * problem (what a command prints before it exits non-zero).
 */

/** The container and codec of a file, as sniffed from its first bytes (never from its name). */
export type AudioFileFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis' | 'ogg-opus';

/** Sample formats a writer can store. `pcmN` are integers (8-bit unsigned, the others signed), `floatN` IEEE floats. */
export type SampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

/** A file being read, block by block, in constant memory. */
export interface AudioSource {
  /** The path as given. */
  readonly path: string;
  readonly format: AudioFileFormat;
  /** Human-readable encoding, e.g. `'WAV PCM 24-bit'`, `'FLAC 16-bit'`, `'MP3 320 kb/s'`. */
  readonly description: string;
  /** Hz. */
  readonly sampleRate: number;
  /** Channels, 1–32. */
  readonly channels: number;
  /** Frames per channel when the header states them (WAV, FLAC STREAMINFO), else `undefined`. */
  readonly frames: number | undefined;
  /** Things about the file worth telling its user that do not stop it being read (a truncated WAV …). */
  readonly warnings?: readonly string[];
  /**
   * Read up to `maxFrames` frames into `out` (one `Float32Array` per channel, each at least
   * `maxFrames` long), as floats of full scale ±1. Resolves the number of frames read: fewer only
   * at the end of the file, 0 after it. Throws an {@link AudioFileError} on a read or decode error.
   */
  read(out: readonly Float32Array[], maxFrames: number): Promise<number>;
  /** Start again from the first frame (for a second pass over the file). */
  rewind(): Promise<void>;
  /** Release the file (idempotent). */
  close(): Promise<void>;
}

/** A file being written, block by block; nothing appears at its path until {@link AudioSink.close}. */
export interface AudioSink {
  /** The final path. */
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Append `frames` frames (one `Float32Array` per channel, full scale ±1; beyond it clips). */
  write(channels: readonly Float32Array[], frames: number): Promise<void>;
  /** Finish the header, flush, and rename the temporary file onto the path. */
  close(): Promise<void>;
  /** Give up: remove the temporary file; the path is left as it was (idempotent). */
  abort(): Promise<void>;
}

/** A bad, unreadable or unwritable audio file. `message` is one line: `<file>: <problem>`. */
export class AudioFileError extends Error {
  /** The file concerned. */
  readonly file: string;
  /** The problem alone, without the file name. */
  readonly problem: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'AudioFileError';
    this.file = file;
    this.problem = problem;
  }
}

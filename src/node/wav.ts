/**
 * Streaming WAV reading and writing for `masterbus/node`: {@link openWav} (an
 * {@link AudioSource} in constant memory), {@link readWav} (a whole file), {@link createWavWriter}
 * (an {@link AudioSink} that writes to a temporary file and renames it at close) and
 * {@link writeWav}.
 *
 * Sample conversion (to floats of full scale ±1): N-bit signed PCM q → q / 2^(N−1); 8-bit
 * unsigned PCM q → (q − 128) / 128; float32 as stored; float64 rounded to the nearest float32.
 * Writing is the inverse: 8/16/24-bit PCM through the core's {@link Dither} (`quantizeInto`, whose
 * noise depends only on the seed, the channel and the absolute sample index, so any partition of
 * the writes gives the same bytes), 32-bit PCM rounded to nearest and clipped, floats stored as
 * they are (NaN → 0; values beyond ±1 kept in float formats, clipped in integer ones).
 *
 * Memory: each open file owns one reused Buffer ({@link WAV_BUFFER_BYTES}); the header is walked
 * through a small window ({@link walkWavHeader}), skipping chunks by offset, so a large chunk
 * before the samples costs nothing; no allocation is sized from a header field.
 *
 * @module
 */
import { constants as fsConstants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { Dither, DITHER_MODES, type DitherMode } from '../core/dither.js';
import { describeValue } from '../core/validate.js';
import { AudioFileError, type AudioSink, type AudioSource, type SampleFormat } from './audio-file.js';
import { assertNotProtected, temporaryPathFor } from './output-path.js';
import { encodeWavHeader, SAMPLE_FORMAT_BITS, walkWavHeader, WAV_LIMITS, wavHeaderLength, type WavInfo } from './wav-header.js';

export { defaultChannelMask, parseWavHeader, type WavContainer, type WavInfo } from './wav-header.js';

/** Size of the one Buffer each reader or writer reuses for its I/O, in bytes (rounded down to whole frames). */
export const WAV_BUFFER_BYTES = 256 * 1024;
/** Frames the writer quantises at a time (its integer codes array holds this many frames). */
const DITHER_CHUNK = 4096;
/** Size of the window the header walk reads through, in bytes. */
const HEADER_WINDOW = 4096;

/** An {@link AudioSource} over a WAV file, with its parsed header. */
export interface WavSource extends AudioSource {
  readonly format: 'wav';
  readonly frames: number;
  /** The header as parsed (encoding, data extent, `truncated` …). */
  readonly info: WavInfo;
}

/** A whole WAV file in memory ({@link readWav}). */
export interface WavData {
  readonly sampleRate: number;
  /** One array per channel, `info.frames` long. */
  readonly channels: Float32Array[];
  readonly info: WavInfo;
}

/** Dither of a {@link createWavWriter} for 8/16/24-bit PCM. */
export interface WavDitherOptions {
  /** `'none'` (rounding), `'tpdf'` (flat triangular dither) or `'shaped'` (F-weighted noise shaping, for 44.1/48 kHz). */
  readonly mode: DitherMode;
  /** Seed of the noise, an integer in [0, 4294967295]. @defaultValue 0 */
  readonly seed?: number;
}

/** Options of {@link createWavWriter}. */
export interface WavWriterOptions {
  /** Hz, an integer in [8000, 384000]. */
  readonly sampleRate: number;
  /** Channel count, an integer in [1, 32]. */
  readonly channels: number;
  /** Sample format stored. */
  readonly format: SampleFormat;
  /** Quantisation of pcm8/16/24. @defaultValue `{ mode: 'tpdf' }` for pcm8/16/24; not allowed (other than `'none'`) for pcm32 and floats */
  readonly dither?: WavDitherOptions;
  /** Paths the output must not be (the inputs): the writer refuses when `path` is the same file as one of them (same resolved real path, or same device and inode). */
  readonly protect?: readonly string[];
}

const FORMATS: readonly SampleFormat[] = Object.freeze(['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64']);

// Sample encodings as small integers for the conversion loops.
const K_U8 = 0;
const K_S16 = 1;
const K_S24 = 2;
const K_S32 = 3;
const K_F32 = 4;
const K_F64 = 5;
const KIND: Readonly<Record<SampleFormat, number>> = Object.freeze({ pcm8: K_U8, pcm16: K_S16, pcm24: K_S24, pcm32: K_S32, float32: K_F32, float64: K_F64 });

/** Plain words for the file-system errors a user meets (the path is already in the message). */
const IO_ERRORS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EXDEV: 'cannot rename across devices',
});

/** A Node file-system error as one line, e.g. `cannot open: no such file or folder (ENOENT)`. */
function ioProblem(what: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err && typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined && IO_ERRORS[code] !== undefined) return `${what}: ${IO_ERRORS[code]} (${code})`;
  const msg = err && typeof err.message === 'string' ? err.message.split('\n')[0] : String(e);
  return `${what}: ${msg}`;
}

/** Drive {@link walkWavHeader} from an open file through a small reused window. */
async function readHeader(fh: FileHandle, fileSize: number, file: string): Promise<WavInfo> {
  const win = Buffer.alloc(HEADER_WINDOW);
  let winStart = 0;
  let winLen = 0;
  const walk = walkWavHeader(fileSize, file);
  let step = walk.next(new Uint8Array(0));
  while (!step.done) {
    const { offset, length } = step.value;
    const end = Math.min(offset + length, fileSize);
    if (offset < winStart || end > winStart + winLen) {
      winStart = offset;
      winLen = 0;
      while (winLen < HEADER_WINDOW && winStart + winLen < fileSize) {
        const { bytesRead } = await fh.read(win, winLen, Math.min(HEADER_WINDOW, fileSize - winStart) - winLen, winStart + winLen);
        if (bytesRead === 0) break;
        winLen += bytesRead;
      }
    }
    const from = offset - winStart;
    step = walk.next(win.subarray(from, Math.max(from, Math.min(end - winStart, winLen))));
  }
  return step.value;
}

/**
 * Convert `frames` interleaved frames of `kind`, starting at byte `from` of `b`, into
 * `out[c][at …]`. Little-endian bytes are assembled by hand (or read through the DataView), so the
 * host's byte order and the samples' alignment do not matter.
 */
function decode(kind: number, b: Uint8Array, dv: DataView, from: number, C: number, frames: number, out: readonly Float32Array[], at: number): void {
  for (let c = 0; c < C; c++) {
    const y = out[c];
    let i = at;
    const end = at + frames;
    switch (kind) {
      case K_U8:
        for (let p = from + c; i < end; p += C, i++) y[i] = (b[p] - 128) * 0.0078125;
        break;
      case K_S16:
        for (let p = from + 2 * c; i < end; p += 2 * C, i++) y[i] = (((b[p] | (b[p + 1] << 8)) << 16) >> 16) * 3.0517578125e-5;
        break;
      case K_S24:
        for (let p = from + 3 * c; i < end; p += 3 * C, i++) y[i] = (((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8) * 1.1920928955078125e-7;
        break;
      case K_S32:
        for (let p = from + 4 * c; i < end; p += 4 * C, i++) y[i] = dv.getInt32(p, true) * 4.656612873077393e-10;
        break;
      case K_F32:
        for (let p = from + 4 * c; i < end; p += 4 * C, i++) y[i] = dv.getFloat32(p, true);
        break;
      default:
        for (let p = from + 8 * c; i < end; p += 8 * C, i++) y[i] = dv.getFloat64(p, true);
    }
  }
}

/** Check `out`/`maxFrames` of a `read()` call (programming errors: TypeError/RangeError). */
function checkReadArgs(path: string, C: number, out: readonly Float32Array[], maxFrames: number): void {
  if (!(Number.isInteger(maxFrames) && maxFrames >= 0)) throw new RangeError(`read(${path}): maxFrames must be a whole number ≥ 0, got ${describeValue(maxFrames)}`);
  if (!Array.isArray(out) || out.length < C) throw new TypeError(`read(${path}): out must hold ${C} Float32Arrays (one per channel), got ${describeValue(out)}`);
  for (let c = 0; c < C; c++) {
    const y = out[c];
    if (!(y instanceof Float32Array) || y.length < maxFrames) {
      throw new TypeError(`read(${path}): out[${c}] must be a Float32Array of at least ${maxFrames} samples, got ${y instanceof Float32Array ? `one of ${y.length}` : describeValue(y)}`);
    }
  }
}

/**
 * Open a WAV file (RIFF/RF64/BW64; PCM 8/16/24/32-bit, float 32/64-bit, plain or EXTENSIBLE) for
 * streaming: `read()` converts block by block through one reused {@link WAV_BUFFER_BYTES} Buffer,
 * `rewind()` starts a second pass. A file whose header declares more data than it holds (streamed
 * or truncated) reads what is there (`info.truncated`). Rejects with an {@link AudioFileError}
 * (one line: file and problem) when the file cannot be opened or is not a WAV this module reads.
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { openWav, writeWav } from 'masterbus/node';
 * const path = join(tmpdir(), 'masterbus-example-open.wav');
 * const tone = Float32Array.from({ length: 48000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
 * await writeWav(path, [tone, tone], 48000, { format: 'float32' });
 * const src = await openWav(path);
 * const block = Array.from({ length: src.channels }, () => new Float32Array(4096));
 * let peak = 0;
 * for (let n; (n = await src.read(block, 4096)) > 0; ) for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(block[0][i]));
 * await src.close();
 * console.log(src.description, src.frames, peak.toFixed(3)); // "WAV float 32-bit" 48000 "0.500"
 * ```
 */
export async function openWav(path: string): Promise<WavSource> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new AudioFileError(path, ioProblem('cannot open', e), { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new AudioFileError(path, 'not a regular file');
    const info = await readHeader(fh, st.size, path);
    return new WavReader(path, fh, info);
  } catch (e) {
    await fh.close().catch(() => undefined);
    if (e instanceof AudioFileError) throw e;
    throw new AudioFileError(path, ioProblem('cannot read', e), { cause: e });
  }
}

class WavReader implements WavSource {
  readonly format = 'wav' as const;
  readonly description: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Frames in the file (lowered if the file shrinks while open). */
  frames: number;
  readonly warnings: readonly string[];
  /** Next frame to read. */
  private pos = 0;
  /** Frames [bufStart, bufStart + bufCount) of the file are in `buf`. */
  private bufStart = 0;
  private bufCount = 0;
  private busy = false;
  private closed = false;
  private readonly buf: Buffer;
  private readonly dv: DataView;
  private readonly bufFrames: number;
  private readonly kind: number;

  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly info: WavInfo,
  ) {
    this.description = info.description;
    this.sampleRate = info.sampleRate;
    this.channels = info.channels;
    this.frames = info.frames;
    // A declared size beyond the file: a cut-off file, unless it is a streaming placeholder
    // (ffmpeg and sox write 0xFFFFFFFF or nearly when they cannot seek back).
    const declaredFrames = info.declaredDataBytes / info.blockAlign;
    this.warnings = info.truncated && info.declaredDataBytes < 0x7fff0000
      ? [`truncated: the header states ${(declaredFrames / info.sampleRate).toFixed(1)} s, the file holds ${(info.frames / info.sampleRate).toFixed(1)} s; reading what is there`]
      : [];
    this.kind = KIND[info.sampleFormat];
    // Never more than the file holds (a small file gets a small buffer), at least one frame.
    this.bufFrames = Math.max(1, Math.min(info.frames, Math.floor(WAV_BUFFER_BYTES / info.blockAlign)));
    this.buf = Buffer.allocUnsafeSlow(this.bufFrames * info.blockAlign);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  async read(out: readonly Float32Array[], maxFrames: number): Promise<number> {
    checkReadArgs(this.path, this.channels, out, maxFrames);
    if (this.closed) throw new AudioFileError(this.path, 'read() after close()');
    if (this.busy) throw new TypeError(`read(${this.path}): a read() is already in progress (await each call)`);
    this.busy = true;
    try {
      const ba = this.info.blockAlign;
      const want = Math.min(maxFrames, this.frames - this.pos);
      let done = 0;
      while (done < want) {
        if (this.pos < this.bufStart || this.pos >= this.bufStart + this.bufCount) {
          // Refill: a whole Buffer of frames from `pos` (read-ahead; small read() calls cost no I/O).
          const n = Math.min(this.bufFrames, this.frames - this.pos);
          const bytes = n * ba;
          const at = this.info.dataOffset + this.pos * ba;
          let got = 0;
          while (got < bytes) {
            const { bytesRead } = await this.fh.read(this.buf, got, bytes - got, at + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          this.bufStart = this.pos;
          this.bufCount = Math.floor(got / ba);
          if (this.bufCount < n) this.frames = this.pos + this.bufCount; // the file shrank since it was opened
          if (this.bufCount === 0) break;
        }
        const k = Math.min(want - done, this.bufStart + this.bufCount - this.pos);
        decode(this.kind, this.buf, this.dv, (this.pos - this.bufStart) * ba, this.channels, k, out, done);
        this.pos += k;
        done += k;
      }
      return done;
    } catch (e) {
      if (e instanceof AudioFileError) throw e;
      throw new AudioFileError(this.path, ioProblem('read error', e), { cause: e });
    } finally {
      this.busy = false;
    }
  }

  async rewind(): Promise<void> {
    if (this.closed) throw new AudioFileError(this.path, 'rewind() after close()');
    this.pos = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => undefined);
  }
}

/**
 * Read a whole WAV file (see {@link openWav} for what it accepts). Allocates `info.frames` samples
 * per channel, counted from the bytes the file actually holds (at most 4 bytes of floats per byte
 * of 8-bit data), never from a header's claim.
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { readWav, writeWav } from 'masterbus/node';
 * const path = join(tmpdir(), 'masterbus-example-read.wav');
 * await writeWav(path, [new Float32Array(1000).fill(0.25)], 8000, { format: 'pcm16' });
 * const { sampleRate, channels, info } = await readWav(path);
 * console.log(info.description, sampleRate, channels.length, channels[0].length); // "WAV PCM 16-bit" 8000 1 1000
 * ```
 */
export async function readWav(path: string): Promise<WavData> {
  const src = await openWav(path);
  try {
    const total = src.frames;
    const channels = Array.from({ length: src.channels }, () => new Float32Array(total));
    const n = await src.read(channels, total);
    // (fewer only when the file shrank while being read)
    return { sampleRate: src.sampleRate, channels: n === total ? channels : channels.map((c) => c.slice(0, n)), info: src.info };
  } finally {
    await src.close();
  }
}

/** Internal options of {@link openWavWriter} (tests). */
export interface WavWriterInternals {
  /** Largest RIFF/data size a plain RIFF file may hold before the writer turns it into RF64. @defaultValue 0xFFFFFFFF */
  readonly rf64Limit?: number;
}

function checkWriterOptions(path: string, o: WavWriterOptions): { mode: DitherMode; seed: number } {
  const name = `createWavWriter(${path})`;
  if (typeof path !== 'string' || path === '') throw new TypeError(`createWavWriter: path must be a non-empty string, got ${describeValue(path)}`);
  if (o === null || typeof o !== 'object') throw new TypeError(`${name}: options must be an object, got ${describeValue(o)}`);
  const L = WAV_LIMITS;
  if (!(Number.isInteger(o.sampleRate) && o.sampleRate >= L.minSampleRate && o.sampleRate <= L.maxSampleRate)) {
    throw new RangeError(`${name}: sampleRate must be an integer in [${L.minSampleRate}, ${L.maxSampleRate}] Hz, got ${describeValue(o.sampleRate)}`);
  }
  if (!(Number.isInteger(o.channels) && o.channels >= L.minChannels && o.channels <= L.maxChannels)) {
    throw new RangeError(`${name}: channels must be an integer in [${L.minChannels}, ${L.maxChannels}], got ${describeValue(o.channels)}`);
  }
  if (!FORMATS.includes(o.format)) throw new RangeError(`${name}: format must be one of ${FORMATS.join(', ')}, got ${describeValue(o.format)}`);
  const dithered = SAMPLE_FORMAT_BITS[o.format] <= 24 && o.format !== 'float32' && o.format !== 'float64';
  const d = o.dither;
  if (d !== undefined && (d === null || typeof d !== 'object')) throw new TypeError(`${name}: dither must be an object { mode, seed? }, got ${describeValue(d)}`);
  const mode = d?.mode ?? (dithered ? 'tpdf' : 'none');
  if (!DITHER_MODES.includes(mode)) throw new RangeError(`${name}: dither.mode must be one of ${DITHER_MODES.join(', ')}, got ${describeValue(mode)}`);
  if (!dithered && mode !== 'none') throw new RangeError(`${name}: dither.mode ${describeValue(mode)} applies to pcm8/16/24 only, not ${o.format} (use 'none' or omit it)`);
  const seed = d?.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 4294967295)) throw new RangeError(`${name}: dither.seed must be an integer in [0, 4294967295], got ${describeValue(seed)}`);
  if (o.protect !== undefined && !(Array.isArray(o.protect) && o.protect.every((p) => typeof p === 'string'))) {
    throw new TypeError(`${name}: protect must be an array of paths, got ${describeValue(o.protect)}`);
  }
  return { mode, seed };
}

/**
 * Create a WAV file block by block. Samples go to a temporary file beside `path`
 * (`.<name>.<random>.tmp`), renamed onto `path` by `close()`: `path` never holds a half-written file,
 * and `abort()` removes the temporary file. Refuses (an {@link AudioFileError}) when `path` is the
 * same file as one in `options.protect`, through any spelling, symlink or hard link.
 *
 * The header is WAVE_FORMAT_EXTENSIBLE for more than 2 channels or more than 16 bits (with the
 * default speaker mask for 1–8 channels, 0 beyond), plain PCM otherwise; it reserves a 28-byte
 * `JUNK` chunk that becomes `ds64` (and `RIFF` becomes `RF64`) when the file outgrows 4 GiB
 * (EBU Tech 3306 §3). pcm8/16/24 are quantised by a {@link Dither} (default `'tpdf'`, seed 0):
 * the same samples give the same bytes however they are split into `write()` calls. pcm32 is
 * rounded and clipped; floats are stored as given (NaN → 0).
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { createWavWriter } from 'masterbus/node';
 * const path = join(tmpdir(), 'masterbus-example-writer.wav');
 * const sink = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'pcm24', dither: { mode: 'tpdf', seed: 1 } });
 * const block = [new Float32Array(4096), new Float32Array(4096)];
 * try {
 *   for (let pos = 0; pos < 48000; pos += 4096) {
 *     const n = Math.min(4096, 48000 - pos);
 *     for (let i = 0; i < n; i++) block[0][i] = block[1][i] = 0.5 * Math.sin((2 * Math.PI * 440 * (pos + i)) / 48000);
 *     await sink.write(block, n);
 *   }
 *   await sink.close(); // only now does the file appear at `path`
 * } catch (e) {
 *   await sink.abort();
 *   throw e;
 * }
 * ```
 */
export function createWavWriter(path: string, options: WavWriterOptions): Promise<AudioSink> {
  return openWavWriter(path, options, {});
}

/**
 * {@link createWavWriter} with internal options (the RF64 threshold, lowered by tests to exercise
 * RF64 with small files).
 * @internal
 */
export async function openWavWriter(path: string, options: WavWriterOptions, internals: WavWriterInternals): Promise<AudioSink> {
  const { mode, seed } = checkWriterOptions(path, options);
  await assertNotProtected(path, options.protect);
  const tmp = temporaryPathFor(path);
  let fh: FileHandle;
  try {
    fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o666);
  } catch (e) {
    throw new AudioFileError(path, ioProblem('cannot create', e), { cause: e });
  }
  const w = new WavWriter(path, tmp, fh, options, mode, seed, internals.rf64Limit ?? 0xffffffff);
  try {
    await w.start();
  } catch (e) {
    await w.abort();
    throw new AudioFileError(path, ioProblem('cannot write', e), { cause: e });
  }
  return w;
}

class WavWriter implements AudioSink {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly format: SampleFormat;
  private readonly kind: number;
  private readonly blockAlign: number;
  private readonly headerLength: number;
  private readonly buf: Buffer;
  private readonly dv: DataView;
  private readonly bufFrames: number;
  /** Integer codes from the dither (pcm8/16/24), interleaved. */
  private readonly codes: Int32Array;
  private readonly dither: Dither | undefined;
  /** Bytes of samples in the file so far (not counting the buffer). */
  private dataBytes = 0;
  /** Frames waiting in the buffer. */
  private fill = 0;
  private state: 'open' | 'busy' | 'closed' | 'aborted' = 'open';

  constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    o: WavWriterOptions,
    mode: DitherMode,
    seed: number,
    private readonly rf64Limit: number,
  ) {
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.format = o.format;
    this.kind = KIND[o.format];
    this.blockAlign = (o.channels * SAMPLE_FORMAT_BITS[o.format]) / 8;
    this.headerLength = wavHeaderLength(o.format, o.channels);
    this.bufFrames = Math.max(1, Math.floor(WAV_BUFFER_BYTES / this.blockAlign));
    this.buf = Buffer.allocUnsafeSlow(this.bufFrames * this.blockAlign);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const bits = SAMPLE_FORMAT_BITS[o.format];
    if (this.kind <= K_S24) {
      this.dither = new Dither({ bits: bits as 8 | 16 | 24, mode, seed });
      this.dither.prepare({ sampleRate: o.sampleRate, maxBlockSize: DITHER_CHUNK, channels: o.channels });
      this.codes = new Int32Array(DITHER_CHUNK * o.channels);
    } else {
      this.codes = new Int32Array(0);
    }
  }

  /** Write the provisional header (sizes 0). */
  async start(): Promise<void> {
    await this.put(encodeWavHeader({ format: this.format, channels: this.channels, sampleRate: this.sampleRate, dataBytes: 0, rf64: false }), 0);
  }

  private async put(b: Uint8Array, at: number): Promise<void> {
    let done = 0;
    while (done < b.length) {
      const { bytesWritten } = await this.fh.write(b, done, b.length - done, at + done);
      done += bytesWritten;
    }
  }

  async write(channels: readonly Float32Array[], frames: number): Promise<void> {
    const C = this.channels;
    if (!(Number.isInteger(frames) && frames >= 0)) throw new RangeError(`write(${this.path}): frames must be a whole number ≥ 0, got ${describeValue(frames)}`);
    if (!Array.isArray(channels) || channels.length < C) throw new TypeError(`write(${this.path}): channels must hold ${C} Float32Arrays, got ${describeValue(channels)}`);
    for (let c = 0; c < C; c++) {
      const x = channels[c];
      if (!(x instanceof Float32Array) || x.length < frames) {
        throw new TypeError(`write(${this.path}): channels[${c}] must be a Float32Array of at least ${frames} samples, got ${x instanceof Float32Array ? `one of ${x.length}` : describeValue(x)}`);
      }
    }
    if (this.state === 'busy') throw new TypeError(`write(${this.path}): a write() is already in progress (await each call)`);
    if (this.state !== 'open') throw new AudioFileError(this.path, `write() after ${this.state === 'closed' ? 'close()' : 'abort()'}`);
    this.state = 'busy';
    try {
      for (let pos = 0; pos < frames; ) {
        const n = Math.min(frames - pos, this.bufFrames - this.fill);
        this.encode(channels, pos, n, this.fill * this.blockAlign);
        this.fill += n;
        pos += n;
        if (this.fill === this.bufFrames) await this.flush();
      }
      this.state = 'open';
    } catch (e) {
      this.state = 'open';
      if (e instanceof AudioFileError) throw e;
      throw new AudioFileError(this.path, ioProblem('write error', e), { cause: e });
    }
  }

  /** Write the buffered frames to the file (write-behind: small write() calls cost no I/O). */
  private async flush(): Promise<void> {
    const bytes = this.fill * this.blockAlign;
    if (bytes === 0) return;
    await this.put(this.buf.subarray(0, bytes), this.headerLength + this.dataBytes);
    this.dataBytes += bytes;
    this.fill = 0;
  }

  /** Convert frames [pos, pos + n) of `x` into the Buffer from byte `from`. */
  private encode(x: readonly Float32Array[], pos: number, n: number, from: number): void {
    const C = this.channels;
    const b = this.buf;
    const dv = this.dv;
    const kind = this.kind;
    if (this.dither !== undefined) {
      // Through the codes array, DITHER_CHUNK frames at a time.
      const q = this.codes;
      for (let done = 0; done < n; ) {
        const m = Math.min(n - done, DITHER_CHUNK);
        const at = pos + done;
        this.dither.quantizeInto(
          x.slice(0, C).map((ch) => ch.subarray(at, at + m)),
          q,
          m,
        );
        const len = m * C;
        const o = from + done * this.blockAlign;
        if (kind === K_U8) for (let i = 0; i < len; i++) b[o + i] = q[i] + 128;
        else if (kind === K_S16)
          for (let i = 0, p = o; i < len; i++, p += 2) {
            const v = q[i];
            b[p] = v;
            b[p + 1] = v >> 8;
          }
        else
          for (let i = 0, p = o; i < len; i++, p += 3) {
            const v = q[i];
            b[p] = v;
            b[p + 1] = v >> 8;
            b[p + 2] = v >> 16;
          }
        done += m;
      }
      return;
    }
    for (let c = 0; c < C; c++) {
      const s = x[c];
      const end = pos + n;
      if (kind === K_S32) {
        // Round to nearest (halves up) and clip; NaN → 0.
        for (let i = pos, p = from + 4 * c; i < end; i++, p += 4 * C) {
          const v = s[i];
          let q = Math.floor(v * 2147483648 + 0.5);
          q = q > 2147483647 ? 2147483647 : q < -2147483648 ? -2147483648 : q === q ? q : 0;
          dv.setInt32(p, q, true);
        }
      } else if (kind === K_F32) {
        for (let i = pos, p = from + 4 * c; i < end; i++, p += 4 * C) {
          const v = s[i];
          dv.setFloat32(p, v === v ? v : 0, true);
        }
      } else {
        for (let i = pos, p = from + 8 * c; i < end; i++, p += 8 * C) {
          const v = s[i];
          dv.setFloat64(p, v === v ? v : 0, true);
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'aborted') throw new AudioFileError(this.path, 'close() after abort()');
    if (this.state === 'busy') throw new TypeError(`close(${this.path}): a write() is still in progress (await it first)`);
    this.state = 'busy';
    try {
      await this.flush();
      let end = this.headerLength + this.dataBytes;
      if (this.dataBytes % 2 === 1) {
        await this.put(new Uint8Array(1), end); // RIFF pad byte after an odd-sized chunk
        end++;
      }
      const rf64 = end - 8 > this.rf64Limit || this.dataBytes > this.rf64Limit;
      await this.put(encodeWavHeader({ format: this.format, channels: this.channels, sampleRate: this.sampleRate, dataBytes: this.dataBytes, rf64 }), 0);
      await this.fh.sync();
      await this.fh.close();
      await rename(this.tmp, this.path);
      this.state = 'closed';
    } catch (e) {
      this.state = 'open';
      await this.abort();
      if (e instanceof AudioFileError) throw e;
      throw new AudioFileError(this.path, ioProblem('cannot finish', e), { cause: e });
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'closed' || this.state === 'aborted') return;
    this.state = 'aborted';
    await this.fh.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }
}

/**
 * Write a whole WAV file at once (see {@link createWavWriter}; `channels` gives the channel count,
 * all of the same length).
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { writeWav } from 'masterbus/node';
 * const left = Float32Array.from({ length: 48000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
 * await writeWav(join(tmpdir(), 'masterbus-example-tone.wav'), [left, left], 48000, { format: 'pcm16' });
 * ```
 */
export async function writeWav(path: string, channels: readonly Float32Array[], sampleRate: number, options: Omit<WavWriterOptions, 'sampleRate' | 'channels'>): Promise<void> {
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
    throw new TypeError(`writeWav(${path}): channels must be a non-empty array of Float32Arrays, got ${describeValue(channels)}`);
  }
  const frames = channels[0].length;
  if (!channels.every((c) => c.length === frames)) throw new RangeError(`writeWav(${path}): every channel must have the same length, got ${channels.map((c) => c.length).join(', ')}`);
  const sink = await createWavWriter(path, { ...options, sampleRate, channels: channels.length });
  try {
    await sink.write(channels, frames);
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

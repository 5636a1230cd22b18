/**
 * A streaming FLAC writer: libFLAC's stream encoder (the `libflacjs` build of libFLAC, its
 * WebAssembly variant) fed block by block, the samples quantised by the core's {@link Dither} so
 * that a FLAC file holds exactly the integers a PCM WAV written with the same dither holds.
 *
 * The encoder writes the stream through a callback; the pieces go to a temporary file in the
 * destination's folder (`.<name>.<random>.tmp`), renamed onto the path at `close()`, so the path
 * never holds a half-written file. libFLAC without a seek callback cannot go back to finish its
 * STREAMINFO block (total samples, frame sizes, MD5 signature are unknown when it is first
 * written), so `close()` writes the final STREAMINFO it reports into the temporary file at byte 8
 * (after `fLaC` and the block header; RFC 9639 §8.1–8.2 for the layout) before the rename.
 *
 * libflacjs's WebAssembly variant fetches its `.wasm` with `fetch()` whenever `fetch` exists, which
 * fails in Node 18+ (`fetch` of a file path: "Failed to parse URL"). The variant is loaded with
 * `fetch` hidden for the synchronous moment of its `require()`, so Emscripten reads the file with
 * `fs` instead (twice the speed of the asm.js variant, measured). If that ever fails, the asm.js
 * variant is used.
 *
 * @module
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { Dither, type DitherMode } from '../core/dither.js';
import { AudioFileError, type AudioSink } from './audio-file.js';
import { assertNotProtected, temporaryPathFor } from './output-path.js';

/** Options of {@link createFlacWriter}. */
export interface FlacWriterOptions {
  /** Hz, an integer in [1, 655350] (libFLAC's limit). */
  sampleRate: number;
  /** 1–8 (FLAC's limit); 3–8 in WAV order (FL FR FC LFE BL BR SL SR, RFC 9639 §9.1.3). */
  channels: number;
  /** Word length of the file. */
  bits: 16 | 24;
  /** Quantisation: the core's {@link Dither} modes and seed. @defaultValue `{ mode: 'tpdf', seed: 0 }` */
  dither?: { mode?: DitherMode; seed?: number };
  /** libFLAC compression level, 0 (fastest) to 8 (smallest). @defaultValue 5 (the `flac` tool's default) */
  compression?: number;
  /** Files that must not be overwritten (the inputs): a `path` that is one of them is refused. */
  protect?: readonly string[];
}

/** The part of libflacjs's module used here. */
interface LibFlac {
  isReady(): boolean;
  on(event: string, listener: () => void): void;
  create_libflac_encoder(sampleRate: number, channels: number, bps: number, compression: number, totalSamples?: number, verify?: boolean, blockSize?: number): number;
  init_encoder_stream(encoder: number, write: (data: Uint8Array, bytes: number) => void, metadata?: (m: FlacStreamMetadata | undefined) => void): number;
  FLAC__stream_encoder_process_interleaved(encoder: number, buffer: Int32Array, frames: number): boolean | number;
  FLAC__stream_encoder_finish(encoder: number): boolean | number;
  FLAC__stream_encoder_delete(encoder: number): void;
  FLAC__stream_encoder_get_state(encoder: number): number;
}

/** STREAMINFO as libflacjs reports it at the end of encoding. */
interface FlacStreamMetadata {
  min_blocksize: number;
  max_blocksize: number;
  min_framesize: number;
  max_framesize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  total_samples: number;
  md5sum: string;
}

let libFlac: Promise<LibFlac> | undefined;

/** libflacjs, loaded once (its module is a process-wide singleton) and ready. */
function loadLibFlac(): Promise<LibFlac> {
  libFlac ??= (async () => {
    const mod = (await import('libflacjs')) as unknown as { default: (variant?: string) => LibFlac };
    const factory = mod.default;
    let flac: LibFlac;
    const g = globalThis as { fetch?: unknown };
    const savedFetch = g.fetch;
    try {
      // See the module notes: without fetch, Emscripten reads the .wasm with fs.
      delete g.fetch;
      flac = factory('wasm');
    } catch {
      flac = factory('');
    } finally {
      g.fetch = savedFetch;
    }
    if (!flac.isReady()) await new Promise<void>((done) => flac.on('ready', done));
    return flac;
  })();
  return libFlac;
}

/** Frames quantised and encoded per step. */
const STEP = 4096;

/** Check the options; a bad one throws a RangeError/TypeError naming it. */
function checkOptions(options: FlacWriterOptions): void {
  const name = 'createFlacWriter';
  if (options === null || typeof options !== 'object') throw new TypeError(`${name}: options must be an object { sampleRate, channels, bits }, got ${String(options)}`);
  const { sampleRate, channels, bits, compression } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 655350) throw new RangeError(`${name}: sampleRate must be an integer in [1, 655350] Hz, got ${String(sampleRate)}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) throw new RangeError(`${name}: channels must be an integer in [1, 8] (FLAC's limit), got ${String(channels)}`);
  if (bits !== 16 && bits !== 24) throw new RangeError(`${name}: bits must be 16 or 24, got ${String(bits)}`);
  if (compression !== undefined && (!Number.isInteger(compression) || compression < 0 || compression > 8)) throw new RangeError(`${name}: compression must be an integer in [0, 8], got ${String(compression)}`);
  if (options.protect !== undefined && (!Array.isArray(options.protect) || options.protect.some((p) => typeof p !== 'string'))) throw new TypeError(`${name}: protect must be an array of paths`);
}

/** The 34 bytes of a STREAMINFO block (RFC 9639 §8.2) from libFLAC's final report. */
function streamInfoBytes(m: FlacStreamMetadata): Uint8Array {
  const b = new Uint8Array(34);
  const v = new DataView(b.buffer);
  v.setUint16(0, m.min_blocksize);
  v.setUint16(2, m.max_blocksize);
  b[4] = (m.min_framesize >>> 16) & 0xff;
  v.setUint16(5, m.min_framesize & 0xffff);
  b[7] = (m.max_framesize >>> 16) & 0xff;
  v.setUint16(8, m.max_framesize & 0xffff);
  // 20 bits rate, 3 bits channels − 1, 5 bits bits − 1, 36 bits total samples.
  const total = m.total_samples;
  const hi = Math.floor(total / 2 ** 32) & 0x0f;
  b[10] = (m.sampleRate >>> 12) & 0xff;
  b[11] = (m.sampleRate >>> 4) & 0xff;
  b[12] = ((m.sampleRate & 0x0f) << 4) | (((m.channels - 1) & 7) << 1) | (((m.bitsPerSample - 1) >> 4) & 1);
  b[13] = (((m.bitsPerSample - 1) & 0x0f) << 4) | hi;
  v.setUint32(14, total % 2 ** 32);
  for (let i = 0; i < 16; i++) b[18 + i] = parseInt(m.md5sum.slice(2 * i, 2 * i + 2), 16) || 0;
  return b;
}

/**
 * Open a FLAC file for writing, block by block (see the module notes). Samples are full scale ±1
 * floats, quantised with the core's {@link Dither} (default: TPDF, seed 0; `{ mode: 'none' }`
 * rounds): the integers stored are exactly those of a PCM WAV written with the same dither, and
 * any partition into `write()` calls gives the same file. Nothing appears at `path` until
 * `close()`; `abort()` removes the temporary file. Refuses (AudioFileError) a `path` that is one
 * of `protect`, also through a symlink or another spelling.
 *
 * @example
 * ```ts
 * import { createFlacWriter } from 'masterbus/node';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const sink = await createFlacWriter(join(tmpdir(), 'masterbus-example-write.flac'), { sampleRate: 48000, channels: 2, bits: 24, dither: { mode: 'shaped' } });
 * const left = new Float32Array(48000), right = new Float32Array(48000);
 * for (let i = 0; i < 48000; i++) left[i] = right[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000);
 * await sink.write([left, right], 48000);
 * await sink.close(); // now the file is there, STREAMINFO complete (frames, MD5)
 * ```
 */
export async function createFlacWriter(path: string, options: FlacWriterOptions): Promise<AudioSink> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`createFlacWriter: path must be a non-empty string, got ${typeof path}`);
  checkOptions(options);
  await assertNotProtected(path, options.protect);
  const dither = new Dither({ bits: options.bits, mode: options.dither?.mode ?? 'tpdf', seed: options.dither?.seed ?? 0 });
  // The noise depends on seed, channel and sample index only, not on the rate: any valid rate will do.
  dither.prepare({ sampleRate: 48000, maxBlockSize: STEP, channels: options.channels });
  let flac: LibFlac;
  try {
    flac = await loadLibFlac();
  } catch (e) {
    libFlac = undefined;
    throw new AudioFileError(path, `cannot write FLAC: libflacjs did not load (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const tmp = temporaryPathFor(path);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AudioFileError(path, code === 'ENOENT' ? 'cannot write: its folder does not exist' : code === 'EACCES' ? 'cannot write: permission denied' : `cannot write: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    return new FlacSink(path, tmp, fh, flac, dither, options);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

class FlacSink implements AudioSink {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  private readonly tmp: string;
  private fh: FileHandle | undefined;
  private readonly flac: LibFlac;
  private encoder = 0;
  private readonly dither: Dither;
  private readonly ints: Int32Array;
  /** Encoded bytes given by libFLAC's write callback, not yet in the file. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private filePos = 0;
  private metadata: FlacStreamMetadata | undefined;
  private done = false;
  private busy = false;

  constructor(path: string, tmp: string, fh: FileHandle, flac: LibFlac, dither: Dither, o: FlacWriterOptions) {
    this.path = path;
    this.tmp = tmp;
    this.fh = fh;
    this.flac = flac;
    this.dither = dither;
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.ints = new Int32Array(STEP * o.channels);
    const enc = flac.create_libflac_encoder(o.sampleRate, o.channels, o.bits, o.compression ?? 5, 0, false, 0);
    if (enc === 0) throw new AudioFileError(path, 'the FLAC encoder could not be created');
    this.encoder = enc;
    const status = flac.init_encoder_stream(
      enc,
      (data, bytes) => {
        // libflacjs hands a copy of the encoder's bytes.
        this.pending.push(bytes === data.length ? data : data.subarray(0, bytes));
        this.pendingBytes += bytes;
      },
      (m) => {
        this.metadata = m;
      },
    );
    if (status !== 0) {
      this.deleteEncoder();
      throw new AudioFileError(path, `the FLAC encoder could not start (init status ${status})`);
    }
  }

  async write(channels: readonly Float32Array[], frames: number): Promise<void> {
    const C = this.channels;
    if (!Array.isArray(channels) || channels.length < C || channels.slice(0, C).some((c) => !(c instanceof Float32Array))) {
      throw new TypeError(`${this.path}: write(): channels must hold ${C} Float32Arrays`);
    }
    if (!Number.isInteger(frames) || frames < 0 || channels.slice(0, C).some((c) => c.length < frames)) {
      throw new RangeError(`${this.path}: write(): frames must be an integer in [0, the shortest channel's length], got ${String(frames)}`);
    }
    this.enter('write');
    try {
      for (let pos = 0; pos < frames; pos += STEP) {
        const len = Math.min(STEP, frames - pos);
        const block = pos === 0 && len === frames ? channels.slice(0, C) : channels.slice(0, C).map((c) => c.subarray(pos, pos + len));
        this.dither.quantizeInto(block, this.ints, len);
        const ok = this.flac.FLAC__stream_encoder_process_interleaved(this.encoder, this.ints.subarray(0, len * C), len);
        if (!ok) throw new AudioFileError(this.path, `the FLAC encoder failed (state ${this.flac.FLAC__stream_encoder_get_state(this.encoder)})`);
        if (this.pendingBytes >= 256 * 1024) await this.flushPending();
      }
      await this.flushPending();
    } catch (e) {
      await this.fail();
      throw this.asFileError(e);
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    this.enter('close');
    try {
      const ok = this.flac.FLAC__stream_encoder_finish(this.encoder);
      if (!ok) throw new AudioFileError(this.path, `the FLAC encoder failed to finish (state ${this.flac.FLAC__stream_encoder_get_state(this.encoder)})`);
      this.deleteEncoder();
      await this.flushPending();
      const m = this.metadata;
      if (m === undefined) throw new AudioFileError(this.path, 'the FLAC encoder gave no final STREAMINFO');
      const fh = this.fh!;
      await fh.write(streamInfoBytes(m), 0, 34, 8);
      this.fh = undefined;
      await fh.close();
      await rename(this.tmp, this.path);
      this.done = true;
    } catch (e) {
      await this.fail();
      throw this.asFileError(e);
    } finally {
      this.busy = false;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    await this.fail();
  }

  /** Guard a public call: not after close()/abort(), not while another is running. */
  private enter(what: string): void {
    if (this.done) throw new AudioFileError(this.path, `${what}() after close() or abort()`);
    if (this.busy) throw new Error(`${this.path}: ${what}() called before the previous call resolved`);
    this.busy = true;
  }

  /** Write what libFLAC has produced to the temporary file, in order. */
  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const parts = this.pending;
    const size = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    let off = 0;
    while (off < size) {
      const { bytesWritten } = await this.fh!.write(buf, off, size - off, this.filePos);
      off += bytesWritten;
      this.filePos += bytesWritten;
    }
  }

  /** Give up: free the encoder, close and remove the temporary file (idempotent). */
  private async fail(): Promise<void> {
    this.done = true;
    this.deleteEncoder();
    this.pending = [];
    const fh = this.fh;
    this.fh = undefined;
    if (fh !== undefined) await fh.close().catch(() => {});
    await rm(this.tmp, { force: true }).catch(() => {});
  }

  private deleteEncoder(): void {
    if (this.encoder !== 0) {
      this.flac.FLAC__stream_encoder_delete(this.encoder);
      this.encoder = 0;
    }
  }

  private asFileError(e: unknown): unknown {
    if (e instanceof AudioFileError || e instanceof TypeError || e instanceof RangeError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    return new AudioFileError(this.path, code === 'ENOSPC' ? 'cannot write: no space left on the device' : `cannot write: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

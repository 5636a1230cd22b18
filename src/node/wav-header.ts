/**
 * WAV headers, read and written, with no I/O: the RIFF/WAVE chunk walk, the `fmt ` chunk, RF64 /
 * BW64 64-bit sizes, and the header `createWavWriter` writes.
 *
 * Formats (sources):
 * - RIFF/WAVE: Microsoft/IBM, "Multimedia Programming Interface and Data Specifications 1.0"
 *   (1991): chunks `<id:4><size:u32 LE><body>`, a pad byte after an odd-sized body, `fmt ` with
 *   WAVE_FORMAT_PCM (1), samples of ≤ 8 bits unsigned, wider ones signed two's complement.
 * - WAVE_FORMAT_IEEE_FLOAT (3) and WAVE_FORMAT_EXTENSIBLE (0xFFFE, a 40-byte `fmt ` whose
 *   `SubFormat` GUID is `{000000XX-0000-0010-8000-00AA00389B71}`, XX the format code; plus
 *   `wValidBitsPerSample` and `dwChannelMask`): Microsoft, "Multiple Channel Audio Data and WAVE
 *   Files" (2017), which also gives the rule for using EXTENSIBLE (more than 2 channels or more
 *   than 16 bits) and the speaker bits of `dwChannelMask`.
 * - RF64: EBU Tech 3306 v1.1 (2009): `RF64` in place of `RIFF`, sizes set to 0xFFFFFFFF, and a
 *   `ds64` chunk first after `WAVE` holding the 64-bit RIFF size, data size and sample count;
 *   a writer reserves its place with a `JUNK` chunk of 28 payload bytes (§3). BW64 (ITU-R
 *   BS.2088-1) is the same layout under the id `BW64`.
 *
 * Safety: the walk asks for a few bytes at a time (at most {@link HEADER_READ_MAX}) and never sizes
 * anything from a header field: a data chunk larger than the file (streamed, truncated or
 * 0xFFFFFFFF sizes) is cut to what the file holds and flagged `truncated`.
 *
 * @module
 */
import { AudioFileError, type SampleFormat } from './audio-file.js';

/** Outer container: plain RIFF (≤ 4 GiB), EBU RF64, or ITU BW64. */
export type WavContainer = 'RIFF' | 'RF64' | 'BW64';

/** What a WAV header says, checked, with the data's extent cut to the bytes the file holds. */
export interface WavInfo {
  /** Outer container id. */
  readonly container: WavContainer;
  /** `wFormatTag` as stored: 1 (PCM), 3 (IEEE float) or 0xFFFE (EXTENSIBLE). */
  readonly formatTag: number;
  /** Whether `fmt ` is WAVE_FORMAT_EXTENSIBLE. */
  readonly extensible: boolean;
  /** The samples' encoding, e.g. `'pcm24'`. */
  readonly sampleFormat: SampleFormat;
  /** Container bits per sample (8, 16, 24, 32 or 64). */
  readonly bitsPerSample: number;
  /** Significant bits (`wValidBitsPerSample` of EXTENSIBLE, else `bitsPerSample`). */
  readonly validBitsPerSample: number;
  /** 1–32. */
  readonly channels: number;
  /** `dwChannelMask` of EXTENSIBLE (speaker positions), `undefined` for plain PCM/float. */
  readonly channelMask: number | undefined;
  /** Hz, 8 000–384 000. */
  readonly sampleRate: number;
  /** Bytes per frame: channels × bitsPerSample / 8. */
  readonly blockAlign: number;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Bytes of whole frames the file holds from `dataOffset` (≤ the declared size). */
  readonly dataBytes: number;
  /** The data size the header declares (from `ds64` in RF64/BW64). */
  readonly declaredDataBytes: number;
  /** Frames per channel actually in the file: dataBytes / blockAlign. */
  readonly frames: number;
  /** The header declares more data than the file holds (a streamed, truncated or still-growing file); `frames` counts what is there. */
  readonly truncated: boolean;
  /** Human-readable encoding, e.g. `'WAV PCM 24-bit'`, `'RF64 float 32-bit'`. */
  readonly description: string;
}

/** The largest read the header walk asks for, in bytes. */
export const HEADER_READ_MAX = 40;

/** A request of the header walk: up to `length` bytes at `offset` (fewer only at the end of the file). */
export interface HeaderRead {
  readonly offset: number;
  readonly length: number;
}

/** Channel counts and sample rates this module reads and writes. */
export const WAV_LIMITS = Object.freeze({ minChannels: 1, maxChannels: 32, minSampleRate: 8000, maxSampleRate: 384000 });

/** The 14 bytes after the format code in a KSDATAFORMAT_SUBTYPE_* GUID (…-0000-0010-8000-00AA00389B71). */
const GUID_TAIL = Object.freeze([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

/** Names of format codes we refuse, for the error message (Microsoft mmreg.h). */
const FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0002, 'Microsoft ADPCM'],
  [0x0006, 'A-law'],
  [0x0007, 'μ-law'],
  [0x0011, 'IMA ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0050, 'MPEG'],
  [0x0055, 'MP3'],
  [0x0092, 'Dolby AC-3 SPDIF'],
  [0x00ff, 'AAC'],
  [0x0161, 'WMA'],
  [0x2000, 'Dolby AC-3'],
  [0xf1ac, 'FLAC'],
]);

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** A little-endian u64 as a Number (exact below 2^53, which any real size is). */
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 4294967296;
const id4 = (b: Uint8Array, o: number): string => String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
/** A chunk id as a message shows it: printable ASCII quoted, anything else as hex. */
function showId(id: string): string {
  return /^[\x20-\x7e]{4}$/.test(id) ? `'${id}'` : `0x${[...id].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}
const hex4 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

interface Fmt {
  formatTag: number;
  extensible: boolean;
  float: boolean;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
  validBits: number;
  channelMask: number | undefined;
}

/**
 * The header walk as a generator: it yields {@link HeaderRead} requests, is resumed with the bytes
 * read (a `Uint8Array` of at most `length` bytes; fewer only at the end of the file) and returns the
 * {@link WavInfo}, or throws an {@link AudioFileError}. It keeps no byte of the file beyond the
 * current request, so a driver can serve it from a small window ({@link parseWavHeader} from an
 * array, `openWav` from a file). `fileSize` bounds every offset.
 */
export function* walkWavHeader(fileSize: number, file: string): Generator<HeaderRead, WavInfo, Uint8Array> {
  const fail = (problem: string): never => {
    throw new AudioFileError(file, problem);
  };
  if (!(Number.isSafeInteger(fileSize) && fileSize >= 0)) fail(`file size must be a whole number of bytes, got ${fileSize}`);
  if (fileSize === 0) fail('empty file (0 bytes), not a WAV file');
  const head = yield { offset: 0, length: 12 };
  const magic = head.length >= 4 ? id4(head, 0) : '';
  if (magic === 'RIFX' || magic === 'FFIR') fail('unsupported WAV variant: big-endian RIFX');
  if (magic !== 'RIFF' && magic !== 'RF64' && magic !== 'BW64') fail('not a WAV file (no RIFF/RF64 header)');
  const container = magic as WavContainer;
  if (head.length < 12) fail(`truncated: header ends at byte ${head.length}`);
  const form = id4(head, 8);
  if (form !== 'WAVE') fail(`not a WAV file (RIFF form type ${showId(form)}, expected 'WAVE')`);
  const large = container !== 'RIFF';

  let ds64Data: number | undefined;
  let fmt: Fmt | undefined;
  let dataOffset = -1;
  let declared = 0;
  let off = 12;
  let first = true;
  while (off + 8 <= fileSize) {
    const ch = yield { offset: off, length: 8 };
    if (ch.length < 8) break;
    const id = id4(ch, 0);
    const size = u32(ch, 4);
    const body = off + 8;
    if (id === 'ds64' && large && first) {
      if (size < 28) fail(`ds64 chunk too short: ${size} bytes (at least 28)`);
      const d = yield { offset: body, length: 28 };
      if (d.length < 28) fail(`truncated: header ends at byte ${body + d.length} (inside the ds64 chunk)`);
      ds64Data = u64(d, 8);
    } else if (id === 'fmt ' && fmt === undefined) {
      if (size < 16) fail(`fmt chunk too short: ${size} bytes (at least 16)`);
      const want = Math.min(size, 40);
      const b = yield { offset: body, length: want };
      if (b.length < Math.min(want, 16)) fail(`truncated: header ends at byte ${body + b.length} (inside the fmt chunk)`);
      fmt = parseFmt(b, size, fail);
    } else if (id === 'data' && dataOffset < 0) {
      dataOffset = body;
      declared = size;
      if (large && size === 0xffffffff) {
        if (ds64Data === undefined) fail(`${container} file without a ds64 chunk before its data`);
        declared = ds64Data as number;
      }
      if (fmt !== undefined) break;
      // fmt after data (legal, rare): skip the samples by their declared size and keep looking.
      off = body + declared + (declared % 2);
      first = false;
      continue;
    }
    first = false;
    off = body + size + (size & 1);
  }
  if (fmt === undefined) return fail(dataOffset < 0 ? 'no fmt chunk (is it a WAV file?)' : 'no fmt chunk before the end of the file');
  if (dataOffset < 0) return fail('no data chunk');
  const f = fmt;
  const held = Math.max(0, Math.min(declared, fileSize - dataOffset));
  const frames = Math.floor(held / f.blockAlign);
  const dataBytes = frames * f.blockAlign;
  const sampleFormat: SampleFormat = f.float ? (f.bits === 64 ? 'float64' : 'float32') : (`pcm${f.bits}` as SampleFormat);
  const valid = f.validBits < f.bits ? ` (${f.validBits} valid)` : '';
  return {
    container,
    formatTag: f.formatTag,
    extensible: f.extensible,
    sampleFormat,
    bitsPerSample: f.bits,
    validBitsPerSample: f.validBits,
    channels: f.channels,
    channelMask: f.channelMask,
    sampleRate: f.sampleRate,
    blockAlign: f.blockAlign,
    dataOffset,
    dataBytes,
    declaredDataBytes: declared,
    frames,
    truncated: declared > fileSize - dataOffset,
    description: `${container === 'RIFF' ? 'WAV' : container} ${f.float ? 'float' : 'PCM'} ${f.bits}-bit${valid}`,
  };
}

/** Check a `fmt ` body (`b` holds its first ≤ 40 bytes, `size` is the declared body size). */
function parseFmt(b: Uint8Array, size: number, fail: (problem: string) => never): Fmt {
  const formatTag = u16(b, 0);
  const channels = u16(b, 2);
  const sampleRate = u32(b, 4);
  const blockAlign = u16(b, 12);
  const bits = u16(b, 14);
  let code = formatTag;
  let validBits = bits;
  let channelMask: number | undefined;
  const extensible = formatTag === 0xfffe;
  if (extensible) {
    if (size < 40 || b.length < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk too short: ${Math.min(size, b.length)} bytes (40 expected)`);
    const cb = u16(b, 16);
    if (cb < 22) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk with cbSize ${cb} (at least 22 expected)`);
    validBits = u16(b, 18) || bits; // 0 = not given: the container size
    channelMask = u32(b, 20);
    code = u16(b, 24);
    for (let i = 0; i < GUID_TAIL.length; i++) {
      if (b[26 + i] !== GUID_TAIL[i]) fail(`unsupported WAV sub-format GUID ${guid(b, 24)}`);
    }
  }
  if (code !== 1 && code !== 3) {
    const name = FORMAT_NAMES.get(code);
    fail(`unsupported WAV encoding: ${name ?? 'unknown'} (format ${name === undefined ? hex4(code) : code})`);
  }
  const float = code === 3;
  const L = WAV_LIMITS;
  if (!(channels >= L.minChannels && channels <= L.maxChannels)) fail(`unsupported channel count: ${channels} (${L.minChannels}–${L.maxChannels})`);
  if (!(sampleRate >= L.minSampleRate && sampleRate <= L.maxSampleRate)) fail(`unsupported sample rate: ${sampleRate} Hz (${L.minSampleRate}–${L.maxSampleRate})`);
  if (float ? bits !== 32 && bits !== 64 : bits !== 8 && bits !== 16 && bits !== 24 && bits !== 32) {
    fail(float ? `unsupported float bit depth: ${bits} (32 or 64)` : `unsupported PCM bit depth: ${bits} (8, 16, 24 or 32)`);
  }
  if (validBits > bits) fail(`validBitsPerSample ${validBits} exceeds the ${bits}-bit container`);
  const expected = (channels * bits) / 8;
  if (blockAlign !== expected) fail(`blockAlign ${blockAlign} does not match ${channels} channel${channels === 1 ? '' : 's'} × ${bits / 8} bytes (${expected})`);
  return { formatTag, extensible, float, channels, sampleRate, blockAlign, bits, validBits, channelMask };
}

/** A GUID as text, {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, from its 16 bytes at `o` (Microsoft byte order). */
function guid(b: Uint8Array, o: number): string {
  const h = (i: number) => b[o + i].toString(16).padStart(2, '0');
  const run = (idx: number[]) => idx.map(h).join('');
  return `{${run([3, 2, 1, 0])}-${run([5, 4])}-${run([7, 6])}-${run([8, 9])}-${run([10, 11, 12, 13, 14, 15])}}`.toUpperCase();
}

/**
 * Read a WAV header from the file's first bytes, with no I/O: `bytes` must hold at least the
 * header (every chunk before `data`, and `fmt ` wherever it is), or the whole file; `fileSize` is
 * the file's full size (what bounds the data). Accepts RIFF/WAVE, RF64 and BW64, chunks in any
 * order, PCM 8/16/24/32-bit, float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, 1–32 channels at
 * 8–384 kHz. Anything else throws an {@link AudioFileError} naming `file` and the problem.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { parseWavHeader, writeWav } from 'masterbus/node';
 * const path = join(tmpdir(), 'masterbus-example-header.wav');
 * await writeWav(path, [new Float32Array(44100)], 44100, { format: 'pcm24' });
 * const bytes = new Uint8Array(await readFile(path));
 * const info = parseWavHeader(bytes, bytes.length, path);
 * console.log(info.description, info.channels, info.frames); // "WAV PCM 24-bit" 1 44100
 * ```
 */
export function parseWavHeader(bytes: Uint8Array, fileSize: number, file: string): WavInfo {
  const walk = walkWavHeader(fileSize, file);
  const have = Math.min(bytes.length, fileSize);
  let step = walk.next(new Uint8Array(0));
  while (!step.done) {
    const { offset, length } = step.value;
    const end = Math.min(offset + length, fileSize);
    if (end > have) throw new AudioFileError(file, `header goes beyond the first ${have} bytes given (byte ${end} needed)`);
    step = walk.next(bytes.subarray(offset, end));
  }
  return step.value;
}

/** Microsoft's default speaker masks (ksmedia.h KSAUDIO_SPEAKER_*) for 1–8 channels; 0 (no positions) beyond. */
const CHANNEL_MASKS: readonly number[] = Object.freeze([
  0, // (unused)
  0x4, // mono: FC
  0x3, // stereo: FL FR
  0x7, // FL FR FC
  0x33, // quad: FL FR BL BR
  0x37, // 5.0: FL FR FC BL BR
  0x3f, // 5.1: FL FR FC LFE BL BR
  0x13f, // 6.1: 5.1 + BC
  0x63f, // 7.1 surround: 5.1 + SL SR
]);

/** The `dwChannelMask` the WAV writer stores for `channels` channels (WAVE_FORMAT_EXTENSIBLE; 0 above 8 channels). */
export function defaultChannelMask(channels: number): number {
  return channels < CHANNEL_MASKS.length ? CHANNEL_MASKS[channels] : 0;
}

/** Bits per sample of each {@link SampleFormat}. */
export const SAMPLE_FORMAT_BITS: Readonly<Record<SampleFormat, number>> = Object.freeze({ pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 });

/** What {@link encodeWavHeader} needs. */
export interface WavHeaderFields {
  readonly format: SampleFormat;
  readonly channels: number;
  readonly sampleRate: number;
  /** Bytes of samples (without the pad byte). */
  readonly dataBytes: number;
  /** Write RF64 (ds64 with the 64-bit sizes) instead of RIFF (a JUNK chunk holding ds64's place). */
  readonly rf64: boolean;
}

/** Whether a file of `format` × `channels` gets WAVE_FORMAT_EXTENSIBLE: more than 2 channels or more than 16 bits (Microsoft's rule). */
export function usesExtensible(format: SampleFormat, channels: number): boolean {
  return channels > 2 || SAMPLE_FORMAT_BITS[format] > 16;
}

/** Length of the header {@link encodeWavHeader} writes (the same before and after RF64 promotion). */
export function wavHeaderLength(format: SampleFormat, channels: number): number {
  return 12 + (8 + 28) + 8 + (usesExtensible(format, channels) ? 40 : 16) + 8;
}

/**
 * The header of a file written by `createWavWriter`: `RIFF`/`RF64`, `WAVE`, a 28-byte `JUNK` (RIFF)
 * or `ds64` (RF64) chunk (EBU Tech 3306 §3), `fmt ` (16 bytes, or 40 for EXTENSIBLE with the
 * default speaker mask), and the `data` chunk header. Its length is {@link wavHeaderLength}.
 */
export function encodeWavHeader(h: WavHeaderFields): Uint8Array {
  const bits = SAMPLE_FORMAT_BITS[h.format];
  const float = h.format === 'float32' || h.format === 'float64';
  const ext = usesExtensible(h.format, h.channels);
  const len = wavHeaderLength(h.format, h.channels);
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  const put = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) b[o + i] = s.charCodeAt(i);
  };
  const put64 = (o: number, n: number) => {
    v.setUint32(o, n % 4294967296, true);
    v.setUint32(o + 4, Math.floor(n / 4294967296), true);
  };
  const blockAlign = (h.channels * bits) / 8;
  const pad = h.dataBytes % 2;
  const riffSize = len - 8 + h.dataBytes + pad;
  put(0, h.rf64 ? 'RF64' : 'RIFF');
  v.setUint32(4, h.rf64 ? 0xffffffff : riffSize, true);
  put(8, 'WAVE');
  put(12, h.rf64 ? 'ds64' : 'JUNK');
  v.setUint32(16, 28, true);
  if (h.rf64) {
    put64(20, riffSize);
    put64(28, h.dataBytes);
    put64(36, h.dataBytes / blockAlign); // sample count (frames); table length at 44 stays 0
  }
  let o = 48;
  put(o, 'fmt ');
  v.setUint32(o + 4, ext ? 40 : 16, true);
  o += 8;
  v.setUint16(o, ext ? 0xfffe : float ? 3 : 1, true);
  v.setUint16(o + 2, h.channels, true);
  v.setUint32(o + 4, h.sampleRate, true);
  v.setUint32(o + 8, h.sampleRate * blockAlign, true);
  v.setUint16(o + 12, blockAlign, true);
  v.setUint16(o + 14, bits, true);
  if (ext) {
    v.setUint16(o + 16, 22, true);
    v.setUint16(o + 18, bits, true);
    v.setUint32(o + 20, defaultChannelMask(h.channels), true);
    v.setUint16(o + 24, float ? 3 : 1, true);
    for (let i = 0; i < GUID_TAIL.length; i++) b[o + 26 + i] = GUID_TAIL[i];
    o += 40;
  } else {
    o += 16;
  }
  put(o, 'data');
  v.setUint32(o + 4, h.rf64 ? 0xffffffff : h.dataBytes, true);
  return b;
}

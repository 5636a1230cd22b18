/**
 * Streaming readers of compressed audio files: FLAC, MP3, Ogg Vorbis and Ogg Opus, each an
 * {@link AudioSource} that reads the file in bounded pieces, feeds them to a WebAssembly decoder
 * (eshaz's `@wasm-audio-decoders/flac` and `ogg-vorbis`, `mpg123-decoder`, `ogg-opus-decoder`:
 * libFLAC, libvorbis, mpg123 and libopus compiled to WebAssembly) and hands out exactly the frames
 * asked for from a FIFO of decoded blocks. Memory stays bounded whatever the file's length: the
 * input is fed in pieces sized so that one piece decodes to about {@link TARGET_FRAMES} frames.
 *
 * The decoders carry on through damaged data (they skip what they cannot decode), which would
 * hand a mastering chain audio with holes in it. So every source also checks what it can, and a
 * damaged or truncated file ends in an {@link AudioFileError} instead of shorter audio:
 * - FLAC: the decoded frame count against STREAMINFO's total and, for 4–24-bit streams, the MD5 of
 *   the decoded samples against STREAMINFO's signature (RFC 9639 §8.2: MD5 of the samples as
 *   interleaved signed little-endian integers of ⌈bits/8⌉ bytes). Both at the end of the file.
 * - Ogg (Vorbis, Opus): every page's CRC-32 as the bytes go by (RFC 3533 §6: polynomial
 *   0x04C11DB7, initial value 0, not reflected, the CRC field taken as zero), lost sync, and a
 *   truncated file (an incomplete last page, or a last page without the end-of-stream flag).
 * - MP3: the byte count of a Xing/Info or VBRI header against the bytes in the file (truncation);
 *   MP3 frames usually carry no checksum, so a flipped bit inside one is not detectable.
 * - Every format: errors the decoder reports, exceptions it throws, a change of sample rate or
 *   channel count in mid-stream.
 *
 * Channel order: FLAC's multichannel order is WAV's (RFC 9639 §9.1.3). Vorbis and Opus store
 * 3–8 channels in Vorbis order (Vorbis I §4.3.9; RFC 7845 §5.1.1.2): they are reordered to WAV's
 * (FL FR FC LFE BL BR SL SR), as FFmpeg does, so a 5.1 file means the same channels whatever its
 * format.
 *
 * MP3 is gapless: mpg123 reads the encoder delay and padding from the LAME/Xing header and trims
 * them (and its own decoder delay), so a LAME-encoded file decodes to the length of its source.
 * Opus decodes at 48 kHz (its native rate), with the pre-skip and end trimming of RFC 7845 §4.
 *
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { AudioFileError, type AudioFileFormat, type AudioSource } from './audio-file.js';
import { id3v2Length, isMpegFrameHeader, sniffAudioFormat } from './sniff.js';

/** Bytes read from the file at a time. */
const READ_BYTES = 128 * 1024;
/** Bytes of the file's start read to recognise it and parse its headers. */
const HEAD_BYTES = 64 * 1024;
/** Decoded frames one piece of input should give (the FIFO holds about this many, per channel). */
const TARGET_FRAMES = 64 * 1024;
/** Smallest piece of input fed to a decoder, in bytes. */
const MIN_FEED = 512;

/** What every eshaz decoder returns from `decode()` and `flush()`. */
interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; inputBytes: number }[];
}

/** The part of an eshaz decoder's API used here. */
interface WasmDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): Decoded | Promise<Decoded>;
  flush?(): Promise<Decoded>;
  free(): void;
}

/** What a format's header parser finds. */
interface StreamInfo {
  /** Where the decoder's input starts (after an ID3v2 tag for FLAC and MP3). */
  dataStart: number;
  sampleRate: number;
  channels: number;
  frames: number | undefined;
  description: string;
  /** Vorbis-order → WAV-order channel map (output channel c takes decoded channel map[c]), or undefined for none. */
  channelMap: readonly number[] | undefined;
  /** FLAC: bits per sample and the MD5 signature (undefined when unset or not checkable). */
  bits?: number;
  md5?: Uint8Array;
  /** MP3: the stream's byte count from a Xing/Info/VBRI header, counted from `dataStart`. */
  streamBytes?: number;
}

/** One format: how to recognise and parse its header, and how to make its decoder. */
interface Codec {
  format: AudioFileFormat;
  /** `'FLAC'`, `'MP3'`, `'Ogg Vorbis'`, `'Ogg Opus'`: in "not a … file". */
  name: string;
  /** The public function that opens it, for argument errors. */
  opener: string;
  parse(head: Uint8Array, fileSize: number, file: string): StreamInfo;
  create(): Promise<WasmDecoder>;
  /** Ogg: check page CRCs as the bytes go by. */
  ogg: boolean;
}

const FORMAT_NAMES: Record<AudioFileFormat, string> = {
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
};

/* ------------------------------------------------------------------------------------------ */
/* Header parsers                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** Big-endian unsigned 32-bit integer at `at`. */
function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
/** Little-endian unsigned 32-bit integer at `at`. */
function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * FLAC: the stream marker and the STREAMINFO block (RFC 9639 §8.1–8.2): a 4-byte block header
 * (last-block flag, type 0, length 34), then min/max block size (16 bits each), min/max frame
 * size (24 bits each), sample rate (20 bits), channels − 1 (3), bits per sample − 1 (5), total
 * samples per channel (36; 0 = unknown) and the MD5 signature (128).
 */
function parseFlac(head: Uint8Array, _fileSize: number, file: string): StreamInfo {
  const start = id3v2Length(head);
  const s = start + 8;
  if (head.length < s + 34) throw new AudioFileError(file, `truncated: the FLAC header ends at byte ${head.length}`);
  if ((head[start + 4] & 0x7f) !== 0) throw new AudioFileError(file, `corrupt FLAC header: the first metadata block has type ${head[start + 4] & 0x7f}, expected STREAMINFO (0)`);
  const len = (head[start + 5] << 16) | (head[start + 6] << 8) | head[start + 7];
  if (len !== 34) throw new AudioFileError(file, `corrupt FLAC header: STREAMINFO is ${len} bytes long, expected 34`);
  const sampleRate = (head[s + 10] << 12) | (head[s + 11] << 4) | (head[s + 12] >> 4);
  const channels = ((head[s + 12] >> 1) & 7) + 1;
  const bits = (((head[s + 12] & 1) << 4) | (head[s + 13] >> 4)) + 1;
  const total = (head[s + 13] & 0x0f) * 2 ** 32 + u32be(head, s + 14);
  if (sampleRate === 0) throw new AudioFileError(file, 'corrupt FLAC header: sample rate 0 in STREAMINFO');
  if (bits < 4) throw new AudioFileError(file, `corrupt FLAC header: ${bits} bits per sample in STREAMINFO, expected 4–32`);
  const md5 = head.slice(s + 18, s + 34);
  const md5Set = md5.some((x) => x !== 0);
  return {
    dataStart: start,
    sampleRate,
    channels,
    frames: total === 0 ? undefined : total,
    description: `FLAC ${bits}-bit`,
    channelMap: undefined,
    bits,
    md5: md5Set && bits <= 24 ? md5 : undefined,
  };
}

/** MPEG audio bitrates in kb/s by [MPEG-1 ? 0 : 1][layer − 1][index] (ISO/IEC 11172-3 §2.4.2.3, ISO/IEC 13818-3 §2.4.2.3). */
const MPEG_BITRATES = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];

/**
 * MP3: the first MPEG audio frame header after any ID3v2 tag (ISO/IEC 11172-3 §2.4.2.3), and a
 * Xing/Info tag in that frame's side-info gap or a VBRI tag 32 bytes after its header (the
 * de-facto VBR headers of LAME and Fraunhofer): its byte count lets a truncated file be noticed.
 */
function parseMp3(head: Uint8Array, _fileSize: number, file: string): StreamInfo {
  const tag = id3v2Length(head);
  let at = tag;
  // Some files pad between the tag and the first frame: look a little further for two frames in a row.
  const limit = Math.min(head.length - 4, tag + 4096);
  while (at <= limit && !(isMpegFrameHeader(head, at) && frameFollows(head, at))) at++;
  if (at > limit) throw new AudioFileError(file, tag > 0 ? 'not an MP3 file: no MPEG audio frame after the ID3v2 tag' : 'not an MP3 file: no MPEG audio frame at its start');
  const h1 = head[at + 1];
  const h2 = head[at + 2];
  const version = (h1 >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = 4 - ((h1 >> 1) & 3);
  const rates = [44100, 48000, 32000];
  const sampleRate = rates[(h2 >> 2) & 3] / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const mono = head[at + 3] >> 6 === 3;
  const kbps = MPEG_BITRATES[version === 3 ? 0 : 1][layer - 1][h2 >> 4];
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 3 ? 576 : 1152;
  // Xing/Info: after the header and the side information (17 or 32 bytes for MPEG-1, 9 or 17 for MPEG-2/2.5).
  const side = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const x = at + 4 + side;
  let vbr = false;
  let streamBytes: number | undefined;
  let frameCount: number | undefined;
  const isTag = (p: number, s: string): boolean => p + 4 <= head.length && String.fromCharCode(head[p], head[p + 1], head[p + 2], head[p + 3]) === s;
  if (isTag(x, 'Xing') || isTag(x, 'Info')) {
    vbr = isTag(x, 'Xing');
    const flags = u32be(head, x + 4);
    let p = x + 8;
    if (flags & 1) {
      frameCount = u32be(head, p);
      p += 4;
    }
    if (flags & 2) streamBytes = u32be(head, p);
  } else if (isTag(at + 36, 'VBRI')) {
    vbr = true;
    streamBytes = u32be(head, at + 36 + 10);
    frameCount = u32be(head, at + 36 + 14);
  }
  let rate = `${kbps} kb/s`;
  if (vbr) {
    const avg = streamBytes !== undefined && frameCount !== undefined && frameCount > 0 ? Math.round((streamBytes * 8 * sampleRate) / (frameCount * samplesPerFrame) / 1000) : undefined;
    rate = avg !== undefined ? `VBR ~${avg} kb/s` : 'VBR';
  }
  const name = layer === 3 ? 'MP3' : `MPEG layer ${layer === 2 ? 'II' : 'I'}`;
  return { dataStart: at, sampleRate, channels: mono ? 1 : 2, frames: undefined, description: `${name} ${rate}`, channelMap: undefined, ...(streamBytes !== undefined ? { streamBytes } : {}) };
}

/** True when another MPEG frame header follows the one at `at`, or the head ends before it (cannot tell). */
function frameFollows(b: Uint8Array, at: number): boolean {
  const h1 = b[at + 1];
  const h2 = b[at + 2];
  const version = (h1 >> 3) & 3;
  const layer = 4 - ((h1 >> 1) & 3);
  const kbps = MPEG_BITRATES[version === 3 ? 0 : 1][layer - 1][h2 >> 4];
  if (kbps === 0) return true; // free format: no length to check
  const rate = [44100, 48000, 32000][(h2 >> 2) & 3] / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const pad = (h2 >> 1) & 1;
  // Frame length in bytes (ISO/IEC 11172-3 §2.4.3.1; MPEG-2 layer III frames hold half the samples).
  const len = layer === 1 ? (Math.floor((12000 * kbps) / rate) + pad) * 4 : Math.floor(((layer === 3 && version !== 3 ? 72000 : 144000) * kbps) / rate) + pad;
  const next = at + len;
  if (next + 4 > b.length) return true;
  return isMpegFrameHeader(b, next);
}

/** Vorbis channel order → WAV order, for 3–8 channels (Vorbis I §4.3.9 → WAVEFORMATEXTENSIBLE's speaker order). */
const VORBIS_TO_WAV: Record<number, readonly number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};

/** The first packet of an Ogg file's first page (RFC 3533 §6), or undefined when the page is not whole in `head`. */
function firstOggPacket(head: Uint8Array): Uint8Array | undefined {
  if (head.length < 27) return undefined;
  const n = head[26];
  let len = 0;
  let i = 0;
  for (; i < n; i++) {
    len += head[27 + i];
    if (head[27 + i] < 255) break;
  }
  const start = 27 + n;
  if (start + len > head.length) return undefined;
  return head.subarray(start, start + len);
}

/** Ogg Vorbis: the identification header (Vorbis I §4.2.2): version 0, channels, rate, bitrates. */
function parseVorbis(head: Uint8Array, _fileSize: number, file: string): StreamInfo {
  const p = firstOggPacket(head);
  if (p === undefined || p.length < 30) throw new AudioFileError(file, 'truncated: the Ogg Vorbis identification header is incomplete');
  const channels = p[11];
  const sampleRate = u32le(p, 12);
  const nominal = u32le(p, 20) | 0;
  if (u32le(p, 7) !== 0 || channels === 0 || sampleRate === 0) throw new AudioFileError(file, `corrupt Ogg Vorbis identification header (version ${u32le(p, 7)}, ${channels} channels, ${sampleRate} Hz)`);
  return {
    dataStart: 0,
    sampleRate,
    channels,
    frames: undefined,
    description: nominal > 0 ? `Ogg Vorbis ~${Math.round(nominal / 1000)} kb/s` : 'Ogg Vorbis',
    channelMap: VORBIS_TO_WAV[channels],
  };
}

/** Ogg Opus: the identification header (RFC 7845 §5.1): version, channels, pre-skip, input rate, gain, mapping family. */
function parseOpus(head: Uint8Array, _fileSize: number, file: string): StreamInfo {
  const p = firstOggPacket(head);
  if (p === undefined || p.length < 19) throw new AudioFileError(file, 'truncated: the Ogg Opus identification header is incomplete');
  const channels = p[9];
  const inputRate = u32le(p, 12);
  const family = p[18];
  if (p[8] >> 4 !== 0 || channels === 0) throw new AudioFileError(file, `corrupt Ogg Opus identification header (version ${p[8]}, ${channels} channels)`);
  return {
    dataStart: 0,
    sampleRate: 48000,
    channels,
    frames: undefined,
    description: `Ogg Opus${inputRate > 0 ? ` (input ${inputRate} Hz)` : ''}`,
    channelMap: family === 1 ? VORBIS_TO_WAV[channels] : undefined,
  };
}

const CODECS: Record<Exclude<AudioFileFormat, 'wav'>, Codec> = {
  flac: {
    format: 'flac',
    name: 'FLAC',
    opener: 'openFlac',
    parse: parseFlac,
    ogg: false,
    create: async () => {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      const d = new FLACDecoder();
      await d.ready;
      return d;
    },
  },
  mp3: {
    format: 'mp3',
    name: 'MP3',
    opener: 'openMp3',
    parse: parseMp3,
    ogg: false,
    create: async () => {
      const { MPEGDecoder } = await import('mpg123-decoder');
      const d = new MPEGDecoder({ enableGapless: true });
      await d.ready;
      return d;
    },
  },
  'ogg-vorbis': {
    format: 'ogg-vorbis',
    name: 'Ogg Vorbis',
    opener: 'openOggVorbis',
    parse: parseVorbis,
    ogg: true,
    create: async () => {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      const d = new OggVorbisDecoder();
      await d.ready;
      return d;
    },
  },
  'ogg-opus': {
    format: 'ogg-opus',
    name: 'Ogg Opus',
    opener: 'openOggOpus',
    parse: parseOpus,
    ogg: true,
    create: async () => {
      const { OggOpusDecoder } = await import('ogg-opus-decoder');
      const d = new OggOpusDecoder();
      await d.ready;
      return d;
    },
  },
};

/* ------------------------------------------------------------------------------------------ */
/* Ogg page checker                                                                           */
/* ------------------------------------------------------------------------------------------ */

/** CRC-32 table of Ogg (polynomial 0x04C11DB7, MSB first; RFC 3533 §6). */
const OGG_CRC = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/**
 * Walks the Ogg pages of a byte stream fed in pieces and checks each one: the capture pattern
 * `OggS`, version 0, and the CRC-32 over the page with its CRC field as zero (RFC 3533 §6).
 * Returns a problem (one line) or undefined.
 */
class OggPageChecker {
  /** Bytes of a page not yet complete. */
  private pending = new Uint8Array(0);
  /** File offset of `pending[0]`. */
  private at = 0;
  /** The header-type flags of the last complete page, and its file offset. */
  private lastFlags = -1;
  private lastAt = -1;
  /** Serial number of the logical stream being read, or -1 between streams (after its end page). */
  private serial = -1;
  private readonly codec: string;
  private readonly allowChains: boolean;

  /**
   * `allowChains`: whether a new logical stream may follow the end of one (a chained file, RFC
   * 3533 §4). Neither decoder gets chains right, so neither format allows them (refused rather
   * than decoded wrong): ogg-opus-decoder 1.7 cuts the later links short (its end trimming counts
   * the samples of every link against the last one's granule position: 287 688 of 480 000 frames
   * for a file chained to itself), and ogg-vorbis 0.1.20 shifts the second link 812 frames late
   * (the right length, the wrong samples), both measured.
   */
  constructor(start: number, codec: string, allowChains: boolean) {
    this.at = start;
    this.codec = codec;
    this.allowChains = allowChains;
  }

  push(chunk: Uint8Array): string | undefined {
    let b: Uint8Array;
    if (this.pending.length === 0) b = chunk;
    else {
      b = new Uint8Array(this.pending.length + chunk.length);
      b.set(this.pending);
      b.set(chunk, this.pending.length);
    }
    let p = 0;
    while (b.length - p >= 27) {
      if (b[p] !== 0x4f || b[p + 1] !== 0x67 || b[p + 2] !== 0x67 || b[p + 3] !== 0x53) return `corrupt Ogg file: no page at byte ${this.at + p} (lost sync)`;
      if (b[p + 4] !== 0) return `corrupt Ogg page at byte ${this.at + p}: version ${b[p + 4]}, expected 0`;
      const nseg = b[p + 26];
      if (b.length - p < 27 + nseg) break;
      let len = 27 + nseg;
      for (let i = 0; i < nseg; i++) len += b[p + 27 + i];
      if (b.length - p < len) break;
      let crc = 0;
      for (let i = 0; i < len; i++) {
        const v = i >= 22 && i < 26 ? 0 : b[p + i];
        crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ v) & 0xff]) >>> 0;
      }
      if (crc !== u32le(b, p + 22)) return `corrupt Ogg page at byte ${this.at + p} (CRC mismatch)`;
      // Header type (RFC 3533 §6): 0x02 first page of a logical stream, 0x04 its last.
      const flags = b[p + 5];
      const serial = u32le(b, p + 14);
      if (flags & 2) {
        if (this.serial !== -1) return `multiplexed Ogg streams are not supported (a second logical stream starts at byte ${this.at + p})`;
        if (this.lastAt >= 0 && !this.allowChains) return `chained ${this.codec} streams are not supported (a second stream starts at byte ${this.at + p})`;
        this.serial = serial;
      } else if (serial !== this.serial) {
        return this.serial === -1 ? `corrupt Ogg file: the page at byte ${this.at + p} belongs to no open stream` : `multiplexed Ogg streams are not supported (a page of another logical stream at byte ${this.at + p})`;
      }
      if (flags & 4) this.serial = -1;
      this.lastFlags = flags;
      this.lastAt = this.at + p;
      p += len;
    }
    this.pending = b.slice(p);
    this.at += p;
    return undefined;
  }

  /**
   * At the end of the file: a problem when a page was left incomplete, or when the last page does
   * not carry the end-of-stream flag (header type bit 0x04, RFC 3533 §6): a file cut at a page
   * boundary.
   */
  end(): string | undefined {
    if (this.pending.length > 0) return `truncated: the Ogg page at byte ${this.at} is incomplete (${this.pending.length} bytes)`;
    if (this.lastAt >= 0 && (this.lastFlags & 4) === 0) return `truncated: the last Ogg page (at byte ${this.lastAt}) does not end the stream`;
    return undefined;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The source                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/** Run `f` with `console.error` silenced: libFLAC's decoder prints its errors, which we report as an AudioFileError instead. */
function quietly<T>(f: () => T): T {
  const saved = console.error;
  console.error = () => {};
  try {
    return f();
  } finally {
    console.error = saved;
  }
}

/** A decoded block waiting in the FIFO: channels (already in WAV order), frames, and how many were handed out. */
interface Block {
  data: Float32Array[];
  frames: number;
  used: number;
}

class DecodedSource implements AudioSource {
  readonly path: string;
  readonly format: AudioFileFormat;
  readonly description: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number | undefined;
  private readonly codec: Codec;
  private readonly info: StreamInfo;
  private readonly fileSize: number;
  private fh: FileHandle | undefined;
  private decoder: WasmDecoder | undefined;
  private queue: Block[] = [];
  private queued = 0;
  /** File offset of the next byte to read. */
  private filePos = 0;
  /** The bytes read but not yet fed, and the file offset of their first byte. */
  private chunk = new Uint8Array(0);
  private chunkPos = 0;
  private chunkAt = 0;
  /** Input bytes fed per decoded frame (running estimate), to size the next piece. */
  private bytesPerFrame = 0;
  private fedBytes = 0;
  private decodedFrames = 0;
  private ended = false;
  private failure: AudioFileError | undefined;
  private busy = false;
  private closed = false;
  private ogg: OggPageChecker | undefined;
  private md5: Hash | undefined;
  private md5Buf = Buffer.alloc(0);

  constructor(path: string, codec: Codec, info: StreamInfo, fileSize: number, fh: FileHandle) {
    this.path = path;
    this.codec = codec;
    this.format = codec.format;
    this.info = info;
    this.description = info.description;
    this.sampleRate = info.sampleRate;
    this.channels = info.channels;
    this.frames = info.frames;
    this.fileSize = fileSize;
    this.fh = fh;
  }

  /** Create the decoder and start at the first byte of the stream. */
  async start(): Promise<void> {
    this.freeDecoder();
    this.decoder = await this.codec.create();
    this.queue = [];
    this.queued = 0;
    this.filePos = this.info.dataStart;
    this.chunk = new Uint8Array(0);
    this.chunkPos = 0;
    this.chunkAt = this.filePos;
    this.fedBytes = 0;
    this.decodedFrames = 0;
    this.ended = false;
    this.ogg = this.codec.ogg ? new OggPageChecker(this.filePos, this.codec.name, false) : undefined;
    this.md5 = this.info.md5 !== undefined ? createHash('md5') : undefined;
  }

  async read(out: readonly Float32Array[], maxFrames: number): Promise<number> {
    if (!Number.isInteger(maxFrames) || maxFrames < 0) throw new RangeError(`${this.path}: read(): maxFrames must be a non-negative integer, got ${String(maxFrames)}`);
    if (!Array.isArray(out) || out.length < this.channels || out.slice(0, this.channels).some((c) => !(c instanceof Float32Array) || c.length < maxFrames)) {
      throw new TypeError(`${this.path}: read(): out must hold ${this.channels} Float32Arrays of at least ${maxFrames} samples`);
    }
    if (this.closed) throw new AudioFileError(this.path, 'read after close()');
    if (this.failure !== undefined) throw this.failure;
    if (this.busy) throw new Error(`${this.path}: read() called again before the previous read() resolved`);
    this.busy = true;
    try {
      // Once the stated frame count is decoded, go on to the end of the file, so that its checks
      // (count, MD5) run even for a caller that stops after `frames` frames.
      const stated = this.info.frames;
      while (!this.ended && (this.queued < maxFrames || (stated !== undefined && this.decodedFrames >= stated))) await this.pump();
      return this.take(out, maxFrames);
    } catch (e) {
      throw this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  async rewind(): Promise<void> {
    if (this.closed) throw new AudioFileError(this.path, 'rewind after close()');
    if (this.busy) throw new Error(`${this.path}: rewind() called while a read() is pending`);
    if (this.failure !== undefined) throw this.failure;
    try {
      await this.start();
    } catch (e) {
      throw this.fail(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.freeDecoder();
    this.queue = [];
    const fh = this.fh;
    this.fh = undefined;
    if (fh !== undefined) await fh.close();
  }

  /** Copy up to `maxFrames` frames from the FIFO into `out`. */
  private take(out: readonly Float32Array[], maxFrames: number): number {
    const C = this.channels;
    let n = 0;
    while (n < maxFrames && this.queue.length > 0) {
      const b = this.queue[0];
      const len = Math.min(maxFrames - n, b.frames - b.used);
      for (let c = 0; c < C; c++) out[c].set(b.data[c].subarray(b.used, b.used + len), n);
      b.used += len;
      n += len;
      if (b.used === b.frames) this.queue.shift();
    }
    this.queued -= n;
    return n;
  }

  /** Feed the decoder one piece of input (reading the file when needed); at the end of the file, flush and check. */
  private async pump(): Promise<void> {
    const decoder = this.decoder;
    const fh = this.fh;
    if (decoder === undefined || fh === undefined) throw new AudioFileError(this.path, 'internal error: no decoder');
    if (this.chunkPos >= this.chunk.length) {
      if (this.filePos >= this.fileSize) return this.finish(decoder);
      const want = Math.min(READ_BYTES, this.fileSize - this.filePos);
      // A new array per read: the decoders' parsers may keep views of what they were given.
      const buf = new Uint8Array(want);
      const { bytesRead } = await fh.read(buf, 0, want, this.filePos);
      if (bytesRead === 0) return this.finish(decoder);
      this.chunk = buf.subarray(0, bytesRead);
      this.chunkPos = 0;
      this.chunkAt = this.filePos;
      this.filePos += bytesRead;
      if (this.ogg !== undefined) {
        const problem = this.ogg.push(this.chunk);
        if (problem !== undefined) throw new AudioFileError(this.path, problem);
      }
    }
    // Size the piece so that it decodes to about TARGET_FRAMES frames (FLAC of silence decodes
    // to hundreds of frames per byte: a whole read would fill hundreds of MB).
    const est = this.bytesPerFrame > 0 ? Math.ceil(TARGET_FRAMES * this.bytesPerFrame) : 16 * 1024;
    const size = Math.max(MIN_FEED, Math.min(est, this.chunk.length - this.chunkPos));
    const piece = this.chunk.subarray(this.chunkPos, this.chunkPos + size);
    const at = this.chunkAt + this.chunkPos;
    this.chunkPos += piece.length;
    this.fedBytes += piece.length;
    let decoded: Decoded;
    try {
      decoded = await quietly(() => decoder.decode(piece));
    } catch (e) {
      throw new AudioFileError(this.path, `corrupt ${this.codec.name} data near byte ${at}: ${oneLine(e)}`, { cause: e });
    }
    this.accept(decoded);
  }

  /** The file is read: flush the decoder and check what was decoded against what the headers promised. */
  private async finish(decoder: WasmDecoder): Promise<void> {
    if (this.ogg !== undefined) {
      const problem = this.ogg.end();
      if (problem !== undefined) throw new AudioFileError(this.path, problem);
    }
    if (decoder.flush !== undefined && this.fedBytes > 0) {
      let decoded: Decoded;
      try {
        decoded = await quietly(() => decoder.flush!());
      } catch (e) {
        throw new AudioFileError(this.path, `corrupt ${this.codec.name} data at the end of the file: ${oneLine(e)}`, { cause: e });
      }
      this.accept(decoded);
    }
    this.ended = true;
    const info = this.info;
    if (info.frames !== undefined && this.decodedFrames !== info.frames) {
      throw new AudioFileError(this.path, `${this.decodedFrames < info.frames ? 'truncated or corrupt' : 'corrupt'} ${this.codec.name}: ${this.decodedFrames} of the ${info.frames} frames its header states were decoded`);
    }
    if (info.streamBytes !== undefined && this.fileSize - info.dataStart < info.streamBytes) {
      throw new AudioFileError(this.path, `truncated: the MP3 header states ${info.streamBytes} bytes of audio, the file holds ${this.fileSize - info.dataStart}`);
    }
    if (this.md5 !== undefined && info.md5 !== undefined) {
      const got = this.md5.digest();
      this.md5 = undefined;
      if (!got.equals(info.md5)) throw new AudioFileError(this.path, 'corrupt FLAC: the decoded audio does not match the MD5 signature in STREAMINFO');
    }
  }

  /** Take a decoder's output into the FIFO (reordered to WAV channel order), after checking it. */
  private accept(d: Decoded): void {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      throw new AudioFileError(this.path, `corrupt ${this.codec.name} data near byte ${this.info.dataStart + e.inputBytes}: ${e.message.replace(/\s+/g, ' ').trim()}`);
    }
    const n = d.samplesDecoded;
    if (n === 0) return;
    // mpg123-decoder always outputs two channels: a mono stream comes as two equal ones.
    const channelData = this.channels === 1 && this.codec.format === 'mp3' && d.channelData.length === 2 ? d.channelData.slice(0, 1) : d.channelData;
    if (channelData.length !== this.channels || d.sampleRate !== this.sampleRate) {
      throw new AudioFileError(this.path, `the stream changes from ${this.channels} channels at ${this.sampleRate} Hz to ${channelData.length} at ${d.sampleRate} Hz after frame ${this.decodedFrames}: not supported`);
    }
    const map = this.info.channelMap;
    const data = map === undefined ? channelData : map.map((i) => channelData[i]);
    if (this.codec.format === 'flac') this.requantize(data, n);
    this.queue.push({ data, frames: n, used: 0 });
    this.queued += n;
    this.decodedFrames += n;
    this.bytesPerFrame = this.fedBytes / this.decodedFrames;
  }

  /**
   * FLAC: libFLAC's integers q come out of the decoder as q / (2^(bits−1) − 1); give them the
   * scale of every other reader, q / 2^(bits−1) (what FFmpeg and a PCM WAV reader give), and feed
   * the MD5 the way FLAC computes it (RFC 9639 §8.2: interleaved signed little-endian integers of
   * ⌈bits/8⌉ bytes). For up to 24 bits q is recovered exactly: |q·ε| ≤ 2^23 · 2^−24 = ½ for the
   * float32 rounding ε, and an exhaustive check of every 8-, 16-, 20- and 24-bit code confirms
   * round(x · (2^(bits−1) − 1)) = q. Beyond 24 bits float32 cannot hold q: rescale only.
   */
  private requantize(data: Float32Array[], n: number): void {
    const bits = this.info.bits ?? 16;
    const m = 2 ** (bits - 1) - 1;
    const inv = 1 / 2 ** (bits - 1);
    const C = data.length;
    if (bits > 24) {
      const k = m * inv;
      for (let c = 0; c < C; c++) {
        const x = data[c];
        for (let i = 0; i < n; i++) x[i] *= k;
      }
      return;
    }
    // ⌊v + ½⌋ rather than Math.round (same result here, where v is within 2^−24·|q| of q; no branch).
    for (let c = 0; c < C; c++) {
      const x = data[c];
      for (let i = 0; i < n; i++) x[i] = Math.floor(x[i] * m + 0.5) * inv;
    }
    const md5 = this.md5;
    if (md5 === undefined) return;
    const bytes = (bits + 7) >> 3;
    const size = n * C * bytes;
    if (this.md5Buf.length < size) this.md5Buf = Buffer.alloc(size);
    const buf = this.md5Buf;
    const scale = 2 ** (bits - 1);
    for (let c = 0; c < C; c++) {
      const x = data[c];
      const stride = C * bytes;
      let p = c * bytes;
      if (bytes === 1) for (let i = 0; i < n; i++, p += stride) buf[p] = x[i] * scale;
      else if (bytes === 2) {
        for (let i = 0; i < n; i++, p += stride) {
          const q = x[i] * scale;
          buf[p] = q;
          buf[p + 1] = q >> 8;
        }
      } else {
        for (let i = 0; i < n; i++, p += stride) {
          const q = x[i] * scale;
          buf[p] = q;
          buf[p + 1] = q >> 8;
          buf[p + 2] = q >> 16;
        }
      }
    }
    md5.update(buf.subarray(0, size));
  }

  /**
   * Remember the first failure (later reads and rewinds rethrow it), free the decoder and release
   * the file: a damaged file stays damaged, and a caller that forgets close() after an error leaks
   * nothing.
   */
  private fail(e: unknown): unknown {
    if (e instanceof RangeError || e instanceof TypeError || (e instanceof Error && !(e instanceof AudioFileError) && e.message.includes('called again'))) return e;
    const err = e instanceof AudioFileError ? e : new AudioFileError(this.path, `cannot read: ${oneLine(e)}`, { cause: e });
    this.failure = err;
    this.freeDecoder();
    this.queue = [];
    const fh = this.fh;
    this.fh = undefined;
    if (fh !== undefined) fh.close().catch(() => {});
    return err;
  }

  private freeDecoder(): void {
    const d = this.decoder;
    this.decoder = undefined;
    if (d !== undefined) {
      try {
        d.free();
      } catch {
        // A decoder that failed half-way may not free cleanly; nothing more can be done.
      }
    }
  }
}

/** An error's message on one line. */
function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').trim() || 'unknown error';
}

/** What a file's first bytes look like, for "not a FLAC file (it looks like …)". */
function looksLike(head: Uint8Array): string {
  if (head.length < 16) return ` (only ${head.length} byte${head.length === 1 ? '' : 's'} long)`;
  const f = sniffAudioFormat(head);
  if (f !== undefined) return ` (it looks like ${FORMAT_NAMES[f]})`;
  if (head.length >= 4 && String.fromCharCode(head[0], head[1], head[2], head[3]) === 'OggS') return ' (an Ogg file of another codec)';
  let text = head.length > 0;
  for (let i = 0; i < Math.min(head.length, 512); i++) {
    const v = head[i];
    if (v < 9 || (v > 13 && v < 32 && v !== 27)) text = false;
  }
  return text ? ' (it looks like text)' : '';
}

/** Open `path` as a file of the given codec: check its format, parse its headers, start its decoder. */
async function openWith(path: string, codec: Codec): Promise<AudioSource> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${codec.opener}: path must be a non-empty string, got ${typeof path === 'string' ? "''" : typeof path}`);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AudioFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : `cannot open: ${oneLine(e)}`, { cause: e });
  }
  try {
    const stat = await fh.stat();
    if (stat.isDirectory()) throw new AudioFileError(path, 'is a directory, not a file');
    const size = stat.size;
    if (size === 0) throw new AudioFileError(path, `empty file, not a ${codec.name} file`);
    let head = await readAt(fh, 0, Math.min(HEAD_BYTES, size));
    let found = sniffAudioFormat(head);
    // An ID3v2 tag longer than the head (cover art): look at what follows it, and count the tag in the offsets.
    const tag = id3v2Length(head);
    let base = 0;
    if (tag > 0 && tag + 64 > head.length && tag < size) {
      base = tag;
      head = await readAt(fh, base, Math.min(HEAD_BYTES, size - base));
      found = sniffAudioFormat(head) === 'flac' ? 'flac' : 'mp3';
    }
    if (found === undefined && codec.ogg && head.length >= 4 && head[0] === 0x4f && head[1] === 0x67 && head[2] === 0x67 && head[3] === 0x53 && firstOggPacket(head) === undefined) {
      throw new AudioFileError(path, `truncated: the first Ogg page ends after byte ${head.length}`);
    }
    if (found !== codec.format) throw new AudioFileError(path, `not ${codec.name === 'FLAC' ? 'a' : 'an'} ${codec.name} file${looksLike(head)}`);
    const parsed = codec.parse(head, size - base, path);
    const info: StreamInfo = { ...parsed, dataStart: parsed.dataStart + base };
    if (info.channels > 32) throw new AudioFileError(path, `${info.channels} channels: masterbus reads 1–32`);
    const source = new DecodedSource(path, codec, info, size, fh);
    await source.start();
    return source;
  } catch (e) {
    await fh.close().catch(() => {});
    if (e instanceof AudioFileError) throw e;
    throw new AudioFileError(path, `cannot read: ${oneLine(e)}`, { cause: e });
  }
}

/** Read `length` bytes at `position` (fewer at the end of the file). */
async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Open a FLAC file for streaming reads (native FLAC, optionally after an ID3v2 tag; up to 8
 * channels, any rate and bit depth libFLAC decodes). `frames` comes from STREAMINFO (undefined
 * when it states 0, "unknown"). Samples are the integers divided by 2^(bits−1), exact for up to 24
 * bits. At the end of the file the frame count and, for up to 24 bits, the MD5 signature are
 * checked: a damaged file ends in an {@link AudioFileError}.
 *
 * @example
 * ```ts
 * import { createFlacWriter, openFlac } from 'masterbus/node';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(tmpdir(), 'masterbus-example-read.flac');
 * const sink = await createFlacWriter(file, { sampleRate: 48000, channels: 1, bits: 16 });
 * await sink.write([new Float32Array(48000).fill(0.25)], 48000);
 * await sink.close();
 *
 * const src = await openFlac(file);
 * const block = [new Float32Array(4096)];
 * let frames = 0;
 * for (let n; (n = await src.read(block, 4096)) > 0; ) frames += n; // process block[0].subarray(0, n) here
 * await src.close();
 * console.log(src.description, src.frames, frames); // FLAC 16-bit 48000 48000
 * ```
 */
export function openFlac(path: string): Promise<AudioSource> {
  return openWith(path, CODECS.flac);
}

/**
 * Open an MP3 file (MPEG-1/2/2.5 layer III, also layers I and II) for streaming reads, gapless:
 * the encoder delay and padding of a LAME/Xing header are trimmed, so a LAME-encoded file has the
 * length of its source. `frames` is undefined. 1 or 2 channels.
 */
export function openMp3(path: string): Promise<AudioSource> {
  return openWith(path, CODECS.mp3);
}

/** Open an Ogg Vorbis file for streaming reads; 3–8 channels come in WAV order (see the module notes). `frames` is undefined. */
export function openOggVorbis(path: string): Promise<AudioSource> {
  return openWith(path, CODECS['ogg-vorbis']);
}

/** Open an Ogg Opus file for streaming reads, decoded at 48 kHz; 3–8 channels (mapping family 1) come in WAV order. `frames` is undefined. */
export function openOggOpus(path: string): Promise<AudioSource> {
  return openWith(path, CODECS['ogg-opus']);
}

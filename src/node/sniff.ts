/**
 * Which audio format a file holds, from its first bytes (never from its name): the magic numbers
 * of each container, read as their specifications define them.
 *
 * - WAV: `RIFF` (Microsoft RIFF/WAVE), `RF64` (EBU Tech 3306) or `BW64` (ITU-R BS.2088), then
 *   `WAVE` at byte 8.
 * - FLAC: the stream marker `fLaC` (RFC 9639 §6), at byte 0 or after an ID3v2 tag (some taggers
 *   prepend one; libFLAC skips it).
 * - MP3: an ID3v2 tag (`ID3`, version, flags, a 28-bit "syncsafe" size; id3.org ID3v2.4.0
 *   structure §3.1) or an MPEG audio frame header (ISO/IEC 11172-3 §2.4.2.3: 11 sync bits, a
 *   version that is not the reserved one, layer I/II/III, a bitrate index that is not 15, a
 *   sampling-rate index that is not 3).
 * - Ogg: a page `OggS` (RFC 3533 §6) whose first packet is a Vorbis identification header
 *   (`\x01vorbis`, Vorbis I specification §4.2.1) or an Opus one (`OpusHead`, RFC 7845 §5.1).
 *
 * @module
 */
import type { AudioFileFormat } from './audio-file.js';

/** True when `b` holds the ASCII text `s` at `at`. */
function hasAscii(b: Uint8Array, at: number, s: string): boolean {
  if (at < 0 || at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * The length in bytes of the ID3v2 tag at the start of `b` (header, body and footer), or 0 when
 * `b` does not start with one. The size is syncsafe: four bytes of 7 bits each (ID3v2.4.0 §3.1);
 * a byte with its top bit set means this is not a tag.
 */
export function id3v2Length(b: Uint8Array): number {
  if (b.length < 10 || !hasAscii(b, 0, 'ID3') || b[3] === 0xff || b[4] === 0xff) return 0;
  let size = 0;
  for (let i = 6; i < 10; i++) {
    if (b[i] & 0x80) return 0;
    size = size * 128 + b[i];
  }
  const footer = b[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * True when the four bytes at `at` are a plausible MPEG-1/2/2.5 audio frame header (layers I–III;
 * ISO/IEC 11172-3 §2.4.2.3 and ISO/IEC 13818-3): the 11-bit sync, a version that is not the
 * reserved one, a layer that is not 0 (0 is AAC's ADTS), a bitrate index that is not 15 and a
 * sampling-rate index that is not 3.
 */
export function isMpegFrameHeader(b: Uint8Array, at: number): boolean {
  if (at < 0 || at + 4 > b.length) return false;
  if (b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return false;
  const version = (b[at + 1] >> 3) & 3;
  const layer = (b[at + 1] >> 1) & 3;
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/**
 * The format of an audio file from its first bytes (give at least the first 64 bytes; a few kB
 * lets an ID3v2 tag before a FLAC stream be seen through), or `undefined` when it is none that
 * masterbus reads. Pure: no I/O.
 *
 * @example
 * ```ts
 * import { sniffAudioFormat } from 'masterbus/node';
 * sniffAudioFormat(new TextEncoder().encode('fLaC\0\0\0\x22')); // 'flac'
 * ```
 */
export function sniffAudioFormat(firstBytes: Uint8Array): AudioFileFormat | undefined {
  const b = firstBytes;
  if ((hasAscii(b, 0, 'RIFF') || hasAscii(b, 0, 'RF64') || hasAscii(b, 0, 'BW64')) && hasAscii(b, 8, 'WAVE')) return 'wav';
  if (hasAscii(b, 0, 'fLaC')) return 'flac';
  if (hasAscii(b, 0, 'OggS')) return sniffOgg(b);
  const id3 = id3v2Length(b);
  if (id3 > 0) {
    // What follows the tag decides when we can see it; beyond the given bytes, an ID3v2 tag
    // almost always starts an MP3.
    if (hasAscii(b, id3, 'fLaC')) return 'flac';
    return 'mp3';
  }
  if (isMpegFrameHeader(b, 0)) return 'mp3';
  return undefined;
}

/**
 * The codec of an Ogg stream from its first page (RFC 3533 §6: 27-byte header whose byte 26 is
 * the number of segments, then the segment table, then the first packet's bytes).
 */
function sniffOgg(b: Uint8Array): AudioFileFormat | undefined {
  if (b.length < 27 || b[4] !== 0) return undefined;
  const packet = 27 + b[26];
  if (b[packet] === 1 && hasAscii(b, packet + 1, 'vorbis')) return 'ogg-vorbis';
  if (hasAscii(b, packet, 'OpusHead')) return 'ogg-opus';
  return undefined;
}

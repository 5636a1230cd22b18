/**
 * sniffAudioFormat: magic numbers built by hand from the specifications, files made by ffmpeg
 * (when installed), and random bytes (never throws).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { id3v2Length, sniffAudioFormat } from '../../src/node/sniff.js';

const ascii = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0));
const bytes = (...parts: (number[] | string)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? ascii(p) : p)));

/** An Ogg page header with one segment of `len` bytes (RFC 3533 §6; CRC not checked by sniffing). */
const oggPage = (len: number): number[] => [...ascii('OggS'), 0, 2, ...new Array(8).fill(0), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, len];
/** An ID3v2.4 header whose body is `size` bytes (syncsafe size). */
const id3 = (size: number): number[] => [...ascii('ID3'), 4, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f];

describe('sniffAudioFormat', () => {
  it('recognises each container from its magic numbers', () => {
    expect(sniffAudioFormat(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '))).toBe('wav');
    expect(sniffAudioFormat(bytes('RF64', [0xff, 0xff, 0xff, 0xff], 'WAVEds64'))).toBe('wav');
    expect(sniffAudioFormat(bytes('BW64', [0xff, 0xff, 0xff, 0xff], 'WAVEds64'))).toBe('wav');
    expect(sniffAudioFormat(bytes('RIFF', [0, 0, 0, 0], 'AVI '))).toBeUndefined();
    expect(sniffAudioFormat(bytes('fLaC', [0, 0, 0, 34]))).toBe('flac');
    expect(sniffAudioFormat(bytes(id3(20), new Array(20).fill(0), 'fLaC', [0, 0, 0, 34]))).toBe('flac');
    expect(sniffAudioFormat(bytes(id3(20), new Array(20).fill(0), [0xff, 0xfb, 0x90, 0x64]))).toBe('mp3');
    expect(sniffAudioFormat(bytes(id3(5000), new Array(10).fill(0)))).toBe('mp3'); // the tag goes beyond the bytes given
    expect(sniffAudioFormat(bytes([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3'); // MPEG-1 layer III 128 kb/s 44.1 kHz
    expect(sniffAudioFormat(bytes([0xff, 0xf3, 0x64, 0xc4]))).toBe('mp3'); // MPEG-2 layer III
    expect(sniffAudioFormat(bytes([0xff, 0xf1, 0x50, 0x80]))).toBeUndefined(); // AAC ADTS (layer 0)
    expect(sniffAudioFormat(bytes([0xff, 0xfb, 0xf0, 0x64]))).toBeUndefined(); // bitrate index 15
    expect(sniffAudioFormat(bytes([0xff, 0xfb, 0x9c, 0x64]))).toBeUndefined(); // sampling-rate index 3
    expect(sniffAudioFormat(bytes(oggPage(30), [1], 'vorbis', new Array(23).fill(0)))).toBe('ogg-vorbis');
    expect(sniffAudioFormat(bytes(oggPage(19), 'OpusHead', [1, 2, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]))).toBe('ogg-opus');
    expect(sniffAudioFormat(bytes(oggPage(13), [0x7f], 'FLAC', new Array(8).fill(0)))).toBeUndefined(); // Ogg FLAC: not supported
    expect(sniffAudioFormat(bytes('This is text, not audio.'))).toBeUndefined();
    expect(sniffAudioFormat(new Uint8Array(0))).toBeUndefined();
  });

  it('id3v2Length: syncsafe size, footer, and not a tag', () => {
    expect(id3v2Length(bytes(id3(0x81)))).toBe(10 + 0x81);
    expect(id3v2Length(bytes([...ascii('ID3'), 4, 0, 0x10, 0, 0, 1, 0]))).toBe(10 + 128 + 10);
    expect(id3v2Length(bytes([...ascii('ID3'), 4, 0, 0, 0x80, 0, 0, 0]))).toBe(0);
    expect(id3v2Length(bytes('ID3'))).toBe(0);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('', 'OggS', 'ID3', 'fLaC', 'RIFF'), (b, prefix) => {
        const f = sniffAudioFormat(bytes(prefix, Array.from(b)));
        expect([undefined, 'wav', 'flac', 'mp3', 'ogg-vorbis', 'ogg-opus']).toContain(f);
      }),
      { numRuns: process.env.SOAK ? 100_000 : 2000 },
    );
  });

  const ffmpegOk = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
  if (!ffmpegOk && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');
  it.skipIf(!ffmpegOk)('recognises files made by ffmpeg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'masterbus-sniff-'));
    try {
      const cases: [string, string[], string][] = [
        ['a.wav', ['-c:a', 'pcm_s16le'], 'wav'],
        ['b.wav', ['-c:a', 'pcm_s24le', '-rf64', 'always'], 'wav'],
        ['a.flac', ['-c:a', 'flac'], 'flac'],
        ['a.mp3', ['-c:a', 'libmp3lame'], 'mp3'],
        ['b.mp3', ['-c:a', 'libmp3lame', '-id3v2_version', '0'], 'mp3'],
        ['a.ogg', ['-c:a', 'libvorbis'], 'ogg-vorbis'],
        ['a.opus', ['-c:a', 'libopus'], 'ogg-opus'],
      ];
      for (const [name, args, format] of cases) {
        const file = join(dir, name);
        const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=r=48000:d=0.2', ...args, file]);
        expect(r.status).toBe(0);
        expect(sniffAudioFormat(readFileSync(file).subarray(0, 4096)), name).toBe(format);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

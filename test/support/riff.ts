/**
 * Hand-built RIFF/WAVE files for tests, written from the format descriptions (Microsoft RIFF,
 * "Multiple Channel Audio Data and WAVE Files", EBU Tech 3306), independently of src/node/; and
 * test signals on each sample format's grid.
 */
import type { SampleFormat } from '../../src/node/audio-file.js';
import { lcg } from './signals.js';

/** One chunk: a 4-character id and its body (a pad byte is added after an odd-sized body). */
export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Size written in the chunk header instead of body.length (for lying headers). */
  size?: number;
}

/** Bytes of `chunks` inside `magic` (`RIFF`/`RF64`/`BW64`) + `WAVE`; `riffSize` overrides the size field. */
export function riff(chunks: readonly Chunk[], magic = 'RIFF', riffSize?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const h = new Uint8Array(8);
    for (let i = 0; i < 4; i++) h[i] = c.id.charCodeAt(i);
    new DataView(h.buffer).setUint32(4, c.size ?? c.body.length, true);
    parts.push(h, c.body);
    if (c.body.length % 2 === 1) parts.push(new Uint8Array(1));
  }
  const len = 12 + parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, riffSize ?? len - 8, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8); // WAVE
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A `fmt ` body: WAVEFORMATEX (16 bytes) or, with `ext`, WAVEFORMATEXTENSIBLE (40 bytes). */
export function fmtBody(f: {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign?: number;
  ext?: { validBits?: number; mask?: number; sub: number; guidTail?: number[] };
}): Uint8Array {
  const b = new Uint8Array(f.ext ? 40 : 16);
  const v = new DataView(b.buffer);
  const ba = f.blockAlign ?? (f.channels * f.bits) / 8;
  v.setUint16(0, f.tag, true);
  v.setUint16(2, f.channels, true);
  v.setUint32(4, f.rate, true);
  v.setUint32(8, f.rate * ba, true);
  v.setUint16(12, ba, true);
  v.setUint16(14, f.bits, true);
  if (f.ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, f.ext.validBits ?? f.bits, true);
    v.setUint32(20, f.ext.mask ?? 0, true);
    v.setUint16(24, f.ext.sub, true);
    b.set(f.ext.guidTail ?? [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return b;
}

/** A `ds64` body (EBU Tech 3306): RIFF size, data size, sample count (64-bit LE), empty table. */
export function ds64Body(riffSize: number, dataSize: number, samples: number): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(riffSize), true);
  v.setBigUint64(8, BigInt(dataSize), true);
  v.setBigUint64(16, BigInt(samples), true);
  return b;
}

export const FORMATS: readonly SampleFormat[] = ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];
export const BITS: Record<SampleFormat, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 };

/** Samples already on the N-bit grid (q / 2^(N−1), both ends included), or arbitrary float32 values (beyond ±1, −0, subnormals) for float formats. */
export function gridSignal(format: SampleFormat, channels: number, frames: number, seed: number): Float32Array[] {
  const r = lcg(seed);
  const bits = BITS[format];
  const float = format.startsWith('float');
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      if (float) x[i] = i % 97 === 0 ? 3.5 * r() : i % 89 === 0 ? (r() > 0 ? -0 : 1e-42) : r();
      else {
        const full = 2 ** (bits - 1);
        const q = i === 0 ? -full : i === 1 ? full - 1 : Math.floor(((r() + 1) / 2) * 2 * full) - full;
        x[i] = q / full;
      }
    }
    x[frames - 1] = c; // a channel marker (0 or ≥ 1: clips to the top code in PCM)
    if (!float) x[frames - 1] = Math.min(c, 2 ** (bits - 1) - 1) / 2 ** (bits - 1);
    return x;
  });
}

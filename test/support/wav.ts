/** A minimal WAV (RIFF, PCM 16/24/32-bit or IEEE float 32-bit) reader, and a float writer, for test fixtures. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Wav {
  sampleRate: number;
  channels: Float32Array[];
}

export function readWav(path: string): Wav {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => buf.toString('ascii', o, o + 4);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${path}: not a RIFF/WAVE file`);
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = tag(off);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      let format = dv.getUint16(body, true);
      if (format === 0xfffe) format = dv.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      fmt = { format, channels: dv.getUint16(body + 2, true), sampleRate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) throw new Error(`${path}: data before fmt`);
      const bytes = fmt.bits / 8;
      const frames = Math.floor(Math.min(size, buf.length - body) / (bytes * fmt.channels));
      const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.channels; c++) {
          const p = body + (i * fmt.channels + c) * bytes;
          let v: number;
          if (fmt.format === 3 && fmt.bits === 32) v = dv.getFloat32(p, true);
          else if (fmt.bits === 16) v = dv.getInt16(p, true) / 32768;
          else if (fmt.bits === 24) v = ((dv.getUint8(p) | (dv.getUint8(p + 1) << 8) | (dv.getInt8(p + 2) << 16)) >> 0) / 8388608;
          else if (fmt.bits === 32) v = dv.getInt32(p, true) / 2147483648;
          else throw new Error(`${path}: unsupported ${fmt.bits}-bit format ${fmt.format}`);
          channels[c][i] = v;
        }
      }
      return { sampleRate: fmt.sampleRate, channels };
    }
    off = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

/** A 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT) of `channels` (equal lengths), interleaved. */
export function encodeWavFloat(channels: readonly Float32Array[], rate: number): Buffer {
  const n = channels[0].length;
  const c = channels.length;
  const data = Buffer.alloc(n * c * 4);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) data.writeFloatLE(channels[k][i], (i * c + k) * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(3, 20);
  h.writeUInt16LE(c, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * c * 4, 28);
  h.writeUInt16LE(c * 4, 32);
  h.writeUInt16LE(32, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Write {@link encodeWavFloat}'s file to `path`. */
export function writeWavFloat(path: string, channels: readonly Float32Array[], rate: number): void {
  writeFileSync(path, encodeWavFloat(channels, rate));
}

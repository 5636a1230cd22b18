/**
 * Fuzzing the WAV reader (src/node/wav-header.ts, src/node/wav.ts) with fast-check: valid files
 * (RIFF/RF64/BW64, every encoding, extra chunks, odd sizes, fmt before or after data), then
 * mutated (bytes, size fields set to 0 / 0xFFFFFFFF / the file size …, cut, spliced), and random
 * bytes behind a RIFF/WAVE header. Through parseWavHeader and through openWav/readWav on a
 * temporary file, the only exception ever thrown is an AudioFileError (never a RangeError or
 * TypeError from a Buffer or typed array), what parses satisfies the header's invariants, and
 * every Buffer and sample array allocated is bounded by the file's size (the allocation points are
 * spied on). 10 000 runs each by default, 100 000 under SOAK=1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, it, vi } from 'vitest';
import { AudioFileError } from '../../src/node/audio-file.js';
import { openWav, parseWavHeader, readWav, type WavInfo } from '../../src/node/wav.js';
import { ds64Body, fmtBody, riff, type Chunk } from '../support/riff.js';
import { runs } from '../support/signals.js';

/** Under SOAK=1 the 100 000 file-level runs take minutes. */
const SOAK_TIMEOUT = process.env.SOAK ? 3_600_000 : 60_000;

const dir = mkdtempSync(join(tmpdir(), 'masterbus-wav-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** [tag, sub-format, bits] of every encoding read, plus a few that must be refused. */
const ENCODINGS: readonly [number, number, number][] = [
  [1, 1, 8], [1, 1, 16], [1, 1, 24], [1, 1, 32], [3, 3, 32], [3, 3, 64],
  [0xfffe, 1, 16], [0xfffe, 1, 24], [0xfffe, 3, 32], [0xfffe, 3, 64],
  [6, 6, 8], [1, 1, 12], [0xfffe, 7, 8],
];

/** A (mostly) valid WAV file as bytes. */
const validWav = fc
  .record({
    enc: fc.constantFrom(...ENCODINGS),
    channels: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 8, 32, 33)),
    rate: fc.constantFrom(8000, 44100, 48000, 384000, 4000),
    frames: fc.integer({ min: 0, max: 24 }),
    extra: fc.array(fc.record({ id: fc.constantFrom('LIST', 'bext', 'JUNK', 'fact', 'id3 ', 'cue '), len: fc.integer({ min: 0, max: 21 }) }), { maxLength: 3 }),
    dataFirst: fc.boolean(),
    container: fc.constantFrom('RIFF', 'RIFF', 'RF64', 'BW64'),
    seed: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ enc, channels, rate, frames, extra, dataFirst, container, seed }) => {
    const [tag, sub, bits] = enc;
    const fmt: Chunk = { id: 'fmt ', body: fmtBody({ tag, channels, rate, bits, ext: tag === 0xfffe ? { sub, mask: 3 } : undefined }) };
    const bytes = Math.max(1, Math.ceil((channels * bits) / 8)) * frames;
    const data: Chunk = { id: 'data', body: Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + seed) & 255) };
    const others: Chunk[] = extra.map((e) => ({ id: e.id, body: new Uint8Array(e.len).fill(seed) }));
    const chunks = dataFirst ? [data, ...others, fmt] : [...others, fmt, data];
    if (container === 'RIFF') return riff(chunks);
    const probe = riff([{ id: 'ds64', body: ds64Body(0, 0, 0) }, ...chunks]);
    data.size = 0xffffffff;
    return riff([{ id: 'ds64', body: ds64Body(probe.length - 8, bytes, frames) }, ...chunks], container, 0xffffffff);
  });

const SPECIAL_U32 = [0, 1, 7, 8, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One mutation of a file. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), head: fc.boolean() }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...SPECIAL_U32), fc.integer({ min: 0, max: 4096 })), head: fc.boolean() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.nat(), head: fc.boolean() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 16 }), head: fc.boolean() }),
);

interface Mutation {
  kind: 'byte' | 'u32' | 'cut' | 'splice';
  at: number;
  value: number;
  head: boolean;
}

function mutate(b: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let out = b.slice();
  for (const m of muts) {
    if (out.length === 0) break;
    // Mostly in the header (first 120 bytes), where the structure is.
    const at = m.head ? m.at % Math.min(out.length, 120) : m.at % out.length;
    if (m.kind === 'byte') out[at] = m.value;
    else if (m.kind === 'u32') {
      for (let k = 0; k < 4 && at + k < out.length; k++) out[at + k] = (m.value >>> (8 * k)) & 255;
    } else if (m.kind === 'cut') out = out.slice(0, at);
    else {
      const ins = Uint8Array.from({ length: m.value }, (_, k) => (m.at * 7 + k * 13) & 255);
      const next = new Uint8Array(out.length + ins.length);
      next.set(out.subarray(0, at));
      next.set(ins, at);
      next.set(out.subarray(at), at + ins.length);
      out = next;
    }
  }
  return out;
}

const hostileFile = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(validWav, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, m]) => mutate(b, m)) },
  { weight: 1, arbitrary: validWav },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('RIFF', 'RF64', 'BW64'), fc.uint8Array({ maxLength: 96 })).map(([magic, rest]) => {
      const b = new Uint8Array(12 + rest.length);
      for (let i = 0; i < 4; i++) b[i] = magic.charCodeAt(i);
      new DataView(b.buffer).setUint32(4, 0xffffffff, true);
      b.set([0x57, 0x41, 0x56, 0x45], 8);
      b.set(rest, 12);
      return b;
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
);

/** The header's invariants for a file of `size` bytes (plain checks: `expect` per run is slow). */
function checkInfo(i: WavInfo, size: number): void {
  const ok =
    i.channels >= 1 &&
    i.channels <= 32 &&
    i.sampleRate >= 8000 &&
    i.sampleRate <= 384000 &&
    i.blockAlign === (i.channels * i.bitsPerSample) / 8 &&
    Number.isSafeInteger(i.frames) &&
    i.frames >= 0 &&
    i.dataBytes === i.frames * i.blockAlign &&
    i.dataOffset >= 12 + 8 &&
    i.dataOffset + i.dataBytes <= size &&
    i.truncated === i.declaredDataBytes > size - i.dataOffset;
  if (!ok) throw new Error(`header invariants broken for a ${size}-byte file: ${JSON.stringify(i)}`);
}

/** Run `f`; anything thrown must be an AudioFileError with a one-line message. */
function onlyAudioFileErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof AudioFileError)) throw e;
    if (e.message.includes('\n')) throw new Error(`a message of several lines: ${e.message}`);
    return undefined;
  }
}
async function onlyAudioFileErrorsAsync<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof AudioFileError)) throw e;
    if (e.message.includes('\n')) throw new Error(`a message of several lines: ${e.message}`);
    return undefined;
  }
}

describe('fuzz: hostile WAV files', () => {
  it('parseWavHeader: only AudioFileError; what parses holds; a prefix parses the same or asks for more', () => {
    fc.assert(
      fc.property(hostileFile, fc.nat(), (b, cut) => {
        const info = onlyAudioFileErrors(() => parseWavHeader(b, b.length, 'fuzz.wav'));
        if (info !== undefined) checkInfo(info, b.length);
        const k = b.length === 0 ? 0 : cut % b.length;
        const part = onlyAudioFileErrors(() => parseWavHeader(b.subarray(0, k), b.length, 'fuzz.wav'));
        if (part !== undefined && JSON.stringify(part) !== JSON.stringify(info)) throw new Error(`a ${k}-byte prefix parsed differently: ${JSON.stringify(part)} vs ${JSON.stringify(info)}`);
      }),
      { numRuns: runs(10_000, 100_000) },
    );
  }, SOAK_TIMEOUT);

  it('openWav/readWav on a file: only AudioFileError; every allocation bounded by the file size', async () => {
    const path = join(dir, 'fuzz.wav');
    // Spies call through and record the sizes asked for.
    const alloc = vi.spyOn(Buffer, 'alloc');
    const slow = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      await fc.assert(
        fc.asyncProperty(hostileFile, fc.integer({ min: 1, max: 9 }), async (b, block) => {
          writeFileSync(path, b);
          alloc.mockClear();
          slow.mockClear();
          const whole = await onlyAudioFileErrorsAsync(() => readWav(path));
          for (const [size] of [...alloc.mock.calls, ...slow.mock.calls]) if (size > Math.max(4096, b.length)) throw new Error(`a Buffer of ${size} bytes for a ${b.length}-byte file`);
          if (whole === undefined) return;
          checkInfo(whole.info, b.length);
          // the float arrays: one per channel, info.frames long (so at most 4 bytes per byte of 8-bit samples)
          if (whole.channels.length !== whole.info.channels || whole.channels.some((c) => c.length !== whole.info.frames)) throw new Error('sample arrays not sized by info');
          // streaming in small blocks gives the same samples
          const src = await openWav(path);
          const out = Array.from({ length: src.channels }, () => new Float32Array(block));
          let pos = 0;
          for (let n; (n = await src.read(out, block)) > 0; pos += n) {
            for (let c = 0; c < src.channels; c++) for (let i = 0; i < n; i++) if (!Object.is(out[c][i], whole.channels[c][pos + i])) throw new Error(`block read differs at channel ${c} frame ${pos + i}`);
          }
          await src.close();
          if (pos !== whole.info.frames) throw new Error(`block reads gave ${pos} frames, readWav ${whole.info.frames}`);
        }),
        { numRuns: runs(1_500, 100_000) },
      );
    } finally {
      alloc.mockRestore();
      slow.mockRestore();
    }
  }, SOAK_TIMEOUT);
});

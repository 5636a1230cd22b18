/**
 * WAV reading and writing (src/node/wav.ts): exact round trips for every format, channel count and
 * rate; the header walk on hand-built files (chunk order, padding, RF64/BW64, lying sizes) and its
 * one-line errors; block-partition independence of the dithered writer (byte-identical files, the
 * codes of the core's quantizeToInt); the temporary file and rename; constant memory on a
 * 20-minute file. The cross-checks with ffmpeg and sox are in wav-crosscheck.test.ts.
 */
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quantizeToInt } from '../../src/core/dither.js';
import { AudioFileError, type SampleFormat } from '../../src/node/audio-file.js';
import { createWavWriter, openWav, openWavWriter, parseWavHeader, readWav, writeWav } from '../../src/node/wav.js';
import { BITS, ds64Body, fmtBody, FORMATS, gridSignal, riff } from '../support/riff.js';
import { lcg, runs } from '../support/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'masterbus-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpFile = (ext = 'wav') => join(dir, `f${fileNo++}.${ext}`);

describe('round trips: every format × 1/2/6/32 channels × 8/44.1/96/384 kHz', () => {
  for (const format of FORMATS) {
    it(`${format}: a signal on the grid comes back bit-exact`, async () => {
      for (const channels of [1, 2, 6, 32]) {
        for (const rate of [8000, 44100, 96000, 384000]) {
          const frames = channels === 32 ? 64 : 301; // odd: pcm8/pcm24 mono need the pad byte
          const x = gridSignal(format, channels, frames, channels * 1000 + rate);
          const path = tmpFile();
          await writeWav(path, x, rate, { format, dither: { mode: 'none' } });
          const back = await readWav(path);
          expect(back.sampleRate).toBe(rate);
          expect(back.channels.length).toBe(channels);
          expect(back.info.sampleFormat).toBe(format);
          expect(back.info.frames).toBe(frames);
          expect(back.info.truncated).toBe(false);
          expect(back.info.extensible).toBe(channels > 2 || BITS[format] > 16);
          for (let c = 0; c < channels; c++) {
            for (let i = 0; i < frames; i++) {
              if (!Object.is(back.channels[c][i], x[c][i])) {
                throw new Error(`${format} ${channels} ch ${rate} Hz: channel ${c} frame ${i}: wrote ${x[c][i]}, read ${back.channels[c][i]}`);
              }
            }
          }
        }
      }
    });
  }

  it('integer formats clip beyond ±1 and read NaN as 0; floats keep values beyond ±1; pcm32 rounds to nearest', async () => {
    const x = Float32Array.from([1.5, -1.5, Number.NaN, 1, -1, 0.25]);
    for (const format of ['pcm8', 'pcm16', 'pcm24', 'pcm32'] as const) {
      const path = tmpFile();
      await writeWav(path, [x], 48000, { format, dither: { mode: 'none' } });
      const y = (await readWav(path)).channels[0];
      const top = 1 - 2 ** -(BITS[format] - 1);
      expect(Array.from(y)).toEqual([Math.fround(top), -1, 0, Math.fround(top), -1, 0.25]);
    }
    for (const format of ['float32', 'float64'] as const) {
      const path = tmpFile();
      await writeWav(path, [x], 48000, { format });
      expect(Array.from((await readWav(path)).channels[0])).toEqual([1.5, -1.5, 0, 1, -1, 0.25]);
    }
    // pcm32: halfway between two codes rounds up (⌊v·2^31 + ½⌋).
    const half = Float32Array.from([(3 + 0.5) / 2 ** 31, (-3 - 0.5) / 2 ** 31]);
    const p = tmpFile();
    await writeWav(p, [half], 48000, { format: 'pcm32' });
    const raw = readFileSync(p);
    const info = parseWavHeader(raw, raw.length, p);
    expect([raw.readInt32LE(info.dataOffset), raw.readInt32LE(info.dataOffset + 4)]).toEqual([4, -3]);
  });
});

describe('dithered writing (pcm8/16/24 through the core Dither)', () => {
  /** The data chunk's integer codes, read straight from the bytes. */
  function codes(path: string): number[] {
    const raw = readFileSync(path);
    const info = parseWavHeader(raw, raw.length, path);
    const out: number[] = [];
    const w = info.bitsPerSample / 8;
    for (let p = info.dataOffset; p < info.dataOffset + info.dataBytes; p += w) {
      out.push(w === 1 ? raw[p] - 128 : w === 2 ? raw.readInt16LE(p) : raw.readIntLE(p, 3));
    }
    return out;
  }

  it('default TPDF dither: the codes of quantizeToInt (seed 0), the error within 1.5 LSB', async () => {
    const x = [lcg(3), lcg(4)].map((r) => Float32Array.from({ length: 5000 }, () => 0.9 * r()));
    for (const bits of [8, 16, 24] as const) {
      const path = tmpFile();
      await writeWav(path, x, 44100, { format: `pcm${bits}` });
      const got = codes(path);
      expect(got).toEqual(Array.from(quantizeToInt(x, bits, { mode: 'tpdf', seed: 0 })));
      const y = (await readWav(path)).channels;
      const lsb = 2 ** -(bits - 1);
      for (let c = 0; c < 2; c++) for (let i = 0; i < 5000; i++) expect(Math.abs(y[c][i] - x[c][i])).toBeLessThanOrEqual(1.5 * lsb + 1e-7);
    }
  });

  it('any partition of the writes gives a byte-identical file (tpdf and shaped, every dithered format)', async () => {
    const frames = 10_000; // more than the writer's 4096-frame quantising chunk
    const x = [lcg(7), lcg(8), lcg(9)].map((r) => Float32Array.from({ length: frames }, () => 0.7 * r()));
    const whole = new Map<string, Buffer>();
    for (const format of ['pcm8', 'pcm16', 'pcm24'] as const) {
      for (const mode of ['tpdf', 'shaped'] as const) {
        const path = tmpFile();
        await writeWav(path, x, 44100, { format, dither: { mode, seed: 42 } });
        whole.set(`${format}/${mode}`, readFileSync(path));
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('pcm8', 'pcm16', 'pcm24'),
        fc.constantFrom('tpdf', 'shaped'),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 12 }),
        async (format, mode, cuts) => {
          const path = tmpFile();
          const sink = await createWavWriter(path, { sampleRate: 44100, channels: 3, format: format as SampleFormat, dither: { mode: mode as 'tpdf', seed: 42 } });
          let pos = 0;
          for (const n0 of cuts) {
            const n = Math.min(n0, frames - pos);
            await sink.write(x.map((c) => c.subarray(pos)), n);
            pos += n;
          }
          await sink.write(x.map((c) => c.subarray(pos)), frames - pos);
          await sink.close();
          expect(readFileSync(path).equals(whole.get(`${format}/${mode}`)!)).toBe(true);
          rmSync(path);
        },
      ),
      { numRuns: runs(30) },
    );
  });
});

describe('buffering: reads and writes of any size across the 256 KiB buffer', () => {
  const frames = 150_001; // 3 × 150 001 × 3 bytes ≈ 1.35 MB: five buffers and a bit
  const x = [lcg(11), lcg(12), lcg(13)].map((r) => Float32Array.from({ length: frames }, () => Math.round(r() * 8388607) / 8388608));

  it('any partition of the writes gives the same bytes; any sequence of read sizes and rewinds the same samples', async () => {
    const ref = tmpFile();
    await writeWav(ref, x, 96000, { format: 'pcm24', dither: { mode: 'none' } });
    const refBytes = readFileSync(ref);
    const whole = await readWav(ref);
    expect(whole.channels.map((c) => Array.from(c.subarray(0, 1000)))).toEqual(x.map((c) => Array.from(c.subarray(0, 1000))));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 8 }), fc.array(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(-1)), { minLength: 1, maxLength: 10 }), async (writes, reads) => {
        const path = tmpFile();
        const sink = await createWavWriter(path, { sampleRate: 96000, channels: 3, format: 'pcm24', dither: { mode: 'none' } });
        let pos = 0;
        for (const w of [...writes, frames]) {
          const n = Math.min(w, frames - pos);
          await sink.write(x.map((c) => c.subarray(pos)), n);
          pos += n;
        }
        await sink.close();
        expect(readFileSync(path).equals(refBytes)).toBe(true);
        rmSync(path);
        const src = await openWav(ref);
        const out = x.map(() => new Float32Array(100_000));
        let at = 0;
        for (const r of reads) {
          if (r < 0) {
            await src.rewind();
            at = 0;
            continue;
          }
          const n = await src.read(out, r);
          expect(n).toBe(Math.min(r, frames - at));
          for (let c = 0; c < 3; c++) if (!out[c].subarray(0, n).every((v, i) => v === whole.channels[c][at + i])) throw new Error(`read of ${r} at ${at}: channel ${c} differs`);
          at += n;
        }
        await src.close();
      }),
      { numRuns: runs(10) },
    );
  });
});

describe('header walk', () => {
  const pcm16 = fmtBody({ tag: 1, channels: 2, rate: 48000, bits: 16 });
  const samples = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
  const parse = (b: Uint8Array, size = b.length) => parseWavHeader(b, size, 'x.wav');
  /** The problem a header raises (fails the test when it parses or throws something else). */
  function problem(b: Uint8Array, size = b.length): string {
    try {
      parse(b, size);
    } catch (e) {
      if (e instanceof AudioFileError) {
        expect(e.message).toBe(`x.wav: ${e.problem}`);
        expect(e.message).not.toContain('\n');
        return e.problem;
      }
      throw e;
    }
    throw new Error('parsed without error');
  }

  it('chunks in any order, odd-sized chunks padded, unknown chunks skipped, fmt after data', () => {
    const odd = { id: 'LIST', body: samples(7) };
    const a = riff([odd, { id: 'fmt ', body: pcm16 }, { id: 'bext', body: samples(601) }, { id: 'data', body: samples(40) }, { id: 'id3 ', body: samples(3) }]);
    const ia = parse(a);
    expect([ia.frames, ia.dataBytes, ia.truncated, ia.container, ia.description]).toEqual([10, 40, false, 'RIFF', 'WAV PCM 16-bit']);
    expect(ia.dataOffset).toBe(12 + 8 + 8 + 8 + 16 + 8 + 602 + 8);
    const b = riff([{ id: 'data', body: samples(41) }, odd, { id: 'fmt ', body: pcm16 }]);
    const ib = parse(b);
    expect([ib.frames, ib.dataBytes, ib.dataOffset]).toEqual([10, 40, 20]);
  });

  it('a data size beyond the file (streamed, truncated, 0xFFFFFFFF) reads what the file holds', () => {
    for (const size of [0xffffffff, 1000, 43]) {
      const f = riff([{ id: 'fmt ', body: pcm16 }, { id: 'data', body: samples(42), size }], 'RIFF', 0xffffffff);
      const i = parse(f);
      expect([i.frames, i.dataBytes, i.truncated, i.declaredDataBytes]).toEqual([10, 40, true, size]);
    }
    // and a RIFF size smaller than the file (trailing bytes) changes nothing
    expect(parse(riff([{ id: 'fmt ', body: pcm16 }, { id: 'data', body: samples(40) }], 'RIFF', 20)).frames).toBe(10);
  });

  it('RF64 and BW64: sizes from ds64', () => {
    for (const magic of ['RF64', 'BW64']) {
      const f = riff([{ id: 'ds64', body: ds64Body(100, 36, 9) }, { id: 'fmt ', body: pcm16 }, { id: 'data', body: samples(36), size: 0xffffffff }], magic, 0xffffffff);
      const i = parse(f);
      expect([i.container, i.frames, i.declaredDataBytes, i.truncated, i.description]).toEqual([magic, 9, 36, false, `${magic} PCM 16-bit`]);
    }
    expect(problem(riff([{ id: 'fmt ', body: pcm16 }, { id: 'data', body: samples(4), size: 0xffffffff }], 'RF64'))).toBe('RF64 file without a ds64 chunk before its data');
  });

  it('WAVE_FORMAT_EXTENSIBLE: sub-format, valid bits, channel mask', () => {
    const f = riff([{ id: 'fmt ', body: fmtBody({ tag: 0xfffe, channels: 6, rate: 96000, bits: 24, ext: { sub: 1, validBits: 20, mask: 0x3f } }) }, { id: 'data', body: samples(36) }]);
    const i = parse(f);
    expect([i.sampleFormat, i.validBitsPerSample, i.channelMask, i.frames, i.description]).toEqual(['pcm24', 20, 0x3f, 2, 'WAV PCM 24-bit (20 valid)']);
    const g = riff([{ id: 'fmt ', body: fmtBody({ tag: 0xfffe, channels: 1, rate: 8000, bits: 64, ext: { sub: 3 } }) }, { id: 'data', body: samples(16) }]);
    expect(parse(g).sampleFormat).toBe('float64');
  });

  it('one-line errors for what it does not read', () => {
    const wav = (fmt: Uint8Array) => riff([{ id: 'fmt ', body: fmt }, { id: 'data', body: samples(8) }]);
    const f = (tag: number, channels: number, bits: number, extra: object = {}) => wav(fmtBody({ tag, channels, rate: 44100, bits, ...extra }));
    expect(problem(f(6, 1, 8))).toBe('unsupported WAV encoding: A-law (format 6)');
    expect(problem(f(7, 1, 8))).toBe('unsupported WAV encoding: μ-law (format 7)');
    expect(problem(f(2, 1, 4, { blockAlign: 256 }))).toBe('unsupported WAV encoding: Microsoft ADPCM (format 2)');
    expect(problem(f(0x11, 1, 4, { blockAlign: 256 }))).toBe('unsupported WAV encoding: IMA ADPCM (format 17)');
    expect(problem(f(0x1234, 1, 16))).toBe('unsupported WAV encoding: unknown (format 0x1234)');
    expect(problem(f(0xfffe, 2, 16, { ext: { sub: 6 } }))).toBe('unsupported WAV encoding: A-law (format 6)');
    expect(problem(f(0xfffe, 2, 16, { ext: { sub: 1, guidTail: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] } }))).toBe('unsupported WAV sub-format GUID {02010001-0403-0605-0708-090A0B0C0D0E}');
    expect(problem(f(1, 0, 16, { blockAlign: 2 }))).toBe('unsupported channel count: 0 (1–32)');
    expect(problem(f(1, 33, 16))).toBe('unsupported channel count: 33 (1–32)');
    expect(problem(f(1, 1, 12, { blockAlign: 2 }))).toBe('unsupported PCM bit depth: 12 (8, 16, 24 or 32)');
    expect(problem(f(3, 1, 16))).toBe('unsupported float bit depth: 16 (32 or 64)');
    expect(problem(f(1, 2, 16, { blockAlign: 3 }))).toBe('blockAlign 3 does not match 2 channels × 2 bytes (4)');
    expect(problem(wav(fmtBody({ tag: 1, channels: 1, rate: 4000, bits: 16 })))).toBe('unsupported sample rate: 4000 Hz (8000–384000)');
    expect(problem(f(0xfffe, 1, 16, { ext: { sub: 1, validBits: 24 } }))).toBe('validBitsPerSample 24 exceeds the 16-bit container');
    expect(problem(riff([{ id: 'fmt ', body: pcm16.subarray(0, 14) }, { id: 'data', body: samples(8) }]))).toBe('fmt chunk too short: 14 bytes (at least 16)');
    expect(problem(riff([{ id: 'data', body: samples(8) }]))).toBe('no fmt chunk before the end of the file');
    expect(problem(riff([{ id: 'LIST', body: samples(8) }]))).toBe('no fmt chunk (is it a WAV file?)');
    expect(problem(riff([{ id: 'fmt ', body: pcm16 }]))).toBe('no data chunk');
    expect(problem(new TextEncoder().encode('ID3\x04\x00\x00\x00\x00\x00\x00 mp3 here'))).toBe('not a WAV file (no RIFF/RF64 header)');
    expect(problem(new TextEncoder().encode('RIFF\x00\x00\x00\x00AVI LIST'))).toBe("not a WAV file (RIFF form type 'AVI ', expected 'WAVE')");
    expect(problem(new TextEncoder().encode('RIFX\x00\x00\x00\x00WAVE'))).toBe('unsupported WAV variant: big-endian RIFX');
    expect(problem(new Uint8Array(0))).toBe('empty file (0 bytes), not a WAV file');
    const full = riff([{ id: 'fmt ', body: pcm16 }, { id: 'data', body: samples(8) }]);
    expect(problem(full.subarray(0, 30))).toBe('truncated: header ends at byte 30 (inside the fmt chunk)');
    expect(problem(full.subarray(0, 10))).toBe('truncated: header ends at byte 10');
    expect(problem(full.subarray(0, 30), full.length)).toBe(`header goes beyond the first 30 bytes given (byte 36 needed)`);
  });

  it('openWav skips a large chunk before the data by offset and reports a bad file as an AudioFileError', async () => {
    const big = new Uint8Array(8 * 1024 * 1024 + 1);
    const path = tmpFile();
    writeFileSync(path, riff([{ id: 'fmt ', body: pcm16 }, { id: 'JUNK', body: big }, { id: 'data', body: samples(400) }]));
    const src = await openWav(path);
    expect([src.frames, src.description, src.format]).toEqual([100, 'WAV PCM 16-bit', 'wav']);
    const out = [new Float32Array(100), new Float32Array(100)];
    expect(await src.read(out, 100)).toBe(100);
    expect(out[1][0]).toBe((((111 << 8) | 74) << 16 >> 16) / 32768); // bytes 2, 3 of samples(): 74, 111
    expect(await src.read(out, 100)).toBe(0);
    await src.rewind();
    expect(await src.read(out, 60)).toBe(60);
    expect(await src.read(out, 60)).toBe(40);
    await src.close();
    await src.close();

    const bad = tmpFile();
    writeFileSync(bad, riff([{ id: 'fmt ', body: fmtBody({ tag: 6, channels: 1, rate: 8000, bits: 8 }) }, { id: 'data', body: samples(8) }]));
    await expect(openWav(bad)).rejects.toThrow(new AudioFileError(bad, 'unsupported WAV encoding: A-law (format 6)'));
    const missing = join(dir, 'missing.wav');
    await expect(readWav(missing)).rejects.toThrow(new AudioFileError(missing, 'cannot open: no such file or folder (ENOENT)'));
    await expect(readWav(dir)).rejects.toThrow(/not a regular file|cannot/);
  });
});

describe('truncated files and misuse', () => {
  it('a file cut short (a crashed writer, a download) reads its whole frames and says truncated', async () => {
    const x = gridSignal('pcm24', 2, 1000, 99);
    const path = tmpFile();
    await writeWav(path, x, 48000, { format: 'pcm24', dither: { mode: 'none' } });
    const full = readFileSync(path);
    writeFileSync(path, full.subarray(0, full.length - 10)); // 1000 frames of 6 bytes: 998 whole frames remain
    const back = await readWav(path);
    expect([back.info.truncated, back.info.frames, back.info.declaredDataBytes]).toEqual([true, 998, 6000]);
    expect(back.channels.map((c) => Array.from(c))).toEqual(x.map((c) => Array.from(c.subarray(0, 998))));
  });

  it('a file of no frames is a valid WAV of no frames', async () => {
    for (const format of FORMATS) {
      const path = tmpFile();
      await writeWav(path, [new Float32Array(0), new Float32Array(0), new Float32Array(0)], 44100, { format });
      const back = await readWav(path);
      expect([back.info.frames, back.info.truncated, back.channels.length, back.channels[0].length]).toEqual([0, false, 3, 0]);
    }
  });

  it('wrong arguments are TypeError/RangeError naming the call; use after close or abort is an AudioFileError', async () => {
    const path = tmpFile();
    const sink = await createWavWriter(path, { sampleRate: 44100, channels: 2, format: 'pcm16' });
    await expect(sink.write([new Float32Array(10)], 10)).rejects.toThrow(TypeError);
    await expect(sink.write([new Float32Array(10), new Float32Array(5)], 10)).rejects.toThrow(`write(${path}): channels[1] must be a Float32Array of at least 10 samples, got one of 5`);
    await expect(sink.write([new Float32Array(10), new Float32Array(10)], 2.5)).rejects.toThrow(RangeError);
    await sink.write([new Float32Array(10), new Float32Array(10)], 10);
    await sink.close();
    await sink.close();
    await expect(sink.write([new Float32Array(10), new Float32Array(10)], 10)).rejects.toThrow(new AudioFileError(path, 'write() after close()'));
    const src = await openWav(path);
    await expect(src.read([new Float32Array(4)], 4)).rejects.toThrow(TypeError);
    await expect(src.read([new Float32Array(4), new Float32Array(4)], 8)).rejects.toThrow(TypeError);
    expect(await src.read([new Float32Array(4), new Float32Array(4)], 4)).toBe(4);
    await src.close();
    await expect(src.read([new Float32Array(4), new Float32Array(4)], 4)).rejects.toThrow(new AudioFileError(path, 'read() after close()'));
  });
});

describe('temporary file and rename', () => {
  const x = [Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) / 2)];
  const leftovers = (d: string) => readdirSync(d).filter((n) => n.endsWith('.tmp'));

  it('nothing at the path until close(); abort() leaves no file and no temporary file', async () => {
    const d = mkdtempSync(join(dir, 'tmp-'));
    const path = join(d, 'out.wav');
    const sink = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' });
    await sink.write(x, 1000);
    expect(existsSync(path)).toBe(false);
    expect(leftovers(d)).toHaveLength(1);
    expect(leftovers(d)[0]).toMatch(/^\.out\.wav\.[0-9a-f]+\.tmp$/);
    await sink.abort();
    await sink.abort();
    expect(readdirSync(d)).toEqual([]);
    await expect(sink.write(x, 10)).rejects.toThrow(AudioFileError);
  });

  it('an existing file at the path stays intact until close(), then is replaced', async () => {
    const d = mkdtempSync(join(dir, 'tmp-'));
    const path = join(d, 'out.wav');
    writeFileSync(path, 'previous');
    const sink = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'float32' });
    await sink.write(x, 1000);
    expect(readFileSync(path, 'utf8')).toBe('previous');
    await sink.close();
    expect(Array.from((await readWav(path)).channels[0])).toEqual(Array.from(x[0]));
    expect(leftovers(d)).toEqual([]);
    // an aborted rewrite leaves the previous file
    const again = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm24' });
    await again.write(x, 500);
    await again.abort();
    expect((await readWav(path)).info.sampleFormat).toBe('float32');
    expect(readdirSync(d)).toEqual(['out.wav']);
  });

  it('protect refuses to write over an input: same path, another spelling, a symlink, a hard link', async () => {
    const d = mkdtempSync(join(dir, 'tmp-'));
    const input = join(d, 'in.wav');
    await writeWav(input, x, 48000, { format: 'pcm16' });
    const before = readFileSync(input);
    symlinkSync(input, join(d, 'link.wav'));
    linkSync(input, join(d, 'hard.wav'));
    const spellings = [input, join(d, '.', 'sub', '..', 'in.wav'), relative(process.cwd(), input), join(d, 'link.wav'), join(d, 'hard.wav')];
    for (const out of spellings) {
      await expect(createWavWriter(out, { sampleRate: 48000, channels: 1, format: 'pcm16', protect: [input] })).rejects.toThrow(new AudioFileError(out, `refusing to write over the input ${input}`));
      await expect(createWavWriter(input, { sampleRate: 48000, channels: 1, format: 'pcm16', protect: [out] })).rejects.toThrow(AudioFileError);
    }
    expect(readFileSync(input).equals(before)).toBe(true);
    expect(leftovers(d)).toEqual([]);
    const other = join(d, 'other.wav');
    const ok = await createWavWriter(other, { sampleRate: 48000, channels: 1, format: 'pcm16', protect: [input, join(d, 'link.wav')] });
    await ok.abort();
  });

  it('bad options are one-line RangeError/TypeError naming the option; an unwritable folder is an AudioFileError', async () => {
    const p = join(dir, 'o.wav');
    await expect(createWavWriter(p, { sampleRate: 1000, channels: 1, format: 'pcm16' })).rejects.toThrow(`createWavWriter(${p}): sampleRate must be an integer in [8000, 384000] Hz, got 1000`);
    await expect(createWavWriter(p, { sampleRate: 48000, channels: 33, format: 'pcm16' })).rejects.toThrow(RangeError);
    await expect(createWavWriter(p, { sampleRate: 48000, channels: 2, format: 'pcm12' as SampleFormat })).rejects.toThrow(/format must be one of pcm8, pcm16/);
    await expect(createWavWriter(p, { sampleRate: 48000, channels: 2, format: 'float32', dither: { mode: 'tpdf' } })).rejects.toThrow(/applies to pcm8\/16\/24 only/);
    await expect(createWavWriter(p, { sampleRate: 48000, channels: 2, format: 'pcm16', dither: { mode: 'tpdf', seed: -1 } })).rejects.toThrow(/dither.seed/);
    const nowhere = join(dir, 'no', 'such', 'dir.wav');
    await expect(createWavWriter(nowhere, { sampleRate: 48000, channels: 2, format: 'pcm16' })).rejects.toThrow(new AudioFileError(nowhere, 'cannot create: no such file or folder (ENOENT)'));
    await expect(createWavWriter(dir, { sampleRate: 48000, channels: 2, format: 'pcm16' })).rejects.toThrow(new AudioFileError(dir, 'is a folder, not a file path'));
    expect(existsSync(p)).toBe(false);
  });
});

describe('RF64 promotion (threshold lowered for the test)', () => {
  it('a file outgrowing the limit becomes RF64 with ds64 sizes; one under it stays RIFF with a JUNK chunk', async () => {
    const x = [0, 1].map((c) => Float32Array.from({ length: 777 }, (_, i) => (((i * 13 + c * 5) % 200) - 100) / 256));
    const big = tmpFile();
    const sink = await openWavWriter(big, { sampleRate: 48000, channels: 2, format: 'pcm24', dither: { mode: 'none' } }, { rf64Limit: 4000 });
    await sink.write(x, 777);
    await sink.close();
    const raw = readFileSync(big);
    expect(raw.toString('latin1', 0, 4)).toBe('RF64');
    expect(raw.readUInt32LE(4)).toBe(0xffffffff);
    expect(raw.toString('latin1', 12, 16)).toBe('ds64');
    expect(Number(raw.readBigUInt64LE(20))).toBe(raw.length - 8);
    expect(Number(raw.readBigUInt64LE(28))).toBe(777 * 6);
    expect(Number(raw.readBigUInt64LE(36))).toBe(777);
    const back = await readWav(big);
    expect(back.info.container).toBe('RF64');
    expect(back.channels.map((c) => Array.from(c))).toEqual(x.map((c) => Array.from(c)));

    const small = tmpFile();
    const s2 = await openWavWriter(small, { sampleRate: 48000, channels: 2, format: 'pcm24', dither: { mode: 'none' } }, { rf64Limit: 1_000_000 });
    await s2.write(x, 777);
    await s2.close();
    const r2 = readFileSync(small);
    expect([r2.toString('latin1', 0, 4), r2.toString('latin1', 12, 16), r2.readUInt32LE(4)]).toEqual(['RIFF', 'JUNK', r2.length - 8]);
  });
});

describe('streaming in constant memory', () => {
  it('20 minutes of stereo 48 kHz pcm16 (230 MB) written then read in 4096-frame blocks', async () => {
    const rate = 48000;
    const frames = 20 * 60 * rate;
    const block = 4096;
    const path = tmpFile();
    // The programme repeats every second (a table one block longer), so making it costs nothing.
    const tab = [0, 1].map((c) => Float32Array.from({ length: rate + block }, (_, t) => (c === 0 ? 0.5 * Math.sin(t * ((2 * Math.PI * 441) / rate)) : (((t * 2654435761) >>> 0) / 4294967296 - 0.5) * 0.8)));
    const buf = [new Float32Array(block), new Float32Array(block)];
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed;
    let peakRss = rss0;
    let peakHeap = heap0;
    const sample = () => {
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    };
    const sink = await createWavWriter(path, { sampleRate: rate, channels: 2, format: 'pcm16' });
    for (let pos = 0, k = 0; pos < frames; pos += block, k++) {
      const n = Math.min(block, frames - pos);
      await sink.write([tab[0].subarray(pos % rate), tab[1].subarray(pos % rate)], n);
      if (k % 512 === 0) sample();
    }
    await sink.close();
    const src = await openWav(path);
    expect(src.frames).toBe(frames);
    let worst = 0;
    for (let pos = 0, k = 0; ; k++) {
      const n = await src.read(buf, block);
      if (n === 0) break;
      const at = pos % rate;
      for (let c = 0; c < 2; c++) {
        const y = buf[c];
        const x = tab[c];
        for (let i = 0; i < n; i++) {
          const e = Math.abs(y[i] - x[at + i]);
          if (e > worst) worst = e;
        }
      }
      pos += n;
      if (k % 512 === 0) sample();
    }
    await src.close();
    sample();
    const size = 44 + frames * 4;
    const mb = (b: number) => (b / 1048576).toFixed(1);
    console.log(`[wav streaming] file ${mb(size)} MiB; rss growth ${mb(peakRss - rss0)} MiB, heap growth ${mb(peakHeap - heap0)} MiB`);
    expect(worst).toBeLessThanOrEqual(1.5 / 32768 + 1e-7); // TPDF: within 1.5 LSB
    expect(peakRss - rss0).toBeLessThan(size / 8);
    expect(peakHeap - heap0).toBeLessThan(size / 16);
    rmSync(path);
  });
});

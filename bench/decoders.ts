/**
 * Decoder and FLAC-writer bench: × real time of masterbus/node's streaming sources (4096-frame
 * reads, everything decoded and checked) on 60 s of stereo music-like signal per format, with
 * ffmpeg's own decode of the same file (`-f null`, process start included) as a point of
 * reference; and createFlacWriter (TPDF dither + libFLAC level 5). Median of 5 runs after one
 * warm-up. Needs ffmpeg. Run: `npx tsx bench/decoders.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioSource } from '../src/node/audio-file.js';
import { openFlac, openMp3, openOggOpus, openOggVorbis } from '../src/node/decoders.js';
import { createFlacWriter } from '../src/node/flac-writer.js';

const SECONDS = 60;
const RUNS = 5;
const dir = mkdtempSync(join(tmpdir(), 'masterbus-bench-dec-'));

function ffmpeg(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function decodeAll(open: (p: string) => Promise<AudioSource>, file: string): Promise<number> {
  const t0 = performance.now();
  const src = await open(file);
  const block = Array.from({ length: src.channels }, () => new Float32Array(4096));
  while ((await src.read(block, 4096)) > 0);
  await src.close();
  return performance.now() - t0;
}

try {
  const master = join(dir, 'master.wav');
  // Left: a chord with a slow tremolo; right: pink noise under a tone (noise keeps FLAC honest).
  ffmpeg(['-f', 'lavfi', '-i', `aevalsrc=0.3*sin(2*PI*220*t)*(1+0.3*sin(2*PI*0.5*t))+0.2*sin(2*PI*277*t)+0.15*sin(2*PI*330*t):s=48000:d=${SECONDS}`, '-f', 'lavfi', '-i', `anoisesrc=c=pink:r=48000:a=0.1:d=${SECONDS}`, '-filter_complex', '[0][1]amerge=inputs=2', '-c:a', 'pcm_s24le', master]);
  const formats: { name: string; file: string; args: string[]; open: (p: string) => Promise<AudioSource> }[] = [
    { name: 'FLAC 16-bit', file: 'a16.flac', args: ['-c:a', 'flac', '-sample_fmt', 's16'], open: openFlac },
    { name: 'FLAC 24-bit', file: 'a24.flac', args: ['-c:a', 'flac', '-sample_fmt', 's32'], open: openFlac },
    { name: 'MP3 CBR 320 kb/s', file: 'cbr.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '320k'], open: openMp3 },
    { name: 'MP3 VBR V2', file: 'vbr.mp3', args: ['-c:a', 'libmp3lame', '-q:a', '2'], open: openMp3 },
    { name: 'Ogg Vorbis q5', file: 'a.ogg', args: ['-c:a', 'libvorbis', '-q:a', '5'], open: openOggVorbis },
    { name: 'Ogg Opus 160 kb/s', file: 'a.opus', args: ['-c:a', 'libopus', '-b:a', '160k'], open: openOggOpus },
  ];
  console.log(`## Decoders (${SECONDS} s stereo 48 kHz; median of ${RUNS} runs after a warm-up)\n`);
  console.log('| format | file | masterbus/node (4096-frame reads) | ffmpeg -f null (incl. process start) |');
  console.log('| --- | --- | --- | --- |');
  for (const f of formats) {
    const file = join(dir, f.file);
    ffmpeg(['-i', master, ...f.args, file]);
    await decodeAll(f.open, file);
    const t: number[] = [];
    for (let i = 0; i < RUNS; i++) t.push(await decodeAll(f.open, file));
    const ours = median(t);
    const theirs = median(Array.from({ length: RUNS }, () => ffmpeg(['-i', file, '-f', 'null', '-'])));
    console.log(`| ${f.name} | ${(statSync(file).size / 2 ** 20).toFixed(1)} MB | ${((SECONDS * 1000) / ours).toFixed(0)}× real time (${ours.toFixed(0)} ms) | ${((SECONDS * 1000) / theirs).toFixed(0)}× (${theirs.toFixed(0)} ms) |`);
  }
  // The writer: 60 s of the same signal, floats in, TPDF-dithered FLAC out.
  const src = await openFlac(join(dir, 'a24.flac'));
  const chans: Float32Array[] = [new Float32Array(SECONDS * 48000), new Float32Array(SECONDS * 48000)];
  await src.read(chans, SECONDS * 48000);
  await src.close();
  console.log('\n| writer | masterbus/node (4096-frame writes) | ffmpeg (WAV → FLAC, incl. process start) |');
  console.log('| --- | --- | --- |');
  for (const bits of [16, 24] as const) {
    const t: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      const sink = await createFlacWriter(join(dir, `out${bits}.flac`), { sampleRate: 48000, channels: 2, bits });
      for (let p = 0; p < chans[0].length; p += 4096) {
        const n = Math.min(4096, chans[0].length - p);
        await sink.write([chans[0].subarray(p, p + n), chans[1].subarray(p, p + n)], n);
      }
      await sink.close();
      if (i > 0) t.push(performance.now() - t0);
    }
    const ours = median(t);
    const theirs = median(Array.from({ length: RUNS }, () => ffmpeg(['-i', master, '-c:a', 'flac', '-sample_fmt', bits === 16 ? 's16' : 's32', join(dir, 'ff.flac')])));
    console.log(`| FLAC ${bits}-bit, level 5, TPDF | ${((SECONDS * 1000) / ours).toFixed(0)}× real time (${ours.toFixed(0)} ms) | ${((SECONDS * 1000) / theirs).toFixed(0)}× (${theirs.toFixed(0)} ms) |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

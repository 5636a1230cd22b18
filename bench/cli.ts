/**
 * The command line on files, three tables (the built bin, `node dist/cli/main.js`, as users run it):
 *
 * 1. **Memory:** a one-hour stereo 48 kHz 24-bit WAV (made here, block by block, about 1 GB)
 *    mastered to the streaming target: peak resident memory (`/usr/bin/time -f %M`) and wall time.
 *    Goal: peak RSS < 200 MB.
 * 2. **Batch on worker threads:** eight 60 s files mastered with `--jobs 1` and `--jobs 2`
 *    (`--force`, alternating which runs first): wall times and the speed-up on this 2-core machine.
 * 3. **master against ffmpeg's two-pass loudnorm on the same file:** the 133 s programme of
 *    bench/master-loudnorm.ts as a float WAV, `masterbus master in.wav -o out.wav` against
 *    `loudnorm` (analysis pass, then the normalising pass writing a float WAV), file to file, wall
 *    time including process start, alternating.
 *
 *   npm run build && tsx bench/cli.ts [--rounds N] [--write] [--skip-hour]
 *
 * `--write` replaces the "## Command line" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from './harness.js';
import { benchArgs, report } from './rounds.js';
import { haveFfmpeg, loudnormTwoPass, writeWavFloat } from '../test/support/loudnorm.js';
import { programme } from '../test/chains/programmes.js';
import { createAudioWriter } from '../src/node/open-audio.js';

const { rounds, write } = benchArgs();
const skipHour = process.argv.includes('--skip-hour');
const { out, save } = report();
const FS = 48000;
const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'masterbus-cli-bench-'));

/** Run the bin; wall time (ms) and peak RSS (MB, from GNU time). */
function masterbus(args: string[]): { ms: number; rssMb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`masterbus ${args.join(' ')} failed: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMb: kb / 1024 };
}

try {
  out('## Command line (the built bin on files)');
  out('');
  out(`Node ${process.version}, ${availableParallelism()} cores; \`node dist/cli/main.js\` as a child process, wall time including its start.`);
  out('');

  // 1. One hour.
  if (!skipHour) {
    const hour = join(dir, 'hour.wav');
    const seg = programme('music', 11, 60, FS, -20);
    const sink = await createAudioWriter(hour, { sampleRate: FS, channels: 2, sampleFormat: 'pcm24', dither: 'tpdf' });
    const block = 4096;
    const l = new Float32Array(block);
    const r = new Float32Array(block);
    for (let pos = 0; pos < 3600 * FS; pos += block) {
      const n = Math.min(block, 3600 * FS - pos);
      // The 60 s programme repeated, its level drifting ±3 dB over the hour (not one loop).
      const g = 10 ** ((3 * Math.sin((2 * Math.PI * pos) / (3600 * FS))) / 20);
      for (let i = 0; i < n; i++) {
        const k = (pos + i) % seg[0].length;
        l[i] = seg[0][k] * g;
        r[i] = seg[1][k] * g;
      }
      await sink.write([l, r], n);
    }
    await sink.close();
    const size = statSync(hour).size;
    const m = masterbus(['master', hour, '-o', join(dir, 'hour.master.wav'), '--quiet', '--preset', 'streaming']);
    out('### One hour, mastered (streaming preset), in constant memory');
    out('');
    out('| input | size | wall time | × real time | peak RSS | goal |');
    out('|---|---:|---:|---:|---:|---|');
    out(`| 60 min stereo 48 kHz 24-bit WAV | ${(size / 1e9).toFixed(2)} GB | ${(m.ms / 1000).toFixed(1)} s | ${((3600 * 1000) / m.ms).toFixed(0)} | ${m.rssMb.toFixed(0)} MB | < 200 MB: **${m.rssMb < 200 ? 'met' : 'not met'}** |`);
    out('');
    rmSync(hour, { force: true });
    rmSync(join(dir, 'hour.master.wav'), { force: true });
  }

  // 2. Batch.
  const batchDir = join(dir, 'batch');
  mkdirSync(batchDir);
  const files: string[] = [];
  for (let k = 0; k < 8; k++) {
    const f = join(batchDir, `song${k}.wav`);
    writeWavFloat(f, programme('music', 100 + k, 60, FS, -22 + k), FS);
    files.push(f);
  }
  const t1: number[] = [];
  const t2: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const jobs of round % 2 ? [2, 1] : [1, 2]) {
      const m = masterbus(['master', ...files, '-o', join(dir, `out${jobs}`), '--jobs', String(jobs), '--force', '--quiet']);
      (jobs === 1 ? t1 : t2).push(m.ms);
    }
  }
  out('### Batch: eight 60 s files, one worker thread against two');
  out('');
  out(`${rounds} rounds, alternating; median wall times.`);
  out('');
  out('| --jobs | wall time | × real time (8 min of audio) | speed-up |');
  out('|---:|---:|---:|---:|');
  out(`| 1 | ${(median(t1) / 1000).toFixed(2)} s | ${((480 * 1000) / median(t1)).toFixed(0)} | 1.00 |`);
  out(`| 2 | ${(median(t2) / 1000).toFixed(2)} s | ${((480 * 1000) / median(t2)).toFixed(0)} | ${(median(t1) / median(t2)).toFixed(2)} |`);
  out('');

  // 3. Against loudnorm.
  if (haveFfmpeg()) {
    const input = join(dir, 'prog.wav');
    writeWavFloat(input, programme('music', 7, 133, FS, -21), FS);
    const mb: number[] = [];
    const ln: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 ? ['ffmpeg', 'masterbus'] : ['masterbus', 'ffmpeg']) {
        if (which === 'masterbus') mb.push(masterbus(['master', input, '-o', join(dir, 'prog.mb.wav'), '--bits', '32f', '--force', '--quiet']).ms);
        else ln.push(loudnormTwoPass(input, join(dir, 'prog.ln.wav'), FS).ms);
      }
    }
    out('### `masterbus master` against ffmpeg two-pass loudnorm, same 133 s file (−14 LUFS, −1 dBTP)');
    out('');
    out('| | wall time (median) | × real time |');
    out('|---|---:|---:|');
    out(`| masterbus master (float WAV in and out; analyses and report included) | ${(median(mb) / 1000).toFixed(2)} s | ${((133 * 1000) / median(mb)).toFixed(0)} |`);
    out(`| ffmpeg loudnorm, two passes | ${(median(ln) / 1000).toFixed(2)} s | ${((133 * 1000) / median(ln)).toFixed(0)} |`);
    out('');
    out(`- masterbus master vs ffmpeg loudnorm: ${(median(ln) / median(mb)).toFixed(2)}× faster`);
  } else out('(ffmpeg not found: the loudnorm comparison is skipped)');
  if (write) save('## Command line');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

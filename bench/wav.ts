/**
 * WAV read/write throughput (src/node/wav.ts): a 60 s stereo 48 kHz programme written with
 * createWavWriter and read back with openWav, in 4096-frame blocks, for every sample format.
 * MB/s counts file bytes; Mframes/s and × real time count frames. The signal is made before the
 * clock starts; the write includes the final fsync and rename. Median of 5 runs per row.
 * Usage: `npx tsx bench/wav.ts [--seconds 60]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleFormat } from '../src/node/audio-file.js';
import { createWavWriter, openWav } from '../src/node/wav.js';

const arg = process.argv.indexOf('--seconds');
const seconds = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const rate = 48000;
const frames = seconds * rate;
const block = 4096;
const x = [0, 1].map((c) => Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin(i * (0.05 + 0.01 * c)) + 0.3 * (((i * 2654435761) >>> 0) / 4294967296 - 0.5)));
const dir = mkdtempSync(join(tmpdir(), 'masterbus-wav-bench-'));
/** CPU seconds (user + system, all threads) since `u`. */
const cpu = (u: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1e6;
};
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[v.length >> 1];

async function main(): Promise<void> {
  console.log(`WAV throughput: ${seconds} s stereo ${rate} Hz, ${block}-frame blocks, median of 5 (Node ${process.version})`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; wall clock, and per CPU second (user + system) in brackets`);
  console.log('| format | write MB/s | write × rt | read MB/s | read × rt |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const out = [new Float32Array(block), new Float32Array(block)];
  const fa = process.argv.indexOf('--formats');
  const formats = (fa > 0 ? process.argv[fa + 1].split(',') : ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64']) as SampleFormat[];
  for (const format of formats) {
    const path = join(dir, `${format}.wav`);
    const w: number[] = [];
    const r: number[] = [];
    const wc: number[] = [];
    const rc: number[] = [];
    let size = 0;
    for (let run = 0; run < 5; run++) {
      let t = performance.now();
      let u = process.cpuUsage();
      const sink = await createWavWriter(path, { sampleRate: rate, channels: 2, format });
      for (let pos = 0; pos < frames; pos += block) {
        const n = Math.min(block, frames - pos);
        await sink.write([x[0].subarray(pos), x[1].subarray(pos)], n);
      }
      await sink.close();
      w.push((performance.now() - t) / 1000);
      wc.push(cpu(u));
      size = statSync(path).size;
      t = performance.now();
      u = process.cpuUsage();
      const src = await openWav(path);
      while ((await src.read(out, block)) > 0);
      await src.close();
      r.push((performance.now() - t) / 1000);
      rc.push(cpu(u));
    }
    const mb = size / 1e6;
    const tw = median(w);
    const tr = median(r);
    const cw = median(wc);
    const cr = median(rc);
    console.log(`| ${format} | ${(mb / tw).toFixed(0)} (${(mb / cw).toFixed(0)}) | ${(seconds / tw).toFixed(0)} (${(seconds / cw).toFixed(0)}) | ${(mb / tr).toFixed(0)} (${(mb / cr).toFixed(0)}) | ${(seconds / tr).toFixed(0)} (${(seconds / cr).toFixed(0)}) |`);
  }
  rmSync(dir, { recursive: true, force: true });
}

void main();

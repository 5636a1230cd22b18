/**
 * One loudness bench group in its own process (spawned by `bench/loudness.ts`):
 *
 *   node --import tsx/esm bench/loudness-worker.ts masterbus [music|noise]
 *   node --experimental-wasm-modules --import tsx/esm bench/loudness-worker.ts ebur128 [music|noise]
 *
 * Measures 60 s of stereo 48 kHz (a music-like programme, or the biquad harness's noise-heavy
 * signal, the worst case for the true-peak detector's skipping): masterbus `LoudnessMeter` streamed in 128-
 * and 4096-frame blocks (integrated + LRA + true peak, read at the end) and `measureLoudness` on
 * the whole buffer; ebur128-wasm (libebur128 ported to Rust, compiled to WebAssembly) on the whole
 * buffer: integrated + true peak (it has no LRA). Warm-up, then R timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, makeSignal, median } from './harness.js';

const group = process.argv[2];
const kind = process.argv[3] === 'noise' ? 'noise' : 'music';
const runs = 7;
const signal = kind === 'noise' ? makeSignal(60) : makeMusic(60);

const [left, right] = signal.channels;
const fs = signal.sampleRate;

interface Row {
  id: string;
  block: string;
  ms: number;
  rangeMs: [number, number];
  values: Record<string, number>;
}

async function time(id: string, block: string, fn: () => Record<string, number>): Promise<Row> {
  let values = fn(); // warm-up (also the values we report)
  fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    values = fn();
    ms.push(performance.now() - t0);
  }
  return { id, block, ms: median(ms), rangeMs: [Math.min(...ms), Math.max(...ms)], values };
}

const rows: Row[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  for (const block of [128, 4096]) {
    const meter = new mb.LoudnessMeter({ historySeconds: 0 });
    meter.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    const views: Float32Array[][] = [];
    for (let p = 0; p < signal.frames; p += block) views.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
    rows.push(
      await time('masterbus LoudnessMeter (streamed)', String(block), () => {
        meter.reset();
        for (let b = 0; b < views.length; b++) meter.process(views[b]);
        return { integrated: meter.integrated, lra: meter.lra, truePeak: meter.truePeakDb() };
      }),
    );
  }
  rows.push(
    await time('masterbus measureLoudness (whole buffer)', 'whole', () => {
      const r = mb.measureLoudness([left, right], fs);
      return { integrated: r.integrated, lra: r.lra, truePeak: r.truePeak };
    }),
  );
} else if (group === 'ebur128') {
  const wasm = await import('ebur128-wasm/ebur128_wasm.js');
  rows.push(
    await time('ebur128-wasm integrated + true peak (whole buffer)', 'whole', () => ({
      integrated: wasm.ebur128_integrated_stereo(fs, left, right),
      truePeak: wasm.ebur128_true_peak_stereo(fs, left, right), // already in dB
    })),
  );
} else {
  throw new RangeError(`loudness worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, kind, seconds: signal.frames / fs, rows })}\n`);

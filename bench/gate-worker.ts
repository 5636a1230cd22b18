/**
 * One gate bench group in its own process (spawned by `bench/gate.ts`):
 *
 *   node --import tsx/esm bench/gate-worker.ts masterbus|nwa
 *
 * 30 s of the music-like stereo programme at 48 kHz. masterbus: Gate (∞:1) and a 2:1 expander,
 * streamed in 128- and 4096-frame blocks, in place (the input is restored, untimed, before every
 * pass). Web Audio has no gate node: node-web-audio-api's DynamicsCompressorNode, the nearest
 * dynamics node, rendered by an OfflineAudioContext in 128-frame quanta (graph built before the
 * clock starts). Warm-up, then 7 timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow, type TimedRow } from './harness.js';

const group = process.argv[2];
const signal = makeMusic(30);
const fs = signal.sampleRate;

/** Gate settings: threshold in the programme's range so that it opens and closes. */
export const GATE = { thresholdDb: -20, rangeDb: 60, hysteresisDb: 3, attackMs: 1, holdMs: 20, releaseMs: 100 } as const;

const rows: TimedRow[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const work = signal.channels.map((c) => new Float32Array(c.length));
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    for (let p = 0; p < signal.frames; p += block) views.push(work.map((w) => w.subarray(p, p + block)));
    const pass = (p: { process(b: readonly Float32Array[]): void }) => (): number => {
      for (let c = 0; c < work.length; c++) work[c].set(signal.channels[c]);
      const t0 = performance.now();
      for (let b = 0; b < views.length; b++) p.process(views[b]);
      return performance.now() - t0;
    };
    const gate = new mb.Gate({ ...GATE });
    gate.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(await timeRow('masterbus Gate (∞:1, linked)', String(block), pass(gate)));
    if (block === 128) {
      const exp = new mb.Gate({ ...GATE, ratio: 2, keyHighpassHz: 80, keyLowpassHz: 8000, lookaheadMs: 2 });
      exp.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      rows.push(await timeRow('masterbus Gate (2:1 expander, key HP+LP, 2 ms lookahead)', String(block), pass(exp)));
    }
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, DynamicsCompressorNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
  signal.channels.forEach((c, ch) => buffer.copyToChannel(c, ch));
  const render = (withNode: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withNode) {
      const comp = new DynamicsCompressorNode(ctx, { threshold: GATE.thresholdDb, knee: 0, ratio: 4, attack: GATE.attackMs / 1000, release: GATE.releaseMs / 1000 });
      src.connect(comp).connect(ctx.destination);
    } else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await timeRow('node-web-audio-api DynamicsCompressorNode (no gate node exists)', '128 (render quantum)', render(true)));
  rows.push(await timeRow('node-web-audio-api graph without the node', '128 (render quantum)', render(false)));
} else {
  throw new RangeError(`gate worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: signal.frames / fs, rows })}\n`);

/**
 * The promises of issue 11, checked on what users run: every processor loaded from the built
 * package (dist/index.js as an ES module and dist/index.cjs, both loaded by Node itself; see
 * test/support/dist.ts). A bundler can change what V8 does (the shipped Chorus once allocated
 * where the source did not), so allocation, block-partition and hostile-input checks run here on
 * dist/ as well as in each processor's own suite on src/.
 */
import { describe, expect, it } from 'vitest';
import type { Processor } from '../src/core/processor.js';
import { countSubnormalState } from './support/denormal.js';
import { allocationFree, measureAllocationSettled } from './support/alloc.js';
import { describeDistAllocation, loadDist, type DistAllocationCase, type MasterbusModule } from './support/dist.js';
import { clone, identical, firstDifference, multiChannel, noise, sine } from './support/signals.js';

type Case = DistAllocationCase<Processor>;
const c = <P extends Processor>(name: string, create: (m: MasterbusModule) => P, extra: Partial<DistAllocationCase<P>> = {}): Case =>
  ({ name, create, ...extra }) as unknown as Case;

const eqBands = [
  { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
  { type: 'lowshelf', frequencyHz: 120, gainDb: 2 },
  { type: 'peaking', frequencyHz: 400, gainDb: -3, q: 1.4 },
  { type: 'peaking', frequencyHz: 3000, gainDb: 2, q: 0.8 },
  { type: 'highshelf', frequencyHz: 9000, gainDb: 1.5 },
] as const;

/** A deterministic decaying-noise impulse response (channels × length). */
function testIr(channels: number, length: number): Float32Array[] {
  let seed = 7;
  return Array.from({ length: channels }, () => {
    const h = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      h[i] = (seed / 2 ** 32 - 0.5) * Math.exp(-i / (length / 5));
    }
    return h;
  });
}

describeDistAllocation('every processor class from dist/ (Chorus and Saturator: test/color/dist-allocation.test.ts)', [
  c('BiquadFilter (peaking, frequency ramps)', (m) => new m.BiquadFilter({ type: 'peaking', frequencyHz: 1000, gainDb: 6 }), {
    ramp: (p) => p.set({ frequencyHz: p.params.frequencyHz > 1000 ? 500 : 4000, smoothingMs: 1000 }),
  }),
  c('ParametricEQ (5 bands, gain ramps)', (m) => new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), {
    ramp: (p) => p.set({ outputGainDb: p.params.outputGainDb > 0 ? -3 : 3, smoothingMs: 1000 }),
  }),
  c('LoudnessMeter', (m) => new m.LoudnessMeter()),
  // The peak-linked compressor once boxed one number per call from dist/ in CI (a knee
  // computation behind a cold call site that V8 did not always inline); the cases below catch it.
  c('Compressor (peak, linked, lookahead, makeup ramps)', (m) => new m.Compressor({ thresholdDb: -20, ratio: 3, lookaheadMs: 2 }), {
    ramp: (p) => p.set({ makeupDb: p.params.makeupDb > 0 ? 0 : 6, smoothingMs: 1000 }),
  }),
  c('Compressor (peak, linked, fused path)', (m) => new m.Compressor({ thresholdDb: -24, ratio: 4, kneeDb: 6 })),
  c('Chain (EQ → compressor → limiter)', (m) => new m.Chain([new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), new m.Compressor({ thresholdDb: -20, ratio: 3, lookaheadMs: 2 }), new m.Limiter({ ceilingDb: -3, lookaheadMs: 1.5 })]), {
    ramp: (p) => p.setBypassed(1, !p.isBypassed(1)),
  }),
  c('Compressor (RMS, 50 % link, sidechain high-pass, lookahead, mix)', (m) => new m.Compressor({ detector: 'rms', thresholdDb: -30, stereoLink: 0.5, sidechainHighpassHz: 120, lookaheadMs: 3, mix: 0.6 }), {
    ramp: (p) => p.set({ makeupDb: p.params.makeupDb > 0 ? 0 : 6, mix: p.params.mix > 0.5 ? 0.3 : 0.9, smoothingMs: 1000 }),
  }),
  c('Gate (expander 3:1, key filters, lookahead, key-listen fades)', (m) => new m.Gate({ thresholdDb: -20, ratio: 3, keyHighpassHz: 80, keyLowpassHz: 8000, lookaheadMs: 2 }), {
    ramp: (p) => p.set({ keyListen: !p.params.keyListen, thresholdDb: p.params.keyListen ? -20 : -6, smoothingMs: 1000 }),
  }),
  c('Gate (gate ∞:1, no key filter)', (m) => new m.Gate({ thresholdDb: -12, hysteresisDb: 2, holdMs: 1 })),
  c('MultibandCompressor (4 bands LR4, lookahead in one band, crossover and band-gain ramps)', (m) => new m.MultibandCompressor({ crossoversHz: [120, 1000, 5000], bands: [{ thresholdDb: -24, lookaheadMs: 2 }, { thresholdDb: -20, detector: 'rms' }, { thresholdDb: -18 }, { thresholdDb: -22, stereoLink: 0.5 }] }), {
    ramp: (p) => {
      const up = p.params.crossoversHz[0] < 200;
      p.set({ smoothingMs: 1000, crossoversHz: up ? [300, 2000, 8000] : [120, 1000, 5000] });
      p.setBand(1, { bypass: up, outputGainDb: up ? -6 : 0 });
    },
  }),
  c('Limiter (true peak, +12 dB drive)', (m) => new m.Limiter({ driveDb: 12 }), { ramp: (p) => p.set({ driveDb: p.params.driveDb > 6 ? 0 : 12, smoothingMs: 1000 }) }),
  c('Limiter (sample peak, auto release, unlinked)', (m) => new m.Limiter({ mode: 'sample-peak', driveDb: 9, autoRelease: true, stereoLink: 0 })),
  c('Panner (mono source, −4.5 dB law)', (m) => new m.Panner({ pan: 0.3, law: '-4.5dB' }), { ramp: (p) => p.set({ pan: -p.params.pan || 0.5, smoothingMs: 1000 }) }),
  c('StereoWidener (width 1.4, bass mono)', (m) => new m.StereoWidener({ width: 1.4, bassMonoHz: 120 }), { ramp: (p) => p.set({ width: p.params.width > 1 ? 0.5 : 1.8, smoothingMs: 1000 }) }),
  c('MidSide (EQ on mid, compressor on side, bypass fades)', (m) => new m.MidSide({ mid: new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), side: new m.Compressor({ thresholdDb: -30, lookaheadMs: 1 }) }), {
    ramp: (p) => p.set({ sideBypassed: !p.params.sideBypassed }),
  }),
  c('Parallel (compressor, mix ramps)', (m) => new m.Parallel(new m.Compressor({ thresholdDb: -30, ratio: 8, lookaheadMs: 2 }), { mix: 0.5 }), {
    ramp: (p) => p.set({ mix: p.params.mix > 0.5 ? 0.2 : 0.8 }),
  }),
  c('Convolver (stereo IR of 6000 taps, mix and IR cross-fades)', (m) => new m.Convolver({ impulseResponse: testIr(2, 6000), mix: 0.5 }), {
    ramp: (p) => p.set({ mix: p.params.mix > 0.5 ? 0.2 : 0.8, preDelayMs: p.params.preDelayMs > 0 ? 0 : 1, crossfadeMs: 500, smoothingMs: 1000 }),
  }),
  c('Chain (EQ → limiter, bypass fades)', (m) => new m.Chain([new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), new m.Limiter({ driveDb: 6 })]), {
    ramp: (p) => p.setBypassed(0, !p.isBypassed(0)),
  }),
  c('Delay (ping-pong, feedback, loop filters, time cross-fades and ramps)', (m) => new m.Delay({ mode: 'ping-pong', feedback: 0.7, timeMs: 40, modDepthMs: 1 }), {
    ramp: (p) => p.set({ smoothingMs: 1000, timeChangeMs: 500, timeMs: p.params.timeMs > 20 ? 5 : 40, lowCutHz: p.params.lowCutHz > 100 ? 50 : 400, mix: p.params.mix > 0.5 ? 0.2 : 0.9 }),
  }),
  c('Phaser (8 stages, stage cross-fades and ramps)', (m) => new m.Phaser({ feedback: 0.7 }), {
    ramp: (p) => p.set({ smoothingMs: 1000, stages: p.params.stages === 24 ? 2 : 24, centerHz: p.params.centerHz > 1000 ? 300 : 3000, mix: p.params.mix > 0.5 ? 0.2 : 0.9 }),
  }),
  c('Delay (stereo, glide)', (m) => new m.Delay({ timeChange: 'glide', feedback: -0.6 }), {
    ramp: (p) => p.set({ timeChangeMs: 1000, timeMs: p.params.timeMs > 100 ? 30 : 300 }),
  }),
  c('MasteringChain (mid/side EQ → compressor → saturator → widener → limiter, meters; EQ gain ramps)', (m) => new m.MasteringChain({ eq: { midSide: true, bands: eqBands.map((b) => ({ ...b })), sideBands: [{ type: 'highshelf', frequencyHz: 6000, gainDb: 2 }] }, compressor: { thresholdDb: -20, ratio: 2 }, saturator: { driveDb: 3, oversampling: 2 }, widener: { width: 1.2, bassMonoHz: 120 }, limiter: { driveDb: 6 } }), {
    ramp: (p) => p.set({ eq: { outputGainDb: (p.params.eq?.outputGainDb ?? 0) > 0 ? -3 : 3, smoothingMs: 1000 } }),
  }),
  c('Dither (16 bits, shaped; mode toggles)', (m) => new m.Dither({ mode: 'shaped' }), {
    ramp: (p) => p.set({ mode: p.params.mode === 'shaped' ? 'tpdf' : 'shaped' }),
  }),
  c('Dither (24 bits, TPDF)', (m) => new m.Dither({ bits: 24 })),
  c('Reverb (glides, size and pre-delay cross-fades)', (m) => new m.Reverb({ mix: 0.5 }), {
    ramp: (p) => p.set({ smoothingMs: 1000, decaySeconds: p.params.decaySeconds > 2 ? 0.5 : 8, mix: p.params.mix > 0.5 ? 0.2 : 0.9, size: p.params.size > 1 ? 0.7 : 1.3, preDelayMs: p.params.preDelayMs > 20 ? 5 : 40 }),
  }),
]);

/** Run `p` over a copy of `x` cut at `cuts`. */
function run(p: Processor, x: Float32Array[], cuts: number[]): Float32Array[] {
  const y = clone(x);
  const points = [0, ...cuts, y[0].length];
  for (let k = 0; k + 1 < points.length; k++) p.process(y.map((ch) => ch.subarray(points[k], points[k + 1])), points[k + 1] - points[k]);
  return y;
}

/** A hostile signal: programme, NaN / ±Infinity / 1e30 bursts, then exact silence (tails, signs of zero). */
function hostile(frames: number): Float32Array[] {
  const x = multiChannel(2, frames, 11);
  for (const ch of x) for (let i = frames / 2; i < frames; i++) ch[i] = 0;
  x[0][700] = NaN;
  x[1][1300] = Infinity;
  x[0][2100] = -Infinity;
  for (let i = 2600; i < 2664; i++) x[1][i] = 1e30;
  return x;
}

const PARTITIONS = [[], [1, 2, 3, 127, 128, 129, 1000, 1001, 1003], [37, 74, 500, 999, 2047, 2048, 3000, 4095, 5000, 7000]];

for (const dist of loadDist()) {
  const m = dist.mod;
  describe(`the built package: ${dist.file.replace(/.*\/dist\//, 'dist/')}`, () => {
    const factories: [string, () => Processor][] = [
      ['BiquadFilter', () => new m.BiquadFilter({ type: 'highshelf', frequencyHz: 6000, gainDb: 4 })],
      ['ParametricEQ', () => new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) })],
      ['LoudnessMeter', () => new m.LoudnessMeter()],
      ['Compressor', () => new m.Compressor({ detector: 'rms', thresholdDb: -30, sidechainHighpassHz: 100, lookaheadMs: 2 })],
      ['Limiter', () => new m.Limiter({ driveDb: 12 })],
      ['Gate', () => new m.Gate({ thresholdDb: -20, ratio: 4, keyHighpassHz: 100, keyLowpassHz: 5000, lookaheadMs: 2 })],
      ['MultibandCompressor', () => new m.MultibandCompressor({ crossoversHz: [150, 1500, 6000], rolloffDbPerOctave: 48, bands: [{ lookaheadMs: 2 }, { detector: 'rms' }, {}, { thresholdDb: -30 }] })],
      ['Panner', () => new m.Panner({ input: 'stereo', pan: 0.4 })],
      ['StereoWidener', () => new m.StereoWidener({ width: 1.5 })],
      ['Saturator', () => new m.Saturator({ curve: 'tube', oversampling: 8, driveDb: 12 })],
      ['Chorus', () => new m.Chorus({ feedback: 0.9, voices: 3 })],
      ['Phaser', () => new m.Phaser({ stages: 12, feedback: -0.95, rateHz: 9, lfoShape: 'triangle' })],
      ['Delay', () => new m.Delay({ mode: 'ping-pong', feedback: 0.9, timeMs: 7, modDepthMs: 2 })],
      ['Reverb', () => new m.Reverb({ decaySeconds: 5, mix: 0.7, size: 0.4 })],
      ['Convolver', () => new m.Convolver({ impulseResponse: testIr(4, 3000), normalize: 'energy', mix: 0.6 })],
      ['Chain', () => new m.Chain([new m.ParametricEQ(), new m.Compressor(), new m.Limiter()])],
      ['MidSide', () => new m.MidSide({ mid: new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), side: new m.Limiter({ ceilingDb: -6 }) })],
      ['Parallel', () => new m.Parallel(new m.Compressor({ thresholdDb: -30, ratio: 8, lookaheadMs: 2 }), { mix: 0.4 })],
      ['MasteringChain', () => new m.MasteringChain({ eq: { midSide: true, bands: eqBands.map((b) => ({ ...b })) }, saturator: {}, widener: {}, limiter: { driveDb: 9 } })],
      ['Dither', () => new m.Dither({ mode: 'shaped', bits: 16, seed: 3 })],
    ];

    it('keeps class names (no mangling): Compressor.name === "Compressor"', () => {
      for (const [name, make] of factories) expect(make().constructor.name).toBe(name);
    });

    for (const [name, make] of factories) {
      it(`${name}: bit-identical output for any partition, through NaN/Infinity/1e30 bursts and into silence; finite after the bursts`, () => {
        const x = hostile(8192);
        const spec = { sampleRate: 48000, maxBlockSize: 1024, channels: 2 };
        const outs = PARTITIONS.map((cuts) => {
          const p = make();
          p.prepare(spec);
          return run(p, x, cuts);
        });
        for (let k = 1; k < outs.length; k++) expect(identical(outs[k], outs[0]), `${name}, partition ${k}: ${firstDifference(outs[k], outs[0])}`).toBe(true);
        // Finite again one maxBlockSize after the last burst (plus the processor's latency).
        const p = make();
        p.prepare(spec);
        const lastBad = 2664 + p.latency + spec.maxBlockSize;
        for (const ch of outs[0]) for (let i = lastBad; i < ch.length; i++) if (!Number.isFinite(ch[i])) throw new Error(`${name}: sample ${i} is ${ch[i]}`);
      });

      it(`${name}: hostile process() arguments are no audio and never throw (BigInt frames, null, holes, garbage)`, () => {
        const p = make();
        p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
        const x = multiChannel(2, 128, 3);
        const call = (block: unknown, frames?: unknown) => (p.process as (b: unknown, f?: unknown) => void)(block, frames);
        for (const block of [null, undefined, 7, 'x', {}, [null, null], [x[0], undefined], new Array(2), [new Float64Array(128), x[1]]]) {
          expect(() => call(block)).not.toThrow();
          expect(() => call(block, 64n)).not.toThrow();
        }
        for (const frames of [64n, -1n, 10n ** 20n, NaN, -5, '64', Symbol('f')]) expect(() => call(clone(x), frames)).not.toThrow();
      });
    }

    it('a mix ramp that ends exactly at 1 (a Compressor set to mix 1, a multiband band leaving bypass): 120-frame blocks equal 1-frame blocks', () => {
      const x = multiChannel(2, 4800, 21);
      const makers: [string, () => Processor, (p: Processor) => void][] = [
        ['Compressor', () => new m.Compressor({ thresholdDb: -40, mix: 0 }), (p) => (p as InstanceType<typeof m.Compressor>).set({ mix: 1 })],
        ['MultibandCompressor', () => new m.MultibandCompressor({ crossoversHz: [1000], bands: [{ bypass: true, thresholdDb: -40 }, {}] }), (p) => (p as InstanceType<typeof m.MultibandCompressor>).setBand(0, { bypass: false })],
      ];
      for (const [name, make, change] of makers) {
        const outs = [1, 120].map((block) => {
          const p = make();
          p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
          const y = clone(x);
          for (let pos = 0; pos < 4800; pos += block) {
            p.process(y.map((ch) => ch.subarray(pos, pos + block)), block);
            if (pos + block === 960) change(p);
          }
          return y;
        });
        expect(identical(outs[1], outs[0]), `${name}: ${firstDifference(outs[1], outs[0])}`).toBe(true);
      }
    });

    it('setParam() every 32nd block (12 000 blocks of 16 frames) allocates nothing after primeAutomation() (Compressor, ParametricEQ, MultibandCompressor)', async () => {
      const spec = { sampleRate: 48000, maxBlockSize: 16, channels: 2 };
      const cases: [Processor & { setParam(n: string, v: Float64Array, i: number): void }, string, Float64Array][] = [
        [new m.Compressor({ thresholdDb: -20 }), 'thresholdDb', Float64Array.of(-23.7, -31.2)],
        [new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) }), 'bands.2.frequencyHz', Float64Array.of(523.1, 611.7)],
        [new m.MultibandCompressor(), 'bands.1.thresholdDb', Float64Array.of(-21.3, -34.9)],
      ];
      for (const [p, name, values] of cases) {
        p.prepare(spec);
        m.primeAutomation(p, spec);
        const src = multiChannel(2, 16, 3);
        const block = clone(src);
        let k = 0;
        const { report, first } = await measureAllocationSettled(() => {
          for (let c = 0; c < 2; c++) block[c].set(src[c]);
          p.process(block, 16);
          if ((k & 31) === 0) p.setParam(name, values, (k >> 5) & 1);
          k++;
        }, 12000);
        expect(allocationFree(report), `${p.constructor.name}.setParam('${name}'): ${JSON.stringify({ report, first })}`).toBe(true);
      }
    });

    it('BiquadFilter / ParametricEQ: one NaN in a 10 s single call (maxBlockSize 128) is gone within one chunk', () => {
      for (const make of [() => new m.BiquadFilter({ type: 'peaking', frequencyHz: 1000, gainDb: 6 }), () => new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) })]) {
        const p: Processor = make();
        p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
        const x = [noise(480_000, 1, 0.5), noise(480_000, 2, 0.5)];
        x[0][1000] = NaN;
        p.process(x, 480_000);
        let bad = 0;
        for (const ch of x) for (let i = 1000 + 128; i < ch.length; i++) if (!Number.isFinite(ch[i])) bad++;
        expect(bad).toBe(0);
      }
    });

    it('Saturator, Chorus, Delay, Phaser, Reverb and Dither: no subnormal state after loud noise then silence', () => {
      const spec = { sampleRate: 48000, maxBlockSize: 128, channels: 2 };
      for (const p of [new m.Saturator(), new m.Saturator({ oversampling: 8, curve: 'tube' }), new m.Chorus({ feedback: 0.95 }), new m.Chorus({ feedback: -0.95, baseDelayMs: 5 }), new m.Delay({ feedback: 0.95, timeMs: 5 }), new m.Delay({ mode: 'ping-pong', feedback: -0.9, timeMs: 3, modDepthMs: 1 }), new m.Phaser({ feedback: -0.95, stages: 12 }), new m.Reverb({ decaySeconds: 0.5, size: 0.3 }), new m.Dither({ mode: 'shaped', bits: 24 })] as Processor[]) {
        p.prepare(spec);
        run(p, [noise(48_000, 3, 1), noise(48_000, 4, 1)], []);
        const silent = run(p, [new Float32Array(48_000 * 16), new Float32Array(48_000 * 16)], []);
        expect(countSubnormalState(p), p.constructor.name).toBe(0);
        for (const ch of silent) for (let i = ch.length - 48_000; i < ch.length; i++) if (ch[i] !== 0 && Math.abs(ch[i]) < 1.1754943508222875e-38) throw new Error(`${p.constructor.name}: subnormal output ${ch[i]}`);
      }
    });

    it('LoudnessMeter: +60 LUFS reads +60, and a 1e30 burst does not wipe the reading', () => {
      // BS.1770 calibration: a 0 dBFS 997 Hz sine on one channel reads −3.01 LUFS, so amplitude
      // 10^((60 + 3.01) / 20) reads +60.
      const loud = m.measureLoudness([sine(96_000, 997, 48000, 10 ** (63.0103 / 20))], 48000);
      expect(loud.integrated).toBeCloseTo(60, 1);
      const x = [noise(48000 * 20, 5, 0.3), noise(48000 * 20, 6, 0.3)];
      for (let i = 0; i < 64; i++) x[0][48000 + i] = 1e30;
      const r = m.measureLoudness(x, 48000);
      expect(Number.isFinite(r.integrated)).toBe(true);
      expect(Number.isFinite(r.lra)).toBe(true);
    });

    it('the Limiter’s steady fs/4 tone (sample peak 0.999, +6 dB drive, −1 dBTP): the meter reads ≤ −1 dBTP on the complete output', () => {
      const n = 96_000;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = 0.999 * Math.SQRT2 * Math.sin((Math.PI / 2) * i + Math.PI / 4);
      const lim = new m.Limiter({ ceilingDb: -1, driveDb: 6 });
      lim.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      // The whole output: the input, then `latency` samples of silence to bring out the tail.
      const L = lim.latency;
      const y = [new Float32Array(n + L), new Float32Array(n + L)];
      y[0].set(x);
      y[1].set(x);
      for (let p = 0; p < n + L; p += 128) lim.process(y.map((ch) => ch.subarray(p, Math.min(n + L, p + 128))));
      expect(m.measureLoudness(y, 48000).truePeak).toBeLessThanOrEqual(-1);
    });

    it('stereo-only processors reject 1 and 6 channels in prepare(); validation holes are closed', () => {
      for (const p of [new m.Panner(), new m.StereoWidener()] as Processor[]) {
        for (const channels of [1, 6]) expect(() => p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels })).toThrow(/needs 2 channels/);
      }
      expect(() => new m.LoudnessMeter({ channelWeights: [, 1] as number[] })).toThrow(/channelWeights\[0\] must be a number/);
      expect(() => new m.ParametricEQ({ bands: [, { type: 'peaking', frequencyHz: 1000 }] as never })).toThrow(/bands\[0\] must be a band options object, got undefined/);
      expect(() => new m.ParametricEQ({ bands: Array.from({ length: 10_000 }, () => ({ type: 'peaking' as const, frequencyHz: 1000 })) })).toThrow(RangeError);
      expect(() => new m.BiquadFilter().prepare({ sampleRate: '48000', maxBlockSize: 128, channels: 2 } as never)).toThrow(TypeError);
      let message = '';
      try {
        m.processorFromJSON({ type: 'x'.repeat(5_000_000), params: {} });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message.length).toBeLessThan(400);
    });
  });
}

/**
 * The Mixer from the built package: a session with every kind of path (mono and stereo tracks,
 * inserts with lookahead so that compensation delays run, pre- and post-fader sends, a group
 * bus, a solo-safe aux bus, master inserts) and automation on fader, pan, mute and a send.
 */
function distSession(m: MasterbusModule) {
  const mixer = new m.Mixer({
    tracks: [
      { name: 'kick', inserts: [new m.Compressor({ thresholdDb: -20, ratio: 4, lookaheadMs: 2 })], output: 'drums' },
      { name: 'snare', inserts: [new m.ParametricEQ({ bands: eqBands.map((b) => ({ ...b })) })], output: 'drums', sends: [{ bus: 'verb', levelDb: -12 }] },
      { name: 'vox', channels: 1, pan: -0.3, inserts: [new m.Limiter({ ceilingDb: -6 })], sends: [{ bus: 'verb', levelDb: -8, preFader: true }] },
      { name: 'keys', faderDb: -4, sends: [{ bus: 'verb', levelDb: -20 }] },
    ],
    buses: [
      { name: 'drums', inserts: [new m.Compressor({ thresholdDb: -16, ratio: 2 })] },
      { name: 'verb', inserts: [new m.Chorus({ feedback: 0.5 })], soloSafe: true },
    ],
    master: { inserts: [new m.ParametricEQ({ bands: [{ type: 'lowshelf', frequencyHz: 100, gainDb: 1 }] }), new m.Limiter({ ceilingDb: -1 })] },
  });
  mixer.prepare({ sampleRate: 48000, maxBlockSize: 1024, channels: 2 });
  mixer.automate('tracks.keys.faderDb').setValue(-4, 0).linearRamp(-20, 6000);
  mixer.automate('tracks.vox.pan').setValue(-1, 1000).linearRamp(1, 7000);
  mixer.automate('tracks.snare.mute').setValue(1, 3000).setValue(0, 3500);
  mixer.automate('tracks.snare.sends.0.levelDb').setValue(-12, 0).exponentialRamp(-3, 8000);
  return mixer;
}

for (const dist of loadDist()) {
  const m = dist.mod;
  describe(`the built package: the Mixer from ${dist.file.replace(/.*\/dist\//, 'dist/')}`, () => {
    const inputsOf = (frames: number) => {
      const x = [hostile(frames), hostile(frames), [noise(frames, 5, 0.5)], multiChannel(2, frames, 9)];
      x[3][0][4000] = NaN;
      return x;
    };
    const render = (inputs: Float32Array[][], sizes: number[], change?: (mixer: InstanceType<MasterbusModule['Mixer']>, frame: number) => void) => {
      const mixer = distSession(m);
      const frames = inputs[0][0].length;
      const out = [new Float32Array(frames), new Float32Array(frames)];
      for (let pos = 0, k = 0; pos < frames; k++) {
        const end = Math.min(frames, pos + sizes[k % sizes.length]);
        change?.(mixer, pos);
        mixer.process(inputs.map((chs) => chs.map((x) => x.subarray(pos, end))), out.map((x) => x.subarray(pos, end)));
        pos = end;
      }
      return out;
    };

    it('bit-identical output for any partition, through hostile input and automation; a solo change at a common block boundary too', () => {
      const x = inputsOf(8192);
      const solo = (mixer: InstanceType<MasterbusModule['Mixer']>, frame: number) => {
        if (frame === 4096) mixer.setTrack('vox', { solo: true });
      };
      const ref = render(x, [8192], undefined);
      const refSolo = render(x, [4096], solo);
      expect(identical(ref, refSolo)).toBe(false);
      for (const sizes of [[128], [1, 127, 1000, 37], [1024, 3, 1021]]) {
        const y = render(x, sizes);
        expect(identical(y, ref), `${sizes}: ${firstDifference(y, ref)}`).toBe(true);
      }
      // Partitions whose block boundaries include frame 4096 (where the solo is applied).
      for (const sizes of [[128], [512, 512, 1024, 2048], [64]]) {
        const y = render(x, sizes, solo);
        expect(identical(y, refSolo), `${sizes} with solo: ${firstDifference(y, refSolo)}`).toBe(true);
      }
      for (const ch of ref) for (let i = 2664 + 4096; i < ch.length; i++) if (!Number.isFinite(ch[i])) throw new Error(`sample ${i} is ${ch[i]}`);
    });

    it('process() allocates nothing (30 000 blocks of 128 frames, automation running)', async () => {
      const mixer = distSession(m);
      const x = inputsOf(128).map((chs) => chs.map((c) => c.map((v) => (Number.isFinite(v) && Math.abs(v) < 1e3 ? v : 0))));
      const out = [new Float32Array(128), new Float32Array(128)];
      const r = await measureAllocationSettled(() => mixer.process(x, out, 128), 30_000);
      expect(allocationFree(r.report), JSON.stringify(r)).toBe(true);
    });

    it('hostile process() arguments are silence and never throw', () => {
      const mixer = distSession(m);
      const out = [new Float32Array(128), new Float32Array(128)];
      const call = (inputs: unknown, output: unknown, frames?: unknown) => (mixer.process as (a: unknown, b: unknown, c?: unknown) => void)(inputs, output, frames);
      for (const inputs of [null, undefined, 7, [], [null], [[null]], 'x', [[new Float64Array(128)]], new Array(4), [[out[0]], 5]]) {
        expect(() => call(inputs, out)).not.toThrow();
        expect(() => call(inputs, out, 64n)).not.toThrow();
      }
      for (const output of [null, [out[0]], [out[0], null], [], {}]) expect(() => call([], output)).not.toThrow();
      for (const frames of [-1n, 10n ** 20n, NaN, -5, '64', Symbol('f')]) expect(() => call([], out, frames)).not.toThrow();
      call([], out);
      for (const v of out[0]) expect(Number.isFinite(v)).toBe(true);
    });
  });
}

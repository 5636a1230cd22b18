/**
 * Convolver: the processor contract (mono, stereo and true-stereo IRs, with IR changes and
 * cross-fades in the automation).
 */
import { Convolver, type ConvolverOptions } from '../../src/space/convolver.js';
import { describeProcessor, type Automation } from '../support/conformance.js';
import { lcg } from '../support/signals.js';

function ir(channels: number, length: number, seed: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const r = lcg(seed + c);
    const h = new Float32Array(length);
    for (let i = 0; i < length; i++) h[i] = 0.5 * r() * Math.exp(-i / (length / 5));
    out.push(h);
  }
  return out;
}

const cases: { name: string; opts: Partial<ConvolverOptions>; channels?: number[]; automation: Automation<Convolver>[] }[] = [
  {
    name: 'Convolver (mono IR, 3000 taps)',
    opts: { impulseResponse: ir(1, 3000, 1), mix: 0.7 },
    automation: [
      { at: 300, apply: (p) => p.set({ mix: 0.3, wetGainDb: -3 }) },
      { at: 900, apply: (p) => p.set({ impulseResponse: ir(1, 1200, 9), crossfadeMs: 5 }) },
      { at: 1000, apply: (p) => p.set({ preDelayMs: 3 }) },
      { at: 2100, apply: (p) => p.set({ normalize: 'energy', smoothingMs: 5, mix: 1 }) },
      { at: 3000, apply: (p) => p.set({ impulseResponse: null }) },
      { at: 3500, apply: (p) => p.set({ impulseResponse: ir(1, 20, 4), crossfadeMs: 0 }) },
    ],
  },
  {
    name: 'Convolver (stereo IR, 2000 taps)',
    opts: { impulseResponse: ir(2, 2000, 3) },
    automation: [
      { at: 500, apply: (p) => p.set({ impulseResponse: ir(2, 5000, 7), crossfadeMs: 20 }) },
      { at: 2500, apply: (p) => p.set({ mix: 0.5 }) },
    ],
  },
  {
    name: 'Convolver (true-stereo IR, 1500 taps)',
    opts: { impulseResponse: ir(4, 1500, 5), normalize: 'energy' },
    channels: [2],
    automation: [{ at: 1000, apply: (p) => p.set({ impulseResponse: ir(4, 700, 8), preDelayMs: 1 }) }],
  },
];

for (const c of cases) {
  describeProcessor<Convolver>({
    name: c.name,
    create: () => new Convolver(c.opts),
    ...(c.channels ? { channels: c.channels } : {}),
    automation: c.automation,
    ramp: (p) => {
      p.set({ smoothingMs: 1000, mix: p.params.mix > 0.5 ? 0.2 : 0.9, wetGainDb: p.params.wetGainDb > -3 ? -6 : 0, preDelayMs: p.params.preDelayMs > 0 ? 0 : 2, crossfadeMs: 500 });
    },
    silence: { exact: true, tailSeconds: 0.25, level: 1e-6 },
    badParams: [
      { label: 'mix 1.5', call: (p) => p.set({ mix: 1.5 }), error: RangeError, message: /Convolver\.mix must be in \[0, 1\], got 1\.5/ },
      { label: 'NaN pre-delay', call: (p) => p.set({ preDelayMs: NaN }), error: RangeError, message: /Convolver\.preDelayMs must be in \[0, 500\] ms, got NaN/ },
      { label: 'an unknown normalisation', call: (p) => p.set({ normalize: 'peak' as never }), error: TypeError, message: /Convolver\.normalize must be one of "none", "energy", got "peak"/ },
      { label: 'a 3-channel IR', call: (p) => p.set({ impulseResponse: ir(3, 10, 1) }), error: RangeError, message: /Convolver\.impulseResponse must have 1, 2 or 4 channels, got 3/ },
      { label: 'an IR with an Infinity', call: (p) => p.set({ impulseResponse: [Float32Array.of(1, Infinity)] }), error: RangeError, message: /Convolver\.impulseResponse\[0\]\[1\] must be in \[-1000000, 1000000\], got Infinity/ },
      { label: 'a string IR', call: (p) => p.set({ impulseResponse: 'hall.wav' as never }), error: TypeError, message: /Convolver\.impulseResponse must be null or an array/ },
      { label: 'irSampleRate 100', call: (p) => p.set({ irSampleRate: 100 }), error: RangeError, message: /Convolver\.irSampleRate must be in \[8000, 384000\] Hz, got 100/ },
      { label: 'a typo', call: (p) => p.set({ predelayMs: 1 } as never), error: TypeError, message: /unknown option "predelayMs"/ },
      { label: 'a fractional embedLimit', call: (p) => p.set({ embedLimit: 1.5 }), error: RangeError, message: /Convolver\.embedLimit must be an integer/ },
      { label: 'a bad constructor option', call: () => new Convolver({ wetGainDb: 30 }), error: RangeError, message: /Convolver\.wetGainDb/ },
    ],
  });
}

/**
 * Reverb: the processor contract, with parameter glides, size and pre-delay cross-fades (also
 * overlapping ones), unsmoothed changes and a low sample rate.
 */
import { Reverb, type ReverbOptions } from '../../src/space/reverb.js';
import { describeProcessor, type Automation } from '../support/conformance.js';

const cases: { name: string; opts: Partial<ReverbOptions>; sampleRate?: number; automation?: Automation<Reverb>[] }[] = [
  { name: 'Reverb (defaults)', opts: {} },
  {
    name: 'Reverb (small room, no smoothing)',
    opts: { size: 0.25, decaySeconds: 0.4, preDelayMs: 0, smoothingMs: 0, mix: 0.8 },
    automation: [
      { at: 517, apply: (p) => p.set({ size: 2, preDelayMs: 3 }) },
      { at: 700, apply: (p) => p.set({ size: 0.3, decaySeconds: 8, highDecayRatio: 0.1 }) },
      { at: 2600, apply: (p) => p.set({ diffusion: 0, width: 0, mix: 1 }) },
    ],
  },
  {
    name: 'Reverb (8 kHz, glides)',
    sampleRate: 8000,
    opts: { size: 0.25, decaySeconds: 0.2, lowDecayRatio: 4, highCrossoverHz: 20000, smoothingMs: 5 },
    automation: [
      { at: 400, apply: (p) => p.set({ decaySeconds: 20, lowCrossoverHz: 2000, size: 0.5 }) },
      { at: 1300, apply: (p) => p.set({ highDecayRatio: 1, lowDecayRatio: 0.25, preDelayMs: 500 }) },
    ],
  },
];

for (const c of cases) {
  describeProcessor<Reverb>({
    name: c.name,
    create: () => new Reverb(c.opts),
    ...(c.sampleRate ? { sampleRate: c.sampleRate } : {}),
    automation: c.automation ?? [
      { at: 300, apply: (p) => p.set({ decaySeconds: 6, mix: 0.9 }) },
      { at: 800, apply: (p) => p.set({ size: 1.7, preDelayMs: 40, smoothingMs: 5 }) },
      // During the size cross-fade: restarts it.
      { at: 1000, apply: (p) => p.set({ size: 0.6, width: 0.2 }) },
      { at: 2100, apply: (p) => p.set({ diffusion: 1, lowDecayRatio: 3, highDecayRatio: 0.2, lowCrossoverHz: 100, highCrossoverHz: 9000 }) },
      { at: 2900, apply: (p) => p.set({ mix: 0.3, smoothingMs: 20, width: 1 }) },
    ],
    ramp: (p) => {
      p.set({ smoothingMs: 1000, decaySeconds: p.params.decaySeconds > 2 ? 0.5 : 8, mix: p.params.mix > 0.5 ? 0.2 : 0.9, width: 1 - p.params.width, diffusion: 1 - p.params.diffusion, size: p.params.size > 1 ? 0.7 : 1.3, highCrossoverHz: p.params.highCrossoverHz > 5000 ? 3000 : 8000 });
    },
    // Silence in gives exact zeros; a tail falls by 120 dB in two low-frequency decay times: 4.8 s
    // for the defaults (2 s × the low ratio 1.2), under 3 s for the other two (0.4 s × 1.2, 0.2 s × 4).
    silence: { exact: true, tailSeconds: c.name.includes('defaults') ? 9 : 3, level: 1e-6 },
    badParams: [
      { label: 'decay 0.1 s', call: (p) => p.set({ decaySeconds: 0.1 }), error: RangeError, message: /Reverb\.decaySeconds must be in \[0\.2, 20\] s, got 0\.1/ },
      { label: 'highDecayRatio 1.5', call: (p) => p.set({ highDecayRatio: 1.5 }), error: RangeError, message: /Reverb\.highDecayRatio must be in \[0\.1, 1\], got 1\.5/ },
      { label: 'NaN size', call: (p) => p.set({ size: NaN }), error: RangeError, message: /Reverb\.size.*NaN/ },
      { label: 'a string mix', call: (p) => p.set({ mix: '0.5' as unknown as number }), error: TypeError, message: /Reverb\.mix must be a number/ },
      { label: 'a typo', call: (p) => p.set({ decay: 1 } as never), error: TypeError, message: /unknown option "decay"/ },
      { label: 'a bad constructor option', call: () => new Reverb({ preDelayMs: 501 }), error: RangeError, message: /Reverb\.preDelayMs/ },
    ],
  });
}

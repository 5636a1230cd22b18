/**
 * Phaser: the processor contract, with stage cross-fades, tempo sync and ramps.
 */
import { Phaser, type PhaserOptions } from '../../src/modulation/phaser.js';
import { describeProcessor, type Automation } from '../support/conformance.js';

const cases: { name: string; opts: Partial<PhaserOptions>; sampleRate?: number; automation?: Automation<Phaser>[] }[] = [
  { name: 'Phaser (8 stages, defaults)', opts: {} },
  { name: 'Phaser (24 stages, triangle, feedback −0.95, synced)', opts: { stages: 24, lfoShape: 'triangle', feedback: -0.95, syncNote: '1/16', bpm: 140, centerHz: 3000, sweepOctaves: 8 } },
  {
    name: 'Phaser (11025 Hz, no smoothing, stage changes)',
    sampleRate: 11025,
    opts: { stages: 2, smoothingMs: 0, feedback: 0.95, rateHz: 20 },
    automation: [
      { at: 517, apply: (p) => p.set({ stages: 24, centerHz: 5000 }) },
      { at: 1500, apply: (p) => p.set({ stages: 3, depth: 0 }) },
      { at: 2600, apply: (p) => p.set({ stages: 7, depth: 1, lfoShape: 'triangle' }) },
    ],
  },
];

for (const c of cases) {
  describeProcessor<Phaser>({
    name: c.name,
    create: () => new Phaser(c.opts),
    ...(c.sampleRate ? { sampleRate: c.sampleRate } : {}),
    automation: c.automation ?? [
      { at: 300, apply: (p) => p.set({ stages: 12, feedback: -0.5 }) },
      { at: 500, apply: (p) => p.set({ stages: 4 }) }, // during the stage fade
      { at: 800, apply: (p) => p.set({ rateHz: 7, stereoPhaseDeg: 180, smoothingMs: 5 }) },
      { at: 1400, apply: (p) => p.set({ centerHz: 4000, sweepOctaves: 8, lfoShape: 'triangle' }) },
      { at: 2100, apply: (p) => p.set({ mix: 0.5, feedback: 0.95, syncNote: '1/8t', bpm: 90 }) },
      { at: 2900, apply: (p) => p.set({ stages: 24, feedback: 0, mix: 1, syncNote: null, depth: 0.3 }) },
    ],
    ramp: (p) => {
      p.set({ smoothingMs: 1000, stages: p.params.stages === 24 ? 2 : 24, feedback: p.params.feedback > 0 ? -0.6 : 0.6, mix: p.params.mix > 0.5 ? 0.2 : 0.9, centerHz: p.params.centerHz > 1000 ? 300 : 3000, depth: 1 - p.params.depth, stereoPhaseDeg: 180 - p.params.stereoPhaseDeg });
    },
    silence: { exact: true, tailSeconds: 2, level: 1e-6 },
    badParams: [
      { label: 'stages 25', call: (p) => p.set({ stages: 25 }), error: RangeError, message: /Phaser\.stages must be in \[2, 24\], got 25/ },
      { label: 'stages 2.5', call: (p) => p.set({ stages: 2.5 }), error: RangeError, message: /Phaser\.stages must be an integer in \[2, 24\], got 2\.5/ },
      { label: 'feedback 0.96', call: (p) => p.set({ feedback: 0.96 }), error: RangeError, message: /Phaser\.feedback must be in \[-0\.95, 0\.95\], got 0\.96/ },
      { label: 'rate 25 Hz', call: (p) => p.set({ rateHz: 25 }), error: RangeError, message: /Phaser\.rateHz must be in \[0\.01, 20\] Hz, got 25/ },
      { label: 'a synced rate too fast', call: (p) => p.set({ syncNote: '1/64t', bpm: 200 }), error: RangeError, message: /Phaser\.syncNote "1\/64t" at 200 bpm is 80 Hz, outside the LFO's \[0\.01, 20\] Hz/ },
      { label: 'an unknown shape', call: (p) => p.set({ lfoShape: 'square' as never }), error: TypeError, message: /Phaser\.lfoShape must be one of "sine", "triangle", got "square"/ },
      { label: 'a typo', call: (p) => p.set({ rate: 1 } as never), error: TypeError, message: /unknown option "rate"/ },
      { label: 'a bad constructor option', call: () => new Phaser({ stereoPhaseDeg: 270 }), error: RangeError, message: /Phaser\.stereoPhaseDeg/ },
    ],
  });
}

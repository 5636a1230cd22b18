/**
 * Saturator: the processor contract, for both oversampling filters and at 1×.
 */
import { Saturator, type SaturatorOptions } from '../../src/color/saturator.js';
import type { SaturationCurve } from '../../src/color/curves.js';
import { describeProcessor } from '../support/conformance.js';

// The 'tube' case's tail is the DC blocker settling (3 Hz: a 53 ms time constant).
const cases: { name: string; opts: Partial<SaturatorOptions>; tail: number }[] = [
  { name: 'Saturator (4×, IIR)', opts: { curve: 'tanh', driveDb: 12, mix: 0.8 }, tail: 0.05 },
  { name: 'Saturator (2×, linear phase, tube)', opts: { curve: 'tube', driveDb: 6, oversampling: 2, oversamplingFilter: 'linear-phase' }, tail: 1.2 },
  { name: 'Saturator (1×)', opts: { curve: 'cubic', driveDb: 3, oversampling: 1, autoGain: true }, tail: 0.05 },
  { name: 'Saturator (8×, IIR, steady)', opts: { curve: 'tape', driveDb: 20, oversampling: 8 }, tail: 0.05 },
];

for (const c of cases) {
  describeProcessor<Saturator>({
    name: c.name,
    create: () => new Saturator(c.opts),
    automation: [
      { at: 300, apply: (p) => p.set({ driveDb: 24, mix: 1 }) },
      { at: 800, apply: (p) => p.set({ curve: 'tube', smoothingMs: 5 }) },
      { at: 1400, apply: (p) => p.set({ curve: 'hard', trimDb: -6, autoGain: true }) },
      { at: 2100, apply: (p) => p.set({ curve: 'tape', mix: 0.3, driveDb: -6 }) },
      { at: 2900, apply: (p) => p.set({ curve: 'tanh', mix: 1, autoGain: false, trimDb: 0, smoothingMs: 20 }) },
    ],
    ramp: (p) => {
      const curves: SaturationCurve[] = ['tanh', 'tube', 'tape', 'cubic'];
      const next = curves[(curves.indexOf(p.params.curve) + 1) % curves.length];
      p.set({ smoothingMs: 1000, curve: next, driveDb: p.params.driveDb > 6 ? 0 : 12, mix: p.params.mix > 0.5 ? 0.2 : 0.9 });
    },
    silence: { exact: true, tailSeconds: c.tail, level: 1e-6 },
    badParams: [
      { label: 'drive 60 dB', call: (p) => p.set({ driveDb: 60 }), error: RangeError, message: /Saturator\.driveDb must be in \[-24, 48\] dB, got 60/ },
      { label: 'NaN mix', call: (p) => p.set({ mix: NaN }), error: RangeError, message: /mix.*NaN/ },
      { label: 'an unknown curve', call: (p) => p.set({ curve: 'fuzz' as SaturationCurve }), error: TypeError, message: /curve must be one of "tanh", "cubic", "hard", "tube", "tape"/ },
      { label: 'oversampling 3', call: (p) => p.set({ oversampling: 3 as 4 }), error: TypeError, message: /oversampling must be one of 1, 2, 4, 8, got 3/ },
      { label: 'an unknown filter', call: (p) => p.set({ oversamplingFilter: 'fir' as 'iir' }), error: TypeError, message: /oversamplingFilter must be one of "iir", "linear-phase"/ },
      { label: 'a non-boolean autoGain', call: (p) => p.set({ autoGain: 1 as unknown as boolean }), error: TypeError, message: /autoGain must be a boolean/ },
      { label: 'a typo', call: (p) => p.set({ drive: 3 } as never), error: TypeError, message: /unknown option "drive"/ },
      { label: 'a bad constructor option', call: () => new Saturator({ trimDb: 30 }), error: RangeError, message: /Saturator\.trimDb/ },
    ],
  });
}

/**
 * Delay: the processor contract in every mode and time-change style, with ramps and time changes.
 */
import { Delay, type DelayOptions } from '../../src/space/delay.js';
import { describeProcessor, type Automation } from '../support/conformance.js';

const cases: { name: string; opts: Partial<DelayOptions>; automation?: Automation<Delay>[] }[] = [
  { name: 'Delay (stereo, defaults)', opts: {} },
  { name: 'Delay (ping-pong, feedback 0.9, modulation, short)', opts: { mode: 'ping-pong', feedback: 0.9, timeMs: 3, modDepthMs: 1, modRateHz: 5 } },
  {
    name: 'Delay (mono, glide, short times)',
    opts: { mode: 'mono', timeChange: 'glide', timeChangeMs: 10, timeMs: 2, feedback: -0.8 },
    automation: [
      { at: 517, apply: (p) => p.set({ timeMs: 20, modDepthMs: 1.5 }) },
      { at: 1500, apply: (p) => p.set({ timeMs: 1, lowCutHz: 1000, highCutHz: 600 }) },
      { at: 2600, apply: (p) => p.set({ timeChange: 'crossfade', timeMs: 8 }) },
    ],
  },
];

for (const c of cases) {
  describeProcessor<Delay>({
    name: c.name,
    create: () => new Delay(c.opts),
    automation: c.automation ?? [
      { at: 300, apply: (p) => p.set({ timeMs: 5, feedback: -0.5 }) },
      { at: 800, apply: (p) => p.set({ timeMs: 1.3, modDepthMs: 0.4, smoothingMs: 5 }) }, // during the first fade
      { at: 1400, apply: (p) => p.set({ mode: 'ping-pong', lowCutHz: 500, highCutHz: 2000, timeChange: 'glide' }) },
      { at: 2100, apply: (p) => p.set({ mix: 1, feedback: 0.95, note: '1/64t', bpm: 400 }) },
      { at: 2900, apply: (p) => p.set({ mode: 'mono', note: null, timeMs: 30, timeChange: 'crossfade', feedback: 0, mix: 0.3 }) },
    ],
    ramp: (p) => {
      p.set({ smoothingMs: 1000, timeChangeMs: 1000, timeMs: p.params.timeMs > 20 ? 5 : 40, feedback: p.params.feedback > 0 ? -0.6 : 0.6, mix: p.params.mix > 0.5 ? 0.2 : 0.9, lowCutHz: p.params.lowCutHz > 100 ? 50 : 400, highCutHz: p.params.highCutHz > 5000 ? 2000 : 9000, modDepthMs: p.params.modDepthMs > 1 ? 0.5 : 2 });
    },
    silence: { exact: true, tailSeconds: 8, level: 1e-6 },
    badParams: [
      { label: 'feedback 1', call: (p) => p.set({ feedback: 1 }), error: RangeError, message: /Delay\.feedback must be in \(-1, 1\), got 1/ },
      { label: 'timeMs 5000', call: (p) => p.set({ timeMs: 5000 }), error: RangeError, message: /Delay\.timeMs must be in \[1, 4000\] ms, got 5000/ },
      { label: 'an unknown note', call: (p) => p.set({ note: '1/5' as never }), error: TypeError, message: /Delay\.note must be one of .*got "1\/5"/ },
      { label: 'a note too long at the tempo', call: (p) => p.set({ note: '1/1d', bpm: 60 }), error: RangeError, message: /Delay\.note "1\/1d" at 60 bpm lasts 6000 ms/ },
      { label: 'an unknown mode', call: (p) => p.set({ mode: 'quad' as never }), error: TypeError, message: /Delay\.mode must be one of "mono", "stereo", "ping-pong", got "quad"/ },
      { label: 'NaN bpm', call: (p) => p.set({ bpm: NaN }), error: RangeError, message: /Delay\.bpm.*NaN/ },
      { label: 'a string mix', call: (p) => p.set({ mix: '0.5' as unknown as number }), error: TypeError, message: /Delay\.mix must be a number/ },
      { label: 'a typo', call: (p) => p.set({ time: 1 } as never), error: TypeError, message: /unknown option "time"/ },
      { label: 'a bad constructor option', call: () => new Delay({ highCutHz: 100 }), error: RangeError, message: /Delay\.highCutHz/ },
    ],
  });
}

/**
 * Chorus: the processor contract, with and without feedback.
 */
import { Chorus, type ChorusOptions } from '../../src/modulation/chorus.js';
import { describeProcessor, type Automation } from '../support/conformance.js';

const cases: { name: string; opts: Partial<ChorusOptions>; sampleRate?: number; automation?: Automation<Chorus>[] }[] = [
  { name: 'Chorus (3 voices)', opts: {} },
  { name: 'Chorus (6 voices, feedback 0.7)', opts: { voices: 6, feedback: 0.7, rateHz: 3, depthMs: 4, baseDelayMs: 6 } },
  // Regressions: the chunk limit with feedback must cover the delays still in flight after an
  // unsmoothed change, and ramps at a low sample rate (both once read unwritten samples).
  {
    name: 'Chorus (feedback, no smoothing, short delays)',
    opts: { voices: 3, baseDelayMs: 1, depthMs: 0.5, feedback: 0.5, smoothingMs: 0 },
    automation: [
      { at: 517, apply: (p) => p.set({ baseDelayMs: 5, depthMs: 0 }) },
      { at: 1500, apply: (p) => p.set({ baseDelayMs: 1.2, depthMs: 0.7, voices: 6 }) },
      { at: 2600, apply: (p) => p.set({ baseDelayMs: 8, depthMs: 0.1 }) },
    ],
  },
  {
    name: 'Chorus (11025 Hz, ramps)',
    sampleRate: 11025,
    opts: { voices: 4, baseDelayMs: 2, depthMs: 1.5, feedback: 0.8, smoothingMs: 5, rateHz: 6 },
    automation: [
      { at: 400, apply: (p) => p.set({ depthMs: 0, baseDelayMs: 20 }) },
      { at: 1300, apply: (p) => p.set({ depthMs: 1.4, baseDelayMs: 1.9 }) },
    ],
  },
];

for (const c of cases) {
  describeProcessor<Chorus>({
    name: c.name,
    create: () => new Chorus(c.opts),
    ...(c.sampleRate ? { sampleRate: c.sampleRate } : {}),
    automation: c.automation ?? [
      { at: 300, apply: (p) => p.set({ voices: 5, feedback: -0.5 }) },
      { at: 800, apply: (p) => p.set({ rateHz: 7, spread: 1, smoothingMs: 5 }) },
      { at: 1400, apply: (p) => p.set({ voices: 2, depthMs: 0.4, baseDelayMs: 1 }) },
      { at: 2100, apply: (p) => p.set({ mix: 1, feedback: 0.95, baseDelayMs: 30, depthMs: 10 }) },
      { at: 2900, apply: (p) => p.set({ voices: 8, feedback: 0, mix: 0.3, spread: 0, smoothingMs: 20 }) },
    ],
    ramp: (p) => {
      p.set({ smoothingMs: 1000, voices: p.params.voices === 8 ? 1 : 8, feedback: p.params.feedback > 0 ? -0.6 : 0.6, mix: p.params.mix > 0.5 ? 0.2 : 0.9, depthMs: p.params.depthMs > 3 ? 1 : 5, baseDelayMs: 12, spread: 1 - p.params.spread });
    },
    silence: { exact: true, tailSeconds: 2.5, level: 1e-6 },
    badParams: [
      { label: 'voices 9', call: (p) => p.set({ voices: 9 }), error: RangeError, message: /Chorus\.voices must be in \[1, 8\], got 9/ },
      { label: 'voices 2.5', call: (p) => p.set({ voices: 2.5 }), error: RangeError, message: /Chorus\.voices must be an integer in \[1, 8\], got 2\.5/ },
      { label: 'feedback 0.96', call: (p) => p.set({ feedback: 0.96 }), error: RangeError, message: /Chorus\.feedback must be in \[-0\.95, 0\.95\], got 0\.96/ },
      { label: 'NaN rate', call: (p) => p.set({ rateHz: NaN }), error: RangeError, message: /rateHz.*NaN/ },
      { label: 'depth beyond base − 0.5 ms', call: (p) => p.set({ baseDelayMs: 3, depthMs: 2.6 }), error: RangeError, message: /Chorus\.depthMs must be at most baseDelayMs − 0\.5 ms \(2\.5 ms with baseDelayMs 3\), got 2\.6/ },
      { label: 'a string mix', call: (p) => p.set({ mix: '0.5' as unknown as number }), error: TypeError, message: /Chorus\.mix must be a number/ },
      { label: 'a typo', call: (p) => p.set({ rate: 1 } as never), error: TypeError, message: /unknown option "rate"/ },
      { label: 'a bad constructor option', call: () => new Chorus({ spread: 2 }), error: RangeError, message: /Chorus\.spread/ },
    ],
  });
}

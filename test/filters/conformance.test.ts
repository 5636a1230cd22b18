/** BiquadFilter and ParametricEQ run the shared processor-contract suite. */
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { describeProcessor } from '../support/conformance.js';

describeProcessor<BiquadFilter>({
  name: 'BiquadFilter',
  create: () => new BiquadFilter({ type: 'peaking', frequencyHz: 2000, q: 1.5, gainDb: 9 }),
  channels: [1, 2, 3],
  automation: [
    { at: 300, apply: (p) => p.set({ frequencyHz: 400, gainDb: -6 }) },
    { at: 1000, apply: (p) => p.set({ bypass: true }) },
    { at: 1900, apply: (p) => p.set({ bypass: false, q: 4 }) },
    { at: 2500, apply: (p) => p.set({ type: 'butterworth-lowpass', rolloffDbPerOctave: 48, frequencyHz: 3000 }) },
    { at: 3100, apply: (p) => p.set({ frequencyHz: 800, smoothingMs: 5 }) },
  ],
  ramp: (p) => {
    const f = p.params.frequencyHz === 500 ? 5000 : 500;
    p.set({ smoothingMs: 1000 }).set({ frequencyHz: f, gainDb: f === 500 ? 6 : -6, q: f === 500 ? 1 : 3, bypass: !p.params.bypass });
  },
  silence: { exact: true, tailSeconds: 0.5, level: 1e-6 },
  badParams: [
    { label: 'NaN frequency', call: (p) => p.set({ frequencyHz: NaN }), error: RangeError, message: /frequencyHz.*NaN/ },
    { label: 'frequency 0', call: (p) => p.set({ frequencyHz: 0 }), error: RangeError, message: /frequencyHz/ },
    { label: 'negative frequency', call: (p) => p.set({ frequencyHz: -100 }), error: RangeError },
    { label: 'frequency at Nyquist', call: (p) => p.set({ frequencyHz: 24000 }), error: RangeError, message: /Nyquist/ },
    { label: 'Infinity frequency', call: (p) => p.set({ frequencyHz: Infinity }), error: RangeError },
    { label: 'string frequency', call: (p) => p.set({ frequencyHz: '1000' as unknown as number }), error: TypeError, message: /frequencyHz/ },
    { label: 'Q 0', call: (p) => p.set({ q: 0 }), error: RangeError, message: /\.q must be in/ },
    { label: 'negative Q', call: (p) => p.set({ q: -1 }), error: RangeError },
    { label: 'gain +Infinity', call: (p) => p.set({ gainDb: Infinity }), error: RangeError, message: /gainDb/ },
    { label: 'gain -Infinity', call: (p) => p.set({ gainDb: -Infinity }), error: RangeError },
    { label: 'shelf slope 0', call: (p) => p.set({ shelfSlope: 0 }), error: RangeError },
    { label: 'unknown type', call: (p) => p.set({ type: 'lowpas' as 'lowpass' }), error: TypeError, message: /type must be one of/ },
    { label: 'bad rolloff', call: (p) => p.set({ rolloffDbPerOctave: 18 as 12 }), error: TypeError, message: /rolloffDbPerOctave/ },
    { label: 'non-boolean bypass', call: (p) => p.set({ bypass: 1 as unknown as boolean }), error: TypeError },
    { label: 'unknown option', call: (p) => p.set({ frequncyHz: 10 } as never), error: TypeError, message: /unknown option "frequncyHz"/ },
    { label: 'negative smoothing', call: (p) => p.set({ smoothingMs: -1 }), error: RangeError, message: /smoothingMs/ },
    { label: 'bad constructor option', call: () => new BiquadFilter({ q: NaN }), error: RangeError, message: /BiquadFilter\.q/ },
    { label: 'frequency above Nyquist at prepare()', call: () => new BiquadFilter({ frequencyHz: 30000 }).prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 }), error: RangeError, message: /Nyquist at 48000/ },
  ],
});

describeProcessor<ParametricEQ>({
  name: 'ParametricEQ',
  create: () =>
    new ParametricEQ({
      bands: [
        { type: 'butterworth-highpass', frequencyHz: 40, rolloffDbPerOctave: 24 },
        { type: 'lowshelf', frequencyHz: 150, gainDb: 3 },
        { type: 'peaking', frequencyHz: 900, q: 2, gainDb: -4 },
        { type: 'highshelf', frequencyHz: 7000, gainDb: 2.5, shelfSlope: 0.7 },
        { type: 'notch', frequencyHz: 3000, q: 8, bypass: true },
      ],
      outputGainDb: -1,
    }),
  channels: [1, 2, 5],
  automation: [
    { at: 200, apply: (p) => p.setBand(2, { gainDb: 6, frequencyHz: 1500 }) },
    { at: 700, apply: (p) => p.setBand(4, { bypass: false }) },
    { at: 1500, apply: (p) => p.set({ outputGainDb: 3 }) },
    { at: 2100, apply: (p) => p.addBand({ type: 'lowpass', frequencyHz: 12000 }) },
    { at: 2900, apply: (p) => p.removeBand(1) },
  ],
  ramp: (p) => {
    const up = p.getBand(2).gainDb !== 6;
    p.set({ smoothingMs: 1000, outputGainDb: up ? 2 : -2 });
    p.setBand(2, { gainDb: up ? 6 : -6, frequencyHz: up ? 1200 : 600 });
    p.setBand(4, { bypass: !p.getBand(4).bypass });
  },
  silence: { exact: true, tailSeconds: 1, level: 1e-6 },
  badParams: [
    { label: 'a band with NaN gain', call: (p) => p.setBand(1, { gainDb: NaN }), error: RangeError, message: /bands\[1\]\.gainDb/ },
    { label: 'a band index out of range', call: (p) => p.setBand(9, { gainDb: 1 }), error: RangeError, message: /index/ },
    { label: 'a band above Nyquist', call: (p) => p.set({ bands: [{ frequencyHz: 25000 }] }), error: RangeError, message: /bands\[0\]\.frequencyHz/ },
    { label: 'bands not an array', call: (p) => p.set({ bands: {} as never }), error: TypeError },
    { label: 'output gain NaN', call: (p) => p.set({ outputGainDb: NaN }), error: RangeError, message: /outputGainDb/ },
    { label: 'unknown option', call: (p) => p.set({ gain: 1 } as never), error: TypeError, message: /unknown option/ },
    { label: 'unknown band type', call: (p) => p.addBand({ type: 'bell' as 'peaking' }), error: TypeError },
  ],
});

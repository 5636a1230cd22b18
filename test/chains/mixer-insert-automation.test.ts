import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIXER_CONTROL_INTERVAL, Mixer, type MixerSession } from '../../src/chains/mixer.js';
import { Chain } from '../../src/chains/chain.js';
import { Chorus } from '../../src/modulation/chorus.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { Saturator } from '../../src/color/saturator.js';
import { StereoWidener } from '../../src/stereo/stereo-widener.js';
import { Panner } from '../../src/stereo/panner.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import type { Processor } from '../../src/core/processor.js';
import { processorFromJSON } from '../../src/registry.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { cutsFromSizes } from '../support/conformance.js';
import { firstDifference, identical, noise, runs } from '../support/signals.js';

const FS = 48000;
const G = MIXER_CONTROL_INTERVAL;

function render(m: Mixer, inputs: Float32Array[][], frames: number, cuts: number[] = []): Float32Array[] {
  const out = [new Float32Array(frames), new Float32Array(frames)];
  const points = [0, ...cuts, frames];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    m.process(inputs.map((chs) => chs.map((x) => x.subarray(a, b))), out.map((x) => x.subarray(a, b)), b - a);
  }
  return out;
}

const ones = (frames: number, channels = 2) => Array.from({ length: channels }, () => new Float32Array(frames).fill(1));

/** The linear ramp from (0, a) to (t1, b), then b: the AudioParam closed form, written here. */
const ramp = (a: number, b: number, t1: number) => (t: number) => (t >= t1 ? b : a + ((b - a) * t) / t1);

type Automatable = Processor & { paramRange(name: string): { min: number; max: number } | undefined; setParam(name: string, values: Float64Array, index: number): void };

/** Every option name of `p` whose paramRange() is defined (numbers only, nested by dotted paths). */
function automatable(p: Automatable): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string) => {
    if (typeof v === 'number' && p.paramRange(path) !== undefined) out.push(path);
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path === '' ? k : `${path}.${k}`);
  };
  visit(p.params, '');
  return out;
}

/** A value inside the option's range, away from the current one (finite ends). */
function otherValue(range: { min: number; max: number; unit?: string }, current: number): number {
  const lo = Number.isFinite(range.min) ? range.min : -1000;
  // (Frequencies: below the Nyquist of the test's rate.)
  const hi = range.unit === 'Hz' ? Math.min(range.max, 20000) : Number.isFinite(range.max) ? range.max : Math.max(lo + 10, current * 3);
  const v = lo + 0.37 * (hi - lo);
  return v === current ? lo + 0.61 * (hi - lo) : v;
}

/** The options object for set() with `value` at the dotted `path` (nested options rebuilt from params). */
function partial(params: Record<string, unknown>, path: string, value: number): Record<string, unknown> {
  const keys = path.split('.');
  if (keys.length === 1) return { [path]: value };
  const top = structuredClone(params[keys[0]]) as Record<string, unknown>;
  let node = top;
  for (let i = 1; i < keys.length - 1; i++) node = node[keys[i]] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return { [keys[0]]: top };
}

describe('setParam(name, values, index) does what set({ [name]: value }) does', () => {
  const band = (k: number) => [`bands.${k}.frequencyHz`, `bands.${k}.q`, `bands.${k}.gainDb`, `bands.${k}.shelfSlope`];
  const makers: [string, () => Automatable, string[]][] = [
    ['ParametricEQ', () => new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 300, gainDb: 3 }, { type: 'highshelf', frequencyHz: 6000, gainDb: -2 }], outputGainDb: -1 }) as Automatable, [...band(0), ...band(1), 'outputGainDb']],
    ['BiquadFilter', () => new BiquadFilter({ type: 'lowshelf', frequencyHz: 200, gainDb: 4 }) as Automatable, ['frequencyHz', 'q', 'gainDb', 'shelfSlope']],
    ['Compressor', () => new Compressor({ attackMs: 2, releaseMs: 40, detector: 'rms' }) as Automatable, ['thresholdDb', 'ratio', 'kneeDb', 'attackMs', 'releaseMs', 'peakHoldMs', 'rmsWindowMs', 'stereoLink', 'makeupDb', 'mix', 'sidechainHighpassHz']],
    ['Compressor (auto makeup)', () => new Compressor({ autoMakeup: true }) as Automatable, ['thresholdDb', 'ratio', 'kneeDb', 'attackMs', 'releaseMs', 'peakHoldMs', 'rmsWindowMs', 'stereoLink', 'makeupDb', 'mix', 'sidechainHighpassHz']],
    ['Limiter', () => new Limiter({ stereoLink: 1 }) as Automatable, ['ceilingDb', 'driveDb', 'releaseMs', 'stereoLink']],
    ['Saturator', () => new Saturator({ curve: 'tube' }) as Automatable, ['driveDb', 'trimDb', 'mix']],
    ['Saturator (auto gain)', () => new Saturator({ autoGain: true }) as Automatable, ['driveDb', 'trimDb', 'mix']],
    ['Panner', () => new Panner({ pan: -0.2 }) as Automatable, ['pan']],
    ['StereoWidener', () => new StereoWidener({ width: 1 }) as Automatable, ['width', 'midGainDb', 'sideGainDb']],
  ];
  it.each(makers)('%s: the same output and params, before and after prepare(), for every automatable option', (_, make, expected) => {
    expect(automatable(make())).toEqual(expected);
    const frames = 2048;
    const x = [noise(frames, 21, 0.8), noise(frames, 22, 0.8)];
    for (const name of expected) {
      const a = make();
      const b = make();
      const range = a.paramRange(name)!;
      const v = otherValue(range, 1);
      // Before prepare: applies at once.
      a.set(partial(a.params as Record<string, unknown>, name, v) as never);
      b.setParam(name, Float64Array.of(0, v), 1);
      expect(b.params, name).toEqual(a.params);
      for (const p of [a, b]) p.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
      const ya = [Float32Array.from(x[0]), Float32Array.from(x[1])];
      const yb = [Float32Array.from(x[0]), Float32Array.from(x[1])];
      const run = (p: Processor, y: Float32Array[], from: number, to: number) => {
        for (let t = from; t < to; t += 256) p.process([y[0].subarray(t, Math.min(to, t + 256)), y[1].subarray(t, Math.min(to, t + 256))]);
      };
      run(a, ya, 0, 512);
      run(b, yb, 0, 512);
      // While running: ramps as set() does.
      const w = otherValue(range, v);
      a.set(partial(a.params as Record<string, unknown>, name, w) as never);
      b.setParam(name, Float64Array.of(w), 0);
      run(a, ya, 512, frames);
      run(b, yb, 512, frames);
      expect(identical(yb, ya), `${name}: ${firstDifference(yb, ya)}`).toBe(true);
      expect(b.params, name).toEqual(a.params);
      // A set() after setParam() keeps the automated value of the other options (params are synced).
      expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    }
  });

  it('clamps to the range, ignores NaN and unknown or fixed names, and never throws', () => {
    const c = new Compressor({ thresholdDb: -20 }) as Automatable;
    c.setParam('thresholdDb', Float64Array.of(50), 0);
    expect((c.params as { thresholdDb: number }).thresholdDb).toBe(20);
    c.setParam('thresholdDb', Float64Array.of(NaN), 0);
    expect((c.params as { thresholdDb: number }).thresholdDb).toBe(20);
    for (const name of ['lookaheadMs', 'smoothingMs', 'detector', 'nope', '', 'constructor', '__proto__']) {
      expect(() => c.setParam(name, Float64Array.of(1), 0), name).not.toThrow();
      expect(c.paramRange(name), name).toBeUndefined();
    }
    expect(c.params).toEqual(new Compressor({ thresholdDb: 20 }).params);
  });
});

describe('Mixer: automation of insert options', () => {
  it('the interval is documented as 32 frames', () => {
    expect(G).toBe(32);
  });

  it('a makeup gain ramp (no smoothing, ratio 1) is held per grid cell: output = 10^(m(g)/20), g the last multiple of the interval', () => {
    const comp = new Compressor({ ratio: 1, makeupDb: 0, smoothingMs: 0 });
    const m = new Mixer({ meters: false, tracks: [{ name: 'a', inserts: [comp] }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    m.automate('tracks.a.inserts.0.makeupDb').linearRamp(12, 3000);
    const frames = 4000;
    const out = render(m, [ones(frames)], frames, [5, 77, 1000, 1001, 2999]);
    const db = ramp(0, 12, 3000);
    for (let t = 0; t < frames; t++) {
      const g = t - (t % G);
      const e = 10 ** (db(g) / 20);
      expect(Math.abs(out[0][t] - e) / e, `frame ${t}`).toBeLessThan(1e-6);
      expect(out[1][t]).toBe(out[0][t]);
      // Changes only at grid frames.
      if (t % G !== 0 && t > 0) expect(out[0][t], `frame ${t} (inside a grid cell)`).toBe(out[0][t - 1]);
    }
    // It does move: 12 dB up by the end.
    expect(out[0][frames - 1]).toBeCloseTo(10 ** (12 / 20), 5);
  });

  it('an EQ output gain ramp on a bus (no smoothing) is held per grid cell too, and a band gain lane moves the band', () => {
    const eq = new ParametricEQ({ smoothingMs: 0, bands: [{ type: 'peaking', frequencyHz: 5000, gainDb: 0 }] });
    const m = new Mixer({ meters: false, tracks: [{ name: 'a', output: 'grp' }], buses: [{ name: 'grp', inserts: [eq] }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 96, channels: 2 });
    m.automate('buses.grp.inserts.0.outputGainDb').setValue(-6, 0).linearRamp(6, 2000);
    const frames = 2500;
    // DC input: a 5 kHz peaking band leaves DC alone (RBJ peakingEQ: H(1) = 1), so only the output gain shows.
    const out = render(m, [ones(frames)], frames, [50, 1234]);
    const db = (t: number) => (t >= 2000 ? 6 : -6 + (12 * t) / 2000);
    for (let t = 200; t < frames; t++) {
      const e = 10 ** (db(t - (t % G)) / 20);
      expect(Math.abs(out[0][t] - e) / e, `frame ${t}`).toBeLessThan(1e-5);
    }
    expect(() => m.automate('buses.grp.inserts.0.bands.1.gainDb')).toThrow(/ParametricEQ has no automatable option "bands.1.gainDb" \(automatable: bands.0.frequencyHz, bands.0.q, bands.0.gainDb, bands.0.shelfSlope, outputGainDb\)/);
    expect(() => m.automate('buses.grp.inserts.0.bands.0.rolloffDbPerOctave')).toThrow(/no automatable option/);
    expect(() => m.automate('buses.grp.inserts.0.bands.0.frequencyHz').setValue(24000, 0)).toThrow(/bands\.0\.frequencyHz\.value must be in \(0, 24000\) Hz, got 24000/);
    // The band's gain at 5 kHz follows its lane (a steady 5 kHz sine, read after the ramp settles).
    const band = new ParametricEQ({ smoothingMs: 0, bands: [{ type: 'peaking', frequencyHz: 5000, gainDb: 0 }] });
    const n = new Mixer({ meters: false, tracks: [{ name: 'a', inserts: [band] }] });
    n.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    n.automate('tracks.a.inserts.0.bands.0.gainDb').setValue(0, 0).setValue(12, 4800);
    const sineIn = Float32Array.from({ length: 9600 }, (_, t) => Math.sin((2 * Math.PI * 5000 * t) / FS));
    const y = render(n, [[sineIn, sineIn]], 9600);
    const peak = (from: number, to: number) => y[0].subarray(from, to).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(peak(3000, 4800)).toBeCloseTo(1, 2);
    expect(peak(7000, 9600)).toBeCloseTo(10 ** (12 / 20), 1);
  });

  it('a threshold ramp and a smoothed makeup ramp match the same compressor driven by set() at the grid frames with the analytic values', () => {
    const options = { thresholdDb: -6, ratio: 4, kneeDb: 0, attackMs: 1, releaseMs: 50, makeupDb: 0 };
    const frames = 6000;
    const x = [noise(frames, 11, 0.9), noise(frames, 12, 0.9)];
    const m = new Mixer({ meters: false, tracks: [{ name: 'drums', inserts: [new Compressor(options)] }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    m.automate('tracks.drums.inserts.0.thresholdDb').setValue(-6, 0).linearRamp(-36, 4000);
    m.automate('tracks.0.inserts.0.makeupDb').setValue(0, 1000).linearRamp(9, 5000);
    const out = render(m, [x], frames, [100, 333, 1024, 4097]);

    // The independent driver: a standalone compressor, set() at each grid frame with the closed forms.
    const ref = new Compressor(options);
    ref.prepare({ sampleRate: FS, maxBlockSize: G, channels: 2 });
    const thr = ramp(-6, -36, 4000);
    const mk = (t: number) => (t < 1000 ? 0 : t >= 5000 ? 9 : (9 * (t - 1000)) / 4000);
    const y = [Float32Array.from(x[0]), Float32Array.from(x[1])];
    for (let g = 0; g < frames; g += G) {
      ref.set({ thresholdDb: thr(g), makeupDb: mk(g) });
      ref.process([y[0].subarray(g, g + G), y[1].subarray(g, g + G)], Math.min(G, frames - g));
    }
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let t = 0; t < frames; t++) worst = Math.max(worst, Math.abs(out[c][t] - y[c][t]));
    expect(worst).toBeLessThan(1e-5);
    // And the automation matters: without it the output differs by far more.
    const still = new Compressor(options);
    still.prepare({ sampleRate: FS, maxBlockSize: frames, channels: 2 });
    const z = [Float32Array.from(x[0]), Float32Array.from(x[1])];
    still.process(z);
    let diff = 0;
    for (let t = 0; t < frames; t++) diff = Math.max(diff, Math.abs(out[0][t] - z[0][t]));
    expect(diff).toBeGreaterThan(0.1);
  });

  const session = (): MixerSession => ({
    meters: false,
    tracks: [
      { name: 'gtr', inserts: [new StereoWidener(), new Compressor({ thresholdDb: -12 })], output: 'grp' },
      { name: 'vox', channels: 1, inserts: [new Saturator({ driveDb: 0, smoothingMs: 5 }), new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 1000, gainDb: 0, q: 2 }] })], sends: [{ bus: 'fx', levelDb: -6 }] },
    ],
    buses: [{ name: 'fx', inserts: [new Saturator({ autoGain: true })] }, { name: 'grp', inserts: [new Compressor({ lookaheadMs: 2 })] }],
    master: { inserts: [new Limiter({ ceilingDb: -1 })] },
    automation: {
      'tracks.gtr.inserts.0.width': [{ kind: 'set', value: 1, frame: 0 }, { kind: 'linear', value: 2, frame: 3000 }],
      'tracks.gtr.inserts.1.thresholdDb': [{ kind: 'target', value: -30, frame: 500, timeConstant: 800 }],
      // From frame 0 at a value the processor does not hold: applied before prepare() and reset().
      'tracks.gtr.inserts.1.makeupDb': [{ kind: 'set', value: 4, frame: 0 }, { kind: 'linear', value: 0, frame: 2000 }],
      'tracks.vox.inserts.0.driveDb': [{ kind: 'exponential', value: 24, frame: 2500 }, { kind: 'set', value: 3, frame: 3500 }],
      'buses.fx.inserts.0.driveDb': [{ kind: 'linear', value: 18, frame: 4000 }],
      'buses.grp.inserts.0.ratio': [{ kind: 'linear', value: 10, frame: 2000 }],
      'master.inserts.0.ceilingDb': [{ kind: 'set', value: -1, frame: 0 }, { kind: 'linear', value: -9, frame: 4500 }],
      'tracks.vox.faderDb': [{ kind: 'linear', value: -6, frame: 1000 }],
      'tracks.vox.inserts.1.bands.0.gainDb': [{ kind: 'linear', value: 12, frame: 3000 }],
      'tracks.vox.inserts.1.bands.0.frequencyHz': [{ kind: 'set', value: 1000, frame: 500 }, { kind: 'exponential', value: 4000, frame: 4000 }],
    },
  });
  // (Exponential from the option's current value: the vox saturator's drive starts at 0 dB, so it needs a non-zero start.)
  const build = () => {
    const s = session();
    (s.tracks[1].inserts as Saturator[])[0].set({ driveDb: 1 });
    return new Mixer(s);
  };

  it('gives bit-identical output for any block partition (changes land on absolute grid frames); reset() replays it', () => {
    const frames = 5000;
    const inputs = [[noise(frames, 1, 0.7), noise(frames, 2, 0.7)], [noise(frames, 3, 0.7)]];
    const ref = build();
    ref.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    const expected = render(ref, inputs, frames);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        const m = build();
        m.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
        const out = render(m, inputs, frames, cutsFromSizes(sizes, frames));
        if (!identical(out, expected)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, expected)}`);
      }),
      { numRuns: runs(10) },
    );
    ref.reset();
    const again = render(ref, inputs, frames, [31, 32, 33, 1000]);
    expect(identical(again, expected), firstDifference(again, expected)).toBe(true);
    // The automation is heard: the same session without it differs.
    const s = session();
    delete (s as { automation?: unknown }).automation;
    (s.tracks[1].inserts as Saturator[])[0].set({ driveDb: 1 });
    const plain = new Mixer(s);
    plain.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    expect(identical(render(plain, inputs, frames), expected)).toBe(false);
  });

  it('saves insert automation by path and reloads bit-identical, even when saved after the automation ran', () => {
    const frames = 5000;
    const inputs = [[noise(frames, 4, 0.7), noise(frames, 5, 0.7)], [noise(frames, 6, 0.7)]];
    const ref = build();
    ref.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const expected = render(ref, inputs, frames);
    // Saved now, the processors hold the automation's last values; the session keeps the values before it.
    const json = JSON.parse(JSON.stringify(ref.toJSON()));
    expect(Object.keys(json.session.automation)).toEqual(
      expect.arrayContaining(['tracks.gtr.inserts.0.width', 'tracks.gtr.inserts.1.thresholdDb', 'buses.grp.inserts.0.ratio', 'master.inserts.0.ceilingDb', 'buses.fx.inserts.0.driveDb']),
    );
    expect(json.session.tracks[0].inserts[1].params.thresholdDb).toBe(-12);
    expect(json.session.tracks[0].inserts[1].params.makeupDb).toBe(0);
    expect(json.session.master.inserts[0].params.ceilingDb).toBe(-1);
    expect(json.session.tracks[1].inserts[1].params.bands[0]).toMatchObject({ gainDb: 0, frequencyHz: 1000, q: 2 });
    expect(json.session.automation['tracks.vox.inserts.1.bands.0.gainDb']).toEqual([{ kind: 'linear', value: 12, frame: 3000 }]);
    expect(json.session.automation['buses.grp.inserts.0.ratio']).toEqual([{ kind: 'linear', value: 10, frame: 2000 }]);
    const copy = Mixer.fromJSON(json, processorFromJSON);
    copy.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const again = render(copy, inputs, frames, [700]);
    expect(identical(again, expected), firstDifference(again, expected)).toBe(true);
  });

  it('one lane per option, whether the strip is named or indexed', () => {
    const m = build();
    expect(m.automate('tracks.0.inserts.1.thresholdDb')).toBe(m.automate('tracks.gtr.inserts.1.thresholdDb'));
    expect(m.automate('buses.1.inserts.0.ratio')).toBe(m.automate('buses.grp.inserts.0.ratio'));
  });

  it('rejects bad paths, unknown, non-number and fixed options, and out-of-range values, naming the path', () => {
    const m = new Mixer({ tracks: [{ name: 'a', inserts: [new Compressor(), new Chorus(), new Chain([new Compressor()])] }], buses: [{ name: 'b' }] });
    expect(() => m.automate('tracks.a.inserts.3.thresholdDb')).toThrow(/no automatable parameter at "tracks.a.inserts.3.thresholdDb": tracks\[0\] has 3 inserts, no slot "3"/);
    expect(() => m.automate('tracks.a.inserts.x.thresholdDb')).toThrow(RangeError);
    expect(() => m.automate('buses.b.inserts.0.thresholdDb')).toThrow(/buses\[0\] has 0 inserts/);
    expect(() => m.automate('master.inserts.0.ceilingDb')).toThrow(/master has 0 inserts/);
    expect(() => m.automate('tracks.a.inserts.0.threshold')).toThrow(/Compressor has no automatable option "threshold" \(automatable: thresholdDb, ratio, kneeDb, attackMs, releaseMs, peakHoldMs, rmsWindowMs, stereoLink, makeupDb, mix, sidechainHighpassHz\)/);
    expect(() => m.automate('tracks.a.inserts.0.detector')).toThrow(/Compressor has no automatable option "detector"/);
    expect(() => m.automate('tracks.a.inserts.0.autoMakeup')).toThrow(/no automatable option "autoMakeup"/);
    expect(() => m.automate('tracks.a.inserts.0.lookaheadMs')).toThrow(/no automatable option "lookaheadMs"/);
    expect(() => m.automate('tracks.a.inserts.0')).toThrow(/no automatable option ""/);
    expect(() => m.automate('tracks.a.inserts.1.mix')).toThrow(/tracks\[0\]\.inserts\[1\] \(Chorus\) cannot be automated/);
    expect(() => m.automate('tracks.a.inserts.2.0.thresholdDb')).toThrow(/\(Chain\) cannot be automated/);
    const lane = m.automate('tracks.a.inserts.0.thresholdDb');
    expect(() => lane.linearRamp(30, 100)).toThrow(/Mixer\.tracks\[0\]\.inserts\[0\]\.thresholdDb\.value must be in \[-100, 20\] dB, got 30/);
    expect(() => lane.setValue(NaN, 0)).toThrow(RangeError);
    expect(() => m.automate('tracks.a.inserts.0.ratio').setValue(Infinity, 0)).toThrow(/inserts\[0\]\.ratio\.value must be in/);
    expect(() => m.automate('tracks.a.inserts.0.ratio').setValue(0.5, 0)).toThrow(/ratio\.value must be in \[1, /);
    // A ratio of ∞ cannot be the start of a lane.
    const lim = new Mixer({ tracks: [{ name: 'a', inserts: [new Compressor({ ratio: Infinity })] }] });
    expect(() => lim.automate('tracks.a.inserts.0.ratio')).toThrow(/Compressor\.ratio is Infinity, not a finite number/);
    // A session with a bad insert path or value is rejected by the loader.
    expect(() => new Mixer({ tracks: [{ name: 'a', inserts: [new Compressor()] }], automation: { 'tracks.a.inserts.0.knee': [] } })).toThrow(/no automatable option "knee"/);
    expect(() => new Mixer({ tracks: [{ name: 'a', inserts: [new Compressor()] }], automation: { 'tracks.a.inserts.0.kneeDb': [{ kind: 'set', value: 99, frame: 0 }] } })).toThrow(/kneeDb\.value must be in \[0, 48\] dB, got 99/);
  });

  // Measured last, after the tests above configured the same classes in other ways (V8 then
  // widens the representation of options objects' number fields: setParam() must not store there).
  it('allocates nothing while insert automation runs', async () => {
    const m = build();
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const long = 128 * 200_000;
    // Ramps that last the whole measurement, so every grid frame hands a new value over.
    m.automate('tracks.gtr.inserts.0.width').cancel(0).setValue(0.5, 0).linearRamp(2, long);
    m.automate('tracks.gtr.inserts.1.thresholdDb').cancel(0).setValue(-10, 0).linearRamp(-40, long);
    m.automate('tracks.vox.inserts.0.driveDb').cancel(0).setValue(0, 0).linearRamp(24, long);
    m.automate('buses.grp.inserts.0.ratio').cancel(0).setValue(2, 0).linearRamp(20, long);
    m.automate('master.inserts.0.ceilingDb').cancel(0).setValue(-1, 0).linearRamp(-12, long);
    m.automate('tracks.gtr.inserts.1.makeupDb').cancel(0).setValue(0, 0).linearRamp(12, long);
    m.automate('tracks.gtr.inserts.1.mix').setValue(1, 0).linearRamp(0.2, long);
    m.automate('buses.fx.inserts.0.driveDb').cancel(0).setValue(0, 0).linearRamp(20, long);
    m.automate('tracks.vox.inserts.1.bands.0.gainDb').cancel(0).setValue(-12, 0).linearRamp(12, long);
    m.automate('tracks.vox.inserts.1.bands.0.frequencyHz').cancel(0).setValue(100, 0).exponentialRamp(10000, long);
    const inputs = [[noise(128, 1, 0.5), noise(128, 2, 0.5)], [noise(128, 3, 0.5)]];
    const out = [new Float32Array(128), new Float32Array(128)];
    const { report, first } = await measureAllocationSettled(() => m.process(inputs, out, 100), 20_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });
});

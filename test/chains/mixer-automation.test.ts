import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AutomationLane } from '../../src/core/automation.js';
import { Mixer, type MixerSession } from '../../src/chains/mixer.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { processorFromJSON } from '../../src/registry.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { cutsFromSizes } from '../support/conformance.js';
import { firstDifference, identical, noise, runs } from '../support/signals.js';

const FS = 48000;

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

describe('AutomationLane: the AudioParam formulas, per sample', () => {
  it('set, linear, exponential and setTarget values equal their closed forms', () => {
    const lane = new AutomationLane('x', 5, -100, 100).setValue(1, 10).linearRamp(3, 110).exponentialRamp(30, 210).setValue(-2, 300).setTarget(4, 400, 50);
    const v = new Float64Array(600);
    lane.fill(v, 0, 600);
    for (let t = 0; t < 600; t++) {
      let e: number;
      if (t < 10) e = 5;
      else if (t < 110) e = 1 + (2 * (t - 10)) / 100;
      else if (t < 210) e = 3 * Math.pow(10, (t - 110) / 100);
      else if (t < 300) e = 30;
      else if (t < 400) e = -2;
      else e = 4 + (-2 - 4) * Math.exp(-(t - 400) / 50);
      expect(Math.abs(v[t] - e), `frame ${t}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(e)));
    }
    // Any split gives the same values.
    const w = new Float64Array(600);
    for (let p = 0; p < 600; p += 37) lane.fill(w.subarray(p), p, Math.min(37, 600 - p));
    expect(Array.from(w)).toEqual(Array.from(v));
  });

  it('rejects events out of order, out of range, and exponential ramps through zero; cancel() removes later events', () => {
    const lane = new AutomationLane('Mixer.tracks[0].faderDb', 0, -120, 12).setValue(0, 100);
    expect(() => lane.linearRamp(-6, 50)).toThrow(/time order/);
    expect(() => lane.linearRamp(20, 200)).toThrow(/Mixer.tracks\[0\].faderDb.value must be in \[-120, 12\], got 20/);
    expect(() => new AutomationLane('p', 0, -1, 1).exponentialRamp(1, 10)).toThrow(/non-zero values of one sign/);
    expect(() => lane.setTarget(1, 200, 0)).toThrow(RangeError);
    lane.linearRamp(-6, 200).linearRamp(-12, 300);
    lane.cancel(200);
    expect(lane.length).toBe(1);
    expect(lane.valueAt(250)).toBe(0);
  });
});

describe('Mixer automation', () => {
  it('a linear fader ramp in dB: every output sample equals 10^(dB(t)/20) within 1e-6', () => {
    const m = new Mixer({ tracks: [{ name: 'a' }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    m.automate('tracks.a.faderDb').setValue(0, 100).linearRamp(-24, 4900);
    const out = render(m, [ones(6000)], 6000, [1000, 1001, 3333]);
    for (let t = 0; t < 6000; t++) {
      const db = t < 100 ? 0 : t < 4900 ? (-24 * (t - 100)) / 4800 : -24;
      expect(Math.abs(out[0][t] - 10 ** (db / 20)), `frame ${t}`).toBeLessThan(1e-6);
    }
  });

  it('a pan sweep on a mono track follows the −3 dB law at every sample; a send level approaches its target exponentially', () => {
    const m = new Mixer({ tracks: [{ name: 'v', channels: 1, output: 'sink', sends: [{ bus: 'fx', levelDb: -120, preFader: true }] }], buses: [{ name: 'fx' }, { name: 'sink', faderDb: -120 }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    // The track's own output goes to a silent bus; the (pre-fader, unpanned) send carries the signal.
    m.automate('tracks.v.sends.0.levelDb').setValue(-40, 0).setTarget(-6, 1000, 300);
    const out = render(m, [ones(4000, 1)], 4000, [500, 1999]);
    for (let t = 0; t < 4000; t++) {
      const db = t < 1000 ? -40 : -6 + (-40 + 6) * Math.exp(-(t - 1000) / 300);
      expect(Math.abs(out[0][t] - 10 ** (db / 20)), `frame ${t}`).toBeLessThan(1e-6);
    }
    const p = new Mixer({ tracks: [{ name: 'v', channels: 1 }] });
    p.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    p.automate('tracks.v.pan').setValue(-1, 0).linearRamp(1, 3000);
    const y = render(p, [ones(3000, 1)], 3000, [700]);
    for (let t = 0; t < 3000; t++) {
      const pan = -1 + (2 * t) / 3000;
      const th = ((pan + 1) * Math.PI) / 4;
      expect(Math.abs(y[0][t] - Math.cos(th)), `L ${t}`).toBeLessThan(1e-6);
      expect(Math.abs(y[1][t] - Math.sin(th)), `R ${t}`).toBeLessThan(1e-6);
    }
  });

  it('a mute event switches at exactly its sample', () => {
    const m = new Mixer({ tracks: [{ name: 'a' }] });
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    m.automate('tracks.a.mute').setValue(1, 777).setValue(0, 1500);
    const out = render(m, [ones(2000)], 2000, [300, 900]);
    for (let t = 0; t < 2000; t++) expect(out[0][t], `frame ${t}`).toBe(t >= 777 && t < 1500 ? 0 : 1);
  });

  const automated = (): MixerSession => ({
    tracks: [
      { name: 'a', inserts: [new Compressor({ thresholdDb: -20, lookaheadMs: 1 })], sends: [{ bus: 'fx', levelDb: -10 }] },
      { name: 'b', channels: 1, output: 'grp' },
    ],
    buses: [{ name: 'fx' }, { name: 'grp' }],
    automation: {
      'tracks.a.faderDb': [{ kind: 'set', value: 0, frame: 0 }, { kind: 'linear', value: -18, frame: 3000 }],
      'tracks.b.pan': [{ kind: 'set', value: 0.5, frame: 100 }, { kind: 'linear', value: -0.5, frame: 2000 }],
      'tracks.a.sends.0.levelDb': [{ kind: 'target', value: -3, frame: 1200, timeConstant: 400 }],
      'buses.grp.mute': [{ kind: 'set', value: 1, frame: 2500 }],
      'master.faderDb': [{ kind: 'set', value: -1, frame: 0 }, { kind: 'exponential', value: -6, frame: 4000 }],
    },
  });

  it('gives bit-identical output for any partition, and a saved session (with its automation) reloads bit-identical', () => {
    const frames = 5000;
    const inputs = [[noise(frames, 1, 0.5), noise(frames, 2, 0.5)], [noise(frames, 3, 0.5)]];
    const ref = new Mixer(automated());
    ref.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    const expected = render(ref, inputs, frames);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        const m = new Mixer(automated());
        m.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
        const out = render(m, inputs, frames, cutsFromSizes(sizes, frames));
        if (!identical(out, expected)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, expected)}`);
      }),
      { numRuns: runs(12) },
    );
    const copy = Mixer.fromJSON(JSON.parse(JSON.stringify(ref.toJSON())), processorFromJSON);
    copy.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
    const again = render(copy, inputs, frames, [1000]);
    expect(identical(again, expected), firstDifference(again, expected)).toBe(true);
    // reset() restarts automation time.
    ref.reset();
    const afterReset = render(ref, inputs, frames);
    expect(identical(afterReset, expected), firstDifference(afterReset, expected)).toBe(true);
  });

  it('rejects unknown paths and bad events, naming them', () => {
    const m = new Mixer({ tracks: [{ name: 'a' }] });
    expect(() => m.automate('tracks.zz.faderDb')).toThrow(/no automatable parameter at "tracks.zz.faderDb"/);
    expect(() => m.automate('tracks.a.gain')).toThrow(RangeError);
    expect(() => m.automate('tracks.a.sends.0.levelDb')).toThrow(RangeError);
    expect(() => new Mixer({ tracks: [{ name: 'a' }], automation: { 'tracks.a.faderDb': [{ kind: 'jump', value: 0, frame: 0 } as never] } })).toThrow(/kind must be one of/);
    expect(() => new Mixer({ tracks: [{ name: 'a.b' }] })).toThrow(/must not contain "."/);
    expect(() => m.frameAt(1)).toThrow(/prepare\(\) first/);
  });

  it('allocates nothing while automation runs', async () => {
    const m = new Mixer(automated());
    m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    // Ramps that last the whole measurement.
    m.automate('tracks.a.faderDb').cancel(0).setValue(0, 0).linearRamp(-30, 128 * 200_000);
    m.automate('tracks.b.pan').cancel(0).setValue(-1, 0).linearRamp(1, 128 * 200_000);
    const inputs = [[noise(128, 1, 0.5), noise(128, 2, 0.5)], [noise(128, 3, 0.5)]];
    const out = [new Float32Array(128), new Float32Array(128)];
    const { report, first } = await measureAllocationSettled(() => m.process(inputs, out, 128), 30_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });
});

/**
 * Regressions found by an adversarial review of the Mixer and the containers (issue 12): cycles
 * through nested chains, one object in two places inside containers, track names that look like
 * indices, insert automation after live chain edits, lanes scheduled after prepare(), sessions that
 * toJSON() writes but fromJSON() refused.
 */
import { describe, expect, it } from 'vitest';
import { Chain } from '../../src/chains/chain.js';
import { MidSide } from '../../src/chains/mid-side.js';
import { Mixer } from '../../src/chains/mixer.js';
import { Parallel } from '../../src/chains/parallel.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { MAX_JSON_NESTING, processorFromJSON } from '../../src/registry.js';
import { firstDifference, identical, noise } from '../support/signals.js';

const spec = { sampleRate: 48000, maxBlockSize: 128, channels: 2 };

/** Render `frames` of `inputs` through `m` in 128-frame blocks. */
function render(m: Mixer, inputs: Float32Array[][], frames: number): Float32Array[] {
  const out = [new Float32Array(frames), new Float32Array(frames)];
  for (let pos = 0; pos < frames; pos += 128) {
    const end = Math.min(frames, pos + 128);
    m.process(inputs.map((chs) => chs.map((x) => x.subarray(pos, end))), out.map((x) => x.subarray(pos, end)));
  }
  return out;
}

const reload = (m: Mixer) => Mixer.fromJSON(JSON.parse(JSON.stringify(m.toJSON())), processorFromJSON);

describe('containers refuse cycles, one object in two places, and nesting that could not be saved', () => {
  it('a chain cannot come to hold itself through another chain (insert or replace), prepared or not', () => {
    for (const prepared of [false, true]) {
      const a: Chain = new Chain([new Compressor()]);
      const b: Chain = new Chain([new Limiter()]);
      if (prepared) {
        a.prepare(spec);
        b.prepare(spec);
      }
      a.insert(0, b);
      expect(() => b.insert(0, a)).toThrow(/processor holds this chain \(a chain cannot contain itself, directly or not\)/);
      expect(() => b.replace(0, a)).toThrow(TypeError);
      const c: Chain = new Chain([new ParametricEQ()]);
      const d: Chain = new Chain([c]);
      expect(() => c.insert(0, d)).toThrow(TypeError);
      expect(() => c.insert(0, new MidSide({ mid: d }))).toThrow(TypeError);
      // Nothing changed: both still run.
      const x = [noise(256, 1, 0.3), noise(256, 2, 0.3)];
      if (prepared) {
        expect(() => a.process(x)).not.toThrow();
        expect(() => b.process(x)).not.toThrow();
      }
      expect(() => a.toJSON()).not.toThrow();
    }
  });

  it('one object inside a container and elsewhere is refused (Chain, MidSide, Parallel, Mixer)', () => {
    const c = new Compressor();
    expect(() => new Chain([new Chain([c]), c])).toThrow(/already in the chain/);
    expect(() => new Chain([new Parallel(c), new MidSide({ mid: c })])).toThrow(TypeError);
    expect(() => new MidSide({ mid: new Chain([c]), side: c })).toThrow(/mid and side share a Compressor object/);
    expect(() => new Mixer({ tracks: [{ name: 'a', inserts: [new Chain([c])] }, { name: 'b', inserts: [c] }] })).toThrow(/one Compressor object is used in two places/);
    expect(() => new Mixer({ tracks: [{ name: 'a', inserts: [new Parallel(c)] }], master: { inserts: [c] } })).toThrow(TypeError);
    const e: Chain = new Chain([new ParametricEQ()]);
    const inner = e.at(0);
    expect(() => e.insert(1, new Chain([inner]))).toThrow(/already in the chain/);
  });

  it('nesting: what the constructors accept, processorFromJSON loads again; one more level is refused', () => {
    let p: Chain = new Chain([new Limiter()]);
    for (let i = 1; i < MAX_JSON_NESTING; i++) p = new Chain([p]);
    expect(() => processorFromJSON(JSON.parse(JSON.stringify(p.toJSON())))).not.toThrow();
    expect(() => new Chain([p])).toThrow(/at most 32/);
    expect(() => new Parallel(p)).toThrow(RangeError);
    expect(() => (new Chain([new Limiter()]) as Chain).insert(0, p)).toThrow(RangeError);
  });
});

describe('Mixer sessions reload to the same output', () => {
  it('tracks whose names are digits: paths name the track, and the reload automates the same one', () => {
    const m = new Mixer({ tracks: [{ name: '1', pan: -1 }, { name: '0', pan: 1 }] });
    m.prepare(spec);
    m.automate('tracks.1.faderDb').setValue(-120, 0); // the track called "1" (index 0, left)
    expect(m.trackInserts('1')).toBe(m.trackInserts(0));
    const x = [[noise(2048, 1, 0.5), noise(2048, 2, 0.5)], [noise(2048, 3, 0.5), noise(2048, 4, 0.5)]];
    const a = render(m, x, 2048);
    let left = 0;
    for (const v of a[0]) left += v * v;
    expect(left).toBe(0); // the left track is silenced
    const b = reload(m);
    b.prepare(spec);
    const y = render(b, x, 2048);
    expect(identical(a, y), firstDifference(a, y)).toBe(true);
    // "0" is a name here too: the track called "0" (index 1), not index 0.
    expect(m.automate('tracks.0.pan').owner).toBe('Mixer.tracks[1].pan');
    expect(m.automate('tracks.1.faderDb').owner).toBe('Mixer.tracks[0].faderDb');
    // An index still works where no track has that name.
    const n = new Mixer({ tracks: [{ name: 'vox' }, { name: 'keys' }] });
    expect(n.automate('tracks.1.faderDb')).toBe(n.automate('tracks.keys.faderDb'));
  });

  it('insert automation follows its processor through live edits (move, insert before, remove) and saves where it now is', () => {
    const comp = new Compressor({ thresholdDb: -10 });
    const m = new Mixer({ tracks: [{ name: 't', inserts: [new ParametricEQ(), comp] }] });
    m.prepare(spec);
    const lane = m.automate('tracks.t.inserts.1.thresholdDb').setValue(-40, 0);
    const chain = m.trackInserts('t');
    chain.move(1, 0);
    expect(Object.keys(m.toJSON().session.automation as object)).toEqual(['tracks.t.inserts.0.thresholdDb']);
    // The same lane, by its new slot.
    expect(m.automate('tracks.t.inserts.0.thresholdDb')).toBe(lane);
    chain.insert(0, new Compressor({ thresholdDb: -3 }));
    const x = [[noise(4096, 5, 0.5), noise(4096, 6, 0.5)]];
    render(m, x, 4096); // the edit fades happen; the lane drives `comp`, now in slot 1
    expect(comp.params.thresholdDb).toBe(-40);
    expect((chain.at(0) as Compressor).params.thresholdDb).toBe(-3);
    const saved = JSON.parse(JSON.stringify(m.toJSON()));
    expect(Object.keys(saved.session.automation)).toEqual(['tracks.t.inserts.1.thresholdDb']);
    const b = Mixer.fromJSON(saved, processorFromJSON);
    b.prepare(spec);
    render(b, x, 256);
    const chainB = b.trackInserts('t');
    expect([(chainB.at(0) as Compressor).params.thresholdDb, (chainB.at(1) as Compressor).params.thresholdDb]).toEqual([-3, -40]);
    // Removed: the lane is not saved (nothing to drive), and the session loads.
    chain.remove(1);
    expect(Object.keys(m.toJSON().session.automation as object)).toEqual([]);
    expect(() => reload(m)).not.toThrow();
  });

  it('an insert lane scheduled after prepare() (the documented order) starts where a reloaded session starts', () => {
    const m = new Mixer({ tracks: [{ name: 't', inserts: [new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 1000, gainDb: 6 }] })] }] });
    m.prepare(spec);
    m.automate('tracks.t.inserts.0.bands.0.gainDb').setValue(0, 0);
    const x = [[noise(4800, 7, 0.5), noise(4800, 8, 0.5)]];
    const a = render(m, x, 4800);
    const b = reload(m);
    b.prepare(spec);
    const y = render(b, x, 4800);
    expect(identical(a, y), firstDifference(a, y)).toBe(true);
    // And 0 dB from the first sample: the output is the input (a 0 dB peaking band is exact unity up to rounding).
    let err = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < 4800; i++) err = Math.max(err, Math.abs(a[c][i] - x[0][c][i]));
    expect(err).toBeLessThan(1e-6);
  });

  it('long lanes (up to MAX_AUTOMATION_EVENTS) save and load; fromJSON names a missing builder', () => {
    const m = new Mixer({ tracks: [{ name: 'a' }] });
    const lane = m.automate('tracks.a.faderDb');
    for (let k = 0; k < 600; k++) lane.setValue(-(k % 40), k * 10);
    expect(() => reload(m)).not.toThrow();
    expect(() => Mixer.fromJSON(m.toJSON(), null as never)).toThrow(/build must be a function/);
  });
});

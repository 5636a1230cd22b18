import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mixer, balanceGains, panGains, type MixerSession } from '../../src/chains/mixer.js';
import { Compressor } from '../../src/dynamics/compressor.js';
import { Limiter } from '../../src/dynamics/limiter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { Saturator } from '../../src/color/saturator.js';
import { measureLoudness } from '../../src/metering/loudness-meter.js';
import { processorFromJSON } from '../../src/registry.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { cutsFromSizes } from '../support/conformance.js';
import { firstDifference, identical, noise, runs } from '../support/signals.js';
import { readWav } from '../support/wav.js';
import { FRANCIUM_SESSION, mixFrancium } from '../../examples/mix-francium.js';

const FS = 48000;
const spec = (maxBlockSize = 128) => ({ sampleRate: FS, maxBlockSize, channels: 2 });

/** Mix `inputs` through `m` cut at `cuts`, with `changes` applied at their frames. */
function mix(m: Mixer, inputs: Float32Array[][], frames: number, cuts: number[] = [], changes: { at: number; apply: (m: Mixer) => void }[] = []): Float32Array[] {
  const out = [new Float32Array(frames), new Float32Array(frames)];
  const points = [...new Set([0, ...cuts, ...changes.map((c) => c.at), frames])].filter((p) => p >= 0 && p <= frames).sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    for (const c of changes) if (c.at === a) c.apply(m);
    m.process(
      inputs.map((chs) => chs.map((x) => x.subarray(a, b))),
      out.map((x) => x.subarray(a, b)),
      b - a,
    );
  }
  return out;
}

function impulse(frames: number, at: number, channels: number, v = 0.5): Float32Array[] {
  return Array.from({ length: channels }, () => {
    const x = new Float32Array(frames);
    x[at] = v;
    return x;
  });
}

/** Index of the first non-zero sample of `x`, or −1. */
const firstNonZero = (x: Float32Array) => x.findIndex((v) => v !== 0);

describe('Mixer: delay compensation (impulses)', () => {
  // Latencies: a compressor with 2 ms lookahead (96), a limiter with 3 ms (144), 5 ms (240).
  const session = (): MixerSession => ({
    tracks: [
      { name: 'dry', inserts: [] },
      { name: 'comp', inserts: [new Compressor({ thresholdDb: 0, lookaheadMs: 2 })], sends: [{ bus: 'fx', levelDb: 0 }] },
      { name: 'lim', channels: 1, inserts: [new Limiter({ lookaheadMs: 3 })], output: 'group' },
      { name: 'send-only', faderDb: -120, sends: [{ bus: 'fx', levelDb: -6, preFader: true }] },
    ],
    buses: [
      { name: 'fx', inserts: [new Limiter({ lookaheadMs: 5 })] },
      { name: 'group', inserts: [new Compressor({ thresholdDb: 0, lookaheadMs: 1 })], output: 'master' },
    ],
    master: { inserts: [new Limiter({ ceilingDb: -0.1, lookaheadMs: 1 })] },
  });

  it('every path reaches the output after exactly `latency` samples, and latency is the longest path', () => {
    const m = new Mixer(session());
    m.prepare(spec());
    // Longest path: comp (96) → fx (240) = 336, or lim (144) → group (48) = 192; master limiter 48.
    expect(m.latency).toBe(96 + 240 + 48);
    const frames = 4096;
    for (let t = 0; t < 4; t++) {
      m.reset();
      const inputs = [0, 1, 2, 3].map((k) => (k === t ? impulse(frames, 100, k === 2 ? 1 : 2) : impulse(frames, -1, k === 2 ? 1 : 2)));
      const out = mix(m, inputs, frames, [128, 1000]);
      const at = firstNonZero(out[0]);
      expect(at, `track ${t}`).toBe(100 + m.latency);
      // Nothing else: a single impulse (all paths of one track aligned into one sample).
      for (let i = 0; i < frames; i++) if (i !== at) expect(out[0][i], `track ${t}, sample ${i}`).toBe(0);
    }
  });

  it('a track and its send arrive together: the send adds to the same sample (pre-fader send at −6 dB, fader −∞)', () => {
    const m = new Mixer(session());
    m.prepare(spec());
    const frames = 2048;
    const inputs = [0, 1, 2, 3].map((k) => impulse(frames, k === 3 ? 10 : -1, k === 2 ? 1 : 2, 0.25));
    const out = mix(m, inputs, frames);
    expect(out[0][10 + m.latency]).toBeCloseTo(0.25 * 10 ** (-6 / 20), 6);
  });
});

describe('Mixer: gains against closed forms', () => {
  it('a mono track is placed by its pan law; a stereo track is balanced', () => {
    for (const law of ['0dB', '-3dB', '-4.5dB', '-6dB'] as const) {
      const m = new Mixer({ tracks: [{ name: 'a', channels: 1, pan: -0.5, panLaw: law, faderDb: -6 }] });
      m.prepare(spec());
      const out = mix(m, [[new Float32Array(256).fill(0.5)]], 256);
      const [l, r] = panGains(-0.5, law);
      const g = 10 ** (-6 / 20);
      expect(out[0][200]).toBeCloseTo(0.5 * g * l, 6);
      expect(out[1][200]).toBeCloseTo(0.5 * g * r, 6);
    }
    expect(panGains(0, '-3dB')[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(balanceGains(0.25)).toEqual([0.75, 1]);
    const m = new Mixer({ tracks: [{ name: 's', pan: 0.25, trimDb: 6, invertPolarity: true }] });
    m.prepare(spec());
    const out = mix(m, [[new Float32Array(256).fill(0.1), new Float32Array(256).fill(0.2)]], 256);
    expect(out[0][200]).toBeCloseTo(-0.1 * 10 ** (6 / 20) * 0.75, 6);
    expect(out[1][200]).toBeCloseTo(-0.2 * 10 ** (6 / 20), 6);
  });

  it('pre-fader sends ignore the fader; post-fader sends follow fader and pan', () => {
    const session = (preFader: boolean): MixerSession => ({
      tracks: [{ name: 't', channels: 1, faderDb: -12, pan: 1, output: 'nowhere', sends: [{ bus: 'aux', levelDb: -6, preFader }] }],
      buses: [{ name: 'aux', inserts: [] }, { name: 'nowhere', inserts: [], faderDb: -120 }],
    });
    const pre = new Mixer(session(true));
    pre.prepare(spec());
    const a = mix(pre, [[new Float32Array(256).fill(1)]], 256);
    expect(a[0][200]).toBeCloseTo(10 ** (-6 / 20), 6);
    expect(a[1][200]).toBeCloseTo(10 ** (-6 / 20), 6);
    const post = new Mixer(session(false));
    post.prepare(spec());
    const b = mix(post, [[new Float32Array(256).fill(1)]], 256);
    const [l, r] = panGains(1, '-3dB');
    expect(b[0][200]).toBeCloseTo(10 ** (-18 / 20) * l, 6);
    expect(b[1][200]).toBeCloseTo(10 ** (-18 / 20) * r, 6);
  });

  it('fader changes ramp linearly over 10 ms (no click), matching the closed form at every sample', () => {
    const m = new Mixer({ tracks: [{ name: 't', faderDb: 0 }] });
    m.prepare(spec());
    const frames = 2048;
    const x = [new Float32Array(frames).fill(0.5), new Float32Array(frames).fill(0.5)];
    const out = mix(m, [x], frames, [], [{ at: 1000, apply: (mm) => mm.setTrack('t', { faderDb: -6 }) }]);
    const g1 = 10 ** (-6 / 20);
    const len = Math.round(0.01 * FS);
    for (let i = 990; i < 1000 + len + 10; i++) {
      const k = i - 999; // samples into the ramp
      const g = i < 1000 ? 1 : k >= len ? g1 : 1 + ((g1 - 1) * k) / len;
      expect(out[0][i]).toBeCloseTo(0.5 * g, 6);
    }
  });
});

describe('Mixer: mute and solo (solo in place)', () => {
  const session = (): MixerSession => ({
    tracks: [
      { name: 'vox', sends: [{ bus: 'verb', levelDb: 0 }] },
      { name: 'gtr', output: 'band' },
      { name: 'bass', output: 'band' },
      { name: 'keys' },
    ],
    buses: [
      { name: 'verb', inserts: [] },
      { name: 'band', inserts: [] },
    ],
  });
  // Each track a constant on the left channel: vox 1, gtr 2, bass 4, keys 8 (the send doubles vox).
  const levels = [1, 2, 4, 8];
  const heard = (m: Mixer) => {
    const frames = 2048;
    const inputs = levels.map((v) => [new Float32Array(frames).fill(v / 16), new Float32Array(frames)]);
    return Math.round(mix(m, inputs, frames)[0][frames - 1] * 16);
  };
  const cases: [string, (m: Mixer) => void, number][] = [
    ['nothing', () => {}, 2 + 2 + 4 + 8],
    ['mute keys', (m) => m.setTrack('keys', { mute: true }), 2 + 2 + 4],
    ['solo vox: its reverb return stays', (m) => m.setTrack('vox', { solo: true }), 2],
    ['solo gtr: its group bus stays, bass does not', (m) => m.setTrack('gtr', { solo: true }), 2],
    ['solo the band bus: both its tracks', (m) => m.setBus('band', { solo: true }), 6],
    ['solo vox, mute verb', (m) => (m.setTrack('vox', { solo: true }), m.setBus('verb', { mute: true })), 1],
    ['solo keys, verb solo-safe (but fed by nothing heard)', (m) => (m.setTrack('keys', { solo: true }), m.setBus('verb', { soloSafe: true })), 8],
    ['mute the band bus', (m) => m.setBus('band', { mute: true }), 2 + 8],
  ];
  for (const [label, apply, expected] of cases) {
    it(label, () => {
      const m = new Mixer(session());
      m.prepare(spec());
      apply(m);
      expect(heard(m)).toBe(expected);
    });
  }

  it('a mute ramps over 10 ms instead of stepping', () => {
    const m = new Mixer({ tracks: [{ name: 't' }] });
    m.prepare(spec());
    const x = [new Float32Array(2048).fill(0.5), new Float32Array(2048).fill(0.5)];
    const out = mix(m, [x], 2048, [], [{ at: 500, apply: (mm) => mm.setTrack(0, { mute: true }) }]);
    let maxStep = 0;
    for (let i = 1; i < 2048; i++) maxStep = Math.max(maxStep, Math.abs(out[0][i] - out[0][i - 1]));
    expect(maxStep).toBeLessThanOrEqual(0.5 / 480 + 1e-7);
    expect(out[0][2047]).toBe(0);
  });
});

describe('Mixer: routing and option errors name the path', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['unknown send bus', () => new Mixer({ tracks: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd', sends: [{ bus: 'verb' }] }] }), /tracks\[3\]\.sends\[0\]\.bus: no bus named "verb"/],
    ['unknown output', () => new Mixer({ tracks: [{ name: 'a', output: 'drums' }] }), /tracks\[0\]\.output: no bus named "drums"/],
    ['a cycle', () => new Mixer({ tracks: [], buses: [{ name: 'x', output: 'y' }, { name: 'y', output: 'x' }] }), /routing cycle x → y → x|routing cycle y → x → y/],
    ['a bus feeding itself', () => new Mixer({ tracks: [], buses: [{ name: 'x', output: 'x' }] }), /cannot feed itself/],
    ['a duplicate name', () => new Mixer({ tracks: [{ name: 'a' }], buses: [{ name: 'a' }] }), /name "a" is taken/],
    ['"master" as a name', () => new Mixer({ tracks: [{ name: 'master' }] }), /name "master" is taken/],
    ['a bad fader', () => new Mixer({ tracks: [{ name: 'a', faderDb: 20 }] }), /Mixer.tracks\[0\]\.faderDb must be in \[-120, 12\] dB, got 20/],
    ['a send level NaN', () => new Mixer({ tracks: [{ name: 'a', sends: [{ bus: 'b', levelDb: NaN }] }], buses: [{ name: 'b' }] }), /sends\[0\]\.levelDb must be in/],
    ['a non-processor insert', () => new Mixer({ tracks: [{ name: 'a', inserts: [{} as never] }] }), /tracks\[0\]\.inserts\[0\] must be a processor/],
    ['a hole in tracks', () => new Mixer({ tracks: [, { name: 'a' }] as never }), /tracks\[0\] is missing/],
    ['3 channels', () => new Mixer({ tracks: [{ name: 'a', channels: 3 as never }] }), /tracks\[0\]\.channels must be one of 1, 2/],
    ['a send to master', () => new Mixer({ tracks: [{ name: 'a', sends: [{ bus: 'master' }] }] }), /sends go to buses/],
    ['a misspelt option', () => new Mixer({ tracks: [{ name: 'a', fader: 0 } as never] }), /unknown option "fader"/],
    ['one processor in two places', () => {
      const c = new Compressor();
      return new Mixer({ tracks: [{ name: 'a', inserts: [c] }, { name: 'b', inserts: [c] }] });
    }, /used as an insert in two places/],
  ];
  for (const [label, make, message] of bad) it(`rejects ${label}`, () => expect(make).toThrow(message));

  it('rejects a mono output spec, and bad setTrack calls change nothing', () => {
    const m = new Mixer({ tracks: [{ name: 'a' }] });
    expect(() => m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 })).toThrow(/Mixer needs 2 channels/);
    expect(() => m.setTrack('zz', { faderDb: 0 })).toThrow(/no track "zz"/);
    expect(() => m.setTrack('a', { faderDb: 0, pan: 2 })).toThrow(/tracks\[0\]\.pan/);
    expect((m.toJSON().session.tracks as { faderDb: number }[])[0].faderDb).toBe(0);
  });
});

/** A realistic session over noise inputs (EQ, compression, panning, a bus, a master chain). */
const realistic = (): MixerSession => ({
  tracks: [
    { name: 'kick', channels: 1, inserts: [new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 60, gainDb: 3 }] }), new Compressor({ thresholdDb: -20, ratio: 4 })], faderDb: -3 },
    { name: 'vox', channels: 1, inserts: [new Compressor({ thresholdDb: -24, ratio: 3, lookaheadMs: 2 })], pan: -0.2, sends: [{ bus: 'verb', levelDb: -10 }] },
    { name: 'synth', inserts: [new Saturator({ driveDb: 6 })], pan: 0.3, output: 'music', sends: [{ bus: 'verb', levelDb: -14, preFader: true }] },
    { name: 'pad', output: 'music', faderDb: -8 },
  ],
  buses: [
    { name: 'verb', inserts: [new ParametricEQ({ bands: [{ type: 'highshelf', frequencyHz: 6000, gainDb: -4 }] })], soloSafe: true },
    { name: 'music', inserts: [new Compressor({ thresholdDb: -18, ratio: 2 })] },
  ],
  master: { inserts: [new Limiter({ ceilingDb: -1 })] },
});
const realisticInputs = (frames: number) => [
  [noise(frames, 1, 0.5)],
  [noise(frames, 2, 0.3)],
  [noise(frames, 3, 0.4), noise(frames, 4, 0.4)],
  [noise(frames, 5, 0.2), noise(frames, 6, 0.2)],
];

describe('Mixer: the contract', () => {
  it('gives bit-identical output for any block partition, with parameter changes at block boundaries (fast-check)', () => {
    const frames = 6000;
    const inputs = realisticInputs(frames);
    inputs[1][0][2000] = NaN;
    const changes = [
      { at: 1500, apply: (m: Mixer) => m.setTrack('vox', { faderDb: -6, pan: 0.4 }) },
      { at: 3000, apply: (m: Mixer) => m.setTrack('synth', { solo: true }) },
      { at: 4500, apply: (m: Mixer) => m.setBus('music', { mute: true }) },
    ];
    const ref = new Mixer(realistic());
    ref.prepare(spec(256));
    const expected = mix(ref, inputs, frames, [], changes);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const m = new Mixer(realistic());
        m.prepare(spec(256));
        const out = mix(m, inputs, frames, cutsFromSizes(sizes, frames), changes);
        if (!identical(out, expected)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, expected)}`);
      }),
      { numRuns: runs(15) },
    );
  });

  it('a session saved after live edits of its inserts saves what runs now', () => {
    const m = new Mixer({ tracks: [{ name: 'a', inserts: [new Compressor()] }], buses: [{ name: 'b' }] });
    m.prepare(spec());
    m.trackInserts('a').insert(0, new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 500, gainDb: 3 }] }));
    m.busInserts('b').insert(0, new Saturator());
    m.masterInserts.insert(0, new Limiter({ ceilingDb: -2 }));
    m.trackInserts('a').remove(1);
    const s = m.toJSON().session as { tracks: { inserts: { type: string }[] }[]; buses: { inserts: { type: string }[] }[]; master: { inserts: { type: string; params: { ceilingDb: number } }[] } };
    expect(s.tracks[0].inserts.map((p) => p.type)).toEqual(['ParametricEQ']);
    expect(s.buses[0].inserts.map((p) => p.type)).toEqual(['Saturator']);
    expect(s.master.inserts.map((p) => [p.type, p.params.ceilingDb])).toEqual([['Limiter', -2]]);
  });

  it('a saved session reloads to bit-identical output (JSON round trip, with a version)', () => {
    const a = new Mixer(realistic());
    const json = JSON.parse(JSON.stringify(a.toJSON()));
    expect(json.version).toBe(1);
    const b = Mixer.fromJSON(json, processorFromJSON);
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    a.prepare(spec());
    b.prepare(spec());
    const inputs = realisticInputs(4096);
    const x = mix(a, inputs, 4096, [128]);
    const y = mix(b, inputs, 4096, [128]);
    expect(identical(x, y), firstDifference(x, y)).toBe(true);
    expect(() => Mixer.fromJSON({ ...json, version: 2 }, processorFromJSON)).toThrow(/version 2 is not supported/);
  });

  it('allocates nothing in process() (30 000 blocks of 128 frames, 4 tracks, 2 buses, master chain)', async () => {
    const m = new Mixer(realistic());
    m.prepare(spec());
    const inputs = realisticInputs(128);
    const out = [new Float32Array(128), new Float32Array(128)];
    // (setTrack() is control side and allocates; the ramps it starts are measured in the loop.)
    m.setTrack('vox', { faderDb: -6 });
    const { report, first } = await measureAllocationSettled(() => m.process(inputs, out, 128), 30_000, { setup: () => m.setTrack('pad', { pan: 0.5, mute: true }) });
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });

  it('never throws for hostile arguments; missing track inputs are silence', () => {
    const m = new Mixer(realistic());
    m.prepare(spec());
    const out = [new Float32Array(128), new Float32Array(128)];
    const call = (inputs: unknown, output: unknown, frames?: unknown) => (m.process as (a: unknown, b: unknown, c?: unknown) => void)(inputs, output, frames);
    for (const inputs of [null, [], [null], [[null]], 'x', [[new Float64Array(128)]]]) expect(() => call(inputs, out)).not.toThrow();
    for (const output of [null, [out[0]], [out[0], null], []]) expect(() => call([], output)).not.toThrow();
    expect(() => call([], out, 64n)).not.toThrow();
    call([], out);
    for (const v of out[0]) expect(Number.isFinite(v)).toBe(true);
  });
});

const STEMS = fileURLToPath(new URL('../../../shared/stems/francium/', import.meta.url));
const haveStems = existsSync(STEMS);
if (!haveStems) {
  if (process.env.CI) throw new Error(`CI: the Francium stems are missing at ${STEMS}`);
  console.warn(`[mixer] SKIPPED: real-stem tests (${STEMS} not found)`);
}

describe.skipIf(!haveStems)('Mixer on the nine Francium stems (real production audio)', () => {
  const files = haveStems ? readdirSync(STEMS).filter((f) => f.endsWith('.wav')).sort() : [];
  const stems = files.map((f) => readWav(STEMS + f).channels);

  it('all nine at unity with no inserts equal the float32 sum exactly', () => {
    expect(stems.length).toBe(9);
    const frames = stems[0][0].length;
    const m = new Mixer({ tracks: files.map((f) => ({ name: f.replace(/\.wav$/, '') })) });
    m.prepare(spec(4096));
    const out = [new Float32Array(frames), new Float32Array(frames)];
    m.process(stems, out);
    // The reference: the same float32 additions in track order, from 0.
    const ref = [new Float32Array(frames), new Float32Array(frames)];
    for (const s of stems) for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) ref[c][i] += s[c][i];
    expect(identical(out, ref), firstDifference(out, ref)).toBe(true);
  });

  it('the committed example session (examples/francium.session.json) renders: loudness and peaks reported, true peak at or below the master limiter\'s ceiling, any partition and a save/reload bit-identical', () => {
    const a = mixFrancium(STEMS, [128]);
    const { integrated, lra, truePeak } = a.loudness;
    console.log(`Francium example mix: integrated ${integrated.toFixed(2)} LUFS, LRA ${lra.toFixed(2)} LU, true peak ${truePeak.toFixed(2)} dBTP, sample peak ${a.samplePeakDb.toFixed(2)} dBFS, latency ${a.mixer.latency} samples`);
    // The master limiter's ceiling is −1 dBTP, on the library's own meter.
    expect(truePeak).toBeLessThanOrEqual(-1);
    expect(a.samplePeakDb).toBeLessThanOrEqual(-1);
    // A plausible mix level for unmastered stems at these faders (the master stage comes later).
    expect(integrated).toBeGreaterThan(-30);
    expect(integrated).toBeLessThan(-10);
    // The session's automation is audible where it was written: the master fade-out (27–30 s)
    // leaves the last second at least 20 dB below the middle of the song.
    const rms = (from: number, to: number) => {
      let s2 = 0;
      for (const ch of a.output) for (let i = from; i < to; i++) s2 += ch[i] * ch[i];
      return 10 * Math.log10(s2 / (2 * (to - from)));
    };
    expect(rms(29 * FS, 30 * FS)).toBeLessThan(rms(14 * FS, 15 * FS) - 20);
    // Another partition (odd sizes up to 1000 frames, 1-frame blocks included), the same mix.
    const b = mixFrancium(STEMS, [1, 1000, 37, 513, 128, 999, 2]);
    expect(identical(a.output, b.output), firstDifference(a.output, b.output)).toBe(true);
    // Saved again (every default written out) and reloaded, it renders the same mix, bit for bit.
    const saved = JSON.parse(JSON.stringify(a.mixer.toJSON()));
    expect(Object.keys(saved.session.automation)).toEqual(Object.keys(JSON.parse(readFileSync(FRANCIUM_SESSION, 'utf8')).session.automation));
    const c = mixFrancium(STEMS, [128], saved);
    expect(identical(a.output, c.output), firstDifference(a.output, c.output)).toBe(true);
  });
});

describe('Mixer: meters', () => {
  it('peak (since the last read), momentary loudness and gain reduction per strip; master loudness', () => {
    const comp = new Compressor({ thresholdDb: -30, ratio: 4 });
    const m = new Mixer({ tracks: [{ name: 'sine', inserts: [comp], faderDb: -6 }, { name: 'quiet', channels: 1 }], buses: [{ name: 'b' }] });
    m.prepare(spec());
    const frames = 48000;
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 997 * i) / FS);
    const out = mix(m, [[x, x.slice()], [new Float32Array(frames)]], frames, [], []);
    const labels = m.meterLabels;
    expect(labels.slice(0, 3)).toEqual(['tracks.sine.peakDb', 'tracks.sine.momentaryLufs', 'tracks.sine.gainReductionDb']);
    const v = new Float64Array(labels.length);
    m.readMeters(v);
    const at = (label: string) => v[labels.indexOf(label)];
    // The peak of what the strip sent: the output's peak (one track, unity elsewhere).
    let peak = 0;
    for (const ch of out) for (const s of ch) peak = Math.max(peak, Math.abs(s));
    expect(at('tracks.sine.peakDb')).toBeCloseTo(20 * Math.log10(peak), 6);
    expect(at('master.peakDb')).toBeCloseTo(20 * Math.log10(peak), 6);
    expect(at('tracks.sine.gainReductionDb')).toBe(comp.gainReductionDb);
    expect(at('tracks.sine.gainReductionDb')).toBeGreaterThan(5);
    expect(at('tracks.quiet.peakDb')).toBe(-Infinity);
    // Momentary loudness of the track's output against measureLoudness of the output (the only track).
    const ref = measureLoudness(out, FS);
    expect(at('tracks.sine.momentaryLufs')).toBeCloseTo(ref.momentary, 2);
    expect(at('master.integratedLufs')).toBeCloseTo(ref.integrated, 2);
    // Peaks restart after a read.
    m.readMeters(v);
    expect(at('tracks.sine.peakDb')).toBe(-Infinity);
  });

  it('metering off: loudness read-outs are NaN, peaks still work, and the output is the same', () => {
    const a = new Mixer({ tracks: [{ name: 't' }] });
    const b = new Mixer({ tracks: [{ name: 't' }], meters: false });
    a.prepare(spec());
    b.prepare(spec());
    const x = [noise(2048, 1, 0.5), noise(2048, 2, 0.5)];
    expect(identical(mix(a, [x], 2048), mix(b, [x], 2048))).toBe(true);
    const v = new Float64Array(b.meterLabels.length);
    b.readMeters(v);
    expect(Number.isNaN(v[1])).toBe(true);
    expect(Number.isFinite(v[0])).toBe(true);
  });

  it('readMeters allocates nothing', async () => {
    const m = new Mixer(realistic());
    m.prepare(spec());
    const inputs = realisticInputs(128);
    const out = [new Float32Array(128), new Float32Array(128)];
    const v = new Float64Array(m.meterLabels.length);
    let k = 0;
    // Read every 8th block (a UI polls at 20–60 Hz, a 128-frame block is 2.7 ms).
    const { report, first } = await measureAllocationSettled(() => {
      m.process(inputs, out, 128);
      if ((++k & 7) === 0) m.readMeters(v);
    }, 20_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });
});

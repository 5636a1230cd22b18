/**
 * The mixer processor in Node, in a stand-in AudioWorkletGlobalScope: its output equals a plain
 * Mixer's bit for bit (one input per track, unconnected inputs silent, a stereo source on a mono
 * track down-mixed), commands apply at the very frame they name, automation arrives in context
 * frames, a bad session or command is posted back (never thrown), meters are posted at the rate
 * asked, and process() allocates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mixer } from '../../src/chains/mixer.js';
import { processorFromJSON } from '../../src/registry.js';
import { registerMixerProcessor, type MixerCommand, type MixerEvent } from '../../src/worklet/mixer-processor.js';
import { ALLOCATION_BLOCKS, allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { firstDifference, identical, multiChannel } from '../support/signals.js';
import { FS, asTrackInput, mixInNode, testInputs, testSession, type Change, type MixerJSON } from './mixer-support.js';

interface FakeProcessor {
  port: { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null; sent: unknown[] };
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

const g = globalThis as unknown as Record<string, unknown>;
const registered = new Map<string, new (options?: object) => FakeProcessor>();

beforeAll(() => {
  g.sampleRate = FS;
  g.currentFrame = 0;
  g.AudioWorkletProcessor = class {
    readonly port = {
      sent: [] as unknown[],
      onmessage: null as ((e: { data: unknown }) => void) | null,
      postMessage(m: unknown) {
        this.sent.push(m);
      },
    };
  };
  g.registerProcessor = (name: string, ctor: new (options?: object) => FakeProcessor) => registered.set(name, ctor);
  registerMixerProcessor();
});

afterAll(() => {
  for (const k of ['sampleRate', 'currentFrame', 'AudioWorkletProcessor', 'registerProcessor']) delete g[k];
});

function make(session: unknown, meterHz = 0, numberOfInputs?: number): FakeProcessor {
  const Ctor = registered.get('masterbus-mixer')!;
  return new Ctor({ processorOptions: { session, meterHz }, numberOfInputs, outputChannelCount: [2] });
}

/**
 * Run `p` over `sources` in 128-frame quanta as a host would (inputs as views of one quantum; an
 * empty source is an unconnected input), from context frame `start`; `before(q)` runs before
 * quantum q (to send commands).
 */
function render(p: FakeProcessor, sources: Float32Array[][], frames: number, start = 0, before?: (q: number) => void): Float32Array[] {
  const out = [new Float32Array(frames), new Float32Array(frames)];
  for (let q = 0; q * 128 < frames; q++) {
    before?.(q);
    const a = q * 128;
    g.currentFrame = start + a;
    const inputs = sources.map((x) => x.map((c) => c.slice(a, a + 128)));
    const o = [new Float32Array(128), new Float32Array(128)];
    p.process(inputs, [o]);
    out[0].set(o[0].subarray(0, Math.min(128, frames - a)), a);
    out[1].set(o[1].subarray(0, Math.min(128, frames - a)), a);
  }
  return out;
}

const send = (p: FakeProcessor, cmd: MixerCommand | unknown) => p.port.onmessage!({ data: cmd });
const errors = (p: FakeProcessor) => (p.port.sent as MixerEvent[]).filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);

describe('mixer worklet processor (stand-in scope)', () => {
  const N = 128 * 40;

  it('announces itself ready with the latency, track count and meter labels of the session', () => {
    const json = testSession();
    const p = make(json);
    const ref = mixerOf(json);
    expect(p.port.sent).toEqual([{ type: 'ready', latency: ref.latency, tracks: 4, labels: ref.meterLabels }]);
    expect(ref.latency).toBeGreaterThan(0); // the limiter's lookahead: delay compensation is exercised
  });

  it('equals a plain Mixer bit for bit (mono, stereo, stereo-on-mono and unconnected inputs)', () => {
    const json = testSession();
    const sources = testInputs(N);
    const out = render(make(json), sources, N);
    const ref = mixInNode(json, sources, N);
    expect(identical(out, ref), firstDifference(out, ref)).toBe(true);
    // Every track and the bus made it to the output: muting any one of them changes it.
    expect(Math.max(...out[0].map(Math.abs))).toBeGreaterThan(0.05);
    for (const track of ['kick', 'keys', 'vox']) {
      const muted = mixInNode(json, sources, N, [{ frame: 0, apply: (m) => m.setTrack(track, { mute: true }) }]);
      expect(identical(out, muted), track).toBe(false);
    }
  });

  it('down-mixes a stereo source on a mono track to 0.5·(L + R) (closed form: one track, 0 dB pan law, no inserts)', () => {
    const json = new Mixer({ tracks: [{ name: 'm', channels: 1, panLaw: '0dB' }], meters: false }).toJSON();
    const x = multiChannel(2, 512, 5);
    const out = render(make(json), [x], 512);
    for (let i = 0; i < 512; i++) {
      const want = Math.fround(0.5 * (x[0][i] + x[1][i]));
      expect(out[0][i], `L ${i}`).toBe(want);
      expect(out[1][i], `R ${i}`).toBe(want);
    }
    // A mono source on it passes as is; fewer inputs than tracks, and empty inputs, are silence.
    const mono = render(make(json), [[x[0]]], 512);
    expect(Array.from(mono[1])).toEqual(Array.from(x[0]));
    expect(render(make(json), [], 512)[0].every((v) => v === 0)).toBe(true);
    expect(render(make(json), [[]], 512)[1].every((v) => v === 0)).toBe(true);
  });

  it('applies commands at the very frame they name (mid-quantum, on a quantum boundary, several in one quantum, late ones at the next quantum)', () => {
    const json = testSession();
    const sources = testInputs(N);
    const cmds: MixerCommand[] = [
      { type: 'setTrack', track: 'vox', options: { solo: true }, frame: 1000 },
      { type: 'setBus', bus: 'verb', options: { faderDb: -8 }, frame: 1030 },
      { type: 'setTrack', track: 1, options: { pan: 0.5, sendLevelsDb: [-20] }, frame: 1030 },
      { type: 'setMaster', options: { faderDb: -2 }, frame: 128 * 20 },
      { type: 'setTrack', track: 'vox', options: { solo: false }, frame: 128 * 30 + 77 },
    ];
    const p = make(json);
    // All sent ahead, in scrambled order (the queue orders them by frame, keeping the order of equal frames).
    for (const c of [cmds[4], cmds[0], cmds[1], cmds[3], cmds[2]]) send(p, c);
    // A command without a frame, sent before quantum 35, applies at its start; one whose frame has
    // passed (sent before quantum 36 for frame 100) too.
    const out = render(p, sources, N, 0, (q) => {
      if (q === 35) send(p, { type: 'setTrack', track: 'kick', options: { faderDb: -6 } });
      if (q === 36) send(p, { type: 'setTrack', track: 'keys', options: { mute: true }, frame: 100 });
    });
    expect(errors(p)).toEqual([]);
    const changes: Change[] = [
      { frame: 1000, apply: (m) => m.setTrack('vox', { solo: true }) },
      { frame: 1030, apply: (m) => (m.setTrack(1, { pan: 0.5, sendLevelsDb: [-20] }), m.setBus('verb', { faderDb: -8 })) },
      { frame: 128 * 20, apply: (m) => m.setMaster({ faderDb: -2 }) },
      { frame: 128 * 30 + 77, apply: (m) => m.setTrack('vox', { solo: false }) },
      { frame: 128 * 35, apply: (m) => m.setTrack('kick', { faderDb: -6 }) },
      { frame: 128 * 36, apply: (m) => m.setTrack('keys', { mute: true }) },
    ];
    const ref = mixInNode(json, sources, N, changes);
    expect(identical(out, ref), firstDifference(out, ref)).toBe(true);
    // One frame off is not the same (the test can fail).
    const off = mixInNode(json, sources, N, changes.map((c, i) => (i === 0 ? { ...c, frame: 1001 } : c)));
    expect(identical(out, off)).toBe(false);
  });

  it('automation events arrive in context frames (the node started at frame 12 800), and reset restarts the clock at its frame', () => {
    const json = testSession();
    const sources = testInputs(N);
    const start = 12_800;
    const p = make(json);
    send(p, { type: 'automate', path: 'tracks.keys.faderDb', event: { kind: 'set', value: -3, frame: start + 256 } });
    send(p, { type: 'automate', path: 'tracks.keys.faderDb', event: { kind: 'linear', value: -30, frame: start + 3000 } });
    send(p, { type: 'automate', path: 'tracks.kick.pan', event: { kind: 'set', value: -1, frame: 0 } }); // before the start: at it
    send(p, { type: 'automate', path: 'tracks.kick.pan', event: { kind: 'linear', value: 1, frame: start + 4000 } });
    send(p, { type: 'automate', path: 'master.faderDb', event: { kind: 'target', value: -6, frame: start + 500, timeConstant: 480 } });
    send(p, { type: 'automate', path: 'master.faderDb', event: { kind: 'cancel', frame: start + 400 } }); // removes the target
    send(p, { type: 'automate', path: 'buses.verb.pan', event: { kind: 'exponential', value: 0.5, frame: start + 1000 } }); // from 0: posts an error
    const out = render(p, sources, N, start);
    expect(errors(p)).toHaveLength(1);
    expect(errors(p)[0]).toMatch(/RangeError: Mixer\.buses\[0\]\.pan: an exponential ramp needs non-zero values/);
    const ref = mixInNode(json, sources, N, [], {
      'tracks.keys.faderDb': [
        { kind: 'set', value: -3, frame: 256 },
        { kind: 'linear', value: -30, frame: 3000 },
      ],
      'tracks.kick.pan': [
        { kind: 'set', value: -1, frame: 0 },
        { kind: 'linear', value: 1, frame: 4000 },
      ],
    });
    expect(identical(out, ref), firstDifference(out, ref)).toBe(true);

    // reset at a mid-quantum frame: from there on the output is a fresh mixer's (same automation, from 0).
    const q = make(json);
    send(q, { type: 'reset', frame: 1000 });
    const r = render(q, sources, N);
    const fresh = mixInNode(
      json,
      sources.map((x) => x.map((c) => c.subarray(1000))),
      N - 1000,
    );
    const tail = r.map((c) => c.subarray(1000));
    expect(identical(tail, fresh), firstDifference(tail, fresh)).toBe(true);
  });

  it('a session that cannot be built posts a fatal error and outputs silence; bad commands post errors and change nothing', () => {
    const bad = testSession();
    (bad.session.tracks as { inserts: unknown[] }[])[0].inserts = [{ type: 'Compresor', params: {} }];
    const p = make(bad);
    expect(p.port.sent).toHaveLength(1);
    expect(p.port.sent[0]).toMatchObject({ type: 'error', fatal: true });
    expect(errors(p)[0]).toMatch(/unknown processor type "Compresor"/);
    const out = render(p, testInputs(256), 256);
    expect(out[0].every((v) => v === 0) && out[1].every((v) => v === 0)).toBe(true);
    expect(make({ type: 'Mixer', version: 99, session: { tracks: [] } }).port.sent[0]).toMatchObject({ type: 'error', fatal: true, message: expect.stringMatching(/version 99 is not supported/) });
    expect(make(undefined).port.sent[0]).toMatchObject({ type: 'error', fatal: true });

    const json = testSession();
    const sources = testInputs(N);
    const q = make(json, 0, 3);
    expect(errors(q)).toEqual(['masterbus mixer: the node has 3 inputs for 4 tracks (give it numberOfInputs = 4; missing inputs are silence)']);
    for (const c of [
      null,
      { type: 'nope' },
      { type: 'setTrack', track: 'bass', options: { faderDb: -3 } },
      { type: 'setTrack', track: 'vox', options: { faderDb: 40 }, frame: 300 },
      { type: 'setTrack', track: 'vox', options: { faderDb: -3 }, frame: -1 },
      { type: 'setBus', bus: 'verb', options: { colour: 1 } },
      { type: 'automate', path: 'tracks.vox.volume', event: { kind: 'set', value: 0, frame: 0 } },
      { type: 'automate', path: 'tracks.vox.pan', event: { kind: 'jump', value: 0, frame: 0 } },
    ]) {
      send(q, c);
    }
    const out2 = render(q, sources, N);
    const msgs = errors(q).slice(1);
    expect(msgs).toHaveLength(8);
    expect(msgs[0]).toMatch(/a command must be an object, got null/);
    expect(msgs[1]).toMatch(/frame must be a finite number ≥ 0, got -1/);
    expect(msgs.join('\n')).toMatch(/unknown command type "nope"/);
    expect(msgs.join('\n')).toMatch(/no track "bass"/);
    expect(msgs.join('\n')).toMatch(/RangeError: Mixer\.tracks\[2\]\.faderDb must be in \[-120, 12\] dB, got 40/);
    expect(msgs.join('\n')).toMatch(/unknown event kind "jump"/);
    const ref = mixInNode(json, sources, N);
    expect(identical(out2, ref), firstDifference(out2, ref)).toBe(true);
  });

  it('posts meters every round(fs / 128 / meterHz) quanta, equal to the Node mixer\'s read-outs at the same frames', () => {
    const json = testSession();
    const sources = testInputs(N);
    const p = make(json, 20);
    render(p, sources, N, 0);
    const posts = (p.port.sent as MixerEvent[]).filter((m) => m.type === 'meters') as Extract<MixerEvent, { type: 'meters' }>[];
    expect(posts.length).toBe(Math.floor(40 / 19));
    const ref = mixerOf(json);
    const values = new Float64Array(ref.meterLabels.length);
    const inputs = sources.map((x, t) => asTrackInput(x, (json.session.tracks as { channels: number }[])[t].channels));
    const o = [new Float32Array(N), new Float32Array(N)];
    let done = 0;
    for (const post of posts) {
      ref.process(
        inputs.map((x) => x.map((c) => c.subarray(done, post.frame))),
        o.map((c) => c.subarray(done, post.frame)),
      );
      done = post.frame;
      ref.readMeters(values, 0);
      expect(post.frame % (19 * 128)).toBe(0);
      expect(Array.from(post.values)).toEqual(Array.from(values));
    }
    const labels = ref.meterLabels;
    const kickGr = posts[1].values[labels.indexOf('tracks.kick.gainReductionDb')];
    expect(kickGr).toBeGreaterThan(0);
  });

  it(`allocates nothing in process() (${ALLOCATION_BLOCKS} quanta, 4 tracks, no meter posts, a command waiting in the queue)`, async () => {
    const p = make(testSession());
    send(p, { type: 'setTrack', track: 'kick', options: { faderDb: -1 }, frame: 1e12 });
    const sources = testInputs(128).map((x) => x.map((c) => c.slice()));
    const out = [new Float32Array(128), new Float32Array(128)];
    const outputs = [out];
    const { report, first } = await measureAllocationSettled(() => {
      p.process(sources, outputs);
    }, ALLOCATION_BLOCKS);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });
});

function mixerOf(json: MixerJSON): Mixer {
  const m = Mixer.fromJSON(json, (j) => processorFromJSON(j));
  m.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
  return m;
}

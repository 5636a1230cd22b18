/**
 * createMixerNode on the main thread, against a stand-in AudioWorkletNode: the node it asks for
 * (one input per track, stereo out, inputs clamped to 2 channels), commands with times turned
 * into frames, automation events, meters by label, ready, sync and errors; and its typings.
 */
import { describe, expect, it } from 'vitest';
import { Mixer } from '../../src/chains/mixer.js';
import { createMixerNode, type WorkletContextLike, type WorkletNodeLike } from '../../src/worklet/index.js';

class FakeNode implements WorkletNodeLike {
  static last: FakeNode | undefined;
  readonly port = { sent: [] as unknown[], postMessage: (m: unknown) => void this.port.sent.push(m), onmessage: null as ((e: { data: unknown }) => void) | null };
  onprocessorerror: ((event: unknown) => void) | null = null;
  constructor(
    readonly context: never,
    readonly name: string,
    readonly options: Record<string, unknown>,
  ) {
    FakeNode.last = this;
  }
  /** A message from the processor. */
  reply(data: unknown): void {
    this.port.onmessage!({ data });
  }
}

const loaded: string[] = [];
const context: WorkletContextLike = { sampleRate: 48000, audioWorklet: { addModule: async (url) => void loaded.push(url) } };
const session = () => new Mixer({ tracks: [{ name: 'a', channels: 1 }, { name: 'b' }, { name: 'c' }], buses: [{ name: 'fx' }] });

describe('createMixerNode', () => {
  it('loads the module and creates the node: one input per track, stereo out, inputs clamped to 2 channels, the session as JSON', async () => {
    const s = session();
    const mix = await createMixerNode(context, s, { AudioWorkletNode: FakeNode, moduleUrl: '/m.js', meterHz: 10 });
    expect(loaded).toContain('/m.js');
    const node: FakeNode = mix.node;
    expect(node.name).toBe('masterbus-mixer');
    expect(node.options).toEqual({
      numberOfInputs: 3,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'clamped-max',
      channelInterpretation: 'speakers',
      processorOptions: { session: s.toJSON(), meterHz: 10 },
    });
    expect(mix.tracks).toBe(3);
    // The JSON is accepted as well, and a moduleLoaded node does not load again.
    const n = loaded.length;
    await createMixerNode(context, s.toJSON(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js', moduleLoaded: true });
    expect(loaded.length).toBe(n);
    await expect(createMixerNode(context, { tracks: [] } as never, { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' })).rejects.toThrow(TypeError);
  });

  it('sends commands with their times as context frames (seconds rounded to the nearest frame, or { frame })', async () => {
    const mix = await createMixerNode(context, session(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' });
    const sent = (mix.node as FakeNode).port.sent;
    mix.setTrack('a', { faderDb: -3, solo: true }, 1.5);
    mix.setTrack(2, { sendLevelsDb: [] });
    mix.setBus('fx', { mute: true }, { frame: 1000 });
    mix.setMaster({ faderDb: -1 }, 0.00001); // 0.48 frames: frame 0
    mix.reset({ frame: 7 });
    mix.automate('tracks.b.pan').setValue(-1, 0).linearRamp(1, 2).exponentialRamp(0.5, { frame: 100_000 }).setTarget(0, 3, 0.01).setTarget(0, 4, { frames: 5 }).cancel(3.5);
    expect(sent).toEqual([
      { type: 'setTrack', track: 'a', options: { faderDb: -3, solo: true }, frame: 72000 },
      { type: 'setTrack', track: 2, options: { sendLevelsDb: [] } },
      { type: 'setBus', bus: 'fx', options: { mute: true }, frame: 1000 },
      { type: 'setMaster', options: { faderDb: -1 }, frame: 0 },
      { type: 'reset', frame: 7 },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'set', value: -1, frame: 0 } },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'linear', value: 1, frame: 96000 } },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'exponential', value: 0.5, frame: 100000 } },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'target', value: 0, frame: 144000, timeConstant: 480 } },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'target', value: 0, frame: 192000, timeConstant: 5 } },
      { type: 'automate', path: 'tracks.b.pan', event: { kind: 'cancel', frame: 168000 } },
    ]);
    expect(() => mix.setTrack('a', { mute: true }, -1)).toThrow(/setTrack: the time must be seconds ≥ 0 or \{ frame ≥ 0 \}, got -1/);
    expect(() => mix.automate('master.faderDb').setValue(0, { frame: Number.NaN })).toThrow(RangeError);
  });

  it('resolves ready, hands meters over by label, answers sync, reports errors; a fatal error rejects ready', async () => {
    const mix = await createMixerNode(context, session(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' });
    const node = mix.node as FakeNode;
    node.reply({ type: 'ready', latency: 0, tracks: 3, labels: ['tracks.a.peakDb', 'master.peakDb'] });
    expect(await mix.ready).toEqual({ latency: 0, tracks: 3, labels: ['tracks.a.peakDb', 'master.peakDb'] });
    const got: unknown[] = [];
    mix.onmeters = (m, frame) => got.push([m, frame]);
    node.reply({ type: 'meters', frame: 2432, values: Float64Array.of(-6, -Infinity) });
    expect(got).toEqual([[{ 'tracks.a.peakDb': -6, 'master.peakDb': -Infinity }, 2432]]);
    const errors: string[] = [];
    mix.onerror = (m) => errors.push(m);
    node.reply({ type: 'error', message: 'RangeError: x' });
    expect(errors).toEqual(['RangeError: x']);
    let synced = false;
    const s = mix.sync().then(() => (synced = true));
    const last = node.port.sent.at(-1) as { type: string; id: number };
    expect(last.type).toBe('sync');
    expect(synced).toBe(false);
    node.reply({ type: 'synced', id: last.id });
    await s;
    expect(synced).toBe(true);

    const bad = await createMixerNode(context, session(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' });
    (bad.node as FakeNode).reply({ type: 'error', message: 'TypeError: unknown processor type "X"', fatal: true });
    await expect(bad.ready).rejects.toThrow(/the mixer could not be built: TypeError: unknown processor type "X"/);
    const thrown = await createMixerNode(context, session(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' });
    (thrown.node as FakeNode).onprocessorerror!({ message: 'boom' });
    await expect(thrown.ready).rejects.toThrow(/processorerror: boom/);
  });

  it('is typed: setTrack/setBus options are the Mixer\'s', async () => {
    const mix = await createMixerNode(context, session(), { AudioWorkletNode: FakeNode, moduleUrl: '/m.js' });
    mix.setTrack('a', { panLaw: '-6dB', invertPolarity: true });
    // @ts-expect-error: a misspelt option
    mix.setTrack('a', { faderDB: -3 });
    // @ts-expect-error: a bus has no trim
    mix.setBus('fx', { trimDb: 3 });
    // @ts-expect-error: a string where a number is wanted
    mix.setMaster({ faderDb: '-3' });
    expect(mix.tracks).toBe(3);
  });
});

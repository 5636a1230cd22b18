/**
 * A whole mix in one AudioWorkletNode, in headless Chromium (Debian's chromium driven by
 * playwright-core): four tracks (a compressor, an EQ, a saturator; one track never connected; a
 * stereo source on a mono track), an aux bus fed by sends, a limiter on the master; a fader ramp
 * and a pan ramp as automation, and a solo switched on at a mid-quantum frame by a frame-stamped
 * command. The rendered samples must equal the same session mixed by Node's Mixer with the same
 * changes at the same frames, bit for bit. Without Chromium the file is skipped with a message
 * (REQUIRE_BROWSER=1, as in CI, makes that a failure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationEvent } from '../../src/chains/mixer.js';
import { FS, mixInNode, testInputs, testSession, type MixerJSON } from './mixer-support.js';
import { b64ToF32, chromiumFor, f32ToB64, maxAbsDiff, openWorkletPage } from './support.js';

const { path: CHROMIUM, available: haveChromium } = chromiumFor('mixer.browser');

type Page = import('playwright-core').Page;

interface Plan {
  automation: Record<string, AutomationEvent[]>;
  solo?: { track: string; frame: number };
}

interface RenderResult {
  out: string[];
  errors: string[];
  ready: { latency: number; tracks: number; labels: string[] };
  meters: number;
  lastMeters: Record<string, number> | null;
}

/** Render in the page: createMixerNode (dist/worklet.js) and the prebuilt module, one buffer source per connected track. */
async function renderInPage(page: Page, session: MixerJSON, sources: Float32Array[][], frames: number, plan: Plan): Promise<RenderResult> {
  return page.evaluate(
    async ({ session, srcB64, frames, sampleRate, plan }) => {
      const dec = (s: string) => {
        const bin = atob(s);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        return new Float32Array(bytes.buffer);
      };
      const enc = (x: Float32Array) => {
        const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(bin);
      };
      const { createMixerNode } = (window as unknown as { masterbusWorklet: typeof import('../../src/worklet/index.js') }).masterbusWorklet;
      const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate });
      const mix = await createMixerNode(ctx, session, { moduleUrl: '/masterbus-worklet.js', meterHz: 20 });
      const errors: string[] = [];
      let meters = 0;
      let lastMeters: Record<string, number> | null = null;
      mix.onerror = (msg) => errors.push(msg);
      mix.onmeters = (m) => {
        meters++;
        lastMeters = m;
      };
      srcB64.forEach((chans, t) => {
        if (chans.length === 0) return; // left unconnected
        const data = chans.map(dec);
        const buffer = ctx.createBuffer(data.length, frames, sampleRate);
        data.forEach((d, c) => buffer.copyToChannel(d, c));
        const src = new AudioBufferSourceNode(ctx, { buffer });
        src.connect(mix.node as unknown as AudioNode, 0, t);
        src.start();
      });
      (mix.node as unknown as AudioNode).connect(ctx.destination);
      const ready = await mix.ready;
      for (const [path, events] of Object.entries(plan.automation)) {
        const lane = mix.automate(path);
        for (const e of events) {
          if (e.kind === 'set') lane.setValue(e.value, { frame: e.frame });
          else if (e.kind === 'linear') lane.linearRamp(e.value, { frame: e.frame });
          else if (e.kind === 'exponential') lane.exponentialRamp(e.value, { frame: e.frame });
          else lane.setTarget(e.value, { frame: e.frame }, { frames: e.timeConstant! });
        }
      }
      if (plan.solo) mix.setTrack(plan.solo.track, { solo: true }, { frame: plan.solo.frame });
      await mix.sync();
      const rendered = await ctx.startRendering();
      await new Promise((r) => setTimeout(r, 300)); // let the queued meter messages arrive
      const out: string[] = [];
      for (let c = 0; c < rendered.numberOfChannels; c++) out.push(enc(rendered.getChannelData(c)));
      return { out, errors, ready, meters, lastMeters };
    },
    { session, srcB64: sources.map((x) => x.map(f32ToB64)), frames, sampleRate: FS, plan },
  );
}

describe.skipIf(!haveChromium)('Mixer in one AudioWorkletNode, headless Chromium', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ page, close } = await openWorkletPage(CHROMIUM, 'masterbus mixer worklet test'));
  }, 60_000);

  afterAll(async () => {
    await close?.();
  });

  it('renders 4 tracks, a send bus, a fader ramp, a pan ramp and a mid-render solo exactly as Node\'s Mixer does (1 s)', async () => {
    const frames = FS;
    const session = testSession();
    const sources = testInputs(frames);
    const plan: Plan = {
      automation: {
        'tracks.keys.faderDb': [
          { kind: 'set', value: -3, frame: 4800 },
          { kind: 'linear', value: -24, frame: 30_000 },
        ],
        'tracks.kick.pan': [
          { kind: 'set', value: -1, frame: 0 },
          { kind: 'linear', value: 1, frame: 40_000 },
        ],
      },
      // Mid-quantum: 187 quanta and 77 frames.
      solo: { track: 'vox', frame: 128 * 187 + 77 },
    };
    const r = await renderInPage(page, session, sources, frames, plan);
    expect(r.errors).toEqual([]);
    const out = r.out.map(b64ToF32);
    const ref = mixInNode(session, sources, frames, [{ frame: plan.solo!.frame, apply: (m) => m.setTrack('vox', { solo: true }) }], plan.automation);
    const diff = maxAbsDiff(out, ref);
    console.log(`Chromium mixer worklet vs Node Mixer: max abs diff ${diff} over ${frames} frames × 2 channels (latency ${r.ready.latency})`);
    expect(diff).toBe(0);
    expect(r.ready.tracks).toBe(4);
    // The changes did something: without the solo, or without the automation, the output differs.
    const noSolo = mixInNode(session, sources, frames, [], plan.automation);
    const noAutomation = mixInNode(session, sources, frames, [{ frame: plan.solo!.frame, apply: (m) => m.setTrack('vox', { solo: true }) }]);
    expect(maxAbsDiff(out, noSolo)).toBeGreaterThan(0.01);
    expect(maxAbsDiff(out, noAutomation)).toBeGreaterThan(0.01);
    // …and the solo starts at its frame (one frame earlier is not the same).
    const early = mixInNode(session, sources, frames, [{ frame: plan.solo!.frame - 1, apply: (m) => m.setTrack('vox', { solo: true }) }], plan.automation);
    expect(maxAbsDiff(out, early)).toBeGreaterThan(0);
    // Meters came through, by label: about 20 a second.
    expect(r.meters).toBeGreaterThanOrEqual(15);
    expect(r.meters).toBeLessThanOrEqual(25);
    expect(r.lastMeters?.['tracks.kick.gainReductionDb']).toBeGreaterThanOrEqual(0);
    expect(r.lastMeters?.['master.momentaryLufs']).toBeLessThan(0);
  }, 60_000);

  it('a session that cannot be built rejects ready and reports the error', async () => {
    const session = testSession();
    (session.session.tracks as { inserts: unknown[] }[])[1].inserts = [{ type: 'Equaliser', params: {} }];
    const message = await page.evaluate(async (session) => {
      const { createMixerNode } = (window as unknown as { masterbusWorklet: typeof import('../../src/worklet/index.js') }).masterbusWorklet;
      const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 1280, sampleRate: 48000 });
      const mix = await createMixerNode(ctx, session, { moduleUrl: '/masterbus-worklet.js' });
      return mix.ready.then(
        () => 'resolved',
        (e: Error) => e.message,
      );
    }, session);
    expect(message).toMatch(/the mixer could not be built: .*unknown processor type "Equaliser"/);
  }, 60_000);
});

/**
 * Helpers for the AudioWorklet tests: a local static server, base64 transport of float32 audio
 * for page.evaluate, the shared chain and its reference run in Node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ProcessorJSON } from '../../src/core/processor.js';
import { processorFromJSON } from '../../src/registry.js';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built worklet module (npm test builds first). */
export const BUNDLE = `${ROOT}dist/masterbus-worklet.js`;

export function bundleText(): string {
  return readFileSync(BUNDLE, 'utf8');
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };

/** Serve `files` (path → body) on 127.0.0.1 at a free port. */
export async function serve(files: Record<string, string | Buffer>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const ext = path.includes('.') ? path.slice(path.lastIndexOf('.')) : '.html';
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export function f32ToB64(x: Float32Array): string {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
}

export function b64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Every processor class once, in a mastering-like order. */
export function testChain(): ProcessorJSON[] {
  return [
    { type: 'BiquadFilter', params: { type: 'highpass', frequencyHz: 40 } },
    { type: 'ParametricEQ', params: { bands: [{ type: 'peaking', frequencyHz: 400, gainDb: -3, q: 1 }, { type: 'highshelf', frequencyHz: 8000, gainDb: 2 }] } },
    { type: 'Compressor', params: { thresholdDb: -20, ratio: 3, attackMs: 5, releaseMs: 80 } },
    { type: 'Saturator', params: { curve: 'tape', driveDb: 6, mix: 0.5, oversampling: 2 } },
    { type: 'StereoWidener', params: { width: 1.2, bassMonoHz: 120 } },
    { type: 'Chorus', params: { voices: 2, mix: 0.2, feedback: 0.3 } },
    { type: 'Panner', params: { input: 'stereo', pan: 0.1 } },
    { type: 'Limiter', params: { ceilingDb: -1, driveDb: 6 } },
    { type: 'LoudnessMeter', params: {} },
  ];
}

/**
 * Run `chain` in Node over `input` in 128-frame blocks, applying `changes` (index, params) before
 * the block that starts at their frame; returns the output and the read-outs after every block
 * (keyed by the frame after the block).
 */
export function runInNode(
  chain: ProcessorJSON[],
  input: Float32Array[],
  sampleRate: number,
  changes: { frame: number; index: number; params: Record<string, unknown> }[] = [],
): { output: Float32Array[]; meters: Map<number, (Record<string, number> | null)[]> } {
  const procs = chain.map((j) => processorFromJSON(j));
  for (const p of procs) p.prepare({ sampleRate, maxBlockSize: 128, channels: input.length });
  const output = input.map((c) => c.slice());
  const meters = new Map<number, (Record<string, number> | null)[]>();
  for (let pos = 0; pos < output[0].length; pos += 128) {
    for (const ch of changes) if (ch.frame === pos) procs[ch.index].set(ch.params);
    const views = output.map((c) => c.subarray(pos, pos + 128));
    for (const p of procs) p.process(views, 128);
    meters.set(
      pos + 128,
      procs.map((p) => {
        if (p.meterNames.length === 0) return null;
        const values = new Float64Array(p.meterNames.length);
        p.readMeters(values, 0);
        return Object.fromEntries(p.meterNames.map((k, i) => [k, values[i]]));
      }),
    );
  }
  return { output, meters };
}

export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c].length; i++) m = Math.max(m, Math.abs(a[c][i] - b[c][i]));
  return m;
}

/**
 * The Chromium the browser tests drive (CHROMIUM_PATH, default /usr/bin/chromium), and whether it
 * is there. Missing: a warning that says the file is skipped, or, with REQUIRE_BROWSER=1 (CI), an
 * error, so the browser tests are never passed silently.
 */
export function chromiumFor(label: string): { path: string; available: boolean } {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const available = existsSync(path);
  if (!available && process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but ${path} was not found (apt-get install -y chromium)`);
  if (!available) console.warn(`[${label}] SKIPPED: ${path} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return { path, available };
}

/**
 * Headless Chromium on a page that serves the prebuilt worklet module (`/masterbus-worklet.js`)
 * and exposes `masterbus/worklet` as `window.masterbusWorklet`. Call `close()` when done.
 */
export async function openWorkletPage(chromiumPath: string, title: string): Promise<{ page: import('playwright-core').Page; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const server = await serve({
    '/': `<!doctype html><title>${title}</title><script type="module">import * as w from "/worklet.js"; window.masterbusWorklet = w;</script>`,
    '/masterbus-worklet.js': bundleText(),
    '/worklet.js': readFileSync(`${ROOT}dist/worklet.js`, 'utf8'),
  });
  let browser: import('playwright-core').Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-gpu'] });
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'masterbusWorklet' in window);
    const b = browser;
    return { page, close: async () => { await b.close(); await server.close(); } };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}

/** A worklet processor as the stand-in scope below builds it. */
export interface FakeProcessor {
  port: { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null; sent: unknown[] };
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

/**
 * A stand-in AudioWorkletGlobalScope for tests in Node: `sampleRate` 48000, `currentFrame`,
 * `AudioWorkletProcessor` (whose port records what is posted) and `registerProcessor`, installed
 * before the file's tests and removed after them. Returns the processors registered, by name.
 */
export function useFakeWorkletScope(): Map<string, new (options?: object) => FakeProcessor> {
  const g = globalThis as unknown as Record<string, unknown>;
  const registered = new Map<string, new (options?: object) => FakeProcessor>();
  beforeAll(() => {
    g.sampleRate = 48000;
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
  });
  afterAll(() => {
    for (const k of ['sampleRate', 'currentFrame', 'AudioWorkletProcessor', 'registerProcessor']) delete g[k];
  });
  return registered;
}

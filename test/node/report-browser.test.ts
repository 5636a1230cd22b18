/**
 * The HTML report in a real browser (headless Chromium through playwright-core, opened from a
 * file:// URL beside its two audio files, as a user opens it): no console error and no page error,
 * every plot's SVG laid out with a non-zero box, no horizontal overflow on a laptop screen, the two
 * players load their files through the relative hrefs, and dark mode recolours page and plots.
 * Takes a full-page screenshot: into docs/images/cli-report.png with UPDATE_SCREENSHOTS=1 (of the
 * Francium mix when ../shared/stems/francium is there), else into a temporary folder.
 * Without Chromium the file is skipped with a message (REQUIRE_BROWSER=1 makes that a failure).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { master } from '../../src/index.js';
import { fileHref, renderReportHtml } from '../../src/node/report/index.js';
import type { ReportInput } from '../../src/node/report/types.js';
import { readWav } from '../support/wav.js';
import { chromiumFor } from '../worklet/support.js';
import { FS, FULL_CHAIN, reportFixture } from './report-support.js';

const { path: CHROMIUM, available: haveChromium } = chromiumFor('report-browser');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STEMS = fileURLToPath(new URL('../../../shared/stems/francium/', import.meta.url));
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

/** A 16-bit PCM WAV (RIFF/WAVE, format 1) of the given channels, for the players. */
function pcm16Wav(channels: readonly Float32Array[], rate: number): Buffer {
  const n = channels[0].length;
  const c = channels.length;
  const b = Buffer.alloc(44 + 2 * n * c);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + 2 * n * c, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(c, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2 * c, 28);
  b.writeUInt16LE(2 * c, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(2 * n * c, 40);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(channels[k][i] * 32767))), 44 + 2 * (i * c + k));
  return b;
}

/** The report of the Francium mix (the nine stems summed) when they are there, with its audio; else `undefined`. */
async function franciumReport(): Promise<{ input: ReportInput; before: Float32Array[]; after: Float32Array[] } | undefined> {
  const files = existsSync(STEMS) ? readdirSync(STEMS).filter((f) => f.endsWith('.wav')) : [];
  if (files.length === 0) return undefined;
  let mix: Float32Array[] | undefined;
  for (const f of files) {
    const w = readWav(join(STEMS, f));
    mix ??= w.channels.map((ch) => new Float32Array(ch.length));
    for (let c = 0; c < mix.length; c++) for (let i = 0; i < mix[c].length; i++) mix[c][i] += w.channels[c][i];
  }
  const { audio, report } = await master(mix!, FS, { preset: 'streaming', chain: FULL_CHAIN });
  const input: ReportInput = {
    title: 'Francium (excerpt, 30 s)',
    sampleRate: FS,
    report,
    input: { name: 'francium-mix.wav', href: fileHref('francium mix.wav'), description: 'The nine stems summed at unity gain · WAV PCM 16-bit, 48 kHz, stereo' },
    output: { name: 'francium-master.wav', href: fileHref('francium-master.wav'), description: 'Mastered for streaming · WAV PCM 16-bit, 48 kHz, stereo' },
    generated: '2026-12-02',
  };
  return { input, before: mix!, after: audio };
}

describe.skipIf(!haveChromium)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  let url: string;
  let html: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'masterbus-report-browser-'));
    const francium = UPDATE ? await franciumReport() : undefined;
    let input: ReportInput;
    if (francium) {
      input = francium.input;
      writeFileSync(join(dir, 'francium mix.wav'), pcm16Wav(francium.before, FS));
      writeFileSync(join(dir, 'francium-master.wav'), pcm16Wav(francium.after, FS));
    } else {
      const base = await reportFixture('full');
      // Names that need escaping and encoding, and files the players must find through them.
      input = { ...base, input: { name: '<script>alert(1)</script>.wav', href: fileHref('in #1 <x>.wav'), description: 'WAV PCM 16-bit, 48 kHz, stereo' }, output: { name: 'master.wav', href: fileHref('master.wav') } };
      const tone = Float32Array.from({ length: FS }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 440 * i) / FS));
      writeFileSync(join(dir, 'in #1 <x>.wav'), pcm16Wav([tone, tone], FS));
      writeFileSync(join(dir, 'master.wav'), pcm16Wav([tone, tone], FS));
    }
    html = await renderReportHtml(input);
    writeFileSync(join(dir, 'report.html'), html);
    url = pathToFileURL(join(dir, 'report.html')).href;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Open the report; collects console errors and page errors. */
  async function open(colorScheme: 'light' | 'dark', width = 1280): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(url);
    return { page, errors };
  }

  it('loads without errors; every plot has a box; nothing overflows a laptop screen; the players load their files', async () => {
    const { page, errors } = await open('light');
    const boxes = await page.$$eval('figure.plot svg', (svgs) => svgs.map((s) => s.getBoundingClientRect()).map((r) => ({ w: r.width, h: r.height })));
    expect(boxes.length).toBeGreaterThanOrEqual(4);
    for (const b of boxes) {
      expect(b.w).toBeGreaterThan(100);
      expect(b.h).toBeGreaterThan(50);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    expect(await page.$$eval('script', (s) => s.length)).toBe(0);
    expect(await page.$$eval('table.summary tbody tr', (r) => r.length)).toBe(7);
    // Both players find their audio through the relative, percent-encoded hrefs.
    const durations = await page.$$eval('audio', (els) =>
      Promise.all(
        (els as HTMLAudioElement[]).map(
          (a) =>
            new Promise<number>((resolve) => {
              if (a.readyState >= 1) resolve(a.duration);
              else {
                a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
                a.addEventListener('error', () => resolve(-1), { once: true });
                a.load();
              }
            }),
        ),
      ),
    );
    expect(durations).toHaveLength(2);
    for (const d of durations) expect(d).toBeGreaterThan(0.5);
    if (!UPDATE) expect(await page.textContent('.player.before figcaption')).toBe('Before <script>alert(1)</script>.wav');
    const shot = UPDATE ? join(ROOT, 'docs/images/cli-report.png') : join(dir, 'cli-report.png');
    mkdirSync(join(shot, '..'), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('dark mode recolours the page and the plots’ text', async () => {
    const light = await open('light');
    const dark = await open('dark');
    const read = (p: Page) =>
      p.evaluate(() => ({
        bg: getComputedStyle(document.body).backgroundColor,
        axis: getComputedStyle(document.querySelector('figure.plot svg .role-axis-label text')!).fill,
      }));
    const l = await read(light.page);
    const d = await read(dark.page);
    const lum = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(lum(l.bg)).toBeGreaterThan(200);
    expect(lum(d.bg)).toBeLessThan(60);
    expect(lum(d.axis)).toBeGreaterThan(lum(l.axis) + 80);
    expect([...light.errors, ...dark.errors]).toEqual([]);
    if (UPDATE) await dark.page.screenshot({ path: join(dir, 'cli-report-dark.png'), fullPage: true });
    await light.page.close();
    await dark.page.close();
  }, 60_000);

  it('fits a phone-width window without horizontal scrolling of the page', async () => {
    const { page, errors } = await open('light', 420);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

/**
 * Smoke test of the example page (docs/examples/worklet, served by `npm run example`'s server):
 * in headless Chromium it loads, plays the built-in loop through the worklet chain with a real
 * AudioContext, and shows loudness and gain-reduction values. SAVE_SCREENSHOT=1 writes
 * docs/examples/worklet/screenshot.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, chromiumFor } from './support.js';

const { path: CHROMIUM, available: haveChromium } = chromiumFor('example-page.browser');

describe.skipIf(!haveChromium)('example page in headless Chromium', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let browser: import('playwright-core').Browser | undefined;

  beforeAll(async () => {
    server = spawn(process.execPath, [`${ROOT}scripts/serve-examples.mjs`], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      let text = '';
      server!.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(text);
        if (m) resolve(m[1]);
      });
      server!.on('exit', (code) => reject(new Error(`example server exited with ${code}`)));
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill();
  });

  it('loads, plays the built-in loop through the worklet and shows meter values', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The server's root redirects to the example page.
    await page.goto(url.replace(/\/docs\/examples\/worklet\/$/, '/'));
    expect(page.url()).toMatch(/\/docs\/examples\/worklet\/$/);
    await page.click('#loop');
    await page.waitForFunction(() => /LUFS/.test(document.getElementById('lufs-s')?.textContent ?? ''), undefined, { timeout: 20_000 });
    const text = (id: string) => page.locator(`#${id}`).textContent();
    const shortTerm = Number.parseFloat((await text('lufs-s')) ?? '');
    expect(shortTerm).toBeGreaterThan(-40);
    expect(shortTerm).toBeLessThan(0);
    expect(await text('status')).toMatch(/Playing the built-in loop/);
    if (process.env.SAVE_SCREENSHOT === '1') {
      await page.waitForTimeout(1500);
      await page.screenshot({ path: `${ROOT}docs/examples/worklet/screenshot.png` });
    }
    // Bypass toggles without errors (the page reports worklet errors in its status line).
    await page.check('#bypass');
    await page.waitForTimeout(300);
    expect(await text('status')).not.toMatch(/error/i);
    expect(errors).toEqual([]);
  }, 60_000);
});

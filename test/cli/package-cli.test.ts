/**
 * The `masterbus` command as users get it, as a black box: the packed tarball (`npm pack` of the
 * built package) installed into an empty folder with npm, then the command run there as a child
 * process: `npx masterbus` for the main commands, the installed `node_modules/.bin/masterbus`
 * (through its shebang) for the rest, as npx would, without npx's second of start-up per call.
 * Results are measured independently of the command: by ffmpeg's ebur128 filter where ffmpeg is
 * installed (REQUIRE_FFMPEG=1 in CI), and by the library's meter on the file as the test's own WAV
 * reader reads it. Worker threads (`--jobs 2`) run only here: from the built files, as users run
 * them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/index.js';
import { readWav, writeWavFloat } from '../support/wav.js';
import { noise, sine } from '../support/signals.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!haveFfmpeg && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');

let app = '';
const FS = 48000;

/** Run `npx masterbus …` in the app folder (npx resolves the installed bin: about 1 s per call). */
function npx(args: string[], cwd = app): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', 'masterbus', ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run the bin npm installed (`node_modules/.bin/masterbus`, executed through its shebang), as npx does, without npx's start-up. */
function bin(args: string[], cwd = app): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(join(app, 'node_modules', '.bin', 'masterbus'), args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Integrated loudness and true peak by ffmpeg's ebur128 filter (peak=true), an independent BS.1770 meter. */
function ffmpegLoudness(file: string): { integrated: number; truePeak: number } {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  const text = r.stderr;
  const summary = text.slice(text.lastIndexOf('Summary:'));
  const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
  const truePeak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]);
  return { integrated, truePeak };
}

function song(seconds: number, amp: number, seed: number): Float32Array[] {
  const n = seconds * FS;
  const l = noise(n, seed, 0.04 * amp);
  const r = noise(n, seed + 1, 0.04 * amp);
  const s = sine(n, 110, FS, 0.4 * amp);
  const t = sine(n, 660, FS, 0.15 * amp);
  for (let i = 0; i < n; i++) {
    const beat = Math.exp(-((i % (FS / 2)) / (0.08 * FS)));
    l[i] += beat * s[i] + t[i];
    r[i] += beat * s[i] + 0.7 * t[i];
  }
  return [l, r];
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'masterbus-app-'));
  const pack = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string }[];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // From npm's cache where it can (npm ci filled it), from the registry otherwise.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(app, pack[0].filename)], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  writeWavFloat(join(app, 'song.wav'), song(8, 1, 3), FS);
  writeWavFloat(join(app, 'quiet.wav'), song(5, 0.1, 9), FS);
}, 300_000);
afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('npx masterbus, from the packed tarball installed in an empty folder', () => {
  it('--version and --help', () => {
    const v = npx(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json").version)'], { cwd: root, encoding: 'utf8' })));
    const h = bin(['--help']);
    for (const cmd of ['analyze', 'master', 'mix', 'process', 'presets', 'demo']) expect(h.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
  });

  it('demo: stems, session, mix, master and report in the folder; the master on target', () => {
    const r = npx(['demo', 'demo-out']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/integrated \(LUFS\)/);
    const dir = join(app, 'demo-out');
    for (const f of ['session.json', 'mix.wav', 'master.wav', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readdirSync(join(dir, 'stems')).length).toBeGreaterThanOrEqual(5);
    const master = readWav(join(dir, 'master.wav')).channels;
    expect(master[0].length / FS).toBeGreaterThanOrEqual(30);
    expect(master[0].length / FS).toBeLessThanOrEqual(47);
    const m = measureLoudness(master, FS);
    expect(Math.abs(m.integrated + 14)).toBeLessThanOrEqual(0.1);
    expect(m.truePeak).toBeLessThanOrEqual(-1.5 + 1e-3); // the demo's ceiling (DEMO_CEILING_DBTP)
    // The session it wrote mixes again with `masterbus mix` to the same mix.
    const again = bin(['mix', join(dir, 'session.json'), '-o', join(dir, 'remix.wav'), '--bits', '24']);
    expect(again.code).toBe(0);
    const a = readWav(join(dir, 'mix.wav')).channels;
    const b = readWav(join(dir, 'remix.wav')).channels;
    expect(Math.abs(measureLoudness(a, FS).integrated - measureLoudness(b, FS).integrated)).toBeLessThan(0.05);
  }, 120_000);

  it('analyze --json equals the library meter', () => {
    const r = npx(['analyze', 'song.wav', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const m = measureLoudness(readWav(join(app, 'song.wav')).channels, FS);
    expect(j.files[0].integrated).toBeCloseTo(m.integrated, 9);
    expect(j.files[0].truePeak).toBeCloseTo(m.truePeak, 9);
    expect(j.files[0].lra).toBeCloseTo(m.lra, 9);
  });

  it('master: target and ceiling met on the output, measured independently (ffmpeg ebur128 when present)', () => {
    const r = npx(['master', 'song.wav', '-o', 'out/song.master.wav', '--target', '-16', '--ceiling', '-1.5', '--bits', '24', '--report']);
    expect(r.code).toBe(0);
    expect(existsSync(join(app, 'out', 'song.master.report.html'))).toBe(true);
    const out = join(app, 'out', 'song.master.wav');
    if (haveFfmpeg) {
      const f = ffmpegLoudness(out);
      expect(Math.abs(f.integrated + 16)).toBeLessThanOrEqual(0.15); // ffmpeg prints one decimal
      expect(f.truePeak).toBeLessThanOrEqual(-1.5 + 0.1); // ffmpeg's 4× peak with one decimal
    }
    const m = measureLoudness(readWav(out).channels, FS);
    expect(Math.abs(m.integrated + 16)).toBeLessThanOrEqual(0.1);
    expect(m.truePeak).toBeLessThanOrEqual(-1.5 + 1e-3);
  }, 60_000);

  it('master on 2 worker threads into a folder; a rerun skips both; --shard splits them', () => {
    const r = bin(['master', 'song.wav', 'quiet.wav', '-o', 'batch/', '--jobs', '2', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, true]);
    for (const f of ['song.wav', 'quiet.wav']) {
      const m = measureLoudness(readWav(join(app, 'batch', f)).channels, FS);
      expect(Math.abs(m.integrated + 14)).toBeLessThanOrEqual(0.1);
    }
    const t = statSync(join(app, 'batch', 'song.wav')).mtimeMs;
    const again = bin(['master', 'song.wav', 'quiet.wav', '-o', 'batch/', '--jobs', '2', '--json']);
    expect(JSON.parse(again.stdout).results.every((x: { skipped?: boolean }) => x.skipped === true)).toBe(true);
    expect(statSync(join(app, 'batch', 'song.wav')).mtimeMs).toBe(t);
    const s1 = JSON.parse(bin(['master', 'song.wav', 'quiet.wav', '-o', 'shards/', '--shard', '1/2', '--json']).stdout).results.length;
    const s2 = JSON.parse(bin(['master', 'song.wav', 'quiet.wav', '-o', 'shards/', '--shard', '2/2', '--json']).stdout).results.length;
    expect(s1 + s2).toBe(2);
  }, 120_000);

  it('mix and process', () => {
    writeFileSync(join(app, 's.json'), JSON.stringify({ type: 'Mixer', version: 1, session: { tracks: [{ name: 'song', faderDb: -3 }, { name: 'quiet', pan: 0.5 }] } }));
    const mix = bin(['mix', 's.json', '-o', 'mix.flac', '--bits', '16']);
    expect(mix.code).toBe(0);
    if (haveFfmpeg) {
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,channels,sample_rate', '-of', 'json', join(app, 'mix.flac')], { encoding: 'utf8' });
      const s = JSON.parse(probe.stdout).streams[0];
      expect([s.codec_name, s.channels, Number(s.sample_rate)]).toEqual(['flac', 2, FS]);
    }
    writeFileSync(join(app, 'chain.json'), JSON.stringify({ type: 'Chain', params: { processors: [{ type: 'ParametricEQ', params: { bands: [], outputGainDb: -6 } }] } }));
    const p = bin(['process', 'song.wav', '-o', 'gain.wav', '--chain', 'chain.json', '--bits', '32f']);
    expect(p.code).toBe(0);
    const x = readWav(join(app, 'song.wav')).channels;
    const y = readWav(join(app, 'gain.wav')).channels;
    let worst = 0;
    for (let i = 0; i < x[0].length; i++) worst = Math.max(worst, Math.abs(y[0][i] - x[0][i] * 10 ** (-6 / 20)));
    expect(worst).toBeLessThan(1e-6);
  }, 60_000);

  it('bad files and bad arguments: one line, no stack trace, the documented exit codes, nothing written', () => {
    writeFileSync(join(app, 'text.wav'), 'hello');
    const trunc = readWav(join(app, 'song.wav'));
    writeWavFloat(join(app, 'cut.wav'), trunc.channels, FS);
    writeFileSync(join(app, 'cut.wav'), Buffer.from(new Uint8Array(20)));
    for (const [args, code] of [
      [['analyze', 'text.wav'], 1],
      [['analyze', 'cut.wav'], 1],
      [['analyze', 'nowhere.wav'], 1],
      [['master', 'text.wav', '-o', 'bad/out.wav'], 1],
      [['master', 'song.wav', '-o', 'song.wav'], 2],
      [['master', 'song.wav', '-o', 'bad/x.wav', '--ceiling', '3'], 2],
      [['process', 'song.wav', '-o', 'bad/y.wav'], 2],
      [['frobnicate'], 2],
    ] as const) {
      const r = bin([...args]);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(/^masterbus: /);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at |Error: /);
    }
    mkdirSync(join(app, 'bad'), { recursive: true });
    expect(readdirSync(join(app, 'bad'))).toEqual([]);
  }, 60_000);
});

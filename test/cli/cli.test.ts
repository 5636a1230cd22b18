/**
 * The `masterbus` command line, run in-process from the sources (`run(argv, io)`), on files made
 * here: analyze against the library's meter, master's target and ceiling measured on the written
 * file, process against the closed form of its chain, mix, batches (shards, up-to-date skipping),
 * exit codes and one-line errors. The built bin, worker threads and the packed package are tested
 * in test/cli/package-cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/index.js';
import { run } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/errors.js';
import { fnv1a, shardInputs } from '../../src/cli/batch.js';
import { readWav, writeWavFloat } from '../support/wav.js';
import { noise, sine } from '../support/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'masterbus-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FS = 48000;

/** Run the CLI in-process; resolves the exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith(new AbortController().signal, ...args);
}

async function cliWith(signal: AbortSignal, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  (stderr as unknown as PassThrough).on('data', (d: Buffer) => (err += d));
  const code = await run(['node', 'masterbus', ...args], { stdout, stderr, signal });
  return { code, stdout: out, stderr: err };
}

/** A stereo music-like programme: a chord over a pulse, with noise, at `amp`. */
function programme(seconds: number, amp: number, seed: number): Float32Array[] {
  const n = Math.round(seconds * FS);
  const l = noise(n, seed, amp * 0.05);
  const r = noise(n, seed + 1, amp * 0.05);
  const a = sine(n, 220, FS, amp * 0.3);
  const b = sine(n, 277.2, FS, amp * 0.2);
  for (let i = 0; i < n; i++) {
    const env = 0.6 + 0.4 * Math.sin((2 * Math.PI * 2 * i) / FS);
    l[i] += env * (a[i] + b[i]);
    r[i] += env * (a[i] + 0.8 * b[i]);
  }
  return [l, r];
}

const songA = join(dir, 'a.wav');
const songB = join(dir, 'b.wav');
writeWavFloat(songA, programme(6, 0.5, 1), FS);
writeWavFloat(songB, programme(4, 0.2, 7), FS);

describe('masterbus analyze', () => {
  it('--json equals the library meter per file, and the album is the files gated as one programme', async () => {
    const r = await cli('analyze', songA, songB, '--json');
    expect(r.code).toBe(EXIT.ok);
    const json = JSON.parse(r.stdout) as { files: { file: string; integrated: number; lra: number; truePeak: number; samplePeak: number; momentaryMax: number; shortTermMax: number; sampleRate: number; channels: number }[]; album: { integrated: number; lra: number; truePeak: number } };
    const a = readWav(songA).channels;
    const b = readWav(songB).channels;
    for (const [k, x] of [a, b].entries()) {
      const m = measureLoudness(x, FS);
      const f = json.files[k];
      expect(f.sampleRate).toBe(FS);
      expect(f.channels).toBe(2);
      expect(f.integrated).toBeCloseTo(m.integrated, 9);
      expect(f.lra).toBeCloseTo(m.lra, 9);
      expect(f.truePeak).toBeCloseTo(m.truePeak, 9);
      expect(f.samplePeak).toBeCloseTo(m.samplePeak, 9);
      expect(f.momentaryMax).toBeCloseTo(m.momentaryMax, 9);
      expect(f.shortTermMax).toBeCloseTo(m.shortTermMax, 9);
    }
    const joined = a.map((c, i) => {
      const y = new Float32Array(c.length + b[i].length);
      y.set(c);
      y.set(b[i], c.length);
      return y;
    });
    const album = measureLoudness(joined, FS);
    expect(json.album.integrated).toBeCloseTo(album.integrated, 9);
    expect(json.album.lra).toBeCloseTo(album.lra, 9);
    expect(json.album.truePeak).toBeCloseTo(album.truePeak, 9);
  });

  it('a table for people; a bad file is one line on stderr and exit 1, the others still measured', async () => {
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'this is not audio');
    const r = await cli('analyze', songA, bad, join(dir, 'missing.wav'));
    expect(r.code).toBe(EXIT.failed);
    expect(r.stdout).toContain('integrated LUFS');
    expect(r.stdout).toContain('a.wav');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^masterbus: .*bad\.wav: /);
    expect(lines[1]).toMatch(/^masterbus: .*missing\.wav: no such file$/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('masterbus master', () => {
  it('meets the target and the ceiling on the file it writes (measured here), 24-bit by default', async () => {
    const out = join(dir, 'a.master.wav');
    const r = await cli('master', songA, '-o', out, '--target', '-16', '--ceiling', '-1.5', '--json');
    expect(r.code).toBe(EXIT.ok);
    const res = JSON.parse(r.stdout).results[0];
    expect(res.ok).toBe(true);
    const y = readWav(out).channels;
    expect(y[0].length).toBe(6 * FS);
    const m = measureLoudness(y, FS);
    expect(Math.abs(m.integrated + 16)).toBeLessThanOrEqual(0.1);
    expect(m.truePeak).toBeLessThanOrEqual(-1.5 + 1e-3);
    expect(res.after.integrated).toBeCloseTo(m.integrated, 2);
  });

  it('skips an output that is up to date, redoes it when a setting changes or with --force', async () => {
    const out = join(dir, 'skip.wav');
    expect((await cli('master', songB, '-o', out, '--quiet')).code).toBe(0);
    const t1 = statSync(out).mtimeMs;
    const again = await cli('master', songB, '-o', out);
    expect(again.stdout).toContain('up to date');
    expect(statSync(out).mtimeMs).toBe(t1);
    const other = await cli('master', songB, '-o', out, '--preset', 'podcast');
    expect(other.stdout).not.toContain('up to date');
    const forced = await cli('master', songB, '-o', out, '--preset', 'podcast', '--force');
    expect(forced.stdout).not.toContain('up to date');
    expect(forced.code).toBe(0);
  });

  it('several inputs into a folder; an HTML report beside each output and a PNG of each plot', async () => {
    const outDir = join(dir, 'masters');
    const plots = join(dir, 'plots');
    const r = await cli('master', songA, songB, '-o', `${outDir}/`, '--preset', 'streaming', '--jobs', '1', '--report', '--plots', plots, '--json');
    expect(r.code).toBe(EXIT.ok);
    const names = readdirSync(outDir).sort();
    expect(names).toEqual(expect.arrayContaining(['a.wav', 'b.wav', 'a.report.html', 'b.report.html']));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    for (const song of ['a', 'b']) {
      const pngs = readdirSync(join(plots, song));
      expect(pngs).toEqual(expect.arrayContaining(['loudness.png', 'gain-reduction.png', 'spectrum.png']));
      // PNG signature.
      expect([...readFileSync(join(plots, song, 'loudness.png')).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    const html = readFileSync(join(outDir, 'a.report.html'), 'utf8');
    expect(html).toMatch(/(src|href)="\.\.\/a\.wav"/); // the input, relative to the report
  });

  it('refuses to write over its input, and a bad value, with exit 2 and nothing written', async () => {
    const over = await cli('master', songA, '-o', songA);
    expect(over.code).toBe(EXIT.usage);
    expect(over.stderr).toMatch(/never writes over its input/);
    const bad = await cli('master', songA, '-o', join(dir, 'x.wav'), '--target', 'loud');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--target must be a number/);
    expect(existsSync(join(dir, 'x.wav'))).toBe(false);
    const both = await cli('master', songA, '-o', join(dir, 'x.wav'), '--target', '-14', '--preset', 'podcast');
    expect(both.code).toBe(EXIT.usage);
  });

  it('interrupted (Ctrl-C) mid-way: exit 130, one line, nothing written, no temporary file', async () => {
    const long = join(dir, 'long.wav');
    writeWavFloat(long, programme(60, 0.5, 5), FS);
    const outDir = join(dir, 'interrupted');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted')), 300);
    const r = await cliWith(controller.signal, 'master', long, '-o', join(outDir, 'long.wav'), '--quiet');
    expect(r.code).toBe(EXIT.interrupted);
    expect(r.stderr).toBe('masterbus: interrupted; unfinished outputs were removed\n');
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });

  it('a corrupt input: exit 1, one line, no output and no temporary file left', async () => {
    const broken = join(dir, 'broken.wav');
    const good = readWav(songA);
    writeWavFloat(broken, good.channels, FS);
    // Cut it inside the header.
    writeFileSync(broken, Buffer.from(new Uint8Array(30)));
    const outDir = join(dir, 'broken-out');
    const r = await cli('master', broken, '-o', join(outDir, 'y.wav'));
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(outDir, 'y.wav'))).toBe(false);
    expect(existsSync(outDir) ? readdirSync(outDir).filter((n) => !n.startsWith('.masterbus-state')) : []).toEqual([]);
  });
});

describe('masterbus process', () => {
  it('runs a chain preset: a −6 dB output gain is x · 10^(−6/20), the length kept (32-bit float out)', async () => {
    const chain = join(dir, 'gain.json');
    writeFileSync(chain, JSON.stringify({ type: 'ParametricEQ', params: { bands: [], outputGainDb: -6 } }));
    const out = join(dir, 'a.gain.wav');
    const r = await cli('process', songA, '-o', out, '--chain', chain, '--bits', '32f');
    expect(r.code).toBe(EXIT.ok);
    const x = readWav(songA).channels;
    const y = readWav(out).channels;
    expect(y[0].length).toBe(x[0].length);
    const g = 10 ** (-6 / 20);
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < x[c].length; i++) worst = Math.max(worst, Math.abs(y[c][i] - x[c][i] * g));
    expect(worst).toBeLessThan(1e-6);
  });

  it('a chain file that is not a processor: exit 1 naming the file', async () => {
    const chain = join(dir, 'bogus.json');
    writeFileSync(chain, JSON.stringify({ type: 'Flanger9000', params: {} }));
    const r = await cli('process', songA, '-o', join(dir, 'z.wav'), '--chain', chain);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toMatch(/bogus\.json: --chain: /);
  });
});

describe('masterbus mix', () => {
  it('mixes a session from files (a mono file on a stereo track feeds both sides); the tail is rendered', async () => {
    const mono = join(dir, 'tone.wav');
    writeWavFloat(mono, [sine(2 * FS, 440, FS, 0.25)], FS);
    const session = join(dir, 'song.session.json');
    writeFileSync(
      session,
      JSON.stringify({
        type: 'Mixer',
        version: 1,
        session: {
          tracks: [
            { name: 'tone', faderDb: -6, sends: [{ bus: 'verb', levelDb: -10 }] },
            { name: 'bed', faderDb: -3 },
          ],
          buses: [{ name: 'verb', inserts: [{ type: 'Reverb', params: { decaySeconds: 1, mix: 1 } }] }],
        },
        files: { tone: 'tone.wav', bed: 'b.wav' },
      }),
    );
    const out = join(dir, 'mix.wav');
    const r = await cli('mix', session, '-o', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    const y = readWav(out).channels;
    expect(y).toHaveLength(2);
    expect(y[0].length).toBeGreaterThanOrEqual(4 * FS);
    const summary = JSON.parse(r.stdout);
    expect(summary.tracks.map((t: { name: string }) => t.name)).toEqual(['tone', 'bed']);
    // The tone is on both sides during its first second (the bed is there too: compare with the bed alone).
    const bed = readWav(songB).channels;
    const g = 10 ** (-3 / 20);
    let toneL = 0, toneR = 0;
    for (let i = FS / 2; i < FS; i++) {
      toneL += (y[0][i] - bed[0][i] * g) ** 2;
      toneR += (y[1][i] - bed[1][i] * g) ** 2;
    }
    expect(toneL).toBeGreaterThan(0);
    expect(toneR / toneL).toBeGreaterThan(0.5);
    expect(toneR / toneL).toBeLessThan(2);
  });

  it('a session naming a track without audio: exit 1 naming the track', async () => {
    const session = join(dir, 'lost.session.json');
    writeFileSync(session, JSON.stringify({ type: 'Mixer', version: 1, session: { tracks: [{ name: 'ghost' }] } }));
    const r = await cli('mix', session, '-o', join(dir, 'lost.wav'));
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toMatch(/no audio for track "ghost"/);
  });
});

describe('batches', () => {
  it('--shard i/n: the shards are disjoint and cover the catalogue, stable under adding files', () => {
    const files = Array.from({ length: 200 }, (_, i) => `music/album${i % 7}/track${i}.wav`);
    const parts = [1, 2, 3, 4].map((i) => shardInputs(files, { index: i, count: 4 }, '/x'));
    expect(parts.flat().sort()).toEqual([...files].sort());
    for (const p of parts) expect(p.length).toBeGreaterThan(25); // roughly even: 50 expected
    const more = [...files, 'music/new.wav'];
    const after = [1, 2, 3, 4].map((i) => shardInputs(more, { index: i, count: 4 }, '/x'));
    for (let k = 0; k < 4; k++) expect(after[k].filter((f) => f !== 'music/new.wav')).toEqual(parts[k]);
    // FNV-1a test vectors (Fowler/Noll/Vo reference): "" → 0x811c9dc5, "a" → 0xe40c292c.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });

  it('--help of every command shows examples; a wrong option is exit 2', async () => {
    for (const cmd of ['analyze', 'master', 'mix', 'process', 'presets', 'demo']) {
      const r = await cli(cmd, '--help');
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toContain('Examples:');
    }
    const wrong = await cli('analyze', '--loudness');
    expect(wrong.code).toBe(EXIT.usage);
    expect(wrong.stderr).toMatch(/unknown option/);
  });

  it('progress bars go to stderr on a terminal (per file and for the batch), and nowhere otherwise', async () => {
    const { createProgress } = await import('../../src/cli/progress.js');
    const capture = (isTTY: boolean) => {
      const s = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
      s.isTTY = isTTY;
      s.columns = 100;
      (s as unknown as { cursorTo: () => boolean }).cursorTo = () => true;
      (s as unknown as { clearLine: () => boolean }).clearLine = () => true;
      (s as unknown as { moveCursor: () => boolean }).moveCursor = () => true;
      let text = '';
      (s as unknown as PassThrough).on('data', (d: Buffer) => (text += d));
      return { s, text: () => text };
    };
    const tty = capture(true);
    const p = createProgress(2, true, tty.s);
    const tick = p.start('one.wav');
    tick(0.5);
    await new Promise((r) => setTimeout(r, 150)); // cli-progress redraws on a timer
    p.finish('one.wav');
    p.stop();
    expect(tty.text()).toContain('one.wav');
    expect(tty.text()).toMatch(/50%/);
    expect(tty.text()).toMatch(/\d\/2 files/);
    const pipe = capture(false);
    const q = createProgress(2, true, pipe.s);
    q.start('one.wav')(0.5);
    q.finish('one.wav');
    q.stop();
    expect(pipe.text()).toBe('');
  });

  it('presets lists the loudness targets', async () => {
    const r = await cli('presets', '--json');
    const j = JSON.parse(r.stdout);
    expect(j.loudnessTargets.streaming.integratedLufs).toBe(-14);
    expect(j.processorTypes).toContain('MasteringChain');
  });
});

describe('what an adversarial review found (each failed before its fix)', () => {
  it('a report path that is an input or the output is refused (it overwrote them); --report is a flag and swallows no input', async () => {
    const a = join(dir, 'keep-a.wav');
    const b = join(dir, 'keep-b.wav');
    writeWavFloat(a, programme(2, 0.3, 21), FS);
    writeWavFloat(b, programme(2, 0.3, 22), FS);
    const before = readFileSync(b);
    const r = await cli('master', a, '--report-file', b, '-o', join(dir, 'keep-out.wav'));
    expect(r.code).toBe(EXIT.usage);
    expect(readFileSync(b).equals(before)).toBe(true);
    const r2 = await cli('master', '--report', a, b, '-o', join(dir, 'keep-outs/'), '--json');
    expect(r2.code).toBe(EXIT.ok);
    expect(JSON.parse(r2.stdout).results).toHaveLength(2); // both inputs mastered
    expect(readFileSync(b).equals(before)).toBe(true);
  });

  it('mix --master never writes over a stem; a stem of more than 2 channels is refused, not cut to one', async () => {
    const stems = join(dir, 'adv-stems');
    mkdirSync(stems, { recursive: true });
    writeWavFloat(join(stems, 'a.wav'), programme(2, 0.3, 23), FS);
    const session = join(stems, 's.json');
    writeFileSync(session, JSON.stringify({ type: 'Mixer', version: 1, session: { tracks: [{ name: 'a' }] } }));
    const before = readFileSync(join(stems, 'a.wav'));
    const r = await cli('mix', session, '-o', join(stems, 'a.wav'), '--master');
    expect(r.code).not.toBe(EXIT.ok);
    expect(readFileSync(join(stems, 'a.wav')).equals(before)).toBe(true);
    writeWavFloat(join(stems, 'a.wav'), [0, 1, 2, 3, 4, 5].map((k) => sine(FS, 200 * (k + 1), FS, 0.1)), FS);
    const six = await cli('mix', session, '-o', join(dir, 'six.wav'));
    expect(six.code).toBe(EXIT.failed);
    expect(six.stderr).toMatch(/a\.wav: 6 channels; a mixer track takes a mono or stereo file/);
  });

  it('mix --master --report names the session in the report and keeps the unmastered mix for its player', async () => {
    const stems = join(dir, 'adv-report');
    mkdirSync(stems, { recursive: true });
    writeWavFloat(join(stems, 'v.wav'), programme(3, 0.3, 24), FS);
    const session = join(stems, 'song.json');
    writeFileSync(session, JSON.stringify({ type: 'Mixer', version: 1, session: { tracks: [{ name: 'v' }] } }));
    const r = await cli('mix', session, '-o', join(stems, 'song.wav'), '--master', '--report');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).not.toMatch(/premaster/);
    const html = readFileSync(join(stems, 'song.report.html'), 'utf8');
    expect(html).toContain('src="song.mix.wav"');
    expect(html).not.toMatch(/premaster/);
    expect(existsSync(join(stems, 'song.mix.wav'))).toBe(true);
    expect(readdirSync(stems).filter((n) => n.endsWith('.tmp') || n.includes('premaster'))).toEqual([]);
    const noMaster = await cli('mix', session, '-o', join(stems, 'x.wav'), '--report');
    expect(noMaster.code).toBe(EXIT.usage);
  });

  it('an output that is not a regular file (a FIFO) or not .wav/.flac is refused before any work', async () => {
    const fifo = join(dir, 'pipe.wav');
    spawnSync('mkfifo', [fifo]);
    const r = await cli('master', songA, '-o', fifo);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/not a regular file/);
    const mp3 = await cli('master', songA, '-o', join(dir, 'out.mp3'));
    expect(mp3.code).toBe(EXIT.usage);
    expect(mp3.stderr).toMatch(/outputs are WAV \(\.wav\) or FLAC \(\.flac\)/);
    const ceiling = await cli('master', songA, '-o', join(dir, 'c.wav'), '--target', '-10', '--ceiling', '-12');
    expect(ceiling.code).toBe(EXIT.usage);
  });

  it('a mix that clips in an integer file says so; its loudness is in --json', async () => {
    const loud = join(dir, 'loud');
    mkdirSync(loud, { recursive: true });
    const sq = new Float32Array(FS).map((_, i) => (i % 100 < 50 ? 0.9 : -0.9));
    writeWavFloat(join(loud, 'sq.wav'), [sq, sq], FS);
    const session = join(loud, 's.json');
    writeFileSync(session, JSON.stringify({ type: 'Mixer', version: 1, session: { tracks: [{ name: 'a' }, { name: 'b' }] }, files: { a: 'sq.wav', b: 'sq.wav' } }));
    const r = await cli('mix', session, '-o', join(loud, 'mix.wav'), '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/warning: the mix peaks at \+\d.* dBFS and clips/);
    expect(JSON.parse(r.stdout).loudness.samplePeak).toBeGreaterThan(0);
  });

  it('a truncated WAV is read as far as it goes, with a warning; shaped dither away from 44.1/48 kHz becomes TPDF, with a warning', async () => {
    const whole = readFileSync(songA);
    const cut = join(dir, 'cut.wav');
    writeFileSync(cut, whole.subarray(0, 100_001));
    const r = await cli('analyze', cut);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/cut\.wav: warning: truncated: the header states 6\.0 s, the file holds 0\.3 s/);
    const hi = join(dir, 'hi.wav');
    writeWavFloat(hi, [sine(96000, 440, 96000, 0.2)], 96000);
    const d = await cli('process', hi, '-o', join(dir, 'hi16.wav'), '--chain', join(dir, 'gain.json'), '--bits', '16', '--dither', 'shaped');
    expect(d.code).toBe(EXIT.ok);
    expect(d.stderr).toMatch(/shaped dither is designed for 44\.1 and 48 kHz; TPDF used at 96000 Hz/);
  });
});

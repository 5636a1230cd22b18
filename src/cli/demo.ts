/**
 * `masterbus demo [folder]`: the whole job on built-in material. A procedurally generated song
 * (src/cli/demo/) is rendered to stems, mixed with the Mixer (inserts, a reverb bus, a delay send,
 * automation), mastered with a MasteringChain to the streaming target, and written out: the stems,
 * the session (so `masterbus mix` can redo the mix), the mix, the master and an HTML report, with
 * a before/after table on stdout.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { master, type MasterReport } from '../chains/master.js';
import type { MasteringChainOptions } from '../chains/mastering-chain.js';
import { AudioFileError } from '../node/audio-file.js';
import { createAudioWriter, describeFsError } from '../node/open-audio.js';
import { writeFileAtomically } from '../node/output-path.js';
import { FILE_BLOCK } from '../node/render.js';
import type { CliIO } from './program.js';
import { demoSession, mixDemo, renderDemoStems } from './demo/index.js';
import { change, fmt, signed, table } from './format.js';
import { createProgress } from './progress.js';

/**
 * The demo's mastering chain: a gentle tonal touch (rumble off, a little less low-mid) and glue
 * compression before the true-peak limiter that sets the streaming target's −1 dBTP ceiling.
 */
export const DEMO_MASTERING_CHAIN: Partial<MasteringChainOptions> = Object.freeze({
  eq: {
    bands: [
      { type: 'butterworth-highpass', frequencyHz: 28, rolloffDbPerOctave: 12 },
      { type: 'peaking', frequencyHz: 320, q: 1, gainDb: -1.5 },
    ],
  },
  compressor: { thresholdDb: -20, ratio: 2, kneeDb: 6, attackMs: 20, releaseMs: 200, makeupDb: 0 },
} as Partial<MasteringChainOptions>);

/** The demo master's true-peak ceiling, dBTP (see {@link runDemo}). */
export const DEMO_CEILING_DBTP = -1.5;

/** Write `channels` to `path` (24-bit WAV, TPDF dither), block by block. */
async function writeAudio(path: string, channels: readonly Float32Array[], sampleRate: number): Promise<void> {
  const sink = await createAudioWriter(path, { sampleRate, channels: channels.length, sampleFormat: 'pcm24', dither: 'tpdf' });
  try {
    const n = channels[0].length;
    for (let pos = 0; pos < n; pos += FILE_BLOCK) {
      const end = Math.min(n, pos + FILE_BLOCK);
      await sink.write(channels.map((c) => c.subarray(pos, end)), end - pos);
    }
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** What the demo wrote and measured. */
export interface DemoResult {
  readonly folder: string;
  readonly files: { readonly stems: string[]; readonly session: string; readonly mix: string; readonly master: string; readonly report: string };
  readonly seconds: { readonly song: number; readonly total: number };
  readonly report: MasterReport;
}

/** Run the demo into `folder`. */
export async function runDemo(folder: string, options: { json: boolean; quiet: boolean; io: CliIO; out: (s: string) => void }): Promise<DemoResult> {
  const t0 = performance.now();
  const dir = resolve(folder);
  try {
    await mkdir(join(dir, 'stems'), { recursive: true });
  } catch (e) {
    throw new AudioFileError(folder, `cannot make the demo's folder: ${describeFsError(e)}`);
  }
  const progress = createProgress(1, !options.quiet && !options.json, options.io.stderr);
  const tick = progress.start('demo song');
  try {
    // 1. The song, as stems.
    const song = renderDemoStems();
    const sr = song.sampleRate;
    tick(0.15);
    const stems: string[] = [];
    for (const s of song.stems) {
      const path = join(dir, 'stems', `${s.name}.wav`);
      await writeAudio(path, s.audio, sr);
      stems.push(path);
    }
    tick(0.25);
    // 2. The mix, and the session that makes it (with its files, for `masterbus mix`).
    const session = demoSession({ sampleRate: sr, bpm: song.bpm });
    const sessionPath = join(dir, 'session.json');
    const files = Object.fromEntries(song.stems.map((s) => [s.name, `stems/${s.name}.wav`]));
    await writeFileAtomically(sessionPath, `${JSON.stringify({ ...session, files }, null, 2)}\n`);
    const { mix } = mixDemo(song, session);
    const mixPath = join(dir, 'mix.wav');
    await writeAudio(mixPath, mix, sr);
    tick(0.45);
    // 3. The master.
    options.io.signal.throwIfAborted();
    const { audio, report } = await master(mix, sr, {
      preset: 'streaming',
      // Half a dB below the preset's −1 dBTP: this loud, dense master would otherwise read above
      // −1 dBTP once a lossy encoder's low-pass has removed its top octave (the report checks it).
      ceiling: DEMO_CEILING_DBTP,
      chain: DEMO_MASTERING_CHAIN,
      signal: options.io.signal,
      onProgress: (p) => tick(0.45 + 0.4 * p.fraction),
    });
    const masterPath = join(dir, 'master.wav');
    await writeAudio(masterPath, audio, sr);
    tick(0.9);
    // 4. The report.
    const { renderReportHtml } = await import('../node/report/index.js');
    const reportPath = join(dir, 'report.html');
    const html = await renderReportHtml({
      title: 'masterbus demo: mix and master',
      sampleRate: sr,
      report,
      input: { name: 'mix.wav', href: 'mix.wav', description: 'the Mixer\'s output, 24-bit WAV' },
      output: { name: 'master.wav', href: 'master.wav', description: `mastered to the streaming target (${DEMO_CEILING_DBTP} dBTP ceiling), 24-bit WAV` },
    });
    await writeFileAtomically(reportPath, html);
    tick(1);
    progress.finish('demo song');
    progress.stop();
    const result: DemoResult = {
      folder: dir,
      files: { stems, session: sessionPath, mix: mixPath, master: masterPath, report: reportPath },
      seconds: { song: mix[0].length / sr, total: (performance.now() - t0) / 1000 },
      report,
    };
    if (options.json) {
      const { before, after, ...rest } = report;
      options.out(JSON.stringify({ folder: dir, files: result.files, seconds: result.seconds, before: before.loudness, after: after.loudness, gainDb: rest.gainDb, errorLu: rest.errorLu, passes: rest.passes, warnings: rest.warnings }, null, 2));
    } else if (!options.quiet) printDemo(options.out, result);
    return result;
  } finally {
    progress.stop();
  }
}

function printDemo(out: (s: string) => void, r: DemoResult): void {
  const b = r.report.before.loudness;
  const a = r.report.after.loudness;
  out(`masterbus demo: ${song(r)} mixed and mastered in ${fmt(r.seconds.total, 1)} s\n`);
  out(
    table(
      ['', 'mix', 'master', 'target'],
      [
        ['integrated (LUFS)', fmt(b.integrated, 1), fmt(a.integrated, 1), fmt(r.report.target.integratedLufs, 1)],
        ['true peak (dBTP)', fmt(b.truePeak, 1), fmt(a.truePeak, 1), `<= ${fmt(r.report.target.truePeakDbtp, 1)}`],
        ['loudness range (LU)', fmt(b.lra, 1), fmt(a.lra, 1), ''],
        ['PLR (dB)', fmt(b.plr, 1), fmt(a.plr, 1), ''],
        ['max short-term (LUFS)', fmt(b.shortTermMax, 1), fmt(a.shortTermMax, 1), ''],
      ],
    ),
  );
  out(`\ngain ${signed(r.report.gainDb, 1)} dB, limiter at most ${fmt(r.report.limiter.maxDb, 1)} dB; integrated ${change(b.integrated, a.integrated, 2)} LUFS`);
  for (const w of r.report.warnings) out(`  ! ${w.message}`);
  out(`\nwrote ${r.folder}/`);
  out('  stems/*.wav    the song\'s tracks');
  out('  session.json   the mix (masterbus mix session.json -o remix.wav redoes it)');
  out('  mix.wav        the mix');
  out('  master.wav     the master');
  out('  report.html    plots and numbers: open it in a browser');
}

function song(r: DemoResult): string {
  return `${r.files.stems.length} tracks, ${fmt(r.seconds.song, 1)} s,`;
}

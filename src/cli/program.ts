/**
 * The `masterbus` command line (commander): analyze, master, mix, process, presets, demo. Every
 * command prints tables for people or, with `--json`, data for scripts; failures are one line on
 * stderr and an exit code from {@link EXIT}.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { LOUDNESS_PRESET_NAMES, LOUDNESS_TARGETS, TARGET_CEILING_RANGE, TARGET_LOUDNESS_RANGE } from '../chains/loudness-targets.js';
import type { MasteringChainOptions } from '../chains/mastering-chain.js';
import type { ProcessorJSON } from '../core/processor.js';
import { PROCESSOR_CLASSES, processorFromJSON } from '../registry.js';
import { AudioFileError } from '../node/audio-file.js';
import { assertNotProtected } from '../node/output-path.js';
import { mixSessionFile } from '../node/mix-file.js';
import { openAudio } from '../node/open-audio.js';
import { analyzeSources } from '../node/render.js';
import { VERSION, defaultJobs, planOutputs, runBatch, shardInputs } from './batch.js';
import { EXIT, UsageError, oneLine } from './errors.js';
import { LOUDNESS_HEADER, change, fmt, loudnessCells, signed, table } from './format.js';
import { runJob, type Job, type JobResult, type OutputSpec } from './jobs.js';
import { BITS_CHOICES, DITHER_CHOICES, parseBits, parseDither, parseJobs, parseNumberOption, parseShard, readJsonFile, type Shard } from './options.js';
import { createProgress } from './progress.js';

/** Where the command writes (injectable for tests). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
}

type Common = { json?: boolean; quiet?: boolean };
type WriteOptions = { output: string; bits: string; dither: string; format: string; jobs?: string; shard?: string; force?: boolean } & Common;

const wrap = <T>(parse: (v: string) => T) => (v: string): T => {
  try {
    return parse(v);
  } catch (e) {
    throw new InvalidArgumentError(oneLine(e));
  }
};

/** Build the program. `run()` is what the bin calls. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const out = (s: string) => io.stdout.write(`${s}\n`);
  const err = (s: string) => io.stderr.write(`${s}\n`);
  const program = new Command('masterbus')
    .description('Mix and master audio files: loudness analysis (ITU-R BS.1770), mastering to streaming and broadcast targets, mixing sessions, any processing chain.')
    .version(VERSION, '-v, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(`masterbus: ${s.replace(/^error: /, '')}`) })
    .showHelpAfterError('(add --help for usage and examples)')
    .exitOverride();

  const writeOptions = (cmd: Command, defaultBits: string) =>
    cmd
      .requiredOption('-o, --output <path>', 'output file, or folder for several inputs')
      .addOption(new Option('--bits <bits>', 'output sample format: 8, 16, 24, 32 (integer) or 32f, 64f (float)').choices(BITS_CHOICES).default(defaultBits))
      .addOption(new Option('--dither <mode>', 'dither for integer formats up to 24 bits').choices(DITHER_CHOICES).default('tpdf'))
      .addOption(new Option('--format <type>', 'output file type when writing into a folder').choices(['wav', 'flac']).default('wav'))
      .option('-j, --jobs <n>', 'files worked on at once, each on its own thread (default: one per core)')
      .option('--shard <i/n>', 'take only part i of n of the inputs (a stable split by path, for CI matrices and job arrays)')
      .option('-f, --force', 'redo outputs that are up to date')
      .option('-q, --quiet', 'no progress bars and no tables')
      .option('--json', 'print the results as JSON on stdout');

  // --- analyze ---
  program
    .command('analyze')
    .description('Measure loudness (BS.1770-4 / EBU R 128): integrated, LRA, true peak, sample peak, PLR, max momentary and short-term; an album line for several files.')
    .argument('<files...>', 'audio files (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus)')
    .option('--json', 'print the results as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  masterbus analyze song.wav\n  masterbus analyze album/*.flac --json > loudness.json\n')
    .action(async (files: string[], o: Common) => {
      const rows: { file: string; result?: Awaited<ReturnType<typeof analyzeSources>>['files'][number]; info?: { format: string; description: string; sampleRate: number; channels: number; warnings: string[] }; error?: string }[] = [];
      const sources = [];
      for (const file of files) {
        try {
          const s = await openAudio(file);
          sources.push(s);
          rows.push({ file, info: { format: s.format, description: s.description, sampleRate: s.sampleRate, channels: s.channels, warnings: [...(s.warnings ?? [])] } });
          if (!o.json) for (const w of s.warnings ?? []) err(`masterbus: ${file}: warning: ${w}`);
        } catch (e) {
          rows.push({ file, error: oneLine(e) });
        }
      }
      let album = null;
      try {
        const r = await analyzeSources(sources, { signal: io.signal });
        let k = 0;
        for (const row of rows) if (row.error === undefined) row.result = r.files[k++];
        album = r.album;
      } catch (e) {
        for (const s of sources) await s.close();
        throw e;
      }
      const failed = rows.filter((r) => r.error !== undefined);
      if (o.json) {
        out(JSON.stringify({ files: rows.map((r) => (r.error !== undefined ? { file: r.file, error: r.error } : { file: r.file, ...r.info, ...r.result })), album }, null, 2));
      } else {
        for (const r of failed) err(`masterbus: ${r.error}`);
        const ok = rows.filter((r) => r.result !== undefined);
        if (ok.length > 0) {
          const body = ok.map((r) => [r.file, ...loudnessCells(r.result!)]);
          if (album !== null) body.push(['album (all files as one programme)', ...loudnessCells(album)]);
          out(table(['file', ...LOUDNESS_HEADER], body));
        }
      }
      if (failed.length > 0) setExit(EXIT.failed);
    });

  // --- master ---
  writeOptions(
    program
      .command('master')
      .description('Master files to a loudness target: true-peak limiting to the ceiling, optional EQ / compression / multiband / saturation / width stages, a report.')
      .argument('<inputs...>', 'audio files')
      .addOption(new Option('--preset <name>', 'loudness target').choices(LOUDNESS_PRESET_NAMES as string[]))
      .option('--target <LUFS>', `custom integrated loudness target, LUFS [${TARGET_LOUDNESS_RANGE.min}, ${TARGET_LOUDNESS_RANGE.max}]`, wrap((v) => parseNumberOption('--target', v, TARGET_LOUDNESS_RANGE.min, TARGET_LOUDNESS_RANGE.max, 'LUFS')))
      .option('--ceiling <dBTP>', `true-peak ceiling, dBTP [${TARGET_CEILING_RANGE.min}, ${TARGET_CEILING_RANGE.max}]`, wrap((v) => parseNumberOption('--ceiling', v, TARGET_CEILING_RANGE.min, TARGET_CEILING_RANGE.max, 'dBTP')))
      .option('--chain <file.json>', 'MasteringChain preset: stages before the limiter (a "MasteringChain" preset or its options)')
      .option('--report', 'write an HTML report beside each output (<name>.report.html)')
      .option('--report-file <file.html>', 'write the HTML report here instead (one input only)')
      .option('--plots <folder>', 'write a PNG of each of the report\'s plots (for several inputs, one subfolder per output)'),
    '24',
  )
    .addHelpText('after', '\nExamples:\n  masterbus master mix.wav -o master.wav --preset streaming --report --plots plots/\n  masterbus master mix.wav -o master.wav --target -16 --ceiling -1.5 --bits 16 --dither shaped\n  masterbus master album/*.wav -o masters/ --preset apple-music --jobs 2\n')
    .action(async (inputs: string[], o: WriteOptions & { preset?: string; target?: number; ceiling?: number; chain?: string; report?: boolean; reportFile?: string; plots?: string }) => {
      if (o.preset !== undefined && o.target !== undefined) throw new UsageError('give --preset or --target, not both');
      checkTargetAndCeiling(o.preset, o.target, o.ceiling);
      if (o.reportFile !== undefined) {
        if (inputs.length > 1) throw new UsageError('--report-file names one report: with several inputs use --report (one beside each output)');
        await checkReportPath(o.reportFile, inputs);
      }
      const chain = o.chain === undefined ? undefined : masteringChainFromFile(o.chain);
      const jobsFor = (input: string, output: OutputSpec): Job => ({
        kind: 'master',
        input,
        output,
        ...(o.reportFile !== undefined ? { report: o.reportFile } : o.report === true ? { report: reportBeside(output.path) } : {}),
        ...(o.plots !== undefined ? { plots: inputs.length === 1 ? o.plots : join(o.plots, basename(output.path, extname(output.path))) } : {}),
        mastering: { ...(o.preset !== undefined ? { preset: o.preset as (typeof LOUDNESS_PRESET_NAMES)[number] } : {}), ...(o.target !== undefined ? { target: o.target } : {}), ...(o.ceiling !== undefined ? { ceiling: o.ceiling } : {}), ...(chain ? { chain } : {}) },
      });
      await batchCommand(inputs, o, jobsFor, io, out, setExit, true);
    });

  // --- process ---
  writeOptions(
    program
      .command('process')
      .description('Run any processor or chain preset (JSON, as processorFromJSON reads it) over files, latency compensated.')
      .argument('<inputs...>', 'audio files')
      .requiredOption('--chain <file.json>', 'processor or Chain preset'),
    '24',
  )
    .addHelpText('after', '\nExamples:\n  masterbus process vocal.wav -o vocal.eq.wav --chain deess.json\n  masterbus process stems/*.wav -o processed/ --chain chain.json --bits 32f\n\nA preset is what a processor\'s toJSON() gives, e.g.\n  {"type":"Chain","params":{"processors":[{"type":"ParametricEQ","params":{"bands":[{"type":"highpass","frequencyHz":80}]}},{"type":"Compressor","params":{"thresholdDb":-20,"ratio":3}}]}}\n')
    .action(async (inputs: string[], o: WriteOptions & { chain: string }) => {
      const json = readJsonFile(o.chain, '--chain') as ProcessorJSON;
      try {
        processorFromJSON(json);
      } catch (e) {
        throw new AudioFileError(o.chain, `--chain: ${oneLine(e)}`);
      }
      await batchCommand(inputs, o, (input, output) => ({ kind: 'process', input, output, chain: json }), io, out, setExit, false);
    });

  // --- mix ---
  program
    .command('mix')
    .description('Mix a session (the Mixer\'s JSON, tracks read from files) into a stereo file; optionally master it.')
    .argument('<session.json>', 'session file: a Mixer session, with optional "files": { "<track>": "<path>" }')
    .requiredOption('-o, --output <file>', 'output file (.wav or .flac)')
    .option('--stems <folder>', 'where tracks without a "files" entry are found, as <track name>.wav/.flac/… (default: the session file\'s folder)')
    .addOption(new Option('--master [preset]', 'master the mix to a loudness target (default preset: streaming)').choices(LOUDNESS_PRESET_NAMES as string[]))
    .option('--report', 'with --master: write an HTML report beside the output (<name>.report.html), and keep the unmastered mix beside it (<name>.mix.wav) for its player')
    .option('--report-file <file.html>', 'with --master: write the HTML report here instead')
    .addOption(new Option('--bits <bits>', 'output sample format').choices(BITS_CHOICES).default('24'))
    .addOption(new Option('--dither <mode>', 'dither for integer formats up to 24 bits').choices(DITHER_CHOICES).default('tpdf'))
    .option('-q, --quiet', 'no progress and no table')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  masterbus mix song.session.json -o song.mix.wav\n  masterbus mix song.session.json --stems stems/ -o song.master.wav --master streaming --report\n')
    .action(async (session: string, o: Common & { output: string; stems?: string; master?: string | boolean; report?: boolean; reportFile?: string; bits: string; dither: string }) => {
      const sampleFormat = parseBits(o.bits);
      const dither = parseDither(o.dither);
      await checkOutputPath(o.output, [session]);
      const mastered = o.master !== undefined && o.master !== false;
      const report = o.reportFile ?? (o.report === true ? reportBeside(o.output) : undefined);
      if (report !== undefined && !mastered) throw new UsageError('--report and --report-file need --master (the report is the mastering report)');
      if (report !== undefined) await checkReportPath(report, [session, o.output]);
      const progress = createProgress(1, !o.quiet && !o.json, io.stderr);
      const tick = progress.start(session);
      // Mastered: the mix goes to a hidden file first (kept beside the output as <name>.mix.wav
      // when a report links it in its player).
      const keptMix = join(dirname(o.output), `${basename(o.output, extname(o.output))}.mix.wav`);
      const mixPath = !mastered ? o.output : report !== undefined ? keptMix : join(dirname(o.output), `.${basename(o.output)}.${process.pid}.premaster.wav`);
      if (mixPath === keptMix) await checkOutputPath(keptMix, [session, o.output]);
      try {
        const mix = await mixSessionFile(session, mixPath, {
          stemsDir: o.stems,
          sampleFormat: mastered ? 'float32' : sampleFormat,
          dither,
          signal: io.signal,
          onProgress: (p) => tick(p.total ? (mastered ? 0.3 : 1) * Math.min(1, p.done / p.total) : 0),
        });
        let result: JobResult | undefined;
        if (mastered) {
          result = await runJob(
            {
              kind: 'master',
              input: mixPath,
              label: basename(session, extname(session)),
              protect: [session, ...mix.tracks.map((t) => t.file)],
              output: { path: o.output, sampleFormat, dither },
              ...(report ? { report } : {}),
              mastering: { preset: (typeof o.master === 'string' ? o.master : 'streaming') as (typeof LOUDNESS_PRESET_NAMES)[number] },
            },
            (f) => tick(0.3 + 0.7 * f),
            io.signal,
          );
          if (!result.ok) throw new AudioFileError(o.output, result.error.replace(/^[^:]*: /, ''));
        }
        progress.finish(session);
        progress.stop();
        const mixFile = mastered ? (mixPath === keptMix ? keptMix : null) : o.output;
        // A mix above full scale clips in an integer file (and is only rescued by mastering).
        const peak = mix.loudness.samplePeak;
        const clips = peak !== null && peak >= 0 && !mastered && sampleFormat !== 'float32' && sampleFormat !== 'float64';
        const warnings = clips ? [`the mix peaks at ${signed(peak, 1)} dBFS and clips in a ${o.bits}-bit file: lower the master fader, write --bits 32f, or add --master`] : [];
        const summary = {
          session,
          output: o.output,
          mix: mixFile,
          sampleRate: mix.sampleRate,
          seconds: mix.frames / mix.sampleRate,
          tailSeconds: mix.tailSeconds,
          tracks: mix.tracks,
          loudness: mix.loudness,
          warnings,
          ...(result && result.ok && !result.skipped ? { mastering: result.mastering, before: result.before, after: result.after, report: result.report } : {}),
        };
        if (o.json) out(JSON.stringify(summary, null, 2));
        else if (!o.quiet) {
          out(`${session}: ${mix.tracks.length} tracks mixed (${fmt(summary.seconds, 1)} s, tail ${fmt(mix.tailSeconds, 1)} s): ${fmt(mix.loudness.integrated, 1)} LUFS, true peak ${fmt(mix.loudness.truePeak, 1)} dBTP${mixFile ? ` -> ${mixFile}` : ''}`);
          if (result && result.ok && !result.skipped) printMasterLine(out, result, basename(session));
        }
        for (const w of warnings) err(`masterbus: ${o.output}: warning: ${w}`);
      } finally {
        progress.stop();
        if (mastered && mixPath !== keptMix) await rm(mixPath, { force: true });
      }
    });

  // --- presets ---
  program
    .command('presets')
    .description('List the loudness targets (for master --preset) and the processor types a chain preset can use.')
    .option('--json', 'print them as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  masterbus presets\n  masterbus presets --json | jq .loudnessTargets.streaming\n')
    .action((o: Common) => {
      const types = Object.keys(PROCESSOR_CLASSES).sort();
      if (o.json) {
        out(JSON.stringify({ loudnessTargets: LOUDNESS_TARGETS, processorTypes: types }, null, 2));
        return;
      }
      out(table(['preset', 'integrated LUFS', 'ceiling dBTP', 'for'], LOUDNESS_PRESET_NAMES.map((n) => [n, fmt(LOUDNESS_TARGETS[n].integratedLufs, 0), fmt(LOUDNESS_TARGETS[n].truePeakDbtp, 0), LOUDNESS_TARGETS[n].label])));
      out('');
      out(`processor types for chain presets: ${types.join(', ')}`);
      out('sources of each target: masterbus presets --json, or docs/mastering.md');
    });

  // --- demo ---
  program
    .command('demo')
    .description('Render a built-in song (drums, bass, pad, lead, a voice-like synth), mix it with the Mixer, master it to the streaming target, and write stems, mix, master and report.html.')
    .argument('[folder]', 'where to write', 'masterbus-demo')
    .option('-q, --quiet', 'no progress and no table')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  masterbus demo                 # into ./masterbus-demo/\n  masterbus demo /tmp/song --json\n')
    .action(async (folder: string, o: Common) => {
      const { runDemo } = await import('./demo.js');
      await runDemo(folder, { json: o.json === true, quiet: o.quiet === true, io, out });
    });

  return program;
}

/** `<output name>.report.html` beside an output. */
function reportBeside(output: string): string {
  return join(dirname(output), `${basename(output, extname(output))}.report.html`);
}

/** Output file types by extension. */
const OUTPUT_EXTENSIONS = ['.wav', '.wave', '.flac'];

/** An output path: a .wav or .flac file that is none of `others` and not a folder, device or FIFO (the writers' own check, made before any work so that it is a usage error). */
async function checkOutputPath(path: string, others: readonly string[], what = '-o'): Promise<void> {
  if (!OUTPUT_EXTENSIONS.includes(extname(path).toLowerCase())) throw new UsageError(`${what} ${path}: outputs are WAV (.wav) or FLAC (.flac) files`);
  await checkNotOver(path, others, what);
}

async function checkNotOver(path: string, others: readonly string[], what: string): Promise<void> {
  try {
    await assertNotProtected(path, others);
  } catch (e) {
    if (e instanceof AudioFileError) throw new UsageError(`${what} ${e.message}`);
    throw e;
  }
}

/** A report path: .html, and not an input or an output. */
async function checkReportPath(path: string, others: readonly string[]): Promise<void> {
  if (!/\.html?$/i.test(path)) throw new UsageError(`--report-file ${path}: a report is an .html file`);
  await checkNotOver(path, others, '--report-file');
}

/** The ceiling must lie above the target (checked before any work). */
function checkTargetAndCeiling(preset: string | undefined, target: number | undefined, ceiling: number | undefined): void {
  const t = target ?? LOUDNESS_TARGETS[(preset ?? 'streaming') as (typeof LOUDNESS_PRESET_NAMES)[number]].integratedLufs;
  const c = ceiling ?? (target !== undefined ? LOUDNESS_TARGETS.streaming.truePeakDbtp : LOUDNESS_TARGETS[(preset ?? 'streaming') as (typeof LOUDNESS_PRESET_NAMES)[number]].truePeakDbtp);
  if (!(c > t)) throw new UsageError(`the ceiling (${c} dBTP) must lie above the target (${t} LUFS)`);
}

/** Read a `--chain` file for `master`: a MasteringChain preset (`{ type, params }`) or its options. */
function masteringChainFromFile(path: string): Partial<MasteringChainOptions> {
  const json = readJsonFile(path, '--chain');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new AudioFileError(path, '--chain: a MasteringChain preset is a JSON object');
  const j = json as { type?: unknown; params?: unknown };
  if (j.type !== undefined) {
    if (j.type !== 'MasteringChain') throw new AudioFileError(path, `--chain: master takes a MasteringChain preset, got type "${String(j.type).slice(0, 40)}" (use masterbus process for other chains)`);
    try {
      processorFromJSON(json as ProcessorJSON);
    } catch (e) {
      throw new AudioFileError(path, `--chain: ${oneLine(e)}`);
    }
    return (j.params ?? {}) as Partial<MasteringChainOptions>;
  }
  try {
    processorFromJSON({ type: 'MasteringChain', params: json as Record<string, unknown> } as ProcessorJSON);
  } catch (e) {
    throw new AudioFileError(path, `--chain: ${oneLine(e)}`);
  }
  return json as Partial<MasteringChainOptions>;
}

function printMasterLine(out: (s: string) => void, r: Extract<JobResult, { ok: true; skipped?: false }>, label = r.input): void {
  const m = r.mastering!;
  out(
    `${label} -> ${r.output}: ${change(r.before.integrated, r.after.integrated, 1)} LUFS (target ${m.target.integratedLufs}), true peak ${change(r.before.truePeak, r.after.truePeak, 1)} dBTP (ceiling ${m.target.truePeakDbtp}), LRA ${change(r.before.lra, r.after.lra, 1)} LU, gain ${signed(m.gainDb, 1)} dB${r.report ? `, report ${r.report}` : ''}`,
  );
  for (const w of m.warnings) out(`  ! [${w.on === 'input' ? 'input' : w.on === 'output' ? 'result' : 'mastering'}] ${w.message}`);
}

/** Shared by master and process: plan, shard, run, print. */
async function batchCommand(
  inputs: string[],
  o: WriteOptions,
  makeJob: (input: string, output: OutputSpec) => Job,
  io: CliIO,
  out: (s: string) => void,
  setExit: (code: number) => void,
  mastering: boolean,
): Promise<void> {
  const sampleFormat = parseBits(o.bits);
  const dither = parseDither(o.dither);
  const shard: Shard | undefined = o.shard === undefined ? undefined : parseShard(o.shard);
  const mine = shardInputs(inputs, shard);
  const jobsCount = o.jobs === undefined ? defaultJobs(mine.length) : parseJobs(o.jobs);
  const outputs = planOutputs(mine, o.output, `.${o.format}`);
  for (const out of outputs) await checkOutputPath(out, mine);
  if (o.format === 'flac' && sampleFormat !== 'pcm16' && sampleFormat !== 'pcm24') throw new UsageError(`FLAC output takes --bits 16 or 24, got ${o.bits}`);
  const jobs = mine.map((input, k) => makeJob(input, { path: outputs[k], sampleFormat, dither }));
  const progress = createProgress(jobs.length, !o.quiet && !o.json, io.stderr);
  let results: JobResult[];
  try {
    results = await runBatch(jobs, {
      jobs: jobsCount,
      force: o.force === true,
      progress,
      signal: io.signal,
      onResult: (r) => {
        if (!r.ok && !io.signal.aborted) progress.log(`masterbus: ${r.error}`);
        if (r.ok && !r.skipped && !o.json) for (const w of r.warnings) progress.log(`masterbus: warning: ${w}`);
      },
    });
  } finally {
    progress.stop();
  }
  // Files not started before an interruption.
  for (let k = 0; k < results.length; k++) results[k] ??= { ok: false, input: jobs[k].input, output: jobs[k].output.path, error: 'not started: interrupted' };
  if (o.json) out(JSON.stringify({ shard: shard ?? null, results }, null, 2));
  else if (!o.quiet) {
    for (const r of results) {
      if (r === undefined) continue;
      if (!r.ok) continue;
      if (r.skipped) out(`${r.input} -> ${r.output}: up to date (--force redoes it)`);
      else if (mastering) printMasterLine(out, r);
      else out(`${r.input} -> ${r.output}: ${change(r.before.integrated, r.after.integrated, 1)} LUFS, true peak ${change(r.before.truePeak, r.after.truePeak, 1)} dBTP`);
    }
    if (shard !== undefined) out(`shard ${shard.index}/${shard.count}: ${mine.length} of ${inputs.length} inputs`);
  }
  if (io.signal.aborted) setExit(EXIT.interrupted);
  else if (results.some((r) => r !== undefined && !r.ok)) setExit(EXIT.failed);
}

/** Signals that stop the work cleanly (unfinished outputs removed), and the exit code each gives (128 + its number). */
const STOP_SIGNALS: Readonly<Record<string, number>> = Object.freeze({ SIGINT: EXIT.interrupted, SIGTERM: 143, SIGHUP: 129 });

/** Run the command line; resolves the exit code. */
export async function run(argv: readonly string[], io?: Partial<CliIO>): Promise<number> {
  const controller = new AbortController();
  const full: CliIO = { stdout: io?.stdout ?? process.stdout, stderr: io?.stderr ?? process.stderr, signal: io?.signal ?? controller.signal };
  let code: number = EXIT.ok;
  let stopCode: number = EXIT.interrupted;
  const handlers = Object.entries(STOP_SIGNALS).map(([name, exit]) => {
    const handler = () => {
      stopCode = exit;
      controller.abort(new Error('interrupted'));
    };
    if (io?.signal === undefined) process.once(name as NodeJS.Signals, handler);
    return [name, handler] as const;
  });
  const program = buildProgram(full, (c) => {
    code = Math.max(code, c);
  });
  const interrupted = () => {
    full.stderr.write('masterbus: interrupted; unfinished outputs were removed\n');
    return stopCode;
  };
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0 through the same path.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (full.signal.aborted) return interrupted();
    full.stderr.write(`masterbus: ${oneLine(e)}\n`);
    if (e instanceof UsageError) {
      full.stderr.write('(add --help for usage and examples)\n');
      return EXIT.usage;
    }
    return EXIT.failed;
  } finally {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  }
  if (full.signal.aborted) return interrupted();
  return code;
}

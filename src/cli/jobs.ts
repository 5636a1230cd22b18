/**
 * One unit of batch work (master or process one file), run the same way on the main thread and on
 * a worker thread: plain JSON in, plain JSON out, progress through a callback.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import type { MasteringOptions, MasterReport } from '../chains/master.js';
import type { DitherMode } from '../core/dither.js';
import type { ProcessorJSON } from '../core/processor.js';
import { processorFromJSON } from '../registry.js';
import { AudioFileError, type AudioSink, type AudioSource, type SampleFormat } from '../node/audio-file.js';
import { masterFile } from '../node/master-file.js';
import { createAudioWriter, ditherFor, openAudio } from '../node/open-audio.js';
import { writeFileAtomically } from '../node/output-path.js';
import { fileChannelWeights, fileLoudness, renderFile, type FileLoudness } from '../node/render.js';
import { LoudnessMeter } from '../metering/loudness-meter.js';
import { UsageError, oneLine } from './errors.js';

/** What every job writes. */
export interface OutputSpec {
  readonly path: string;
  readonly sampleFormat: SampleFormat;
  readonly dither: DitherMode;
}

/** Master one file (`masterbus master`). */
export interface MasterJob {
  readonly kind: 'master';
  readonly input: string;
  readonly output: OutputSpec;
  /** The HTML report's path, if one is wanted. */
  readonly report?: string;
  /** A folder for a PNG of each of the report's plots, if wanted. */
  readonly plots?: string;
  /** What to call the input in the report (default: its file name). */
  readonly label?: string;
  /** Files the output must not be, besides the input (a mix's stems and session). */
  readonly protect?: readonly string[];
  readonly mastering: Pick<MasteringOptions, 'preset' | 'target' | 'ceiling' | 'chain'>;
}

/** Run a chain preset over one file (`masterbus process`). */
export interface ProcessJob {
  readonly kind: 'process';
  readonly input: string;
  readonly output: OutputSpec;
  readonly chain: ProcessorJSON;
}

export type Job = MasterJob | ProcessJob;

/** A job's outcome, JSON-safe (what `--json` prints per file). */
export type JobResult =
  | {
      readonly ok: true;
      readonly input: string;
      readonly output: string;
      readonly report?: string;
      readonly seconds: number;
      /** Loudness of the input and of the output as written. */
      readonly before: FileLoudness;
      readonly after: FileLoudness;
      /** master only: the gain applied, the error from the target, the limiter passes, the warnings. */
      readonly mastering?: { readonly target: MasterReport['target']; readonly gainDb: number; readonly errorLu: number | null; readonly passes: number; readonly limiterMaxDb: number; readonly warnings: readonly { code: string; on: string; message: string }[] };
      readonly skipped?: false;
      /** About the files (a truncated input, a dither changed for the rate): `<file>: <what>`. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: true; readonly input: string; readonly output: string; readonly skipped: true }
  | { readonly ok: false; readonly input: string; readonly output: string; readonly error: string };

/** Progress of one job, 0 … 1. */
export type JobProgress = (fraction: number) => void;

/** Run a job; never throws (a failure is a result with `ok: false` and a one-line error). */
export async function runJob(job: Job, onProgress: JobProgress = () => {}, signal?: AbortSignal): Promise<JobResult> {
  const t0 = performance.now();
  try {
    await mkdir(dirname(job.output.path), { recursive: true });
    if (job.kind === 'master') return await runMaster(job, onProgress, signal, t0);
    return await runProcess(job, onProgress, signal, t0);
  } catch (e) {
    // Every failure names its file: the input's for errors that do not name one (a chain preset
    // that does not fit the file, say).
    const line = oneLine(e);
    return { ok: false, input: job.input, output: job.output.path, error: e instanceof AudioFileError || e instanceof UsageError ? line : `${job.input}: ${line}` };
  }
}

async function runMaster(job: MasterJob, onProgress: JobProgress, signal: AbortSignal | undefined, t0: number): Promise<JobResult> {
  const r = await masterFile(job.input, job.output.path, {
    ...job.mastering,
    sampleFormat: job.output.sampleFormat,
    dither: job.output.dither,
    protect: job.protect,
    onProgress: (p) => onProgress(p.fraction * 0.97),
    signal,
  });
  const rep = r.report;
  if (job.report !== undefined || job.plots !== undefined) await writeReport(job, r.input.description, r.input.sampleRate, rep);
  onProgress(1);
  const loud = ({ loudness: l, duration }: MasterReport['before']): FileLoudness => ({
    integrated: l.integrated,
    lra: l.lra,
    truePeak: l.truePeak,
    samplePeak: l.samplePeak,
    plr: l.plr,
    momentaryMax: l.momentaryMax,
    shortTermMax: l.shortTermMax,
    duration,
  });
  return {
    ok: true,
    input: job.input,
    output: job.output.path,
    ...(job.report !== undefined ? { report: job.report } : {}),
    seconds: (performance.now() - t0) / 1000,
    warnings: r.warnings,
    before: loud(rep.before),
    after: loud(rep.after),
    mastering: {
      target: rep.target,
      gainDb: rep.gainDb,
      errorLu: Number.isFinite(rep.errorLu) ? rep.errorLu : null,
      passes: rep.passes,
      limiterMaxDb: rep.limiter.maxDb,
      warnings: rep.warnings.map((w) => ({ code: w.code, on: w.on, message: w.message })),
    },
  };
}

async function runProcess(job: ProcessJob, onProgress: JobProgress, signal: AbortSignal | undefined, t0: number): Promise<JobResult> {
  const processor = processorFromJSON(job.chain);
  const source = await openAudio(job.input);
  const { sampleRate, channels } = source;
  const d = ditherFor(job.output.dither, sampleRate);
  const warnings = [...(source.warnings ?? []).map((w) => `${job.input}: ${w}`), ...(d.warning ? [`${job.output.path}: ${d.warning}`] : [])];
  const sink = await createAudioWriter(job.output.path, { sampleRate, channels, sampleFormat: job.output.sampleFormat, dither: d.mode, protect: [job.input] });
  // Meter what goes in and what comes out on the way (the output before quantisation to the file's format).
  const spec = { sampleRate, maxBlockSize: 4096, channels };
  const inMeter = new LoudnessMeter({ historySeconds: 0, channelWeights: fileChannelWeights(channels) });
  const outMeter = new LoudnessMeter({ historySeconds: 0, channelWeights: fileChannelWeights(channels) });
  inMeter.prepare(spec);
  outMeter.prepare(spec);
  const metered: AudioSink = {
    get path() {
      return sink.path;
    },
    sampleRate,
    channels,
    write: (b: readonly Float32Array[], n: number) => {
      outMeter.process(b, n);
      return sink.write(b, n);
    },
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
  const tapped: AudioSource = {
    path: source.path,
    format: source.format,
    description: source.description,
    sampleRate,
    channels,
    frames: source.frames,
    read: async (out: readonly Float32Array[], max: number) => {
      const n = await source.read(out, max);
      if (n > 0) inMeter.process(out, n);
      return n;
    },
    rewind: () => source.rewind(),
    close: () => source.close(),
  };
  try {
    const total = source.frames;
    await renderFile(processor, tapped, metered, { signal, onProgress: (p) => onProgress(total ? Math.min(1, p.done / total) : 0) });
  } finally {
    await source.close();
  }
  inMeter.finish();
  outMeter.finish();
  onProgress(1);
  return { ok: true, input: job.input, output: job.output.path, seconds: (performance.now() - t0) / 1000, warnings, before: fileLoudness(inMeter.reading()), after: fileLoudness(outMeter.reading()) };
}

/** Write the HTML report of a mastering job (whole or not at all) and/or a PNG of each of its plots. */
async function writeReport(job: MasterJob, description: string, sampleRate: number, report: MasterReport): Promise<void> {
  const { fileHref, renderReportHtml, reportPlots, writeReportPngs } = await import('../node/report/index.js');
  const { input, output: { path: output } } = job;
  const dir = dirname(job.report ?? output);
  const reportInput = {
    title: `${job.label ?? basename(input)} mastered`,
    sampleRate,
    report,
    input: { name: job.label ?? basename(input), href: fileHref(relative(dir, input) || basename(input)), description },
    output: { name: basename(output), href: fileHref(relative(dir, output) || basename(output)) },
  };
  const plots = await reportPlots(reportInput);
  if (job.plots !== undefined) await writeReportPngs(plots, job.plots);
  if (job.report !== undefined) {
    await mkdir(dir, { recursive: true });
    await writeFileAtomically(job.report, await renderReportHtml(reportInput, plots));
  }
}

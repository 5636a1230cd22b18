/**
 * Master a file to a loudness target in constant memory: the core's `masterStream()` reads the
 * file once per pass (a typical programme: 3–4 reads) and writes the result once, through the
 * file writer (dither for integer formats), never over the input and never half-written.
 */
import { masterStream, type MasteringOptions, type MasterReport } from '../chains/master.js';
import { AudioFileError, type SampleFormat } from './audio-file.js';
import { createAudioWriter, ditherFor, openAudio } from './open-audio.js';
import type { DitherMode } from '../core/dither.js';

/** Options of {@link masterFile}: those of `master()` and of the writer. */
export interface MasterFileOptions extends Omit<MasteringOptions, 'signal'> {
  /** Output sample format. @defaultValue `'pcm24'` */
  sampleFormat?: SampleFormat;
  /** Dither for integer formats up to 24 bits. @defaultValue `'tpdf'` */
  dither?: DitherMode;
  /** Files the output must not be, besides the input. */
  protect?: readonly string[];
  signal?: AbortSignal;
}

/** What {@link masterFile} resolves to. */
export interface MasterFileResult {
  readonly input: { readonly path: string; readonly description: string; readonly sampleRate: number; readonly channels: number; readonly frames: number };
  readonly output: { readonly path: string; readonly sampleFormat: SampleFormat };
  readonly report: MasterReport;
  /** About the input (a truncated file) and the output (a dither that does not suit its rate). */
  readonly warnings: readonly string[];
}

/**
 * Master `inputPath` into `outputPath` (see `master()` for the method and the report). The
 * output has the input's rate, channels and length. Rejects with an {@link AudioFileError} for a
 * bad input or output file; nothing appears at `outputPath` unless it succeeds.
 */
export async function masterFile(inputPath: string, outputPath: string, options: MasterFileOptions = {}): Promise<MasterFileResult> {
  const { sampleFormat = 'pcm24', dither = 'tpdf', protect = [], ...mastering } = options;
  const source = await openAudio(inputPath);
  try {
    const { sampleRate, channels, description } = source;
    if (channels > 8) throw new AudioFileError(inputPath, `${channels} channels; mastering takes at most 8 (a BS.1770 layout)`);
    const d = ditherFor(dither, sampleRate);
    const warnings = [...(source.warnings ?? []).map((w) => `${inputPath}: ${w}`), ...(d.warning ? [`${outputPath}: ${d.warning}`] : [])];
    const sink = await createAudioWriter(outputPath, { sampleRate, channels, sampleFormat, dither: d.mode, protect: [inputPath, ...protect] });
    let report: MasterReport;
    try {
      report = await masterStream(source, sink, mastering);
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
    return { input: { path: inputPath, description, sampleRate, channels, frames: report.after.frames }, output: { path: outputPath, sampleFormat }, report, warnings };
  } finally {
    await source.close();
  }
}

/**
 * Offline mastering to a loudness target: `master()` for one programme in memory,
 * `masterStream()` for one read from a source as often as needed and written once to a sink (in
 * memory independent of its length: an hour of stereo at 48 kHz in about 100 MB of RSS), and
 * `masterAlbum()` for several. Isomorphic (no `node:` import, no timer imported): it runs in Node,
 * in a browser page and in a worker, yields to the event loop while it works, and reports progress.
 *
 * **Algorithm** (one for all three: `master()` is `masterStream()` over arrays). The programme
 * goes through a {@link MasteringChain} (by default the true-peak `Limiter` alone, at the target's
 * ceiling: {@link MASTER_DEFAULT_CHAIN}). The integrated loudness of the result is what BS.1770
 * measures on the output; it rises with the gain, but by less than the gain once the limiter
 * works, so the gain is found by iteration. Every pass reads the programme from its start:
 * 1. measure the input (a {@link ProgrammeAnalyzer} fed block by block): L_in (BS.1770-5
 *    integrated), peaks, clipping, tonal balance, translation;
 * 2. the stages before the limiter (EQ, compressor, saturator, widener, when present) run at the
 *    static gain g₀ = target − L_in (capped at {@link MASTER_MAX_GAIN_DB}): their thresholds and
 *    drive act on the programme at the target's level, whatever the input's level was; their
 *    output is measured, L_pre. `masterStream()` does not store it: every later pass renders
 *    the stages again from a reset state (deterministic: the same output to the bit as a stored
 *    copy), aligned and cut at the programme's length, into the limiter; `master()` keeps it in
 *    its output arrays, which the final pass then overwrites in place;
 * 3. the limiter's input gain h: h₁ = target − L_pre; each pass runs the limiter over the stages'
 *    output × h (or the input × (g₀ + h) without stages) and measures the result without keeping
 *    it (L_k); then a step with the slope guessed as 1/(1 + e/1.5 LU) (limiting that already costs
 *    e LU costs more as h rises), then secant steps h_{k+1} = h_k + (target − L_k)/s_k,
 *    s_k = (L_k − L_{k−1})/(h_k − h_{k−1}) clamped to [0.05, 1.2], until |target − L_k| ≤
 *    `toleranceLu` (0.05 LU) or `maxPasses`;
 * 4. a final pass at the best h found writes the result to the sink, reading the limiter's gain
 *    reduction every block, and feeds it to the result's analysis as it is written (no re-read).
 * Output arrays (`master()`, `masterAlbum()`), unlike a sink, can be written again: without stages
 * before the limiter every measuring pass writes them, and the final pass is skipped when the last
 * one measured is the best (the usual case); the result's analysis then reads the arrays.
 * Every pass starts from a reset limiter, so L(h) is a deterministic, continuous function of h and
 * the secant converges in two or three measuring passes on ordinary programmes. The measuring
 * meter is the library's own (`LoudnessMeter`, the same gating as `measureLoudness`), fed the
 * output exactly as it will be stored, so the error the iteration sees is the error of the result.
 *
 * **Guarantees, and their conditions** (tested with fast-check in test/chains/master*.test.ts):
 * - integrated loudness within ±0.1 LU of the target for programmes from −40 to −5 LUFS (music,
 *   speech with pauses, sparse material) when the gain needed stays under the cap and the
 *   `maxPasses` default is kept;
 * - true peak ≤ the ceiling on the library's meter (`measureLoudness`, the `Limiter`'s guarantee),
 *   and ≤ ceiling + 0.05 dB on an independent 16× band-limited reference, for band-limited
 *   material (not for full-band noise: see `Limiter`);
 * - the output has the input's length and is aligned with it sample for sample (the chain's
 *   latency is compensated: the input is followed by `latency` samples of silence and the first
 *   `latency` output samples are dropped);
 * - silence (no gating block above −70 LUFS) gets no gain and a `silence` warning; the gain never
 *   exceeds {@link MASTER_MAX_GAIN_DB}, and a target it cannot reach gives `gain-capped`.
 *
 * **Memory.** `masterStream()` allocates nothing in proportion to the programme but the report's
 * series (loudness, correlation and gain reduction per 100 ms: about 0.2 KB per 100 ms, 7 MB for
 * an hour): block scratch, meters, the analyzers' fixed buffers (about 5 MB). `master()` adds the
 * output arrays (one `Float32Array` per channel, the input's length).
 *
 * @module
 */
import { dbToGain } from '../core/db.js';
import type { ProcessorJSON } from '../core/processor.js';
import { checkKnownKeys, checkNumber, checkObject, describeValue } from '../core/validate.js';
import { LoudnessMeter, type LoudnessReading } from '../metering/loudness-meter.js';
import { ProgrammeAnalyzer, analyzeProgramme, programmeWarnings, type ProgrammeAnalysis, type ProgrammeWarningCode } from '../metering/programme-analysis.js';
import { LOUDNESS_TARGETS, loudnessTarget, TARGET_CEILING_RANGE, TARGET_LOUDNESS_RANGE, type LoudnessPresetName, type LoudnessTarget } from './loudness-targets.js';
import { MASTERING_STAGE_DEFAULTS, MasteringChain, type MasteringChainOptions } from './mastering-chain.js';
import { Limiter } from '../dynamics/limiter.js';

/**
 * Largest input gain `master()` applies, in dB. A programme that would need more (near-silent
 * input, a noise floor) gets this gain, a `gain-capped` warning, and misses the target instead of
 * blowing up its noise. 40 dB takes a −40 LUFS programme to −14 LUFS with 14 dB left for the
 * loudness the limiter takes away.
 */
export const MASTER_MAX_GAIN_DB = 40;
/**
 * The chain `master()` uses unless `options.chain` says otherwise: the true-peak limiter alone
 * (no EQ, no glue compressor), releasing in 50 ms (the peaks it catches are brief; on a 60 s
 * programme of 3.7 LU it keeps 0.04 LU more of the range than at 100 ms). Loudness normalisation should not change the programme's dynamics
 * beyond what the ceiling requires: a glue compressor takes loudness range (about 1 LU of a 3.5 LU
 * programme at its mastering defaults), the limiter alone a few hundredths. Add stages with
 * `chain: { compressor: {}, eq: { bands: [...] } }` (their omitted options take
 * `MASTERING_STAGE_DEFAULTS`).
 */
export const MASTER_DEFAULT_CHAIN: Readonly<Partial<MasteringChainOptions>> = Object.freeze({ eq: null, compressor: null, multiband: null, saturator: null, widener: null, limiter: Object.freeze({ releaseMs: 50 }) });
/** Most rounds of `masterAlbum()`'s album mode (each masters every track once). */
export const ALBUM_MAX_ROUNDS = 5;
/** Default largest |integrated − target| at which `master()` stops iterating, LU. */
export const MASTER_TOLERANCE_LU = 0.05;
/** Default largest number of renders. */
export const MASTER_MAX_PASSES = 6;
/** Limiter gain reduction above which the report calls the limiting heavy: mean dB over the programme. */
export const HEAVY_LIMITING_MEAN_DB = 2;
/** … or this share of the time above 3 dB of gain reduction. */
export const HEAVY_LIMITING_FRACTION_3DB = 0.1;

/** Frames per render block (the limiter's gain reduction is read once per block: every 21 ms at 48 kHz). */
const BLOCK = 1024;
/** Frames asked of a {@link MasterSource} per read. */
const READ_BLOCK = 16384;
/** Frames per block of the input's analysis pass (the analyzer regroups them into its own blocks). */
const ANALYSE_BLOCK = 16384;
/** How long `master()` works between two yields to the event loop, ms. */
const YIELD_MS = 12;

/** What `onProgress` receives. */
export interface MasterProgress {
  /** `analyse` (measuring the input), `render` (a pass), `report` (measuring the result), `done`. */
  readonly phase: 'analyse' | 'render' | 'report' | 'done';
  /** Pass number during `render` (1-based), else 0. */
  readonly pass: number;
  /** Overall progress estimate, 0 to 1 (non-decreasing; 1 at `done`). */
  readonly fraction: number;
  /** In `masterAlbum`, the track being worked on (0-based); −1 in `master`. */
  readonly track: number;
}

/** What `master()` reads of an `AbortSignal` (the core is built without the DOM types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/** Options of {@link master}. */
export interface MasteringOptions {
  /** A named target (`'streaming'`, `'ebu-r128'` …); default `'streaming'` unless `target` is given. */
  preset?: LoudnessPresetName;
  /** A custom target: integrated LUFS, or `{ integratedLufs, truePeakDbtp }`. Not with `preset`. */
  target?: number | LoudnessTarget;
  /** True-peak ceiling, dBTP, [−20, 0]; overrides the preset's or target's. */
  ceiling?: number;
  /** The mastering chain's options (the limiter's ceiling and mode are set by the target). */
  chain?: Partial<MasteringChainOptions>;
  /** Largest |integrated − target| that ends the iteration, LU, [0.001, 1]. @defaultValue 0.05 */
  toleranceLu?: number;
  /** Most renders, [1, 12]. @defaultValue 6 */
  maxPasses?: number;
  /** Called with the progress while working (at most about every 12 ms, and at each phase). */
  onProgress?: (progress: MasterProgress) => void;
  /** Aborts the work: the promise rejects with the signal's reason. */
  signal?: AbortSignalLike;
}

/** Limiter gain-reduction statistics over the programme (read once per 128-frame block). */
export interface LimiterStatistics {
  /** Largest gain reduction, dB. */
  readonly maxDb: number;
  /** Mean gain reduction over the programme's duration, dB. */
  readonly meanDb: number;
  /** Time with more than 1 dB of gain reduction, s, and as a share of the duration. */
  readonly secondsAbove1Db: number;
  readonly fractionAbove1Db: number;
  /** Time with more than 3 dB of gain reduction, s, and as a share of the duration. */
  readonly secondsAbove3Db: number;
  readonly fractionAbove3Db: number;
}

/** A gain-reduction reading over time (see {@link MasterReport.gainReduction}). */
export interface GainReductionSeries {
  /** Seconds between values (0.1). */
  readonly intervalSeconds: number;
  /** Time of the first value's interval start, seconds from the start of the programme (0). */
  readonly startSeconds: number;
  /** Largest gain reduction in each interval, dB (≥ 0), rounded to 0.01 dB. */
  readonly db: readonly number[];
}

/** Codes of the warnings `master()` adds itself (besides those of `programmeWarnings`). */
export type MasterWarningCode = 'gain-capped' | 'target-missed' | 'heavy-limiting' | 'clipped-source';

/** A plain-language warning of the report. */
export interface MasterWarning {
  /** Stable code for programs: one of `programmeWarnings`' codes, or one of {@link MasterWarningCode}. */
  readonly code: MasterWarningCode | ProgrammeWarningCode;
  /**
   * What it is about: the `input` (its analysis: silence, clipping, mono compatibility …), the
   * `output` (its analysis: heavy limiting by PLR, lossy-encoding risk, mono compatibility …), or
   * the mastering itself (`master`: the gain cap, a missed target, the limiter's work).
   */
  readonly on: 'input' | 'output' | 'master';
  /** The sentence for people. */
  readonly message: string;
}

/** What `master()` did and what came out. */
export interface MasterReport {
  /** The target aimed at (and the preset's name, if one was used). */
  readonly target: LoudnessTarget & { readonly preset?: LoudnessPresetName };
  /** The input's analysis (`analyzeProgramme`: loudness, tonal balance, translation, clipping). */
  readonly before: ProgrammeAnalysis;
  /** The result's analysis. */
  readonly after: ProgrammeAnalysis;
  /** The total gain applied to the input (before the stages, plus before the limiter), dB. */
  readonly gainDb: number;
  /** Result's integrated loudness − target, LU (`NaN` for silence). */
  readonly errorLu: number;
  /**
   * Renders of the limiter: the measuring passes and the final one (with stages before the limiter,
   * they render in each). `master()` without such stages counts no final render when the last
   * measuring pass was the best: it keeps that render's output; `masterStream()` always renders it.
   */
  readonly passes: number;
  /** The limiter's gain reduction during the final render. */
  readonly limiter: LimiterStatistics;
  /**
   * The limiter's gain reduction over time during the final render, for plots: `db[i]` is the
   * largest reduction (dB, ≥ 0) read in the interval from `startSeconds + i·intervalSeconds` to
   * the next (read once per 1024-frame render block, assigned to every interval the block
   * overlaps). Silence gives all zeros.
   */
  readonly gainReduction: GainReductionSeries;
  /** No gating block of the input above −70 LUFS: nothing to measure, no gain applied. */
  readonly silent: boolean;
  /** The gain needed exceeded {@link MASTER_MAX_GAIN_DB}. */
  readonly gainCapped: boolean;
  /** Plain-language warnings. */
  readonly warnings: readonly MasterWarning[];
  /** The chain used, as a preset (`processorFromJSON` rebuilds it). */
  readonly chain: ProcessorJSON;
  /** The chain's latency, compensated in the output, samples. */
  readonly latency: number;
}

/** What `master()` resolves to. */
export interface MasterResult {
  /** The mastered programme: one array per input channel, the input's length, aligned with it. */
  readonly audio: Float32Array[];
  readonly report: MasterReport;
}

/** Options of {@link masterAlbum}: those of `master()`, and the mode. */
export interface MasterAlbumOptions extends MasteringOptions {
  /**
   * `'track'`: each track to the target on its own; `'album'`: one gain per track such that the
   * tracks keep their relative loudness and the album, gated over all tracks as one programme,
   * hits the target. @defaultValue `'album'`
   */
  mode?: 'track' | 'album';
}

/** What `masterAlbum()` resolves to. */
export interface MasterAlbumResult {
  /** Per track, as `master()` gives it. */
  readonly tracks: MasterResult[];
  /** The album as one programme (the tracks in order, gated together): before and after. */
  readonly album: { readonly before: LoudnessReading; readonly after: LoudnessReading; readonly errorLu: number; readonly iterations: number };
}

/** Resolved options. */
interface Settings {
  readonly target: LoudnessTarget & { readonly preset?: LoudnessPresetName };
  readonly chainOptions: Partial<MasteringChainOptions>;
  readonly tolerance: number;
  readonly maxPasses: number;
  readonly onProgress: ((p: MasterProgress) => void) | undefined;
  readonly signal: AbortSignalLike | undefined;
}

const OWNER = 'master';
const STREAM = 'masterStream';
const KNOWN = ['preset', 'target', 'ceiling', 'chain', 'toleranceLu', 'maxPasses', 'onProgress', 'signal', 'mode'];

/**
 * Master a programme to a loudness target.
 *
 * @param input - one `Float32Array` per channel, all the same length (not modified)
 * @param sampleRate - in Hz, 8000 to 384000
 * @returns the mastered audio (the input's length, aligned with it) and a {@link MasterReport}
 *
 * @example
 * ```ts
 * import { master } from 'masterbus';
 * const sr = 48000;
 * const left = new Float32Array(sr * 10).map((_, i) => 0.05 * Math.sin(i / 7) * (1 + Math.sin(i / 9000)));
 * const { audio, report } = await master([left, left.slice()], sr, { preset: 'streaming' });
 * console.log(report.after.loudness.integrated, report.after.loudness.truePeak, report.passes); // ≈ −14 LUFS, ≤ −1 dBTP
 * ```
 */
export async function master(input: Float32Array[], sampleRate: number, options: MasteringOptions = {}): Promise<MasterResult> {
  const frames = checkInput(input, sampleRate);
  const s = settings(options);
  const audio = input.map(() => new Float32Array(frames));
  const report = await masterPasses(new ArrayReader(input), input.length, sampleRate, frames, new ArraySink(audio), s);
  return { audio, report };
}

/**
 * Master a programme that is read from a {@link MasterSource} as often as needed and written once
 * to a {@link MasterSink}: the same algorithm as {@link master} (which is this function over
 * arrays), in memory independent of the programme's length but for the report's series (about
 * 100 bytes per 100 ms). Each pass rewinds the source and reads it from the start: the analysis of
 * the input, the render of the stages before the limiter (when the chain has any), every
 * measuring pass of the limiter (the stages re-rendered in each: they are deterministic after a
 * reset), and the final pass, whose output goes to the sink and to the result's analysis as it is
 * written. So a source is read 3 or 4 times for an ordinary programme (at most `maxPasses` + 2).
 *
 * @param source - the programme: channels (1 … 8), sample rate (8 … 384 kHz), `rewind()` and `read()`
 * @param sink - receives the mastered programme once, in order: the input's length, aligned with it
 * @returns the {@link MasterReport}
 *
 * @example
 * ```ts
 * import { masterStream, type MasterSource } from 'masterbus';
 * const sampleRate = 48000;
 * const frames = sampleRate * 10; // could be hours: it is never held in memory
 * let pos = 0;
 * const source: MasterSource = {
 *   channels: 2,
 *   sampleRate,
 *   frames,
 *   rewind() {
 *     pos = 0; // e.g. reopen the file
 *   },
 *   read(out, max) {
 *     const n = Math.min(max, frames - pos);
 *     for (let i = 0; i < n; i++) out[0][i] = out[1][i] = 0.05 * Math.sin((pos + i) / 7) * (1 + Math.sin((pos + i) / 9000));
 *     pos += n;
 *     return n;
 *   },
 * };
 * let peak = 0;
 * const sink = {
 *   write(block: readonly Float32Array[], n: number) {
 *     // e.g. encode and write to a file; here only the sample peak is kept
 *     for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(block[0][i]), Math.abs(block[1][i]));
 *   },
 * };
 * const report = await masterStream(source, sink, { preset: 'streaming' });
 * console.log(report.after.loudness.integrated, report.passes, peak); // ≈ −14 LUFS, 2 or 3 renders, < 0.89
 * ```
 */
export async function masterStream(source: MasterSource, sink: MasterSink, options: MasteringOptions = {}): Promise<MasterReport> {
  checkObject(STREAM, 'source', source);
  checkNumber(STREAM, 'source.channels', source.channels, { min: 1, max: 8 });
  if (!Number.isInteger(source.channels)) throw new RangeError(`${STREAM}: source.channels must be an integer in [1, 8], got ${source.channels}`);
  checkNumber(STREAM, 'source.sampleRate', source.sampleRate, { min: 8000, max: 384000, unit: 'Hz' });
  if (source.frames !== undefined && !(typeof source.frames === 'number' && Number.isInteger(source.frames) && source.frames >= 0)) {
    throw new RangeError(`${STREAM}: source.frames must be a whole number of frames ≥ 0 or undefined, got ${describeValue(source.frames)}`);
  }
  for (const m of ['rewind', 'read'] as const) if (typeof source[m] !== 'function') throw new TypeError(`${STREAM}: source.${m} must be a function, got ${describeValue(source[m])}`);
  checkObject(STREAM, 'sink', sink);
  if (typeof sink.write !== 'function') throw new TypeError(`${STREAM}: sink.write must be a function, got ${describeValue(sink.write)}`);
  const s = settings(options);
  return masterPasses(new SourceReader(source), source.channels, source.sampleRate, source.frames, sink, s);
}

/** The algorithm of {@link master} and {@link masterStream}: analyse the input, fit the gain, write and analyse the result. */
async function masterPasses(reader: Reader, channels: number, sampleRate: number, expectedFrames: number | undefined, sink: MasterSink, s: Settings): Promise<MasterReport> {
  const r = new Renderer(channels, sampleRate, s);
  const { analysis: before, frames } = await r.analyseInput(reader, expectedFrames, -1);
  const after = new ProgrammeAnalyzer(channels, sampleRate, { expectedFrames: frames });
  const fit = await r.fit(reader, frames, before.loudness.integrated ?? -Infinity, s.target.integratedLufs, -1, sink, after);
  r.progress('report', 0, (s.maxPasses + 1) / (s.maxPasses + 2), -1);
  const report = r.report(before, after.finish(), fit);
  r.progress('done', 0, 1, -1);
  return report;
}

/**
 * Master several tracks: each to the target (`mode: 'track'`), or as an album (`mode: 'album'`,
 * the default): every track keeps its loudness relative to the others (within 0.1 LU), and the
 * album's integrated loudness, gated over all tracks as one programme (BS.1770 over their
 * concatenation), hits the target (within 0.1 LU). Each track gets its own input gain: the
 * limiter takes more from a loud track than from a quiet one, so one gain for all would change
 * their differences.
 *
 * Album algorithm: offset A = target − L_album(input); master track i to L_i(input) + A (each
 * within 0.02 LU); measure the album of the results; correct A by a secant step on the album's
 * loudness against A (limiting makes its slope less than 1); repeat (at most
 * {@link ALBUM_MAX_ROUNDS} rounds) until the album is within 0.02 LU. Output buffers are
 * allocated once per track.
 */
export async function masterAlbum(tracks: Float32Array[][], sampleRate: number, options: MasterAlbumOptions = {}): Promise<MasterAlbumResult> {
  if (!Array.isArray(tracks) || tracks.length === 0) throw new TypeError(`masterAlbum: tracks must be a non-empty array of tracks (each an array of Float32Array), got ${describeValue(tracks)}`);
  const mode = options.mode ?? 'album';
  if (mode !== 'track' && mode !== 'album') throw new TypeError(`masterAlbum: mode must be "track" or "album", got ${describeValue(mode)}`);
  const lengths = tracks.map((t, i) => {
    const n = checkInput(t, sampleRate, `masterAlbum: tracks[${i}]`);
    if (t.length !== tracks[0].length) throw new RangeError(`masterAlbum: every track needs the same channel count; tracks[0] has ${tracks[0].length}, tracks[${i}] has ${t.length}`);
    return n;
  });
  const s = settings(options, mode === 'album' ? 0.02 : MASTER_TOLERANCE_LU);
  const r = new Renderer(tracks[0].length, sampleRate, s);
  const outs = tracks.map((t, i) => t.map(() => new Float32Array(lengths[i])));
  const befores: ProgrammeAnalysis[] = [];
  for (let i = 0; i < tracks.length; i++) befores.push(await r.analyse(tracks[i], sampleRate, i, 0));
  const albumBefore = await r.album(tracks, lengths);
  const target = s.target.integratedLufs;
  let offset = target - albumBefore.integrated;
  let fits: Fit[] = [];
  let albumAfter = albumBefore;
  let iterations = 0;
  let prevOffset = NaN;
  let prevL = NaN;
  for (let k = 0; k < ALBUM_MAX_ROUNDS; k++) {
    iterations++;
    fits = [];
    for (let i = 0; i < tracks.length; i++) {
      const inputLufs = befores[i].loudness.integrated ?? -Infinity;
      const trackTarget = mode === 'album' && Number.isFinite(offset) && Number.isFinite(inputLufs) ? inputLufs + offset : target;
      fits.push(await r.fit(new ArrayReader(tracks[i]), lengths[i], inputLufs, trackTarget, i, new ArraySink(outs[i]), null));
    }
    albumAfter = await r.album(outs, lengths);
    const l = albumAfter.integrated;
    if (mode === 'track' || !Number.isFinite(l) || Math.abs(target - l) <= s.tolerance) break;
    // Secant on the album's loudness against the offset (the limiter makes the slope < 1).
    let slope = 1;
    if (Number.isFinite(prevOffset) && offset !== prevOffset) slope = (l - prevL) / (offset - prevOffset);
    if (!(slope >= 0.05)) slope = 0.05;
    if (slope > 1.2) slope = 1.2;
    prevOffset = offset;
    prevL = l;
    offset += (target - l) / slope;
  }
  const results: MasterResult[] = [];
  for (let i = 0; i < tracks.length; i++) results.push({ audio: outs[i], report: r.report(befores[i], await r.analyse(outs[i], sampleRate, i, 1), fits[i]) });
  r.progress('done', 0, 1, -1);
  return { tracks: results, album: { before: albumBefore, after: albumAfter, errorLu: albumAfter.integrated - target, iterations } };
}

/** Check the input; returns its length in frames. */
function checkInput(input: unknown, sampleRate: unknown, where = `${OWNER}: input`): number {
  if (!Array.isArray(input) || input.length === 0 || !input.every((c) => c instanceof Float32Array)) {
    throw new TypeError(`${where} must be a non-empty array of Float32Array (one per channel), got ${describeValue(input)}`);
  }
  if (input.length > 8) throw new RangeError(`${where} has ${input.length} channels; at most 8 (a BS.1770 layout)`);
  const frames = (input[0] as Float32Array).length;
  if (!input.every((c: Float32Array) => c.length === frames)) throw new RangeError(`${where}: every channel must have the same length`);
  checkNumber(OWNER, 'sampleRate', sampleRate, { min: 8000, max: 384000, unit: 'Hz' });
  return frames;
}

function settings(options: MasteringOptions, defaultTolerance = MASTER_TOLERANCE_LU): Settings {
  const o = checkObject(OWNER, 'options', options) as MasteringOptions & Record<string, unknown>;
  checkKnownKeys(OWNER, o, KNOWN);
  if (o.preset !== undefined && o.target !== undefined) throw new TypeError(`${OWNER}: give options.preset or options.target, not both`);
  let target: LoudnessTarget & { preset?: LoudnessPresetName };
  if (o.target !== undefined) {
    target = typeof o.target === 'number'
      ? { integratedLufs: checkNumber(OWNER, 'target', o.target, TARGET_LOUDNESS_RANGE), truePeakDbtp: LOUDNESS_TARGETS.streaming.truePeakDbtp } // −1 dBTP unless `ceiling` says otherwise (below)
      : { ...loudnessTarget(o.target) };
  } else {
    const name = o.preset ?? 'streaming';
    const preset = loudnessTarget(name);
    target = { integratedLufs: preset.integratedLufs, truePeakDbtp: preset.truePeakDbtp, preset: name };
  }
  if (o.ceiling !== undefined) target = { ...target, truePeakDbtp: checkNumber(OWNER, 'ceiling', o.ceiling, TARGET_CEILING_RANGE) };
  if (!(target.truePeakDbtp > target.integratedLufs)) throw new RangeError(`${OWNER}: the ceiling (${target.truePeakDbtp} dBTP) must lie above the target (${target.integratedLufs} LUFS)`);
  const chain = o.chain === undefined ? {} : checkObject(OWNER, 'options.chain', o.chain);
  if (chain.limiter === null) throw new TypeError(`${OWNER}: options.chain.limiter cannot be null (the true-peak ceiling is the limiter's)`);
  const limiter = { ...MASTERING_STAGE_DEFAULTS.limiter, ...MASTER_DEFAULT_CHAIN.limiter, ...((chain.limiter as object | undefined) ?? {}), ceilingDb: target.truePeakDbtp, mode: 'true-peak' as const };
  const chainOptions: Partial<MasteringChainOptions> = { ...MASTER_DEFAULT_CHAIN, ...(chain as Partial<MasteringChainOptions>), limiter, meters: false };
  new MasteringChain(chainOptions); // validates now, before any work
  const tolerance = o.toleranceLu === undefined ? defaultTolerance : checkNumber(OWNER, 'toleranceLu', o.toleranceLu, { min: 0.001, max: 1, unit: 'LU' });
  const maxPasses = o.maxPasses === undefined ? MASTER_MAX_PASSES : checkNumber(OWNER, 'maxPasses', o.maxPasses, { min: 1, max: 12 });
  if (!Number.isInteger(maxPasses)) throw new RangeError(`${OWNER}.maxPasses must be an integer in [1, 12], got ${maxPasses}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError(`${OWNER}: options.onProgress must be a function, got ${describeValue(o.onProgress)}`);
  const signal = o.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) throw new TypeError(`${OWNER}: options.signal must be an AbortSignal, got ${describeValue(signal)}`);
  return { target: Object.freeze(target), chainOptions, tolerance, maxPasses, onProgress: o.onProgress, signal };
}

/** Result of fitting the gain of one programme. */
interface Fit {
  gainDb: number;
  passes: number;
  silent: boolean;
  gainCapped: boolean;
  limiter: LimiterStatistics;
  gainReduction: GainReductionSeries;
}

// Slots of the limiter statistics gathered during the final pass.
const ST_MAX = 0;
const ST_SUM = 1;
const ST_ABOVE1 = 2;
const ST_ABOVE3 = 3;
const ST_SLOTS = 4;

/** Give the event loop a turn: `scheduler.yield()` where there is one, else a zero timeout, else a microtask. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { scheduler?: { yield?: () => Promise<void> }; setTimeout?: (f: () => void, ms: number) => unknown };
  const sched = g.scheduler;
  if (sched !== undefined && typeof sched.yield === 'function') return sched.yield();
  const st = g.setTimeout;
  if (typeof st === 'function') return new Promise((resolve) => st(resolve, 0));
  return Promise.resolve();
}

/** Milliseconds from some origin: `performance.now()` where there is one, else `Date.now()`. */
function now(): number {
  const p = (globalThis as { performance?: { now?: () => number } }).performance;
  return p !== undefined && typeof p.now === 'function' ? p.now() : Date.now();
}

/**
 * A programme `masterStream()` reads, as often as it needs (once per pass): `rewind()` to its
 * start, then `read()` sequentially until it returns 0. Every pass must give the same samples.
 */
export interface MasterSource {
  /** Channel count, 1 … 8. */
  readonly channels: number;
  /** Sample rate, Hz, 8000 … 384000. */
  readonly sampleRate: number;
  /** Length in frames, if known (sizes the report's series once; checked against what is read). */
  readonly frames?: number;
  /** Go back to the first frame (before every pass, the first included). */
  rewind(): void | Promise<void>;
  /**
   * Read the next frames into out[c][0 … n) (one array per channel, each `max` long; reused by the
   * caller), 1 ≤ n ≤ max, and return n; 0 at the end of the programme.
   */
  read(out: Float32Array[], max: number): number | Promise<number>;
}

/** Where `masterStream()` writes the mastered programme: once, in order, the input's length. */
export interface MasterSink {
  /**
   * The next `frames` frames of the result, block[c][0 … frames). The arrays are reused as soon as
   * the call returns (or its promise resolves): copy what you keep.
   */
  write(block: readonly Float32Array[], frames: number): void | Promise<void>;
}

/** The programme as the passes read it: `block[c][0 … n)` after each `read(max)` (views valid until the next call). */
interface Reader {
  readonly block: Float32Array[];
  rewind(): void | Promise<void>;
  read(max: number): number | Promise<number>;
}

/** A programme in memory (no copy: `block` holds views of it). */
class ArrayReader implements Reader {
  readonly block: Float32Array[];
  private pos = 0;
  constructor(private readonly x: readonly Float32Array[]) {
    this.block = x.map((c) => c.subarray(0, 0));
  }
  rewind(): void {
    this.pos = 0;
  }
  read(max: number): number {
    const n = Math.min(max, this.x[0].length - this.pos);
    for (let c = 0; c < this.x.length; c++) this.block[c] = this.x[c].subarray(this.pos, this.pos + n);
    this.pos += n;
    return n;
  }
}

/** A {@link MasterSource} read into a buffer of {@link READ_BLOCK} frames, its answers checked. */
class SourceReader implements Reader {
  readonly block: Float32Array[];
  constructor(private readonly source: MasterSource) {
    this.block = Array.from({ length: source.channels }, () => new Float32Array(READ_BLOCK));
  }
  rewind(): void | Promise<void> {
    return this.source.rewind();
  }
  read(max: number): number | Promise<number> {
    const m = max < READ_BLOCK ? max : READ_BLOCK;
    const r = this.source.read(this.block, m);
    return typeof r === 'number' ? checkRead(r, m) : r.then((n) => checkRead(n, m));
  }
}

function checkRead(n: unknown, max: number): number {
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max) return n;
  throw new RangeError(`${STREAM}: source.read() must return a whole number of frames in [0, ${max}], got ${describeValue(n)}`);
}

/**
 * Output arrays written in order (what `master()` returns). Unlike a {@link MasterSink} it can be
 * written again from the start (`rewind()`) and read back (`out`): see {@link Renderer.fit}.
 */
class ArraySink implements MasterSink {
  private pos = 0;
  constructor(readonly out: Float32Array[]) {}
  rewind(): void {
    this.pos = 0;
  }
  write(block: readonly Float32Array[], frames: number): void {
    for (let c = 0; c < this.out.length; c++) this.out[c].set(block[c].subarray(0, frames), this.pos);
    this.pos += frames;
  }
}

/** The input of a pass's processor: `next(dst, len, g)` puts the next `len` frames × g in dst[c][0 … len). */
interface Feed {
  rewind(): Promise<void>;
  next(dst: Float32Array[], len: number, g: number): void | Promise<void>;
}

/** The programme itself, `frames` long, read anew from its start in every pass. */
class ReaderFeed implements Feed {
  private avail = 0;
  private at = 0;
  private consumed = 0;
  pass = 0;
  constructor(
    private readonly reader: Reader,
    private readonly frames: number,
  ) {}

  async rewind(): Promise<void> {
    const r = this.reader.rewind();
    if (r !== undefined) await r;
    this.avail = 0;
    this.at = 0;
    this.consumed = 0;
    this.pass++;
  }

  next(dst: Float32Array[], len: number, g: number): void | Promise<void> {
    // The usual case without a promise: the reader had the frames, or answers synchronously.
    for (let got = 0; got < len; ) {
      if (this.avail === 0) {
        const r = this.reader.read(Math.min(READ_BLOCK, this.frames - this.consumed));
        if (typeof r !== 'number') return r.then((n) => this.took(n)).then(() => this.next(dst.map((d) => d.subarray(got)), len - got, g));
        this.took(r);
      }
      const k = len - got < this.avail ? len - got : this.avail;
      const block = this.reader.block;
      for (let c = 0; c < dst.length; c++) {
        const x = block[c];
        const t = dst[c];
        for (let i = 0; i < k; i++) t[got + i] = x[this.at + i] * g;
      }
      got += k;
      this.at += k;
      this.avail -= k;
    }
  }

  private took(n: number): void {
    if (n === 0) throw new RangeError(`${STREAM}: the source ended after ${this.consumed} frames in pass ${this.pass}, but gave ${this.frames} in the first: a MasterSource must give the same programme after every rewind()`);
    this.avail = n;
    this.at = 0;
    this.consumed += n;
  }
}

/**
 * The output of the stages before the limiter, aligned (their latency compensated) and cut at the
 * programme's length, as a feed for the limiter: the stages run over the input × g0 in blocks of
 * {@link BLOCK} from the start (then silence for their latency), exactly as a render into buffers
 * would run them, and their aligned output waits in a FIFO of two blocks.
 */
class StageFeed implements Feed {
  private readonly fifo: Float32Array[];
  private readonly sc: Float32Array[];
  private fill = 0;
  private pos = 0;
  constructor(
    private readonly stages: MasteringChain,
    private readonly input: Feed,
    private readonly g0: number,
    private readonly frames: number,
    channels: number,
  ) {
    this.fifo = Array.from({ length: channels }, () => new Float32Array(2 * BLOCK));
    this.sc = Array.from({ length: channels }, () => new Float32Array(BLOCK));
  }

  async rewind(): Promise<void> {
    await this.input.rewind();
    this.stages.reset();
    this.fill = 0;
    this.pos = 0;
  }

  async next(dst: Float32Array[], len: number, g: number): Promise<void> {
    const { fifo, sc, frames } = this;
    const lat = this.stages.latency;
    const total = frames + lat;
    while (this.fill < len) {
      if (this.pos >= total) throw new Error(`${STREAM}: internal error, the stages' output ran short`);
      const pos = this.pos;
      const blen = total - pos < BLOCK ? total - pos : BLOCK;
      const inLen = frames - pos > blen ? blen : frames - pos > 0 ? frames - pos : 0;
      if (inLen > 0) {
        const r = this.input.next(sc, inLen, this.g0);
        if (r !== undefined) await r;
      }
      for (let c = 0; c < sc.length; c++) sc[c].fill(0, inLen, blen);
      this.stages.process(sc, blen);
      const start = pos < lat ? lat - pos : 0;
      for (let c = 0; c < sc.length; c++) fifo[c].set(sc[c].subarray(start, blen), this.fill);
      if (start < blen) this.fill += blen - start;
      this.pos += blen;
    }
    for (let c = 0; c < dst.length; c++) {
      const f = fifo[c];
      const t = dst[c];
      for (let i = 0; i < len; i++) t[i] = f[i] * g;
      f.copyWithin(0, len, this.fill);
    }
    this.fill -= len;
  }
}

/** The chain, meters and block scratch of one `master()` / `masterAlbum()` call; renders and measures. */
class Renderer {
  /** The whole chain, as the report describes it (its stages are run as `pre` and `limiter`). */
  readonly chain: MasteringChain;
  /** Every stage before the limiter (`null` when there is none). */
  private readonly pre: MasteringChain | null;
  private readonly limiter: Limiter;
  private readonly channels: number;
  private readonly sampleRate: number;
  private readonly s: Settings;
  private readonly scratch: Float32Array[];
  private readonly shifted: Float32Array[];
  private readonly meter: LoudnessMeter;
  private readonly fullMeter: LoudnessMeter;
  private readonly gr = new Float64Array(2);
  /** Largest gain reduction per interval of {@link GR_INTERVAL} samples, filled with the statistics (see `run`). */
  private grSeries: Float64Array = new Float64Array(0);
  /** Samples per gain-reduction interval (0.1 s, on the loudness meter's grid: 10 hops of round(fs/100)). */
  private readonly grInterval: number;
  private lastYield = now();
  private lastFraction = 0;

  constructor(channels: number, sampleRate: number, s: Settings) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.s = s;
    this.grInterval = 10 * Math.max(1, Math.round(sampleRate / 100));
    const spec = { sampleRate, maxBlockSize: BLOCK, channels };
    this.chain = new MasteringChain(s.chainOptions);
    this.chain.prepare(spec);
    const o = this.chain.params;
    const hasPre = o.eq !== null || o.compressor !== null || o.multiband !== null || o.saturator !== null || o.widener !== null;
    this.pre = hasPre ? new MasteringChain({ ...o, limiter: null, meters: false }) : null;
    this.pre?.prepare(spec);
    this.limiter = new Limiter({ ...(o.limiter ?? {}), driveDb: 0 });
    this.limiter.prepare(spec);
    this.scratch = Array.from({ length: channels }, () => new Float32Array(BLOCK));
    this.shifted = Array.from({ length: channels }, () => new Float32Array(BLOCK));
    this.meter = new LoudnessMeter({ truePeak: false, historySeconds: 0 });
    this.meter.prepare(spec);
    this.fullMeter = new LoudnessMeter({ historySeconds: 0 });
    this.fullMeter.prepare(spec);
  }

  progress(phase: MasterProgress['phase'], pass: number, fraction: number, track: number): void {
    if (fraction < this.lastFraction) fraction = this.lastFraction;
    this.lastFraction = fraction;
    this.s.onProgress?.({ phase, pass, fraction, track });
  }

  /** Yield when the time slice is used up (and report progress then); throws when aborted. */
  private async maybeYield(phase: MasterProgress['phase'], pass: number, fraction: number, track: number): Promise<void> {
    const t = now();
    if (t - this.lastYield < YIELD_MS) return;
    this.progress(phase, pass, fraction, track);
    await yieldToEventLoop();
    this.checkAbort();
    this.lastYield = now();
  }

  private checkAbort(): void {
    const signal = this.s.signal;
    if (signal !== undefined && signal.aborted) throw signal.reason ?? new Error(`${OWNER}: aborted`);
  }

  /**
   * `analyzeProgramme(x)`, between two turns of the event loop (the analysis itself runs as one
   * synchronous step: about 1 s for 133 s of stereo at 48 kHz on the bench machine).
   */
  async analyse(x: readonly Float32Array[], sampleRate: number, track: number, fraction: number): Promise<ProgrammeAnalysis> {
    this.checkAbort();
    this.progress(fraction === 0 ? 'analyse' : 'report', 0, fraction, track);
    await yieldToEventLoop();
    this.checkAbort();
    const a = analyzeProgramme(x, sampleRate);
    this.lastYield = now();
    return a;
  }

  /** Integrated loudness and LRA of several programmes gated as one (their concatenation). */
  async album(tracks: readonly Float32Array[][], lengths: readonly number[]): Promise<LoudnessReading> {
    const m = this.fullMeter;
    m.reset();
    const sc = this.scratch;
    for (let t = 0; t < tracks.length; t++) {
      const x = tracks[t];
      const frames = lengths[t];
      for (let pos = 0; pos < frames; pos += BLOCK) {
        const len = frames - pos < BLOCK ? frames - pos : BLOCK;
        for (let c = 0; c < this.channels; c++) {
          const src = x[c];
          const dst = sc[c];
          for (let i = 0; i < len; i++) dst[i] = src[pos + i];
        }
        m.process(sc, len);
        await this.maybeYield('analyse', 0, this.lastFraction, t);
      }
    }
    m.finish();
    return m.reading();
  }

  /**
   * The input's analysis, read from its start in blocks (the first pass: it also counts the
   * frames; a source that announced its length must give exactly that many).
   */
  async analyseInput(reader: Reader, expectedFrames: number | undefined, track: number): Promise<{ analysis: ProgrammeAnalysis; frames: number }> {
    this.checkAbort();
    this.progress('analyse', 0, 0, track);
    const analyzer = new ProgrammeAnalyzer(this.channels, this.sampleRate, { expectedFrames });
    const r0 = reader.rewind();
    if (r0 !== undefined) await r0;
    const span = 1 / (this.s.maxPasses + 2);
    let frames = 0;
    for (;;) {
      const r = reader.read(ANALYSE_BLOCK);
      const n = typeof r === 'number' ? r : await r;
      if (n === 0) break;
      analyzer.push(reader.block, n);
      frames += n;
      if (expectedFrames !== undefined && frames > expectedFrames) break;
      await this.maybeYield('analyse', 0, expectedFrames ? (span * frames) / expectedFrames : 0, track);
    }
    if (expectedFrames !== undefined && frames !== expectedFrames) {
      throw new RangeError(`${STREAM}: source.frames is ${expectedFrames}, but the source gave ${frames > expectedFrames ? 'more' : frames} frames`);
    }
    const analysis = analyzer.finish();
    this.lastYield = now();
    return { analysis, frames };
  }

  /**
   * One pass: run `processor` (latency `lat`) over `input` × g, from a reset state, and pass its
   * output, aligned (the latency compensated), to `meter`, `sink` and `analyzer` (whichever are
   * given), block by block. With `stats`, the limiter's gain reduction is read after every block.
   */
  private async run(
    processor: MasteringChain | Limiter,
    input: Feed,
    frames: number,
    gainDb: number,
    meter: LoudnessMeter | null,
    sink: MasterSink | null,
    analyzer: ProgrammeAnalyzer | null,
    stats: Float64Array | null,
    progress: { pass: number; from: number; to: number; track: number },
  ): Promise<void> {
    await input.rewind();
    processor.reset();
    meter?.reset();
    stats?.fill(0);
    const series = this.grSeries;
    const interval = this.grInterval;
    if (stats !== null) series.fill(0);
    const lat = processor.latency;
    const g = dbToGain(gainDb);
    const sc = this.scratch;
    const sh = this.shifted;
    const ch = this.channels;
    const gr = this.gr;
    const total = frames + lat;
    for (let pos = 0; pos < total; pos += BLOCK) {
      const len = total - pos < BLOCK ? total - pos : BLOCK;
      const inLen = frames - pos > len ? len : frames - pos > 0 ? frames - pos : 0;
      if (inLen > 0) {
        const r = input.next(sc, inLen, g);
        if (r !== undefined) await r;
      }
      for (let c = 0; c < ch; c++) sc[c].fill(0, inLen, len);
      processor.process(sc, len);
      // Output samples pos − lat … pos − lat + len − 1: keep those in [0, frames).
      const start = pos < lat ? lat - pos : 0;
      if (start < len) {
        const k = len - start;
        const at = pos + start - lat;
        let out = sc;
        if (start > 0) {
          for (let c = 0; c < ch; c++) sh[c].set(sc[c].subarray(start, len));
          out = sh;
        }
        meter?.process(out, k);
        analyzer?.push(out, k);
        if (sink !== null) {
          const w = sink.write(out, k);
          if (w !== undefined) await w;
        }
        if (stats !== null) {
          this.limiter.readMeters(gr, 0);
          const d = gr[0];
          if (d > stats[ST_MAX]) stats[ST_MAX] = d;
          stats[ST_SUM] += d * k;
          if (d > 1) stats[ST_ABOVE1] += k;
          if (d > 3) stats[ST_ABOVE3] += k;
          const last = Math.min(series.length - 1, Math.floor((at + k - 1) / interval));
          for (let j = Math.floor(at / interval); j <= last; j++) if (d > series[j]) series[j] = d;
        }
      }
      await this.maybeYield(progress.pass === 0 ? 'analyse' : 'render', progress.pass, progress.from + ((progress.to - progress.from) * pos) / total, progress.track);
    }
    meter?.finish();
  }

  /**
   * Master the programme of `reader` (`frames` long) to `target` LUFS into `sink` (see the module
   * comment): the limiter's input gain by secant steps, each pass rendered from the input and
   * measured without being stored; then the final pass at the best gain, written to `sink` and fed
   * to `after` (when given) as it is written.
   */
  async fit(reader: Reader, frames: number, inputLufs: number, target: number, track: number, sink: MasterSink, after: ProgrammeAnalyzer | null): Promise<Fit> {
    const silent = !Number.isFinite(inputLufs);
    const tol = this.s.tolerance;
    const span = 1 / (this.s.maxPasses + 2);
    const step = span / (this.s.maxPasses + 2);
    let g0 = silent ? 0 : target - inputLufs;
    if (g0 > MASTER_MAX_GAIN_DB) g0 = MASTER_MAX_GAIN_DB;
    const source = new ReaderFeed(reader, frames);
    // The limiter's input: the programme × (g0 + h), or the stages' output at g0 (re-rendered in
    // every pass: deterministic after their reset) × h.
    let feed: Feed = source;
    let preGain = 0;
    // 1. The stages before the limiter, at the static gain (their thresholds now sit relative to
    //    the target): their output measured.
    let preLufs: number;
    if (this.pre !== null) {
      // Output arrays can hold the stages' output (the limiter then reads it in every pass and the
      // final pass overwrites it in place, its writes behind its reads); a sink cannot: the stages
      // render again in every pass (StageFeed), the same output to the bit.
      const hold = sink instanceof ArraySink ? sink : null;
      hold?.rewind();
      await this.run(this.pre, source, frames, g0, this.meter, hold, null, null, { pass: 1, from: span, to: span + step, track });
      preLufs = this.meter.reading().integrated;
      feed = hold !== null ? new ReaderFeed(new ArrayReader(hold.out), frames) : new StageFeed(this.pre, source, dbToGain(g0), frames, this.channels);
    } else {
      preLufs = silent ? -Infinity : inputLufs + g0;
      preGain = g0;
    }
    const stats = new Float64Array(ST_SLOTS);
    this.grSeries = new Float64Array(Math.ceil(frames / this.grInterval));
    // Output arrays (master(), masterAlbum()) can be written by every pass without stages before
    // the limiter: the last pass measured is usually the best, and then it is the result (no final
    // render; the result's analysis reads the arrays). A MasterSink is written once, by the final pass.
    const stored = this.pre === null && sink instanceof ArraySink ? sink : null;
    let storedH = NaN;
    // 2. The limiter's input gain h (total gain g0 + h ≤ the cap), by secant steps on L(h).
    const hMax = MASTER_MAX_GAIN_DB - g0;
    let h = silent || !Number.isFinite(preLufs) ? 0 : Math.min(target - preLufs, hMax);
    // Renders of the limiter; the progress counts the stages' render as pass 1.
    let passes = 1;
    let bestH = h;
    let bestErr = Infinity;
    let prevH = NaN;
    let prevL = NaN;
    let gainCapped = !silent && target - inputLufs > MASTER_MAX_GAIN_DB;
    if (!silent && Number.isFinite(preLufs)) {
      for (;;) {
        const progress = { pass: ++passes, from: span * passes, to: span * (passes + 1), track };
        stored?.rewind();
        await this.run(this.limiter, feed, frames, preGain + h, this.meter, stored, null, stored && stats, progress);
        if (stored !== null) storedH = h;
        const l = this.meter.reading().integrated;
        const err = target - l;
        if (Math.abs(err) < bestErr) {
          bestErr = Math.abs(err);
          bestH = h;
        }
        if (!(Math.abs(err) > tol) || passes >= this.s.maxPasses) break;
        // First step: limiting that already costs e LU will cost more as h rises, so guess a slope
        // below 1 (1/(1 + e/1.5): 0.66 for e = 0.78 LU; measured 0.64 on a music-like programme).
        let slope = err > 0 ? 1 / (1 + err / 1.5) : 1;
        if (Number.isFinite(prevH) && h !== prevH) slope = (l - prevL) / (h - prevH);
        if (!(slope >= 0.05)) slope = 0.05;
        if (slope > 1.2) slope = 1.2;
        let next = h + err / slope;
        if (next >= hMax) {
          next = hMax;
          if (h === hMax) {
            gainCapped = true;
            break;
          }
        }
        prevH = h;
        prevL = l;
        h = next;
      }
      if (bestErr <= tol) gainCapped = false;
      else if (bestH >= hMax) gainCapped = true;
    }
    // 3. The final pass at the best gain (unless the arrays already hold it): written, analysed as
    //    it is written, the limiter's gain reduction read per block.
    if (storedH !== bestH) {
      const progress = { pass: ++passes, from: span * passes, to: span * (passes + 1), track };
      if (sink instanceof ArraySink) sink.rewind();
      await this.run(this.limiter, feed, frames, preGain + bestH, null, sink, after, stats, progress);
    } else if (after !== null && stored !== null) after.push(stored.out, frames);
    const sr = this.sampleRate;
    const n = frames > 0 ? frames : 1;
    const limiter: LimiterStatistics = {
      maxDb: stats[ST_MAX],
      meanDb: stats[ST_SUM] / n,
      secondsAbove1Db: stats[ST_ABOVE1] / sr,
      fractionAbove1Db: stats[ST_ABOVE1] / n,
      secondsAbove3Db: stats[ST_ABOVE3] / sr,
      fractionAbove3Db: stats[ST_ABOVE3] / n,
    };
    const gainReduction: GainReductionSeries = {
      intervalSeconds: this.grInterval / sr,
      startSeconds: 0,
      db: Array.from(this.grSeries, (v) => Math.round(v * 100) / 100),
    };
    return { gainDb: silent ? 0 : g0 + bestH, passes: passes - 1, silent, gainCapped, limiter, gainReduction };
  }

  report(before: ProgrammeAnalysis, after: ProgrammeAnalysis, fit: Fit): MasterReport {
    const target = this.s.target;
    const warnings: MasterWarning[] = [];
    const out = after.loudness.integrated;
    const errorLu = fit.silent || out === null ? NaN : out - target.integratedLufs;
    // The input's own warnings (silence, clipping, mono compatibility …), but not its lossy-encoding risk: mastering sets the peaks anew.
    for (const w of programmeWarnings(before)) if (w.code !== 'lossy-encoding-risk') warnings.push({ code: w.code, on: 'input', message: w.message });
    const overs = before.clipping.fullScaleSamples + before.clipping.overFullScaleSamples;
    if (overs > 0 && before.clipping.runs === 0) {
      warnings.push({ code: 'clipped-source', on: 'input', message: `The source reaches full scale: ${overs} samples at or above 0 dBFS. If it was clipped on the way, mastering cannot restore what was lost; use an unclipped mix if there is one.` });
    }
    if (fit.gainCapped) {
      const lufs = before.loudness.integrated;
      warnings.push({
        code: 'gain-capped',
        on: 'master',
        message: `The input is so quiet (${lufs === null ? 'silent' : `${lufs.toFixed(1)} LUFS`}) that reaching the target would need more than ${MASTER_MAX_GAIN_DB} dB of gain; ${MASTER_MAX_GAIN_DB} dB was applied.`,
      });
    }
    if (!fit.silent && !(Math.abs(errorLu) <= 0.1)) {
      warnings.push({ code: 'target-missed', on: 'master', message: `The result measures ${out === null ? 'no loudness' : `${out.toFixed(2)} LUFS`}, ${errorLu.toFixed(2)} LU from the target of ${target.integratedLufs} LUFS.` });
    }
    const l = fit.limiter;
    if (l.meanDb > HEAVY_LIMITING_MEAN_DB || l.fractionAbove3Db > HEAVY_LIMITING_FRACTION_3DB) {
      warnings.push({
        code: 'heavy-limiting',
        on: 'master',
        message: `Heavy limiting: ${l.meanDb.toFixed(1)} dB of gain reduction on average, more than 3 dB for ${(100 * l.fractionAbove3Db).toFixed(0)} % of the time (at most ${l.maxDb.toFixed(1)} dB). Transients lose their punch; consider a lower target or less compression upstream.`,
      });
    }
    // The result's warnings that concern what mastering made of it.
    const outputCodes: readonly ProgrammeWarningCode[] = ['mono-incompatible', 'heavy-limiting', 'excessive-low-frequency', 'lossy-encoding-risk'];
    if (!fit.silent) for (const w of programmeWarnings(after)) if (outputCodes.includes(w.code)) warnings.push({ code: w.code, on: 'output', message: w.message });
    return {
      target,
      before,
      after,
      gainDb: fit.gainDb,
      errorLu,
      passes: fit.passes,
      limiter: fit.limiter,
      gainReduction: fit.gainReduction,
      silent: fit.silent,
      gainCapped: fit.gainCapped,
      warnings,
      chain: this.chain.toJSON(),
      latency: this.chain.latency,
    };
  }
}

/**
 * Parsing of the command line's values: numbers in a range, sample formats, shards, job counts,
 * and the JSON files a command reads (chain presets). Each problem is a {@link UsageError} naming
 * the option, the value and what is accepted.
 */
import { readFileSync } from 'node:fs';
import type { SampleFormat } from '../node/audio-file.js';
import type { DitherMode } from '../core/dither.js';
import { AudioFileError } from '../node/audio-file.js';
import { describeFsError } from '../node/open-audio.js';
import { UsageError } from './errors.js';

/** A number option within [min, max]. */
export function parseNumberOption(option: string, value: string, min: number, max: number, unit = ''): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${option} must be a number${unit ? ` (${unit})` : ''}, got "${value}"`);
  if (v < min || v > max) throw new UsageError(`${option} must be in [${min}, ${max}]${unit ? ` ${unit}` : ''}, got ${value}`);
  return v;
}

/** `--bits`: 8, 16, 24, 32 (integers) or 32f, 64f (floats). */
export const BITS_CHOICES = Object.freeze(['8', '16', '24', '32', '32f', '64f'] as const);

const BITS: Readonly<Record<string, SampleFormat>> = { '8': 'pcm8', '16': 'pcm16', '24': 'pcm24', '32': 'pcm32', '32f': 'float32', '64f': 'float64' };

export function parseBits(value: string): SampleFormat {
  const f = BITS[value];
  if (f === undefined) throw new UsageError(`--bits must be one of ${BITS_CHOICES.join(', ')}, got "${value}"`);
  return f;
}

export const DITHER_CHOICES = Object.freeze(['tpdf', 'shaped', 'none'] as const);

export function parseDither(value: string): DitherMode {
  if (!(DITHER_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--dither must be one of ${DITHER_CHOICES.join(', ')}, got "${value}"`);
  return value as DitherMode;
}

/** `--shard i/n`: this run takes part i (1-based) of n. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1 && count <= 10000) || !(index >= 1 && index <= count)) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n ≤ 10000 (e.g. 2/4), got "${value}"`);
  return { index, count };
}

export function parseJobs(value: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1 || v > 256) throw new UsageError(`--jobs must be an integer in [1, 256], got "${value}"`);
  return v;
}

/** Read and parse a JSON file given on the command line (a one-line error for a missing or malformed file). */
export function readJsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AudioFileError(path, `${option}: ${describeFsError(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AudioFileError(path, `${option}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

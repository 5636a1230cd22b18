/**
 * ffmpeg's two-pass `loudnorm` (EBU R 128 normalisation, the reference `master()` is compared
 * with): pass 1 measures (`print_format=json`), pass 2 normalises with the measured values
 * (`linear=true`: a static gain when the true-peak target allows it, else its dynamic mode).
 * Output at the input's rate (loudnorm works at 192 kHz internally), 32-bit float WAV.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** Whether an `ffmpeg` executable is on the PATH. */
export function haveFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export { writeWavFloat } from './wav.js';

/** What loudnorm's first pass measured. */
export interface LoudnormMeasurement {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

function ffmpeg(args: string[]): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stderr;
}

/**
 * Two-pass loudnorm of `input` (a WAV file) to `output` at integrated `i` LUFS, true peak `tp`
 * dBTP, default LRA target (7 LU); returns the wall time of both passes in ms.
 */
export function loudnormTwoPass(input: string, output: string, rate: number, i = -14, tp = -1): { ms: number; measured: LoudnormMeasurement } {
  const t0 = performance.now();
  const err = ffmpeg(['-i', input, '-af', `loudnorm=I=${i}:TP=${tp}:print_format=json`, '-f', 'null', '-']);
  const json = err.slice(err.lastIndexOf('{'), err.lastIndexOf('}') + 1);
  const m = JSON.parse(json) as LoudnormMeasurement;
  const filter = `loudnorm=I=${i}:TP=${tp}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`;
  ffmpeg(['-y', '-i', input, '-af', filter, '-ar', String(rate), '-c:a', 'pcm_f32le', output]);
  return { ms: performance.now() - t0, measured: m };
}

/**
 * ffmpeg's two-pass `loudnorm` (EBU R 128 normalisation, the reference `master()` is compared
 * with): pass 1 measures (`print_format=json`), pass 2 normalises with the measured values
 * (`linear=true`: a static gain when the true-peak target allows it, else its dynamic mode).
 * Output at the input's rate (loudnorm works at 192 kHz internally), 32-bit float WAV.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Whether an `ffmpeg` executable is on the PATH. */
export function haveFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Write a 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT). */
export function writeWavFloat(path: string, channels: readonly Float32Array[], rate: number): void {
  const n = channels[0].length;
  const c = channels.length;
  const data = Buffer.alloc(n * c * 4);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) data.writeFloatLE(channels[k][i], (i * c + k) * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(3, 20);
  h.writeUInt16LE(c, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * c * 4, 28);
  h.writeUInt16LE(c * 4, 32);
  h.writeUInt16LE(32, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}

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

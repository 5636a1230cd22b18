/**
 * Priming: run a freshly prepared processor once over a short test signal that takes every branch
 * of its current signal path (silence, levels from −80 to +6 dBFS, steps up and down, holds that
 * expire), then let the caller `reset()` it.
 *
 * Why: V8 compiles a hot function for the type feedback it has seen. A branch first taken after
 * that (the knee, a hold expiring, the first limiting) deoptimises the function on the audio
 * thread, and the code V8 then falls back to can stay markedly slower (we measured the compressor
 * at 1.5–2.5× its normal cost in some processes). Priming in `prepare()`, where work is allowed,
 * gives every operation its feedback before real audio arrives. It changes no output: the caller
 * resets the processor afterwards.
 * @internal
 * @module
 */
import type { ProcessSpec, Processor } from './processor.js';

const FRAMES = 4096;
const LEVELS = [0, 1e-4, 0.02, 0.12, 0.5, 1, 2, 0.3, 0.001, 0, 1.5, 0.05, 0.7, 0.004, 1, 0.1];

export function primeProcessor(p: Processor, spec: ProcessSpec): void {
  const block: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) {
    const x = new Float32Array(FRAMES);
    for (let i = 0; i < FRAMES; i++) {
      const level = LEVELS[(i >> 8) % LEVELS.length] * (c % 2 === 0 ? 1 : 0.7);
      x[i] = level * Math.sin(i * (0.05 + 0.01 * c));
    }
    block.push(x);
  }
  for (let pos = 0; pos < FRAMES; pos += spec.maxBlockSize) {
    const end = Math.min(FRAMES, pos + spec.maxBlockSize);
    p.process(
      block.map((x) => x.subarray(pos, end)),
      end - pos,
    );
  }
}

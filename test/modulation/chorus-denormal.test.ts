/**
 * Chorus: no subnormal numbers in the delay line (or anywhere in its state) and none in the
 * output, after a signal stops, for feedback from −0.95 to 0.95 (issue 11, section 2). Before the
 * fix, the feedback loop let the line decay into subnormals (slow on many CPUs), where they stayed
 * for good at some settings, and the output carried float32 subnormals for seconds.
 *
 * Detected directly in the processor's typed arrays (test/support/denormal.ts), not by timing.
 */
import { describe, expect, it } from 'vitest';
import { Chorus, type ChorusOptions } from '../../src/modulation/chorus.js';
import { countFloatArrays, countSubnormals, countSubnormalState, subnormalState } from '../support/denormal.js';
import { noise } from '../support/signals.js';

/**
 * Stereo noise for `noiseSeconds`, then silence for `silenceSeconds`, in 100-frame blocks; the
 * state is read every `every` blocks of the silence. Returns the first finding (or '') and the
 * number of subnormal output samples during the silence.
 */
function run(opts: Partial<ChorusOptions>, sampleRate: number, noiseSeconds: number, silenceSeconds: number, every: number): { state: string; output: number } {
  const p = new Chorus(opts);
  p.prepare({ sampleRate, maxBlockSize: 128, channels: 2 });
  expect(countFloatArrays(p)).toBeGreaterThan(4);
  const n = Math.round(noiseSeconds * sampleRate);
  const x = [noise(n, 7, 0.5), noise(n, 9, 0.5)];
  const block = [new Float32Array(100), new Float32Array(100)];
  const total = n + Math.round(silenceSeconds * sampleRate);
  let state = '';
  let output = 0;
  for (let pos = 0, b = 0; pos < total; pos += 100, b++) {
    for (let c = 0; c < 2; c++) {
      block[c].fill(0);
      if (pos < n) block[c].set(x[c].subarray(pos, pos + 100));
    }
    p.process(block);
    if (pos < n) continue;
    output += countSubnormals(block[0]) + countSubnormals(block[1]);
    if (b % every === 0 && !state && countSubnormalState(p) > 0) {
      state = `${((pos - n) / sampleRate).toFixed(2)} s into silence: ${JSON.stringify(Object.fromEntries(subnormalState(p)))}`;
    }
  }
  if (!state && countSubnormalState(p) > 0) state = `at the end: ${JSON.stringify(Object.fromEntries(subnormalState(p)))}`;
  return { state, output };
}

describe('Chorus: no subnormals after noise then silence', () => {
  // Short delays at 8 kHz: many trips round the feedback loop per second, so the line reaches the
  // subnormal range within seconds (at 48 kHz with the default 12 ms it takes 10–20 s).
  for (const feedback of [-0.95, -0.8, -0.5, -0.2, 1e-300, 0.2, 0.5, 0.8, 0.95]) {
    it(`feedback ${feedback}, 3 voices, 2 ms ± 1 ms at 8 kHz: none in the state or the output over 6 s of silence`, () => {
      const r = run({ feedback, baseDelayMs: 2, depthMs: 1, voices: 3 }, 8000, 0.5, 6, 20);
      expect(r.state).toBe('');
      expect(r.output).toBe(0);
    });
  }

  it('feedback −0.95, default settings at 48 kHz: none over 10 s of silence', () => {
    const r = run({ feedback: -0.95 }, 48000, 1, 10, 480);
    expect(r.state).toBe('');
    expect(r.output).toBe(0);
  });

  it('the feedback loop empties the line to exact zeros, and the output is exactly 0 then', () => {
    const p = new Chorus({ feedback: 0.95, baseDelayMs: 2, depthMs: 1 });
    p.prepare({ sampleRate: 8000, maxBlockSize: 128, channels: 1 });
    const x = noise(4000, 3, 0.5);
    p.process([x]);
    const silence = new Float32Array(128);
    for (let b = 0; b < (6 * 8000) / 128; b++) p.process([silence.fill(0)]);
    const lines = (p as unknown as { lines: Float64Array[] }).lines;
    expect(lines[0].every((v) => v === 0)).toBe(true);
    p.process([silence.fill(0)]);
    expect(silence.every((v) => Object.is(v, 0))).toBe(true);
  });
});

/** Deterministic test signals (no Math.random: every failure reproduces). */

/** A 32-bit LCG (Numerical Recipes constants) giving uniform values in [-1, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  };
}

/** `frames` samples of white noise in [-amp, amp). */
export function noise(frames: number, seed = 1, amp = 1): Float32Array {
  const r = lcg(seed);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * r();
  return x;
}

/** A sine of `freq` Hz. */
export function sine(frames: number, freq: number, sampleRate: number, amp = 1, phase = 0): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / sampleRate + phase);
  return x;
}

/** Music-ish test material: a few sines plus noise, different per channel. */
export function multiChannel(channels: number, frames: number, seed = 1): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const n = noise(frames, seed + 17 * c, 0.3);
    for (let i = 0; i < frames; i++) n[i] += 0.3 * Math.sin(0.031 * (c + 1) * i) + 0.2 * Math.sin(0.0037 * i + c);
    out.push(n);
  }
  return out;
}

/** Deep copy of a multichannel block. */
export function clone(block: readonly Float32Array[]): Float32Array[] {
  return block.map((c) => c.slice());
}

/** Largest absolute difference between two multichannel signals. */
export function maxAbsDiff(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  let m = 0;
  for (let c = 0; c < a.length; c++) {
    for (let i = 0; i < a[c].length; i++) {
      const d = Math.abs(a[c][i] - b[c][i]);
      if (!(d <= m)) m = d; // NaN propagates as NaN
    }
  }
  return m;
}

/** The raw IEEE-754 bit patterns of a Float32Array (a view, no copy). */
function bits(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

/**
 * True when every sample of every channel is bit-identical: the 32-bit patterns are compared, so
 * `-0` differs from `+0` (and NaNs with different payloads differ). `===` would call `-0` and `+0`
 * equal and `NaN` unequal to itself; `Object.is` would ignore NaN payloads.
 */
export function identical(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let c = 0; c < a.length; c++) {
    if (a[c].length !== b[c].length) return false;
    const x = bits(a[c]);
    const y = bits(b[c]);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** A sample as failure messages show it: the value (`-0` kept) and its bit pattern. */
function showSample(v: Float32Array, i: number): string {
  const n = v[i];
  return `${Object.is(n, -0) ? '-0' : String(n)} (0x${bits(v)[i].toString(16).padStart(8, '0')})`;
}

/** Index and values (with their bit patterns) of the first difference, for failure messages. */
export function firstDifference(a: readonly Float32Array[], b: readonly Float32Array[]): string {
  if (a.length !== b.length) return `${a.length} channels vs ${b.length}`;
  for (let c = 0; c < a.length; c++) {
    if (a[c].length !== b[c].length) return `channel ${c}: ${a[c].length} samples vs ${b[c].length}`;
    const x = bits(a[c]);
    const y = bits(b[c]);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `channel ${c} sample ${i}: ${showSample(a[c], i)} vs ${showSample(b[c], i)}`;
  }
  return 'none';
}

/** Number of fast-check runs: small in CI, large with SOAK=1. */
export function runs(quick: number, soak = quick * 50): number {
  return process.env.SOAK ? soak : quick;
}

/** The largest sample-to-sample step |y[i] − y[i − 1]| for i in (from, to): how hard a signal jumps. */
export function maxStep(y: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from + 1; i < to; i++) m = Math.max(m, Math.abs(y[i] - y[i - 1]));
  return m;
}

/**
 * Direct detection of subnormal (denormal) numbers in a processor's state, for tests that must not
 * rely on timing: many CPUs (this project's AMD test machine among them) hide the slowdown that
 * subnormal arithmetic causes elsewhere.
 *
 * {@link countSubnormalState} walks the processor object's own fields (private TypeScript fields
 * are ordinary properties at run time), into arrays and nested objects such as oversamplers and
 * smoothers, and counts subnormal values in every Float64Array and Float32Array it reaches: filter
 * states, delay lines, scratch buffers. No test-only hook in the source is needed, and a state
 * array added later is covered without changing the test.
 */

/** Smallest positive normal double, 2^−1022 (IEEE 754 binary64). */
export const MIN_NORMAL_F64 = 2.2250738585072014e-308;
/** Smallest positive normal float, 2^−126 (IEEE 754 binary32). */
export const MIN_NORMAL_F32 = 1.1754943508222875e-38;

/** Number of subnormal values in a typed array (zero is not subnormal). */
export function countSubnormals(a: Float64Array | Float32Array): number {
  const min = a instanceof Float32Array ? MIN_NORMAL_F32 : MIN_NORMAL_F64;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== 0 && v > -min && v < min) n++;
  }
  return n;
}

/** Subnormal values in every float typed array reachable from `root`'s fields, by path. */
export function subnormalState(root: object): Map<string, number> {
  const found = new Map<string, number>();
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number) => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 6) return;
    seen.add(v);
    if (v instanceof Float64Array || v instanceof Float32Array) {
      const n = countSubnormals(v);
      if (n > 0) found.set(path, n);
      return;
    }
    if (ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, depth + 1);
  };
  walk(root, 'this', 0);
  return found;
}

/** Total of {@link subnormalState}. */
export function countSubnormalState(root: object): number {
  let n = 0;
  for (const c of subnormalState(root).values()) n += c;
  return n;
}

/** How many float typed arrays the walk reaches (to check that it sees the state at all). */
export function countFloatArrays(root: object): number {
  let n = 0;
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 6) return;
    seen.add(v);
    if (v instanceof Float64Array || v instanceof Float32Array) {
      n++;
      return;
    }
    if (ArrayBuffer.isView(v)) return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
  };
  walk(root, 0);
  return n;
}

/**
 * One bench group in a process of its own (spawned by `bench/run.ts`, once per group per round):
 *
 *   node --import tsx/esm bench/worker.ts <group> [--seconds S] [--runs R] [--detach]
 *
 * group: `masterbus` | `fili` | `nwa` (see `GROUPS`). Loads only that group's library, builds the
 * signal, times the group's contenders with `runInterleaved` (warm-up, R interleaved timed runs,
 * median) and prints one line of JSON: `{ group, results: KeyedResult[] }`.
 *
 * Why a process per group, and why `tsx/esm` (not `tsx`): V8 compiles typed-array code faster
 * while no ArrayBuffer of the isolate has ever been detached (its "ArrayBufferDetaching"
 * protector). tsx's CommonJS hook runs a WebAssembly lexer over every CommonJS file it loads
 * (e.g. fili, node-web-audio-api) and growing its memory detaches an ArrayBuffer in the main
 * isolate, which costs masterbus ≈ 15–25 % from then on (see RESULTS.md notes and
 * `bench/import-effect.ts`). `--import tsx/esm` installs only tsx's ESM hooks, which run in
 * Node's loader thread, so the timed isolate stays pristine whatever the group loads.
 *
 * `--detach` detaches one ArrayBuffer before timing, to measure the other state on purpose.
 */
import { makeSignal } from './harness.js';
import { GROUPS, runGroup, type Group } from './biquad.bench.js';

const args = process.argv.slice(2);
const group = args[0] as Group;
if (!GROUPS.includes(group)) throw new RangeError(`bench worker: unknown group ${String(args[0])} (expected ${GROUPS.join(', ')})`);
const num = (flag: string, fallback: number): number => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = num('--seconds', 20);
const runs = num('--runs', 7);

if (args.includes('--detach')) {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}

const signal = makeSignal(seconds);
const results = await runGroup(group, signal, { runs });
process.stdout.write(`${JSON.stringify({ group, results })}\n`);

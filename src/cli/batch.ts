/**
 * Batches: where each input's output goes, which inputs a shard takes, which outputs are up to
 * date, and running the jobs on worker threads (piscina; one per core by default) with progress.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { writeFileAtomically } from '../node/output-path.js';
import { UsageError } from './errors.js';
import { runJob, type Job, type JobResult } from './jobs.js';
import type { Shard } from './options.js';
import type { Progress } from './progress.js';

/** The package's version (part of every job's signature: a new version redoes the work). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** Name of the file in an output folder that records what made each output (for skipping up-to-date work). */
export const STATE_FILE = '.masterbus-state.json';

/**
 * Output paths for `inputs`: with one input, `out` is the output file (or, if it is an existing
 * folder or ends with a slash, the folder to put `<name>.<ext>` in); with several, `out` is a
 * folder. Two inputs that would write the same output are an error, as is an output that is an input.
 */
export function planOutputs(inputs: readonly string[], out: string, ext: string): string[] {
  const isDir = /[\\/]$/.test(out) || (existsSync(out) && statSync(out).isDirectory());
  if (inputs.length > 1 && !isDir && existsSync(out)) throw new UsageError(`-o ${out}: several inputs need an output folder, and ${out} is a file`);
  const outputs = inputs.length === 1 && !isDir ? [out] : inputs.map((i) => join(out, `${basename(i, extname(i))}${ext}`));
  const seen = new Map<string, string>();
  const inputSet = new Set(inputs.map((i) => resolve(i)));
  outputs.forEach((o, k) => {
    const key = resolve(o);
    const other = seen.get(key);
    if (other !== undefined) throw new UsageError(`${inputs[k]} and ${other} would both be written to ${o}; give them different names or separate runs`);
    if (inputSet.has(key)) throw new UsageError(`${o} is an input: masterbus never writes over its input`);
    seen.set(key, inputs[k]);
  });
  return outputs;
}

/** FNV-1a, 32 bits: a stable hash of a string (no dependency on the platform or Node version). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The inputs that shard `i/n` takes: those whose path (relative to the working folder, with `/`
 * separators) hashes to i − 1 modulo n. Deterministic and independent of the order and of the
 * other files, so every machine of a CI matrix or job array computes the same split, and adding a
 * file to the catalogue moves no other file between shards.
 */
export function shardInputs(inputs: readonly string[], shard: Shard | undefined, cwd = process.cwd()): string[] {
  if (shard === undefined) return [...inputs];
  return inputs.filter((i) => fnv1a(relative(cwd, resolve(cwd, i)).split('\\').join('/')) % shard.count === shard.index - 1);
}

/** A job's signature: the version, what it does, and the input file as it is now (path, size, time). */
export function jobSignature(job: Job): string {
  const { output, ...rest } = job;
  const st = statSync(job.input);
  let real = job.input;
  try {
    real = realpathSync(job.input);
  } catch {
    // keep the path as given
  }
  const what = { version: VERSION, ...rest, input: { path: real, size: st.size, mtimeMs: st.mtimeMs }, format: { sampleFormat: output.sampleFormat, dither: output.dither } };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex');
}

interface StateEntry {
  signature: string;
  size: number;
  mtimeMs: number;
}

function readState(dir: string): Record<string, StateEntry> {
  try {
    const s = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as unknown;
    return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, StateEntry>) : {};
  } catch {
    return {};
  }
}

/** Whether `job`'s output exists, unchanged, and was made from the same input with the same settings. */
export function isUpToDate(job: Job): boolean {
  try {
    const e = readState(dirname(job.output.path))[basename(job.output.path)];
    if (e === undefined || !existsSync(job.output.path)) return false;
    const st = statSync(job.output.path);
    return e.signature === jobSignature(job) && e.size === st.size && e.mtimeMs === st.mtimeMs;
  } catch {
    return false;
  }
}

/** State-file updates, one after the other (jobs finish concurrently). */
let stateQueue: Promise<void> = Promise.resolve();

/** Record that `job`'s output was made (the state file is rewritten whole: temporary file, then rename). */
export function recordDone(job: Job): Promise<void> {
  stateQueue = stateQueue.then(() => writeState(job));
  return stateQueue;
}

async function writeState(job: Job): Promise<void> {
  const dir = dirname(job.output.path);
  const state = readState(dir);
  const st = statSync(job.output.path);
  state[basename(job.output.path)] = { signature: jobSignature(job), size: st.size, mtimeMs: st.mtimeMs };
  // A state file that cannot be written only means the next run redoes the work.
  await writeFileAtomically(join(dir, STATE_FILE), `${JSON.stringify(state, null, 1)}\n`).catch(() => {});
}

/** How a batch runs. */
export interface BatchOptions {
  /** Worker threads; 1 runs on the main thread. */
  readonly jobs: number;
  /** Redo outputs that are up to date. */
  readonly force: boolean;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  /** Called as each job ends (in completion order). */
  readonly onResult?: (result: JobResult) => void;
}

/** Default `--jobs`: one per core, no more than there are files. */
export function defaultJobs(files: number): number {
  return Math.max(1, Math.min(availableParallelism(), files));
}

/**
 * Run `jobs`: up-to-date ones are skipped (unless `force`), the rest run `options.jobs` at a time
 * on worker threads (or on this thread for 1). Results come back in the order of `jobs`.
 */
export async function runBatch(jobs: readonly Job[], options: BatchOptions): Promise<JobResult[]> {
  const results = new Array<JobResult>(jobs.length);
  const todo: number[] = [];
  jobs.forEach((job, k) => {
    if (!options.force && isUpToDate(job)) {
      results[k] = { ok: true, input: job.input, output: job.output.path, skipped: true };
      options.progress.finish(job.input);
      options.onResult?.(results[k]);
    } else todo.push(k);
  });
  const finish = async (k: number, r: JobResult) => {
    if (r.ok && !r.skipped) await recordDone(jobs[k]);
    results[k] = r;
    options.progress.finish(jobs[k].input);
    options.onResult?.(r);
  };
  if (todo.length === 0) return results;
  // Worker threads load the built files (dist/cli/worker.js); run from the TypeScript sources (a
  // development checkout under tsx or a test runner), the batch runs on this thread.
  const fromSource = new URL(import.meta.url).pathname.endsWith('.ts');
  if (options.jobs <= 1 || todo.length === 1 || fromSource) {
    for (const k of todo) {
      if (options.signal.aborted) break;
      const r = await runJob(jobs[k], options.progress.start(jobs[k].input), options.signal);
      await finish(k, r);
    }
    return results;
  }
  const { Piscina } = await import('piscina');
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    maxThreads: Math.min(options.jobs, todo.length),
    minThreads: 0,
    idleTimeout: 1000,
  });
  const ports = new Set<import('node:worker_threads').MessagePort>();
  const onAbort = () => {
    for (const p of ports) p.postMessage('abort');
  };
  options.signal.addEventListener('abort', onAbort);
  try {
    await Promise.all(
      todo.map(async (k) => {
        const { port1, port2 } = new MessageChannel();
        const update = options.progress.start(jobs[k].input);
        port1.on('message', (f: number) => update(f));
        ports.add(port1);
        try {
          const r = (await pool.run({ job: jobs[k], port: port2 }, { transferList: [port2] })) as JobResult;
          await finish(k, r);
        } catch (e) {
          await finish(k, { ok: false, input: jobs[k].input, output: jobs[k].output.path, error: (e as Error).message.split('\n')[0] });
        } finally {
          ports.delete(port1);
          port1.close();
        }
      }),
    );
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  return results;
}

/**
 * Shared scaffolding of the peer benches (dynamics, stereo): run a worker script once per group
 * per round, each in a fresh process (see worker.ts for why), alternating the group order from
 * round to round, and collect every row's times; print and optionally write a RESULTS.md section.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

/** One timed row of a worker's output. */
export interface WorkerRow {
  id: string;
  block: string;
  ms: number;
  reductionDb?: number;
}

/** Command-line options shared by the peer benches: `--rounds N`, `--write`. */
export function benchArgs(): { rounds: number; write: boolean } {
  const i = process.argv.indexOf('--rounds');
  return { rounds: (i >= 0 && Number(process.argv[i + 1])) || 3, write: process.argv.includes('--write') };
}

/**
 * Run `worker` (a path relative to bench/) for each group, `rounds` times, alternating the order.
 * Returns the signal length in seconds, every row's times by `id|block`, and each row's last values.
 */
export function runRounds(worker: string, groups: readonly [string, string], rounds: number): { seconds: number; times: Map<string, number[]>; last: Map<string, WorkerRow> } {
  const path = fileURLToPath(new URL(worker, import.meta.url));
  const times = new Map<string, number[]>();
  const last = new Map<string, WorkerRow>();
  let seconds = 0;
  for (let r = 0; r < rounds; r++) {
    for (const group of r % 2 ? [groups[1], groups[0]] : groups) {
      const res = spawnSync(process.execPath, ['--import', 'tsx/esm', path, group], { encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`${worker} ${group} failed: ${res.stderr}`);
      const parsed = JSON.parse(res.stdout.trim().split('\n').pop()!) as { seconds: number; rows: WorkerRow[] };
      seconds = parsed.seconds;
      for (const row of parsed.rows) {
        const key = `${row.id}|${row.block}`;
        times.set(key, [...(times.get(key) ?? []), row.ms]);
        last.set(key, row);
      }
    }
  }
  return { seconds, times, last };
}

/** Collects printed lines; `save(heading)` replaces that section of bench/RESULTS.md with them. */
export function report(): { out: (s?: string) => void; save: (heading: string) => void } {
  const lines: string[] = [];
  return {
    out: (s = '') => {
      console.log(s);
      lines.push(s);
    },
    save: (heading) => saveSection(heading, lines),
  };
}

/**
 * Replace the section of bench/RESULTS.md whose heading starts with `heading` (up to the next
 * "## " heading, the other sections kept) with `lines`, placed at the end.
 */
export function saveSection(heading: string, lines: readonly string[]): void {
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  let text = readFileSync(path, 'utf8');
  const at = text.indexOf(heading);
  if (at >= 0) {
    const next = text.indexOf('\n## ', at + heading.length);
    text = text.slice(0, at) + (next >= 0 ? text.slice(next + 1) : '');
  }
  writeFileSync(path, `${text.trimEnd()}\n\n${lines.join('\n')}\n`);
  console.log(`\nwrote ${path}`);
}

/** One row's medians over rounds: time of a pass (ms), × real time, and the slowest..fastest rounds. */
export interface RowSummary {
  key: string;
  id: string;
  block: string;
  ms: number;
  realtime: number;
  range: string;
}

/** Summaries of every row of {@link runRounds}, in the order the rows first appeared. */
export function summarize(times: Map<string, number[]>, seconds: number): RowSummary[] {
  return [...times].map(([key, ms]) => {
    const [id, block] = key.split('|');
    const m = median(ms);
    const rt = (v: number) => ((seconds * 1000) / v).toFixed(0);
    return { key, id, block, ms: m, realtime: (seconds * 1000) / m, range: `${rt(Math.max(...ms))}–${rt(Math.min(...ms))}` };
  });
}

/**
 * Print the standard table (contender, block, ms, × real time, frames/s at 48 kHz, rounds) for
 * {@link runRounds} times; returns × real time by `id|block`.
 */
export function printTable(out: (s?: string) => void, times: Map<string, number[]>, seconds: number, msDigits = 1): Map<string, number> {
  out('| contender | block | time (ms) | × real time | frames/s | rounds (× rt) |');
  out('|---|---|---:|---:|---:|---:|');
  const rt = new Map<string, number>();
  for (const r of summarize(times, seconds)) {
    rt.set(r.key, r.realtime);
    out(`| ${r.id} | ${r.block} | ${r.ms.toFixed(msDigits)} | ${r.realtime.toFixed(0)} | ${((r.realtime * 48000) / 1e6).toFixed(1)} M | ${r.range} |`);
  }
  return rt;
}

/**
 * Progress on stderr while it is a terminal (cli-progress): one bar per file being worked on and
 * one for the whole batch. Silent when stderr is not a terminal, with `--quiet` and with `--json`.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { basename } from 'node:path';

/** What commands report progress to. */
export interface Progress {
  /** A file starts: returns its updater (fraction 0 … 1). */
  start(file: string): (fraction: number) => void;
  /** A file is finished (done, failed or skipped). */
  finish(file: string): void;
  /** Print a line above the bars (or plainly when there are none). */
  log(line: string): void;
  stop(): void;
}

/** Bars on a TTY, nothing otherwise (lines still go to stderr). */
export function createProgress(total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) {
    return { start: () => () => {}, finish: () => {}, log: (line) => stream.write(`${line}\n`), stop: () => {} };
  }
  const multi = new MultiBar(
    { stream, clearOnComplete: true, hideCursor: true, format: ' {bar} {percentage}% | {name}', barsize: 30, autopadding: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  const overall = total > 1 ? multi.create(total, 0, { name: `0/${total} files` }) : undefined;
  const bars = new Map<string, SingleBar>();
  let done = 0;
  return {
    start(file) {
      const bar = multi.create(1000, 0, { name: basename(file) });
      bars.set(file, bar);
      return (f) => bar.update(Math.round(1000 * Math.min(1, Math.max(0, f))));
    },
    finish(file) {
      const bar = bars.get(file);
      if (bar) {
        multi.remove(bar);
        bars.delete(file);
      }
      done++;
      overall?.update(done, { name: `${done}/${total} files` });
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}

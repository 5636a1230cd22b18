/**
 * Exit codes of the `masterbus` command and the error for a bad command line. Every failure is
 * printed as one line on stderr (`masterbus: <file>: <problem>`), never as a stack trace.
 */
import { AudioFileError } from '../node/audio-file.js';

/** Exit codes (docs/cli.md). */
export const EXIT = Object.freeze({
  /** Everything done (outputs that were up to date count as done). */
  ok: 0,
  /** At least one input failed (unreadable or unsupported file, bad chain or session file, write error); the others were done. */
  failed: 1,
  /** The command line is wrong (unknown option, bad value, missing argument); nothing was done. */
  usage: 2,
  /** Interrupted (Ctrl-C): unfinished outputs were removed. */
  interrupted: 130,
});

/** A wrong command line: exit code 2, the message printed with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One line for any error: the file and the problem for file errors, the message otherwise. */
export function oneLine(e: unknown): string {
  if (e instanceof AudioFileError || e instanceof UsageError) return e.message;
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e).split('\n')[0];
}

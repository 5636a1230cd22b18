#!/usr/bin/env node
/**
 * The `masterbus` bin: runs the command line and exits with its code (docs/cli.md). Unexpected
 * errors are printed as one line too; `MASTERBUS_DEBUG=1` prints their stack.
 */
import { run } from './program.js';

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`masterbus: ${process.env.MASTERBUS_DEBUG ? ((e as Error)?.stack ?? String(e)) : String((e as Error)?.message ?? e).split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);

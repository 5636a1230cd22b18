/**
 * Runs every bench and prints a table, the ratios and the goals.
 *
 *   npm run bench                 # build, then 3 rounds
 *   npm run bench:write           # build, then 5 rounds; writes bench/RESULTS.md
 *   tsx bench/run.ts --rounds 5   # rounds: every group timed once per round; medians over rounds
 *   tsx bench/run.ts --detach     # time every group after detaching an ArrayBuffer (see notes)
 *
 * Every library is timed in its own child process that loads only that library
 * (`node --import tsx/esm bench/worker.ts <group>`): merely loading another package into the
 * process can slow the JS contenders (see `bench/worker.ts` and the notes in RESULTS.md). A round
 * runs one child per group, one after another (the starting group rotates from round to round), so
 * slow drift of a shared machine hits all groups alike. Within a child, every contender is built
 * and warmed up, then R timed runs of all of them are interleaved (median per contender); the table
 * shows the median over rounds and the spread (slowest..fastest round). The untimed equivalence
 * check loads all three libraries and runs in this (parent) process, which times nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BLOCK_SIZES, GROUPS, IDS, NWA_BLOCK, EQ_BANDS, SINGLE, checkEquivalence, type CheckResult, type Group, type KeyedResult } from './biquad.bench.js';
import { makeSignal, median, type BenchResult } from './harness.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const write = args.includes('--write');
const detach = args.includes('--detach');
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Math.max(1, Number(args[roundsArg + 1]) | 0) : write ? 5 : 3;
const SECONDS = 20;
const RUNS = 7;

// ---------------------------------------------------------------------------------------------
// Machine

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model.trim() ?? 'unknown',
  cores: cpus.length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAtStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  source: gitDescribe(),
};

/** The commit the bundle was built from, and whether `src/` differs from it. */
function gitDescribe(): string {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' + uncommitted src/ changes' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** tsx's ESM-only loader, as a file URL (resolved from here, so the cwd does not matter). */
const TSX_ESM = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/** Time one group in a fresh `node --import tsx/esm bench/worker.ts <group>` process. */
function runChild(group: Group): Promise<KeyedResult[]> {
  const childArgs = ['--import', TSX_ESM, WORKER, group, '--seconds', String(SECONDS), '--runs', String(RUNS), ...(detach ? ['--detach'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench worker ${group} exited with code ${code}`));
      try {
        const line = out.trim().split('\n').pop() ?? '';
        resolve((JSON.parse(line) as { results: KeyedResult[] }).results);
      } catch (e) {
        reject(new Error(`bench worker ${group}: cannot parse its output (${(e as Error).message}): ${out}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Run

const signal = makeSignal(SECONDS);
const seconds = signal.frames / signal.sampleRate;
console.log(`masterbus biquad bench (source ${machine.source}): ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, load ${machine.loadAtStart}`);
console.log(`signal: ${seconds.toFixed(3)} s stereo ${signal.sampleRate} Hz (${signal.frames} frames), ${RUNS} timed runs per row, ${rounds} round(s), one process per library${detach ? ', --detach' : ''}\n`);

const checks = await checkEquivalence(signal);
console.log('Equivalence (untimed, whole signal, max |peer − masterbus|):');
for (const c of checks) console.log(`  ${c.what.padEnd(46)} ${c.maxAbsDiff.toExponential(2).padStart(9)}  ${c.note}`);
console.log('');

const t0 = performance.now();
const perRound: KeyedResult[][] = [];
for (let r = 0; r < rounds; r++) {
  if (rounds > 1) console.log(`round ${r + 1}/${rounds}`);
  const round: KeyedResult[] = [];
  for (let j = 0; j < GROUPS.length; j++) {
    const group = GROUPS[(j + r) % GROUPS.length];
    const results = await runChild(group);
    for (const { result: res } of results) {
      console.log(`  ${res.name.padEnd(34)} ${res.block.padStart(20)}  ${fmt(res.samplesPerSec / 1e6, 1).padStart(8)} Msamples/s  ${fmt(res.realtime, 0).padStart(6)}× rt  (runs ±${pct(res.spread / 2)})`);
    }
    round.push(...results);
  }
  perRound.push(round);
}
const elapsed = (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------------
// Aggregate over rounds

interface Row {
  name: string;
  block: string;
  key: string;
  /** Median over rounds. */
  samplesPerSec: number;
  framesPerSec: number;
  realtime: number;
  /** Per-round frames/s. */
  rounds: number[];
  /** Median over rounds of the within-round spread of the timed runs. */
  runSpread: number;
}

const keyOf = (id: string, block: string) => `${id}@${block}`;
/** Table order: groups in {@link GROUPS} order, contenders in their group's order. */
const tableOrder = [...perRound[0]].sort((a, b) => groupIndex(a.id) - groupIndex(b.id));
function groupIndex(id: string): number {
  return GROUPS.findIndex((g) => id.startsWith(`${g} `));
}
const rows: Row[] = tableOrder.map(({ id, result }) => {
  const key = keyOf(id, result.block);
  const all: BenchResult[] = perRound.map((round) => round.find((k) => keyOf(k.id, k.result.block) === key)!.result);
  const fps = median(all.map((x) => x.framesPerSec));
  return {
    name: id,
    block: result.block,
    key,
    framesPerSec: fps,
    samplesPerSec: fps * result.channels,
    realtime: fps / result.sampleRate,
    rounds: all.map((x) => x.framesPerSec),
    runSpread: median(all.map((x) => x.spread)),
  };
});
const row = (id: string, block: string | number): Row => rows.find((r) => r.key === keyOf(id, String(block)))!;

interface Ratio {
  label: string;
  value: number;
  min: number;
  max: number;
}
/** a/b on the round medians, plus the range of the per-round ratios. */
function ratio(label: string, a: Row, b: Row): Ratio {
  const per = a.rounds.map((x, i) => x / b.rounds[i]);
  return { label, value: a.framesPerSec / b.framesPerSec, min: Math.min(...per), max: Math.max(...per) };
}

const ratios: Ratio[] = [];
for (const n of BLOCK_SIZES) {
  ratios.push(ratio(`BiquadFilter @${n} / nwa 1 BiquadFilterNode`, row(IDS.mbBiquad, n), row(IDS.nwaBiquad, NWA_BLOCK)));
  ratios.push(ratio(`BiquadFilter @${n} / fili 1 section @${n}`, row(IDS.mbBiquad, n), row(IDS.filiBiquad, n)));
}
for (const n of BLOCK_SIZES) {
  ratios.push(ratio(`ParametricEQ 5-band @${n} / nwa 5 chained BiquadFilterNodes`, row(IDS.mbEq, n), row(IDS.nwaEq, NWA_BLOCK)));
  ratios.push(ratio(`ParametricEQ 5-band @${n} / fili 5-section @${n}`, row(IDS.mbEq, n), row(IDS.filiEq, n)));
}
const bqBlocks = ratio('BiquadFilter 4096 / 128', row(IDS.mbBiquad, 4096), row(IDS.mbBiquad, 128));
const eqBlocks = ratio('ParametricEQ 4096 / 128', row(IDS.mbEq, 4096), row(IDS.mbEq, 128));
ratios.push(bqBlocks, eqBlocks);
ratios.push(ratio('fili 1 section 4096 / 128', row(IDS.filiBiquad, 4096), row(IDS.filiBiquad, 128)));
ratios.push(ratio('fili 5-section 4096 / 128', row(IDS.filiEq, 4096), row(IDS.filiEq, 128)));
const R = (label: string) => ratios.find((r) => r.label === label)!;

// ---------------------------------------------------------------------------------------------
// Goals

const bq128 = row(IDS.mbBiquad, 128);
const eqVsNwa = R('ParametricEQ 5-band @128 / nwa 5 chained BiquadFilterNodes');
const eqVsFili128 = R('ParametricEQ 5-band @128 / fili 5-section @128');
const eqVsFili4096 = R('ParametricEQ 5-band @4096 / fili 5-section @4096');
const noisy = (r: Ratio) => (r.min < 1 && r.max >= 1 ? ' (rounds disagree: within noise)' : '');
const goals = [
  {
    text: 'one BiquadFilter ≥ 3000× real time at 128 frames stereo 48 kHz',
    met: bq128.realtime >= 3000,
    detail: `${fmt(bq128.realtime, 0)}× (rounds ${rangeOf(bq128.rounds.map((x) => x / signal.sampleRate), 0)}×)`,
  },
  {
    text: "5-band EQ ≥ 4× nwa's five chained BiquadFilterNodes",
    met: eqVsNwa.value >= 4,
    detail: `${fmtRatio(eqVsNwa)} at 128 frames`,
  },
  {
    text: "5-band EQ ≥ 3× fili's 5-section cascade",
    met: eqVsFili128.value >= 3 && eqVsFili4096.value >= 3,
    detail: `${fmtRatio(eqVsFili128)} at 128, ${fmtRatio(eqVsFili4096)} at 4096`,
  },
  {
    text: '4096-frame blocks no slower than 128',
    met: bqBlocks.value >= 1 && eqBlocks.value >= 1,
    detail: `BiquadFilter ${fmtRatio(bqBlocks)}${noisy(bqBlocks)}, ParametricEQ ${fmtRatio(eqBlocks)}${noisy(eqBlocks)}`,
  },
];

// ---------------------------------------------------------------------------------------------
// Print

function fmt(x: number, digits: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function pct(x: number): string {
  return `${(100 * x).toFixed(0)} %`;
}
function rangeOf(xs: number[], digits: number): string {
  return `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;
}
function fmtRatio(r: Ratio): string {
  return rounds > 1 ? `${r.value.toFixed(2)}× (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)})` : `${r.value.toFixed(2)}×`;
}

const head = ['name', 'block', 'Msamples/s', 'Mframes/s', '× real time', rounds > 1 ? 'rounds (× rt)' : 'runs spread'];
const body = rows.map((r) => [
  r.name,
  r.block,
  fmt(r.samplesPerSec / 1e6, 1),
  fmt(r.framesPerSec / 1e6, 1),
  fmt(r.realtime, 0),
  rounds > 1 ? rangeOf(r.rounds.map((x) => x / signal.sampleRate), 0) : `±${pct(r.runSpread / 2)}`,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

console.log(`\nResults (median over ${rounds} round(s) of the median of ${RUNS} runs; ${elapsed.toFixed(0)} s):\n`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const b of body) console.log(line(b));
console.log('\nRatios (frames/s):');
for (const r of ratios) console.log(`  ${r.label.padEnd(58)} ${fmtRatio(r)}`);
console.log('\nGoals:');
for (const g of goals) console.log(`  [${g.met ? 'met' : 'NOT MET'}] ${g.text}: ${g.detail}`);

// ---------------------------------------------------------------------------------------------
// RESULTS.md

if (write) {
  const md = renderMarkdown(checks);
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  // This script owns the file's head (up to the Notes); the other benches' sections are kept.
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const rest = old.search(/^## (?!Table|Ratios|Goals|Equivalence check|Notes)/m);
  writeFileSync(path, rest >= 0 ? `${md.trimEnd()}\n\n${old.slice(rest)}` : md);
  console.log(`\nwrote ${path}`);
}

function renderMarkdown(checks: readonly CheckResult[]): string {
  const mdRow = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = head.map((_, i) => (i < 2 ? '---' : '---:'));
  const eqDesc = EQ_BANDS.map((b) => `${b.type} ${b.frequencyHz >= 1000 ? `${b.frequencyHz / 1000} kHz` : `${b.frequencyHz} Hz`} ${b.gainDb > 0 ? '+' : ''}${b.gainDb} dB`).join(', ');
  return `# Biquad benchmark results

Generated by \`npm run bench:write\` (\`bench/run.ts --write\`); do not edit by hand, re-run instead.

- Date: ${machine.date}
- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os} (shared machine; load average at start ${machine.loadAtStart})
- Node: ${machine.node}; masterbus from \`dist/index.js\` built from ${machine.source}; node-web-audio-api 1.0.9; fili 2.0.3
- Signal: ${seconds.toFixed(3)} s stereo ${signal.sampleRate} Hz (${signal.frames} frames), deterministic white noise + 4 sines, peak < 0.6
- Method: each library is timed in its own child process that loads only that library (\`node --import tsx/esm bench/worker.ts <group>\`, groups masterbus / nwa / fili; see notes for why)${detach ? ', and **with \`--detach\`**: each child detached one ArrayBuffer before timing (the slower V8 state, see notes)' : ''}. In a child every contender is built and warmed up (≥ 300 ms), then ${RUNS} timed runs of each are interleaved round-robin (each run ≥ 200 ms: whole-signal passes for block-based contenders, whole renders for nwa; the input is restored untimed before every pass); per row the median run. A round runs the three children one after another (starting group rotating), ${rounds} round(s); the table shows the median over rounds, with the range over rounds. Run time ${elapsed.toFixed(0)} s.
- Filters: single = peaking ${SINGLE.frequencyHz / 1000} kHz, Q ${SINGLE.q}, +${SINGLE.gainDb} dB. 5-band = ${eqDesc}; peaking Q = √½, shelf slope S = 1 (see notes).
- Samples/s = frames · channels / s; × real time = frames/s ÷ 48000.

## Table

${mdRow(head)}
${mdRow(align)}
${body.map(mdRow).join('\n')}

## Ratios (frames/s${rounds > 1 ? '; range = per-round ratios' : ''})

| ratio | value |
|---|---:|
${ratios.map((r) => mdRow([r.label, fmtRatio(r)])).join('\n')}

## Goals

${goals.map((g) => `- **${g.met ? 'met' : 'not met'}**: ${g.text} — ${g.detail}`).join('\n')}

## Equivalence check (untimed)

Each contender filtered the whole signal once from a fresh state; max |peer − masterbus| over both channels (signal peak < 0.6).

| check | max abs diff | note |
|---|---:|---|
${checks.map((c) => mdRow([c.what, c.maxAbsDiff.toExponential(2), c.note])).join('\n')}

## Notes

- **node-web-audio-api** (1.0.9, Rust engine): an \`OfflineAudioContext\` (2 ch, 48 kHz, length = signal) with an \`AudioBufferSourceNode\` → biquad node(s) → destination. The graph and the input \`AudioBuffer\` are built before the clock starts; only \`await startRendering()\` is timed (this includes allocating the output buffer and the source node's work, which is inherent to the API). It renders in 128-frame quanta internally, so its rows are labelled "${NWA_BLOCK}" and are the reference for both masterbus block sizes. Its output matches masterbus to float32 rounding level (equivalence table).
- **fili** (2.0.3, package \`main\` = \`dist/fili.min.js\`): \`new Fili.IirFilter(sections)\` accepts an array of sections and runs them as one cascade, so the 5-band case is one \`IirFilter\` per channel with 5 sections (2 instances for stereo). \`multiStep(block, true)\` with a \`Float32Array\` works in place: it writes each output into the input array (rounded to float32 on store; its state stays in JS doubles) and returns the same array. It still allocates one empty array per call (\`var out = []\` before \`overwrite\` replaces it), which is negligible. Its inner loop is a per-sample call chain (\`doStep\` → \`runStage\` per section) reading coefficients from \`{re, im}\` objects and state from a 2-element JS array, so block size hardly matters to it.
- **fili designs**: \`new Fili.CalcCascades().peak/lowshelf/highshelf({ order: 1, ... })\` ignores any Q passed in and uses its Butterworth table's Q (= √½ for order 1). For the EQ bands this is exactly masterbus's default peaking Q and equals shelf slope S = 1, so the EQ's peaking bands use Q = √½ in all three libraries and the EQ cascade comes straight from \`CalcCascades\`. The single Q = 1 peak cannot be expressed through \`CalcCascades\`, so that one section is designed with \`new Fili.IirCoeffs().peak({ Fs, Fc, Q: 1, gain: 6 })\` (the per-section function \`CalcCascades\` itself calls). The equivalence table above confirms all three compute the same filters.
- **masterbus**: \`BiquadFilter\` / \`ParametricEQ\` prepared with \`maxBlockSize\` = the block size, parameters set before \`prepare()\` (no ramps running), \`process(block)\` on \`subarray\` views cut before timing.
- Noise: the machine is shared (2 cores). Compare medians and ratios, not single runs; the range columns show how far rounds moved. Load average at the end of this run: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (this bench itself keeps one core busy, so ≈ 1 is quiet).
- **One process per library — why.** Merely loading node-web-audio-api into the process slowed masterbus by ≈ 18 % (finding by the lead). The cause is V8's *ArrayBufferDetaching protector*: while no ArrayBuffer of an isolate has ever been detached, optimized code may skip the "is this buffer detached?" checks on typed-array accesses; the first detach anywhere in the isolate (a transfer to a worker, \`structuredClone(b, { transfer })\`, \`ArrayBuffer.prototype.transfer\`, a \`WebAssembly.Memory.grow\`) invalidates it for good and dependent code is recompiled with the checks. Here the detach came from tsx, not from node-web-audio-api: tsx's CommonJS hook (\`tsx\` = CJS + ESM hooks) scans each CommonJS file it loads that contains "import"/"export" (e.g. \`module.exports\`) with es-module-lexer, a WebAssembly module, and growing its memory for a large file detaches the old buffer (seen with gdb on \`Protectors::InvalidateArrayBufferDetaching\`; \`node --trace-protector-invalidation\` shows it). fili's \`dist/fili.min.js\` does it just the same. Loading only the native addon (\`require\` of the \`.node\` file) does not slow anything; the addon changes no FPU state and starts no busy thread. The old bench loaded all three libraries under \`tsx\` in one process, so masterbus and fili were timed in the slow state and nwa (native code) was not affected.
- Measured (2026-11-23, quiet machine, \`bench/import-effect.ts\`, masterbus ParametricEQ 5-band at 128 frames, Mframes/s, one process each): under \`tsx\`: nothing loaded 53.3–55.8; \`import 'node-web-audio-api'\` 43.7–45.0; \`import 'fili'\` 42.4–44.6; only the native \`.node\` file 53.8–54.4; nothing loaded but one ArrayBuffer detached 47.1. Under \`--import tsx/esm\` (ESM hooks only; they run in Node's loader thread, a separate isolate): nothing 55.8, node-web-audio-api 55.6, fili 55.3. Plain \`node\` on an esbuild bundle of the same script: nothing 54.8, node-web-audio-api 54.8, fili 53.7, one ArrayBuffer detached 46.8.
- Same suite, same machine, minutes apart, 3 rounds each (× real time or Mframes/s at 128 unless noted): isolated processes (this method) — BiquadFilter 5,438×, EQ 53.9 (4096: 60.7), fili 1 section 48.5, fili 5-section 13.0, nwa 1 node 53.7, nwa 5 nodes 14.3; EQ / nwa 3.77×, EQ / fili 4.16×. The same with \`--detach\` (each child detaches one ArrayBuffer first, i.e. the state the old single process ran in) — 4,558×, 45.7 (49.5), 41.1, 12.6, 50.7, 13.7; 3.34×, 3.63×. The old single-process method (previous RESULTS.md, 5 rounds) — 4,446×, 43.8, 45.2, 13.4, 59.5, 14.9; 2.94×, 3.28×. So the detached state costs masterbus ≈ 15–17 % and fili's 1-section filter ≈ 15 %; fili's 5-section cascade and nwa are within their noise. Which state a real application runs in depends on whether anything in its process ever detaches an ArrayBuffer; this table is the undetached state for all three libraries (\`npm run bench -- --detach\` measures the other).
- Process-to-process noise: fili (≈ 13 vs ≈ 8–9 Mframes/s for the 5-section cascade) and nwa (≈ 1,000 vs ≈ 1,250× for one node) are bimodal from one process to the next on this machine, whatever was loaded; hence several rounds and the median over rounds. The host also has noisy phases that the load average does not show (no other process busy, yet timed runs spread ±20–35 % and single rounds drop 30–40 %): four full runs within 20 minutes of each other on 2026-11-23 gave ParametricEQ @128 / nwa 5 nodes = 3.35×, 3.41×, 3.77× and 4.31×, so the "≥ 4× nwa" goal is borderline rather than safely met or missed. A result that only just meets or misses a goal should be re-run on a quiet machine: while another job shares the two cores, every row drops 30–40 % and timed runs spread ±20–35 %.
- \`bench/import-effect.ts <plain|nwa|native|fili|fili-require|nwa-require|detach> [eq|biquad|fili-eq|all]\` reproduces the effect (run it with \`node --import tsx\` and with \`node --import tsx/esm\`).
`;
}

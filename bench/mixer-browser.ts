/**
 * Mixer bench in headless Chromium: the 32-track session of bench/mixer.ts (see mixer-session.ts)
 * rendered by an OfflineAudioContext twice over, as Chromium's own native node graph and as one
 * `masterbus-mixer` AudioWorkletNode (createMixerNode with the session's JSON, the prebuilt
 * dist/masterbus-worklet.js), from the same 32 AudioBufferSourceNodes.
 *
 *   tsx bench/mixer-browser.ts [--rounds N] [--seconds S] [--renders R] [--write]
 *
 * Needs `npm run build` (dist/) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium; driven by
 * playwright-core). Each round launches a fresh browser, generates the inputs in the page, renders
 * each contender once untimed (warm-up), then R times each (default 5), interleaved, the first
 * contender alternating from render to render and round to round. Only `await startRendering()`
 * is timed (in the page; the graph, the worklet module and the mixer are built before the clock
 * starts); per round the median render, then the median over rounds (default 3). Over each timed
 * render the CPU time of Chromium's processes and threads is read from /proc: divided by the wall
 * time it shows how many cores the render kept busy, and the busiest thread (the render thread)
 * gives a second ratio, by CPU time. Untimed check on the last timed render of each, after its
 * clock stopped: all samples finite, RMS and peak per channel (not the same DSP: similar loudness
 * is all that is expected); errors reported by the worklet fail the run.
 *
 * `--seconds` (default 10) is the session length; `--write` replaces (or appends) the
 * "## Mixer in Chromium" section of bench/RESULTS.md. Not part of the test suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build, stop as stopEsbuild } from 'esbuild';
import { loadMasterbus } from './biquad.common.js';
import { median } from './harness.js';
import type { Kind, OutputCheck } from './mixer-browser-page.js';
import { type CompSettings, FS, LIMITER_STAND_IN, MASTER_COMP, sessionOptions, TRACK_COMP, TRACKS } from './mixer-session.js';
import { benchArgs, report } from './rounds.js';

const { rounds, write } = benchArgs();
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const FRAMES = Math.floor((arg('--seconds', 10) * FS) / 4096) * 4096;
const seconds = FRAMES / FS;
const renders = Math.round(arg('--renders', 5));
/** We aim to beat Chromium's native graph. */
const GOAL = 1;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WORKLET = `${ROOT}dist/masterbus-worklet.js`;
if (!existsSync(CHROMIUM)) throw new Error(`mixer-browser: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
if (!existsSync(WORKLET)) throw new Error(`mixer-browser: ${WORKLET} not found; run \`npm run build\` first`);

const IDS: Record<Kind, string> = {
  masterbus: 'masterbus Mixer in one AudioWorkletNode (masterbus-mixer)',
  native: "Chromium's native node graph, equivalent",
  bare: "Chromium's native graph without EQs and compressors",
};
const KINDS: Kind[] = ['masterbus', 'native', 'bare'];

// ---------------------------------------------------------------------------------------------
// CPU time of a process tree, from /proc (Linux; elsewhere the column shows "—").

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** Fields after "(comm)" of a /proc stat line: [0] = 3 state, [1] = 4 ppid, …, [11] = 14 utime, [12] = 15 stime (proc(5)). */
function statFields(path: string): { comm: string; f: string[] } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), f: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
  } catch {
    return null; // gone meanwhile
  }
}
/** CPU ticks of Chromium's processes (which count threads that have ended) and of their live threads. */
interface Ticks {
  processes: Map<number, number>;
  threads: Map<string, { name: string; ticks: number }>;
}
/**
 * CPU ticks (utime + stime) of every descendant of `root` (this process: Chromium is launched as
 * its child) whose name starts with "chrom", and of their descendants, and of each of their live threads, by "pid/tid" with the thread's name; empty without /proc.
 */
function chromiumTicks(root: number): Ticks {
  const out: Ticks = { processes: new Map(), threads: new Map() };
  if (!existsSync('/proc/self/stat')) return out;
  const children = new Map<number, number[]>();
  const own = new Map<number, number>();
  const names = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = statFields(`/proc/${d}/stat`);
    if (!s) continue;
    children.set(Number(s.f[1]), [...(children.get(Number(s.f[1])) ?? []), Number(d)]);
    own.set(Number(d), Number(s.f[11]) + Number(s.f[12]));
    names.set(Number(d), s.comm);
  }
  const todo = (children.get(root) ?? []).filter((pid) => names.get(pid)?.startsWith('chrom'));
  while (todo.length) {
    const pid = todo.pop()!;
    todo.push(...(children.get(pid) ?? []));
    out.processes.set(pid, own.get(pid)!);
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const s = statFields(`/proc/${pid}/task/${tid}/stat`);
      if (s) out.threads.set(`${pid}/${tid}`, { name: s.comm, ticks: Number(s.f[11]) + Number(s.f[12]) });
    }
  }
  return out;
}
/** What Chromium's threads did over one timed render. */
interface CpuUse {
  /** CPU seconds of all of Chromium's processes ÷ wall seconds. */
  share: number;
  /** The busiest thread's name (threads that ended meanwhile counted as one) and its part of that CPU time. */
  busiest: string;
  busiestPart: number;
  /** CPU ms of the busiest thread (the render thread). */
  busiestMs: number;
  /** CPU ms of all the other threads. */
  otherMs: number;
  /** CPU ms of all of Chromium's threads. */
  allMs: number;
}
const ENDED = 'a thread that ended with the render';
function cpuUse(before: Ticks, after: Ticks, wallSeconds: number): CpuUse {
  let total = 0;
  for (const [pid, t] of after.processes) total += t - (before.processes.get(pid) ?? 0);
  let live = 0;
  let top = { name: '—', ticks: 0 };
  for (const [key, t] of after.threads) {
    const d = t.ticks - (before.threads.get(key)?.ticks ?? 0);
    live += d;
    if (d > top.ticks) top = { name: t.name, ticks: d };
  }
  // A process's own ticks include its ended threads; what no live thread accounts for went there.
  if (total - live > top.ticks) top = { name: ENDED, ticks: total - live };
  return {
    share: after.processes.size ? total / CLK_TCK / wallSeconds : NaN,
    busiest: top.name,
    busiestPart: total > 0 ? top.ticks / total : NaN,
    busiestMs: (top.ticks / CLK_TCK) * 1000,
    otherMs: ((total - top.ticks) / CLK_TCK) * 1000,
    allMs: (total / CLK_TCK) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// The page: bundled from mixer-browser-page.ts, served with the worklet module on 127.0.0.1.

const mb = await loadMasterbus();
const session = new mb.Mixer(sessionOptions(mb)).toJSON();
const pageJs = (
  await build({ entryPoints: [`${ROOT}bench/mixer-browser-page.ts`], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'error' })
).outputFiles[0].text;
await stopEsbuild(); // its service process would otherwise be counted with Chromium's (below)
const files: Record<string, [string, string]> = {
  '/': ['text/html', '<!doctype html><title>masterbus mixer bench</title><script type="module" src="/bench.js"></script>'],
  '/bench.js': ['text/javascript', pageJs],
  '/masterbus-worklet.js': ['text/javascript', readFileSync(WORKLET, 'utf8')],
};
const server = createServer((req, res) => {
  const file = files[(req.url ?? '/').split('?')[0]];
  if (file) res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  else res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const { chromium } = await import('playwright-core');
const loadAtStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const started = performance.now();
/** Per kind: the median render of each round (ms), and what Chromium's threads did over every timed render. */
const perRound = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
const cpuUses = new Map<Kind, CpuUse[]>(KINDS.map((k) => [k, []]));
const checks = new Map<Kind, OutputCheck>();
let browserVersion = '';
let latency = 0;

try {
  for (let r = 0; r < rounds; r++) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu'] });
    try {
      browserVersion = browser.version();
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(url);
      await page.waitForFunction('"mixBench" in globalThis', undefined, { timeout: 30_000 });
      await page.evaluate(`mixBench.setup(${JSON.stringify({ frames: FRAMES, session })})`);
      const order = r % 2 ? [...KINDS].reverse() : KINDS;
      const once = async (kind: Kind, timed: boolean) => {
        const lat = (await page.evaluate(`mixBench.build(${JSON.stringify(kind)})`)) as number;
        if (kind === 'masterbus') latency = lat;
        const before = chromiumTicks(process.pid);
        const w0 = performance.now();
        const ms = (await page.evaluate('mixBench.render()')) as number;
        const wall = (performance.now() - w0) / 1000;
        if (timed) cpuUses.get(kind)!.push(cpuUse(before, chromiumTicks(process.pid), wall));
        return ms;
      };
      for (const kind of order) await once(kind, false); // warm-up
      const ms = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
      for (let i = 0; i < renders; i++) {
        for (const kind of i % 2 ? [...order].reverse() : order) ms.get(kind)!.push(await once(kind, true));
      }
      for (const kind of KINDS) {
        perRound.get(kind)!.push(median(ms.get(kind)!));
        checks.set(kind, (await page.evaluate(`mixBench.check(${JSON.stringify(kind)})`)) as OutputCheck);
      }
      const workletErrors = checks.get('masterbus')!.errors;
      if (workletErrors.length) throw new Error(`mixer-browser: the mixer worklet reported: ${workletErrors.join('; ')}`);
      if (pageErrors.length) throw new Error(`mixer-browser: errors in the page: ${pageErrors.join('; ')}`);
      process.stderr.write(`round ${r + 1}/${rounds}: ${KINDS.map((k) => `${k} ${perRound.get(k)!.at(-1)!.toFixed(0)} ms`).join(', ')}\n`);
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}
const runSeconds = (performance.now() - started) / 1000;
const loadAtEnd = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const loaded = Math.max(loadavg()[0], Number(loadAtStart.split(' ')[0])) >= cpus().length;

// ---------------------------------------------------------------------------------------------
// Report.

const rt = (ms: number) => (seconds * 1000) / ms;
const x = (v: number) => v.toFixed(2);
const db = (v: number) => (v < 0 ? `−${Math.abs(v).toFixed(1)}` : v.toFixed(1));
const { out, save } = report();
out(`## Mixer in Chromium (${TRACKS} stereo tracks, 2 aux buses, master; ${seconds.toFixed(1)} s at 48 kHz, OfflineAudioContext in headless Chromium)`);
out();
out(
  `Generated by \`tsx bench/mixer-browser.ts${write ? ' --write' : ''}\` on ${new Date().toISOString()}: Chromium ${browserVersion} (headless, driven by playwright-core), ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), load average at start ${loadAtStart}, at the end ${loadAtEnd}; run time ${runSeconds.toFixed(0)} s.`,
);
out(
  `The session of "## Mixer" above (mixer-session.ts), its 32 inputs generated in the page alike for every render and shared as AudioBuffers. Each contender is an OfflineAudioContext (2 channels, 48 kHz) fed by 32 AudioBufferSourceNodes: masterbus is one \`masterbus-mixer\` AudioWorkletNode running the whole Mixer (createMixerNode with the session's JSON, the prebuilt dist/masterbus-worklet.js, no meter posts; limiter latency ${latency} samples); Chromium's native graph is the one node-web-audio-api renders in "## Mixer" (per track 4 BiquadFilterNodes → DynamicsCompressorNode → StereoPannerNode → GainNode fader, a GainNode send to an aux of 2 BiquadFilterNodes; master 4 BiquadFilterNodes → DynamicsCompressorNode → a second one at 20:1 as limiter stand-in, cheaper than our true-peak limiter); the bare graph leaves out every EQ and compressor.`,
);
out(
  `Method: ${rounds} round(s), each in a freshly launched browser; per round one untimed warm-up render of each contender, then ${renders} timed renders of each, interleaved, the first contender alternating; only \`await startRendering()\` is timed (graph, worklet module and mixer built before the clock starts, \`ready\` and \`sync\` awaited). The table shows the median over rounds of each round's median render, with the range over rounds; CPU ÷ wall is the CPU time of all of Chromium's processes over a timed render divided by its wall time, and the busiest thread (the render thread) is named with its CPU time and its part of Chromium's (medians over all timed renders).`,
);
if (loaded) out('**Loaded machine** (load average at or above the number of cores): the render threads waited for a core, the times are not representative; re-run on a quiet machine.');
out();
out('| contender | block | time (ms) | × real time | CPU ÷ wall | busiest thread: CPU ms (part) | rounds (× rt) |');
out('|---|---|---:|---:|---:|---|---:|');
const med = new Map<Kind, number>();
for (const kind of KINDS) {
  const ms = perRound.get(kind)!;
  med.set(kind, median(ms));
  const uses = cpuUses.get(kind)!;
  const cpu = median(uses.map((u) => u.share));
  const names = uses.map((u) => u.busiest);
  const busiest = names.sort((a, b) => names.filter((n) => n === b).length - names.filter((n) => n === a).length)[0];
  const part = median(uses.map((u) => u.busiestPart));
  out(
    `| ${IDS[kind]} | 128 (render quantum) | ${median(ms).toFixed(0)} | ${x(rt(median(ms)))} | ${Number.isFinite(cpu) ? cpu.toFixed(2) : '—'} | ${Number.isFinite(part) ? `${busiest}: ${median(uses.map((u) => u.busiestMs)).toFixed(0)} (${(100 * part).toFixed(0)} %)` : '—'} | ${x(rt(Math.max(...ms)))}–${x(rt(Math.min(...ms)))} |`,
  );
}
const ratio = med.get('native')! / med.get('masterbus')!;
const roundRatios = perRound.get('native')!.map((n, r) => n / perRound.get('masterbus')![r]);
out();
out(
  `- masterbus's Mixer in one AudioWorklet vs Chromium's native graph (× real time, masterbus ÷ native): ${x(ratio)}× (rounds ${x(Math.min(...roundRatios))}–${x(Math.max(...roundRatios))}) — goal: beat it (> ${GOAL}×): **${ratio > GOAL ? 'met' : 'not met'}**`,
);
const cpuMs = (kind: Kind, of: 'busiestMs' | 'allMs') => median(cpuUses.get(kind)!.map((u) => u[of]));
const cpuRatio = cpuMs('native', 'busiestMs') / cpuMs('masterbus', 'busiestMs');
if (Number.isFinite(cpuRatio)) {
  out(
    `- The same by CPU time (native ÷ masterbus, medians over all timed renders; less sensitive to other load, though not to shared caches): ${x(cpuRatio)}× by the render thread's, ${x(cpuMs('native', 'allMs') / cpuMs('masterbus', 'allMs'))}× by all of Chromium's threads' (${cpuMs('masterbus', 'allMs').toFixed(0)} against ${cpuMs('native', 'allMs').toFixed(0)} ms)`,
  );
}
out(
  `- For scale: the native graph alone (sources, panners, gains, sums) takes ${((100 * med.get('bare')!) / med.get('native')!).toFixed(1)} % of its full render.`,
);
const mbc = checks.get('masterbus')!;
const nac = checks.get('native')!;
const pair = (v: number[]) => v.map(db).join(' / ');
/**
 * Web Audio's DynamicsCompressorNode adds make-up gain by itself (Web Audio API, "DynamicsCompressorNode"
 * processing: makeup = (1 / full range gain)^0.6, the full range gain being the curve's gain at
 * 0 dBFS, T + (0 − T)/R above the knee), masterbus's Compressor only when asked (makeupDb 0 here).
 */
const makeupDb = (c: CompSettings) => 0.6 * -c.thresholdDb * (1 - 1 / c.ratio);
const makeup = makeupDb(TRACK_COMP) + makeupDb(MASTER_COMP) + makeupDb(LIMITER_STAND_IN);
out(
  `- Check (untimed, on the last timed render of each): all samples finite: masterbus ${mbc.finite ? 'yes' : '**no**'}, native ${nac.finite ? 'yes' : '**no**'}; RMS L / R masterbus ${pair(mbc.rmsDb)} dBFS, native ${pair(nac.rmsDb)} dBFS (difference ${mbc.rmsDb.map((v, c) => db(v - nac.rmsDb[c])).join(' / ')} dB); peak masterbus ${pair(mbc.peakDb)}, native ${pair(nac.peakDb)} dBFS. Web Audio's compressors add make-up gain of their own, (1 / gain at 0 dBFS)^0.6 by the spec: about ${makeupDb(TRACK_COMP).toFixed(1)} dB on a track, ${makeupDb(MASTER_COMP).toFixed(1)} dB and ${makeupDb(LIMITER_STAND_IN).toFixed(1)} dB on the master, ${makeup.toFixed(1)} dB in all, which masterbus's compressors (no make-up set) do not; net of it the difference is ${mbc.rmsDb.map((v, c) => db(v - nac.rmsDb[c] + makeup)).join(' / ')} dB. Not the same DSP otherwise either (EQ shapes alike, compressor designs and knees not, and a true-peak limiter against a 20:1 compressor), so only similar loudness is expected.`,
);
const allUses = [...cpuUses.get('masterbus')!, ...cpuUses.get('native')!];
const maxShare = Math.max(...allUses.map((u) => u.share));
const minPart = Math.min(...allUses.map((u) => u.busiestPart));
out(
  `- CPU: Chromium renders an OfflineAudioContext on one thread, the native graph and the worklet alike (with an AudioWorklet in the context, on the worklet's thread), so the ratio compares one core against one core. ${
    Number.isFinite(maxShare)
      ? `Measured over every timed render (/proc): one thread did at least ${(100 * minPart).toFixed(0)} % of Chromium's CPU time, and all its threads together used at most ${maxShare.toFixed(2)} core${maxShare > 1.15 ? ' (more than one core: see why before trusting the ratio)' : ''}${median(allUses.map((u) => u.share)) < 0.9 ? '; CPU ÷ wall below 1 means the render thread waited for a core (a loaded machine)' : ''}. Besides the render thread, Chromium's other threads used a median ${median(cpuUses.get('masterbus')!.map((u) => u.otherMs)).toFixed(0)} ms of CPU per masterbus render (nearly all in its thread pool, "ThreadPoolForeground"; while writing this bench it was about as much for a 1 s session as for a 6 s one, so a cost per context: most likely V8 compiling the worklet's code in the background, since every OfflineAudioContext starts a fresh worklet scope whose code runs cold; it runs beside the render thread, on another core when one is free) and ${median(cpuUses.get('native')!.map((u) => u.otherMs)).toFixed(0)} ms per native render.`
      : 'No /proc here to confirm it.'
  }`,
);

if (write) save('## Mixer in Chromium');

/**
 * Report bench: what `--report report.html` adds to `masterbus master` for a 3-minute song.
 *
 * A 180 s stereo 48 kHz music-like programme (test/chains/programmes.ts) is mastered once with a
 * full chain (mid/side EQ, glue compressor, saturator, limiter: every plot is made); then, in this
 * process, in this order:
 * - the first import of Vega and Vega-Lite (cold: what the first report of a CLI run pays);
 * - the first `reportPlots()` (compiling and rendering five plots, Vega's first views);
 * - `reportPlots()` again, median of `--rounds` (warm);
 * - `renderReportHtml()` with the plots given (the HTML alone) and without (plots included);
 * - `svgToPng()` of every plot at scale 2 (the first call loads the system fonts).
 * Each step shows its wall time and the process's CPU time (user + system, all threads): on a
 * shared machine the CPU time is the steadier figure. The 1-minute load average is printed too.
 *
 *   tsx bench/report.ts [--rounds N]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { master } from '../src/index.js';
import { programme } from '../test/chains/programmes.js';
import { FULL_CHAIN } from '../test/node/report-support.js';
import { median } from './harness.js';
import { benchArgs } from './rounds.js';

const { rounds } = benchArgs();
const FS = 48000;
const SECONDS = 180;

const x = programme('music', 3, SECONDS, FS, -20, 10);
const t0 = performance.now();
const { report } = await master(x, FS, { preset: 'streaming', chain: FULL_CHAIN });
const masterMs = performance.now() - t0;
const input = { title: 'Bench', sampleRate: FS, report, input: { name: 'in.wav', href: 'in.wav' }, output: { name: 'out.wav', href: 'out.wav' } };

const ms = (t: number) => `${t.toFixed(0)} ms`;
/** Wall and CPU milliseconds of `f`. */
async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const w = performance.now();
  const value = await f();
  const wall = performance.now() - w;
  const d = process.cpuUsage(c);
  return { value, wall, cpu: (d.user + d.system) / 1000 };
}
const row = (label: string, r: { wall: number; cpu: number }) => console.log(`| ${label} | ${ms(r.wall)} | ${ms(r.cpu)} |`);
const imp = await timed(() => Promise.all([import('vega'), import('vega-lite')]));
const { reportPlots, renderReportHtml, svgToPng } = await import('../src/node/report/index.js');
const first = await timed(() => reportPlots(input));
const plots = first.value;
const warm: { wall: number; cpu: number }[] = [];
for (let k = 0; k < rounds; k++) warm.push(await timed(() => reportPlots(input)));
const htmlOnly = await timed(() => renderReportHtml(input, plots));
const htmlAll = await timed(() => renderReportHtml(input));
const pngs: { wall: number; cpu: number; value: Uint8Array }[] = [];
for (const p of plots) pngs.push(await timed(() => svgToPng(p.svg, { scale: 2 })));
const med = (xs: { wall: number; cpu: number }[]) => ({ wall: median(xs.map((r) => r.wall)), cpu: median(xs.map((r) => r.cpu)) });
const html = htmlOnly.value;

console.log(`## Report (${SECONDS} s stereo 48 kHz programme, ${plots.length} plots; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
console.log();
console.log('| step | wall | CPU |');
console.log('|---|---:|---:|');
console.log(`| master() itself, for scale | ${ms(masterMs)} | |`);
row('first import of vega + vega-lite', imp);
row('first reportPlots()', first);
row(`reportPlots(), warm (median of ${rounds})`, med(warm));
row('renderReportHtml(), plots given', htmlOnly);
row('renderReportHtml(), plots included (warm)', htmlAll);
row('svgToPng(), first (loads the system fonts)', pngs[0]);
row(`svgToPng(), each other plot (median of ${pngs.length - 1})`, med(pngs.slice(1)));
console.log();
console.log(`HTML ${(html.length / 1024).toFixed(0)} KiB (SVG ${plots.map((p) => `${p.id} ${(p.svg.length / 1024).toFixed(0)}`).join(', ')} KiB); PNGs at scale 2 ${(pngs.reduce((n, p) => n + p.value.length, 0) / 1024).toFixed(0)} KiB in all.`);

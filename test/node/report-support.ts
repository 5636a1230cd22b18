/**
 * Shared by the report tests: real `master()` reports of short synthetic programmes (cached per
 * process), and an independent reading of the SVGs (Python's XML parser: well-formedness, texts by
 * Vega role, the paths of each mark group).
 */
import { spawnSync } from 'node:child_process';
import { master, type MasteringOptions } from '../../src/index.js';
import { reportPlots } from '../../src/node/report/plots.js';
import type { ReportInput, ReportPlot } from '../../src/node/report/types.js';
import { programme } from '../chains/programmes.js';

export const FS = 48000;

/** The mid/side EQ, glue compressor and saturator chain the main fixture is mastered with. */
export const FULL_CHAIN: MasteringOptions['chain'] = {
  eq: {
    midSide: true,
    bands: [
      { type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 },
      { type: 'lowshelf', frequencyHz: 120, gainDb: 1.5 },
      { type: 'peaking', frequencyHz: 350, q: 1.2, gainDb: -2 },
      { type: 'highshelf', frequencyHz: 10000, gainDb: 2 },
      { type: 'peaking', frequencyHz: 3000, q: 2, gainDb: 6, bypass: true },
    ],
    sideBands: [{ type: 'butterworth-highpass', frequencyHz: 150, rolloffDbPerOctave: 12 }, { type: 'highshelf', frequencyHz: 8000, gainDb: 1 }],
    outputGainDb: -0.5,
  },
  compressor: { thresholdDb: -16, ratio: 2, kneeDb: 6 },
  saturator: {},
};

/** A multiband chain (four bands, one bypassed, one with makeup and mix). */
export const MULTIBAND_CHAIN: MasteringOptions['chain'] = {
  compressor: null,
  multiband: {
    crossoversHz: [120, 1000, 5000],
    bands: [{ thresholdDb: -20, ratio: 2 }, { thresholdDb: -24, ratio: 3, makeupDb: 2, mix: 0.5 }, { thresholdDb: -22, ratio: 2.5, bypass: true }, { thresholdDb: -26, ratio: Infinity, kneeDb: 0, outputGainDb: -1 }],
  },
  widener: { width: 1.2 },
};

const cache = new Map<string, Promise<ReportInput>>();

/**
 * A report input from `master()` on an 8 s synthetic music programme at −20 LUFS, mastered for
 * streaming (−14 LUFS), or to −10 LUFS for `full` (the limiter works hard).
 */
export function reportFixture(name: 'full' | 'multiband' | 'default', seconds = 8): Promise<ReportInput> {
  const key = `${name}:${seconds}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const x = programme('music', 7, seconds, FS, -20, 10);
      const chain = name === 'full' ? FULL_CHAIN : name === 'multiband' ? MULTIBAND_CHAIN : undefined;
      // The full chain to −10 LUFS: loud enough that the limiter works (several dB), as the plot wants.
      const { report } = await master(x, FS, { ...(name === 'full' ? { target: -10 } : { preset: 'streaming' as const }), ...(chain ? { chain } : {}) });
      return { title: `Test programme (${name})`, sampleRate: FS, report, input: { name: 'mix.wav', href: 'mix.wav' }, output: { name: 'master.wav', href: 'master.wav' } };
    })();
    cache.set(key, p);
  }
  return p;
}

const plotCache = new Map<string, Promise<ReportPlot[]>>();

/** The plots of {@link reportFixture}`(name)`, rendered once per process. */
export function plotsFixture(name: 'full' | 'multiband' | 'default'): Promise<ReportPlot[]> {
  let p = plotCache.get(name);
  if (!p) {
    p = reportFixture(name).then(reportPlots);
    plotCache.set(name, p);
  }
  return p;
}

/** Is python3 there (the independent XML parser)? */
export const havePython = spawnSync('python3', ['-c', 'import xml.etree.ElementTree'], { encoding: 'utf8' }).status === 0;
if (!havePython) console.warn('[report] SKIPPED the SVG parsing checks: python3 not found');

/** What Python's XML parser reads in a Vega SVG. */
export interface SvgSummary {
  width: number;
  height: number;
  viewBox: string;
  /** Texts under groups of each role (`role-axis-title`, `role-legend-label`, `role-title-text` …). */
  texts: Record<string, string[]>;
  /** Per mark group (its class list, e.g. `mark-line role-mark layer_1_marks`), its paths. */
  marks: { cls: string; paths: { d: string; stroke: string | null; fill: string | null }[] }[];
  /** Element ids (must be unique). */
  ids: string[];
  /** Elements that could run or fetch anything: script, foreignObject, external hrefs. */
  active: string[];
}

const PY = String.raw`
import sys, json, xml.etree.ElementTree as E
NS = '{http://www.w3.org/2000/svg}'
XL = '{http://www.w3.org/1999/xlink}href'
out = []
for svg in json.load(sys.stdin):
    root = E.fromstring(svg)
    texts, marks, ids, active = {}, [], [], []
    def walk(el, role):
        cls = el.get('class') or ''
        for c in cls.split():
            if c.startswith('role-'): role = c
        tag = el.tag.replace(NS, '')
        if el.get('id'): ids.append(el.get('id'))
        if tag in ('script', 'foreignObject'): active.append(tag)
        for h in (el.get('href'), el.get(XL)):
            if h and not h.startswith('#'): active.append('href=' + h)
        if tag == 'text':
            texts.setdefault(role, []).append(''.join(el.itertext()))
        if tag == 'g' and 'role-mark' in cls:
            marks.append({'cls': cls, 'paths': [{'d': p.get('d') or '', 'stroke': p.get('stroke'), 'fill': p.get('fill')} for p in el.iter(NS + 'path')]})
        for ch in el: walk(ch, role)
    walk(root, '')
    out.append({'width': float(root.get('width')), 'height': float(root.get('height')), 'viewBox': root.get('viewBox'), 'texts': texts, 'marks': marks, 'ids': ids, 'active': active})
json.dump(out, sys.stdout)
`;

/** Parse SVG documents with Python's XML parser (throws if one is not well-formed XML). */
export function parseSvgs(svgs: readonly string[]): SvgSummary[] {
  const r = spawnSync('python3', ['-c', PY], { input: JSON.stringify(svgs), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 could not parse the SVG: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as SvgSummary[];
}

/** The vertices of an SVG path made of M/L commands (Vega's lines), one array per subpath. */
export function pathVertices(d: string): [number, number][][] {
  const subpaths: [number, number][][] = [];
  const re = /([ML])\s*(-?[\d.]+(?:e-?\d+)?)[ ,](-?[\d.]+(?:e-?\d+)?)/g;
  for (const m of d.matchAll(re)) {
    if (m[1] === 'M') subpaths.push([]);
    subpaths[subpaths.length - 1].push([Number(m[2]), Number(m[3])]);
  }
  return subpaths;
}

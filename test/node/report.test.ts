/**
 * The mastering report (src/node/report): plots are well-formed SVG (read by Python's XML parser)
 * with the expected marks, series and axis titles; the plotted data is the report's (spec data
 * and the SVG paths mapped back to data units); the EQ curve equals the closed-form RBJ / bilinear
 * Butterworth magnitudes computed here; the compressor curves equal Giannoulis et al.'s static
 * curve written out here; the HTML escapes what comes from data; PNGs decode (an independent
 * decoder) to the expected size and are not blank, with text drawn.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { master } from '../../src/index.js';
import { describeBand, escapeHtml, fileHref, renderReportHtml, reportPlots, reportSpecs, safeHref, svgToPng, writeReportPngs } from '../../src/node/report/index.js';
import fc from 'fast-check';
import { eqMagnitudeDb, MAX_POINTS_PER_PIXEL, reduceMax, reduceMinMax } from '../../src/node/report/data.js';
import { runs } from '../support/signals.js';
import type { ReportInput, ReportPlot } from '../../src/node/report/types.js';
import { decodePng, PNG_SIGNATURE } from '../support/png.js';
import { FS, havePython, parseSvgs, pathVertices, plotsFixture, reportFixture, type SvgSummary } from './report-support.js';

type Row = Record<string, unknown>;

/** The inline data of a spec's layer `k` (or of the spec itself). */
function layerData(spec: Record<string, unknown>, k?: number): Row[] {
  const s = (k === undefined ? spec : (spec.layer as Record<string, unknown>[])[k]) as { data: { values: Row[] } };
  return s.data.values;
}

/** The plot with this id. */
function plot(plots: readonly ReportPlot[], id: string): ReportPlot {
  const p = plots.find((q) => q.id === id);
  if (!p) throw new Error(`no plot ${id} in ${plots.map((q) => q.id).join(', ')}`);
  return p;
}

// ---- Independent closed forms -------------------------------------------------------------

/** |H(e^{jω})| of b0 + b1 z⁻¹ + b2 z⁻² over a0 + a1 z⁻¹ + a2 z⁻² (not normalised). */
function biquadMag(b: number[], a: number[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  const re = (c: number[]) => c[0] + c[1] * Math.cos(w) + c[2] * Math.cos(2 * w);
  const im = (c: number[]) => -c[1] * Math.sin(w) - c[2] * Math.sin(2 * w);
  return Math.hypot(re(b), im(b)) / Math.hypot(re(a), im(a));
}

/** RBJ Audio EQ Cookbook (W3C Note): peakingEQ, lowShelf, highShelf (shelf slope S), |H| at f. */
function rbjMag(type: 'peaking' | 'lowshelf' | 'highshelf', f0: number, gainDb: number, q: number, f: number, fs: number, s = 1): number {
  const A = 10 ** (gainDb / 40);
  const w0 = (2 * Math.PI * f0) / fs;
  const cw = Math.cos(w0);
  if (type === 'peaking') {
    const alpha = Math.sin(w0) / (2 * q);
    return biquadMag([1 + alpha * A, -2 * cw, 1 - alpha * A], [1 + alpha / A, -2 * cw, 1 - alpha / A], f, fs);
  }
  const alpha = (Math.sin(w0) / 2) * Math.sqrt((A + 1 / A) * (1 / s - 1) + 2);
  const sq = 2 * Math.sqrt(A) * alpha;
  if (type === 'lowshelf') {
    return biquadMag(
      [A * (A + 1 - (A - 1) * cw + sq), 2 * A * (A - 1 - (A + 1) * cw), A * (A + 1 - (A - 1) * cw - sq)],
      [A + 1 + (A - 1) * cw + sq, -2 * (A - 1 + (A + 1) * cw), A + 1 + (A - 1) * cw - sq],
      f,
      fs,
    );
  }
  return biquadMag(
    [A * (A + 1 + (A - 1) * cw + sq), -2 * A * (A - 1 + (A + 1) * cw), A * (A + 1 + (A - 1) * cw - sq)],
    [A + 1 - (A - 1) * cw + sq, 2 * (A - 1 - (A + 1) * cw), A + 1 - (A - 1) * cw - sq],
    f,
    fs,
  );
}

/**
 * Butterworth high-pass of order N by the bilinear transform with the cutoff pre-warped:
 * |H|² = 1 / (1 + (tan(π fc/fs) / tan(π f/fs))^(2N)).
 */
function butterworthHighpassMag(fc: number, order: number, f: number, fs: number): number {
  const r = Math.tan((Math.PI * fc) / fs) / Math.tan((Math.PI * f) / fs);
  return 1 / Math.sqrt(1 + r ** (2 * order));
}

/** Giannoulis, Massberg & Reiss 2012, eq. 4: the static output level of a compressor (no makeup, fully wet). */
function staticCurve(x: number, t: number, r: number, w: number): number {
  if (2 * (x - t) < -w) return x;
  if (2 * Math.abs(x - t) <= w) return x + ((1 / r - 1) * (x - t + w / 2) ** 2) / (2 * w);
  return t + (x - t) / r;
}

// ---- Tests --------------------------------------------------------------------------------

describe('reportPlots: a mid/side EQ, compressor and saturator chain', () => {
  let input: ReportInput;
  let plots: ReportPlot[];
  let svgs: SvgSummary[] = [];
  beforeAll(async () => {
    input = await reportFixture('full');
    plots = await plotsFixture('full');
    if (havePython) svgs = parseSvgs(plots.map((p) => p.svg));
  }, 60_000);

  it('makes the five plots in order, each a sized SVG document with a title and a description', () => {
    expect(plots.map((p) => p.id)).toEqual(['loudness', 'gain-reduction', 'spectrum', 'eq', 'dynamics']);
    for (const p of plots) {
      expect(p.svg.startsWith('<svg')).toBe(true);
      expect(p.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(p.svg).toContain(`<title>${p.title}</title>`);
      // Fits a laptop screen: at most about 1050 px wide, and not tiny.
      expect(p.width).toBeGreaterThan(300);
      expect(p.width).toBeLessThanOrEqual(1060);
      expect(p.height).toBeGreaterThan(150);
      expect(p.height).toBeLessThanOrEqual(420);
    }
  });

  it.skipIf(!havePython)('is well-formed XML with unique ids across plots, and nothing active (no script, no external href)', () => {
    const ids = svgs.flatMap((s) => s.ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of svgs) {
      expect(s.active).toEqual([]);
      expect(s.viewBox).toBe(`0 0 ${s.width} ${s.height}`);
    }
  });

  it.skipIf(!havePython)('labels every axis with its unit, and titles every plot', () => {
    const titles = svgs.map((s) => s.texts['role-axis-title']);
    expect(titles[0]).toEqual(expect.arrayContaining(['Time (m:ss)', 'Loudness (LUFS)']));
    expect(titles[1]).toEqual(expect.arrayContaining(['Time (m:ss)', 'Gain reduction (dB)']));
    expect(titles[2]).toEqual(expect.arrayContaining(['Frequency (Hz)', 'Band level at −23 LUFS (dB)']));
    expect(titles[3]).toEqual(expect.arrayContaining(['Frequency (Hz)', 'Gain (dB)']));
    expect(titles[4]).toEqual(expect.arrayContaining(['Input level (dBFS)', 'Output level (dBFS)']));
    for (const t of titles) expect(t).toHaveLength(2);
    expect(svgs.map((s) => s.texts['role-title-text'])).toEqual([['Loudness over time'], ['Limiter gain reduction'], ['Spectrum (1/3 octave)'], ['EQ response'], ['Compressor curve']]);
  });

  it.skipIf(!havePython)('draws the expected series: four loudness lines and the target, two spectra, mid and side EQ, one compressor curve', () => {
    const lines = (s: SvgSummary) => s.marks.filter((m) => m.cls.startsWith('mark-line')).reduce((n, m) => n + m.paths.length, 0);
    expect(lines(svgs[0])).toBe(4);
    expect(svgs[0].marks.filter((m) => m.cls.startsWith('mark-rule'))).toHaveLength(1);
    expect(svgs[0].texts['role-legend-label']).toEqual(['Before · short-term', 'After · short-term', 'Before · momentary', 'After · momentary']);
    expect(svgs[0].texts['role-mark']).toEqual(['Target−10.0 LUFS']); // two lines (tspans)
    expect(svgs[1].marks.filter((m) => m.cls.startsWith('mark-area'))).toHaveLength(1);
    expect(lines(svgs[2])).toBe(2);
    expect(svgs[2].texts['role-legend-label']).toEqual(['Before', 'After']);
    expect(lines(svgs[3])).toBe(2);
    expect(svgs[3].texts['role-legend-label']).toEqual(['Mid', 'Side']);
    expect(lines(svgs[4])).toBe(2); // the 1:1 reference and the curve
  });

  it('plots the report’s loudness series (spec data) and its target', () => {
    const r = input.report;
    const spec = plot(plots, 'loudness').spec;
    const momentary = layerData(spec, 0);
    const shortTerm = layerData(spec, 1);
    for (const [rows, key] of [[momentary, 'momentary'], [shortTerm, 'shortTerm']] as const) {
      for (const [version, a] of [['Before', r.before], ['After', r.after]] as const) {
        const mine = rows.filter((row) => row.version === version);
        expect(mine.map((row) => row.lufs)).toEqual(a.series[key]);
        mine.forEach((row, i) => expect(row.t).toBeCloseTo(a.series.startSeconds + i * a.series.intervalSeconds, 9));
      }
    }
    expect(layerData(spec, 2)).toEqual([expect.objectContaining({ lufs: r.target.integratedLufs })]);
  });

  it.skipIf(!havePython)('draws the after short-term line at the report’s values (SVG path mapped back to LUFS)', () => {
    const r = input.report;
    const p = plot(plots, 'loudness');
    const y = ((p.spec.layer as Row[])[1] as { encoding: { y: { scale: { domain: [number, number] } } } }).encoding.y.scale.domain;
    const x = ((p.spec.layer as Row[])[1] as { encoding: { x: { scale: { domain: [number, number] } } } }).encoding.x.scale.domain;
    const after = svgs[0].marks.filter((m) => m.cls.includes('layer_1_marks')).flatMap((m) => m.paths).find((q) => q.stroke === '#0072B2')!;
    const vertices = pathVertices(after.d).flat();
    const values = r.after.series.shortTerm;
    const defined = values.map((v, i) => [i, v] as const).filter(([, v]) => v !== null) as [number, number][];
    expect(vertices).toHaveLength(defined.length);
    // The data rectangle: 880 × 250 px (the spec's width and height).
    const w = p.spec.width as number;
    const h = p.spec.height as number;
    defined.forEach(([i, v], k) => {
      const [px, py] = vertices[k];
      const t = x[0] + (px / w) * (x[1] - x[0]);
      const lufs = y[1] - (py / h) * (y[1] - y[0]);
      expect(t).toBeCloseTo(r.after.series.startSeconds + i * r.after.series.intervalSeconds, 2);
      expect(Math.abs(lufs - v)).toBeLessThan(0.01);
    });
  });

  it('plots the limiter’s gain-reduction series as reported', () => {
    const gr = input.report.gainReduction;
    expect(Math.max(...gr.db)).toBeGreaterThan(2); // (the fixture's limiter works)
    expect(Math.max(...gr.db)).toBeCloseTo(input.report.limiter.maxDb, 1);
    const rows = layerData(plot(plots, 'gain-reduction').spec);
    expect(rows.map((row) => row.db)).toEqual(gr.db);
    rows.forEach((row, i) => expect(row.t).toBeCloseTo(gr.startSeconds + i * gr.intervalSeconds, 9));
  });

  it('plots both 1/3-octave spectra, normalised to −23 LUFS, at the exact band centres', () => {
    const r = input.report;
    const rows = layerData(plot(plots, 'spectrum').spec);
    for (const [version, a] of [['Before', r.before], ['After', r.after]] as const) {
      const mine = rows.filter((row) => row.version === version);
      expect(mine.map((row) => row.db)).toEqual(a.tonalBalance.normalizedDb);
      expect(mine.map((row) => row.hz)).toEqual(a.tonalBalance.centresHz);
      expect(mine[0].nominalHz).toBe(25);
      expect(mine[mine.length - 1].nominalHz).toBe(20000);
    }
    const enc = (plot(plots, 'spectrum').spec as { encoding: { x: { scale: { type: string; domain: number[] } } } }).encoding.x.scale;
    expect(enc).toEqual({ type: 'log', domain: [20, 20000], nice: false });
  });

  it('draws the EQ at the closed-form RBJ cookbook and bilinear Butterworth magnitudes (mid and side)', () => {
    const rows = layerData(plot(plots, 'eq').spec, 1) as { name: string; x: number; y: number }[];
    const mid = rows.filter((row) => row.name === 'Mid');
    const side = rows.filter((row) => row.name === 'Side');
    expect(mid.length).toBeGreaterThan(200);
    expect(side.length).toBe(mid.length);
    expect(mid[0].x).toBeCloseTo(20, 9);
    expect(mid[mid.length - 1].x).toBeCloseTo(20000, 6);
    const db = (m: number) => 20 * Math.log10(m);
    // Mid: HP 30 Hz 24 dB/oct (4th order), low shelf 120 Hz +1.5, bell 350 Hz −2 Q 1.2, high shelf 10 kHz +2; the bypassed bell left out; output −0.5 dB.
    const midRef = (f: number) =>
      db(butterworthHighpassMag(30, 4, f, FS)) + db(rbjMag('lowshelf', 120, 1.5, 0, f, FS)) + db(rbjMag('peaking', 350, -2, 1.2, f, FS)) + db(rbjMag('highshelf', 10000, 2, 0, f, FS)) - 0.5;
    const sideRef = (f: number) => db(butterworthHighpassMag(150, 2, f, FS)) + db(rbjMag('highshelf', 8000, 1, 0, f, FS)) - 0.5;
    for (const row of mid) expect(Math.abs(row.y - midRef(row.x))).toBeLessThan(1e-6);
    for (const row of side) expect(Math.abs(row.y - sideRef(row.x))).toBeLessThan(1e-6);
    // Spot checks at round frequencies through the public helper.
    const fs = [31.5, 100, 350, 1000, 4000, 12000];
    const got = eqMagnitudeDb([{ type: 'peaking', frequencyHz: 1000, gainDb: 6, q: 0.7 }, { type: 'highshelf', frequencyHz: 5000, gainDb: -3, shelfSlope: 0.5 }], 0, 44100, fs);
    fs.forEach((f, i) => expect(got[i]).toBeCloseTo(db(rbjMag('peaking', 1000, 6, 0.7, f, 44100)) + db(rbjMag('highshelf', 5000, -3, 0, f, 44100, 0.5)), 9));
    expect(got[2 + 1]).toBeCloseTo(6 + db(rbjMag('highshelf', 5000, -3, 0, 1000, 44100, 0.5)), 9); // +6 dB at the bell's centre
  });

  it('draws the compressor’s static curve (Giannoulis et al. eq. 4) and the 1:1 reference', () => {
    const spec = plot(plots, 'dynamics').spec;
    const rows = layerData(spec, 1) as { name: string; x: number; y: number }[];
    expect(new Set(rows.map((row) => row.name))).toEqual(new Set(['Compressor']));
    expect(rows[0].x).toBe(-60);
    expect(rows[rows.length - 1].x).toBe(0);
    for (const row of rows) expect(row.y).toBeCloseTo(staticCurve(row.x, -16, 2, 6), 9);
    const ref = layerData(spec, 0) as { x: number; y: number }[];
    for (const p of ref) expect(p.y).toBe(p.x);
  });
});

describe('reportPlots: a multiband chain, and the default chain', () => {
  it('draws one curve per band (makeup, mix, band gain, bypass, ∞:1 with a hard knee)', async () => {
    const plots = await plotsFixture('multiband');
    expect(plots.map((p) => p.id)).toEqual(['loudness', 'gain-reduction', 'spectrum', 'dynamics']);
    const spec = plot(plots, 'dynamics').spec;
    const rows = layerData(spec, 1) as { name: string; x: number; y: number }[];
    const names = [...new Set(rows.map((row) => row.name))];
    expect(names).toEqual(['Band 1 (< 120 Hz)', 'Band 2 (120 Hz–1 kHz)', 'Band 3 (1 kHz–5 kHz), bypassed', 'Band 4 (> 5 kHz)']);
    const curve = (k: number) => rows.filter((row) => row.name === names[k]);
    for (const row of curve(0)) expect(row.y).toBeCloseTo(staticCurve(row.x, -20, 2, 6), 9);
    // Mix 0.5 of the dry and the wet (makeup 2 dB) signals, in phase: 20·log10(0.5 + 0.5·10^((2 − GR)/20)).
    for (const row of curve(1)) {
      const gr = row.x - staticCurve(row.x, -24, 3, 6);
      expect(row.y).toBeCloseTo(row.x + 20 * Math.log10(0.5 + 0.5 * 10 ** ((2 - gr) / 20)), 9);
    }
    for (const row of curve(2)) expect(row.y).toBe(row.x);
    for (const row of curve(3)) expect(row.y).toBeCloseTo(Math.min(row.x, -26) - 1, 9);
    if (havePython) {
      const [s] = parseSvgs([plot(plots, 'dynamics').svg]);
      expect(s.texts['role-title-text']).toEqual(['Multiband compressor curves']);
      expect([...s.texts['role-legend-label']].sort()).toEqual(names); // (laid out in columns: column-major order)
    }
  }, 60_000);

  it('leaves out the EQ and compressor plots when the chain has neither (the limiter alone)', async () => {
    const input = await reportFixture('default');
    const plots = await plotsFixture('default');
    expect(plots.map((p) => p.id)).toEqual(['loudness', 'gain-reduction', 'spectrum']);
    // A report from before master() recorded the gain reduction over time (read back from JSON).
    const { gainReduction: _gr, ...withoutGr } = input.report;
    const fewer = await reportPlots({ ...input, report: withoutGr as typeof input.report });
    expect(fewer.map((p) => p.id)).toEqual(['loudness', 'spectrum']);
  }, 60_000);

  it('survives a silent programme (no loudness anywhere): plots and HTML still render', async () => {
    const silence = [new Float32Array(2 * FS), new Float32Array(2 * FS)];
    const { report } = await master(silence, FS);
    const input: ReportInput = { title: 'Silence', sampleRate: FS, report, input: { name: 'a.wav' }, output: { name: 'b.wav' } };
    const plots = await reportPlots(input);
    expect(plots.map((p) => p.id)).toEqual(['loudness', 'gain-reduction', 'spectrum']);
    expect(layerData(plots[1].spec).every((row) => row.db === 0)).toBe(true);
    const html = await renderReportHtml(input, plots);
    expect(html).toContain('The source is silent');
    if (havePython) parseSvgs(plots.map((p) => p.svg));
  }, 60_000);
});

describe('long programmes: the time series are reduced to what the plot can show', () => {
  it('reduceMinMax keeps every index of a short series, and of a long one each column’s first, last, lowest, highest and a null', () => {
    expect(reduceMinMax([1, null, 3], 1)).toEqual([0, 1, 2]);
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: -70, max: 0, noNaN: true }), { freq: 8 }), { minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 200 }), (values, columns) => {
        const keep = reduceMinMax(values, columns);
        for (let k = 1; k < keep.length; k++) expect(keep[k]).toBeGreaterThan(keep[k - 1]);
        if (values.length <= MAX_POINTS_PER_PIXEL * columns) {
          expect(keep).toEqual(values.map((_, i) => i));
          return;
        }
        expect(keep.length).toBeLessThanOrEqual(6 * columns);
        const kept = new Set(keep);
        for (let c = 0; c < columns; c++) {
          const from = Math.floor((c * values.length) / columns);
          const to = Math.floor(((c + 1) * values.length) / columns);
          if (to <= from) continue;
          const slice = values.slice(from, to);
          const finite = slice.filter((v): v is number => v !== null);
          const keptHere = keep.filter((i) => i >= from && i < to).map((i) => values[i]);
          expect(kept.has(from) && kept.has(to - 1)).toBe(true);
          if (finite.length > 0) {
            expect(keptHere).toContain(Math.min(...finite));
            expect(keptHere).toContain(Math.max(...finite));
          }
          if (slice.includes(null)) expect(keptHere).toContain(null);
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it('reduceMax merges intervals keeping their largest reduction', () => {
    const gr = { intervalSeconds: 0.1, startSeconds: 0, db: Array.from({ length: 10000 }, (_, i) => (i === 7777 ? 9 : (i % 13) / 10)) };
    const r = reduceMax(gr, 100);
    const per = Math.ceil(10000 / (MAX_POINTS_PER_PIXEL * 100));
    expect(r.intervalSeconds).toBeCloseTo(0.1 * per, 12);
    expect(r.db).toHaveLength(Math.ceil(10000 / per));
    r.db.forEach((v, k) => expect(v).toBe(Math.max(...gr.db.slice(k * per, (k + 1) * per))));
    expect(reduceMax({ ...gr, db: gr.db.slice(0, 400) }, 100)).toEqual({ ...gr, db: gr.db.slice(0, 400) });
  });

  it('a 40-minute report plots values of the report only, at most six per pixel column and series (the specs; rendering is as for a song)', async () => {
    const base = await reportFixture('full');
    const long = (xs: readonly (number | null)[]) => Array.from({ length: 24000 }, (_, i) => xs[i % xs.length]);
    const series = (a: typeof base.report.before) => ({ ...a.series, momentary: long(a.series.momentary), shortTerm: long(a.series.shortTerm) });
    const report = {
      ...base.report,
      before: { ...base.report.before, duration: 2400, series: series(base.report.before) },
      after: { ...base.report.after, duration: 2400, series: series(base.report.after) },
      gainReduction: { ...base.report.gainReduction, db: long(base.report.gainReduction.db) as number[] },
    };
    const specs = reportSpecs({ ...base, report });
    const plots = specs as unknown as ReportPlot[]; // (id and spec are all this test reads)
    const spec = plot(plots, 'loudness').spec;
    const width = spec.width as number;
    for (const k of [0, 1]) {
      const rows = layerData(spec, k) as { t: number; lufs: number | null; version: string; measure: string }[];
      for (const [version, a] of [['Before', report.before], ['After', report.after]] as const) {
        const mine = rows.filter((row) => row.version === version);
        expect(mine.length).toBeLessThanOrEqual(6 * width);
        const values = k === 0 ? a.series.momentary : a.series.shortTerm;
        for (const row of mine) expect(row.lufs).toBe(values[Math.round((row.t - a.series.startSeconds) / a.series.intervalSeconds)]);
        const finite = values.filter((v): v is number => v !== null);
        expect(Math.max(...mine.map((row) => row.lufs ?? -Infinity))).toBe(Math.max(...finite));
      }
    }
    const gr = layerData(plot(plots, 'gain-reduction').spec) as { t: number; db: number }[];
    expect(gr.length).toBeLessThanOrEqual(MAX_POINTS_PER_PIXEL * width);
    expect(Math.max(...gr.map((row) => row.db))).toBe(Math.max(...report.gainReduction.db));
  }, 60_000);
});

describe('renderReportHtml', () => {
  let input: ReportInput;
  let plots: ReportPlot[];
  beforeAll(async () => {
    input = await reportFixture('full');
    plots = await plotsFixture('full');
  }, 60_000);

  it('is one self-contained document: inline style and SVG, no script, no external resource but the two audio files', async () => {
    const html = await renderReportHtml(input, plots);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\((?!#)/i);
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect((html.match(/<svg\b/g) ?? []).length).toBe(plots.length);
    const srcs = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(srcs).toEqual(['mix.wav', 'master.wav']);
    expect((html.match(/<audio controls/g) ?? []).length).toBe(2);
  });

  it('has the summary (before → after, target), the warnings and the chain in words', async () => {
    const html = await renderReportHtml(input, plots);
    const r = input.report;
    for (const label of ['Integrated loudness', 'Loudness range (LRA)', 'True peak', 'Sample peak', 'Peak-to-loudness ratio (PLR)', 'Max momentary', 'Max short-term']) expect(html).toContain(label);
    const fmt = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace('-', '−');
    expect(html).toContain(`<td class="after">${fmt(r.after.loudness.integrated!)} <span class="ok"`);
    expect(html).toContain(`<td>${fmt(r.before.loudness.lra)}</td>`);
    expect(html).toContain(`<td class="target">${fmt(r.target.integratedLufs)}</td>`);
    for (const w of r.warnings) expect(html).toContain(escapeHtml(w.message));
    expect(html).toContain('EQ (mid/side)');
    expect(html).toContain('Mid: High-pass (Butterworth) 30 Hz, 24 dB/oct; Low shelf 120 Hz, +1.5 dB; Bell 350 Hz, −2.0 dB, Q 1.20; High shelf 10 kHz, +2.0 dB; Bell 3 kHz, +6.0 dB, Q 2.00 (bypassed)');
    expect(html).toContain('threshold −16.0 dBFS, ratio 2:1, knee 6.0 dB');
    expect(html).toContain('ceiling −1.0 dBTP (true peak)');
  });

  it('escapes every string from data: file names, title, descriptions, warnings; drops script URLs', async () => {
    const evil = '<script>alert(1)</script>.wav';
    const html = await renderReportHtml(
      {
        ...input,
        title: 'A & B <i>"quoted"</i>',
        input: { name: evil, href: 'javascript:alert(1)', description: '<img src=x onerror=alert(2)>' },
        output: { name: `it's "out".wav`, href: fileHref('my song #2/<out>.wav') },
        report: { ...input.report, warnings: [{ code: 'heavy-limiting', on: 'master', message: '<b onmouseover="alert(3)">bold</b>' }] },
      },
      plots,
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b /);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.wav');
    expect(html).toContain('A &amp; B &lt;i&gt;&quot;quoted&quot;&lt;/i&gt;');
    expect(html).toContain('it&#39;s &quot;out&quot;.wav');
    expect(html).toContain('src="my%20song%20%232/%3Cout%3E.wav"');
    expect(html).toContain('&lt;b onmouseover=&quot;alert(3)&quot;&gt;bold&lt;/b&gt;');
  });

  it('safeHref keeps relative and http(s)/file/blob URLs only; fileHref encodes each segment', () => {
    expect(safeHref('a b.wav')).toBe('a b.wav');
    expect(safeHref('../out/x.wav')).toBe('../out/x.wav');
    expect(safeHref('https://example.com/x.wav')).toBe('https://example.com/x.wav');
    expect(safeHref('file:///tmp/x.wav')).toBe('file:///tmp/x.wav');
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>', 'vbscript:x']) expect(safeHref(bad)).toBeUndefined();
    expect(safeHref('')).toBeUndefined();
    // A backslash separates folders on Windows only; on POSIX it is part of a name.
    expect(fileHref('dir\\sub/a b#?.wav')).toBe(sep === '\\' ? 'dir/sub/a%20b%23%3F.wav' : 'dir%5Csub/a%20b%23%3F.wav');
    expect(fileHref('../x.wav')).toBe('../x.wav');
  });

  it('describes bands in words', () => {
    expect(describeBand({ type: 'peaking', frequencyHz: 2500, gainDb: -1.25, q: 1.4 })).toBe('Bell 2.5 kHz, −1.3 dB, Q 1.40');
    expect(describeBand({ type: 'linkwitz-riley-lowpass', frequencyHz: 18000, rolloffDbPerOctave: 48 })).toBe('Low-pass (Linkwitz-Riley) 18 kHz, 48 dB/oct');
    expect(describeBand({ type: 'lowshelf', frequencyHz: 80, gainDb: 2, shelfSlope: 0.5 })).toBe('Low shelf 80 Hz, +2.0 dB, slope 0.50');
  });

  it('rejects a bad input with a one-line error naming the field', async () => {
    await expect(renderReportHtml({} as ReportInput)).rejects.toThrow(/^report input: title must be a string, got undefined$/);
    await expect(renderReportHtml({ ...input, sampleRate: 0 })).rejects.toThrow(/sampleRate must be a number in \[8000, 384000\] Hz, got 0/);
    await expect(renderReportHtml({ ...input, sampleRate: 44100 })).rejects.toThrow(/^report input: sampleRate is 44100 Hz but the report was measured at 48000 Hz/);
    await expect(renderReportHtml({ ...input, output: { name: 3 } as never })).rejects.toThrow(/output must be \{ name: string/);
    await expect(reportPlots({ ...input, report: {} as never })).rejects.toThrow(/report must be the report of master\(\)/);
  });
});

describe('PNG export', () => {
  let plots: ReportPlot[];
  let dir: string;
  beforeAll(async () => {
    plots = await plotsFixture('full');
    dir = mkdtempSync(join(tmpdir(), 'masterbus-report-'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('svgToPng gives a PNG of the SVG’s size × scale, not blank, with the title’s text drawn', () => {
    const p = plot(plots, 'eq');
    const png = svgToPng(p.svg, { scale: 2 });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    const { width, height, rgba } = decodePng(png);
    expect(width).toBe(Math.round(2 * p.width));
    expect(height).toBe(Math.round(2 * p.height));
    let ink = 0;
    let coloured = 0;
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] = rgba.subarray(4 * i, 4 * i + 3);
      if (r + g + b < 600) ink++;
      if (Math.abs(r - b) > 60) coloured++; // the curves (blue, pink)
    }
    expect(ink / (width * height)).toBeGreaterThan(0.01);
    expect(coloured).toBeGreaterThan(500);
    // Text: dark pixels in the title's band (the top 20 SVG px), which holds nothing but text.
    let titleInk = 0;
    for (let y = 0; y < 40; y++) for (let x = 0; x < width; x++) if (rgba[4 * (y * width + x)] < 100) titleInk++;
    expect(titleInk).toBeGreaterThan(300);
  });

  it('writeReportPngs writes one decodable PNG per plot, named by id', async () => {
    const paths = await writeReportPngs(plots, join(dir, 'png'), { scale: 1 });
    expect(paths.map((p) => p.slice(dir.length + 5))).toEqual(plots.map((p) => `${p.id}.png`));
    paths.forEach((path, k) => {
      const { width, height } = decodePng(new Uint8Array(readFileSync(path)));
      expect(width).toBe(Math.round(plots[k].width));
      expect(height).toBe(Math.round(plots[k].height));
    });
  });

  it('a transparent background is transparent; bad arguments throw one-line errors', () => {
    const { rgba } = decodePng(svgToPng(plot(plots, 'eq').svg, { scale: 1, background: null }));
    expect(rgba[3]).toBe(0);
    expect(() => svgToPng('not svg')).toThrow(/^svgToPng: svg must be the text of an SVG document, got a string without <svg \(7 characters\)$/);
    expect(() => svgToPng(plots[0].svg, { scale: 0 })).toThrow(/options.scale must be a number in \(0, 8\], got 0/);
  });
});

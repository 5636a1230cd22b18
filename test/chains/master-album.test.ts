/**
 * masterAlbum(): album mode keeps the tracks' relative loudness (within 0.1 LU) and puts the
 * album, gated over all tracks as one programme (BS.1770 over their concatenation), within
 * ±0.1 LU of the target; track mode puts each track on the target. True peak ≤ ceiling throughout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOUDNESS_TARGETS, masterAlbum, measureLoudness } from '../../src/index.js';
import { runs } from '../support/signals.js';
import { programme, type ProgrammeKind } from './programmes.js';

const FS = 48000;
/** Long enough for the SOAK=1 run counts on a loaded machine. */
const SOAK_TIMEOUT = process.env.SOAK ? 3_600_000 : 120_000;

/** The tracks one after the other, as one programme. */
function concat(tracks: readonly Float32Array[][]): Float32Array[] {
  const n = tracks.reduce((s, t) => s + t[0].length, 0);
  return tracks[0].map((_, c) => {
    const out = new Float32Array(n);
    let pos = 0;
    for (const t of tracks) {
      out.set(t[c], pos);
      pos += t[c].length;
    }
    return out;
  });
}

/** Worst figures seen, printed at the end. */
const worst = { album: 0, relative: 0 };

describe('masterAlbum()', () => {
  it('album mode: relative loudness kept within 0.1 LU, album loudness within ±0.1 LU (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom<ProgrammeKind>('music', 'speech', 'sparse'), seed: fc.integer({ min: 1, max: 1e6 }), level: fc.double({ min: -32, max: -8, noNaN: true }), seconds: fc.integer({ min: 4, max: 7 }) }), { minLength: 2, maxLength: 3 }),
        fc.constantFrom('streaming' as const, 'ebu-r128' as const, 'atsc-a85' as const),
        async (specs, preset) => {
          const tracks = specs.map((s) => programme(s.kind, s.seed, s.seconds, FS, s.level));
          const target = LOUDNESS_TARGETS[preset];
          const { tracks: out, album } = await masterAlbum(tracks, FS, { preset, mode: 'album' });
          const inL = tracks.map((t) => measureLoudness(t, FS).integrated);
          const outM = out.map((t) => measureLoudness(t.audio, FS));
          const albumL = measureLoudness(concat(out.map((t) => t.audio)), FS).integrated;
          const what = `${specs.map((s) => `${s.kind}@${s.level.toFixed(1)}`).join(', ')} → ${preset}: album ${albumL.toFixed(3)}, tracks ${outM.map((m) => m.integrated.toFixed(2)).join(', ')}`;
          worst.album = Math.max(worst.album, Math.abs(albumL - target.integratedLufs));
          expect(Math.abs(albumL - target.integratedLufs), what).toBeLessThanOrEqual(0.1);
          expect(album.after.integrated).toBeCloseTo(albumL, 6);
          for (let i = 1; i < tracks.length; i++) {
            const kept = outM[i].integrated - outM[0].integrated - (inL[i] - inL[0]);
            worst.relative = Math.max(worst.relative, Math.abs(kept));
            expect(Math.abs(kept), `${what}: difference of track ${i} to track 0 changed by ${kept.toFixed(3)} LU`).toBeLessThanOrEqual(0.1);
          }
          for (const m of outM) expect(m.truePeak, what).toBeLessThanOrEqual(target.truePeakDbtp);
        },
      ),
      { numRuns: runs(2, 30) },
    );
    console.log(`[master album] worst |album − target| ${worst.album.toFixed(4)} LU, worst change of a track's loudness relative to the first ${worst.relative.toFixed(4)} LU`);
  }, SOAK_TIMEOUT);

  it('track mode: every track on the target', async () => {
    const tracks = [programme('music', 1, 5, FS, -30), programme('speech', 2, 6, FS, -12), programme('sparse', 3, 5, FS, -25)];
    const { tracks: out } = await masterAlbum(tracks, FS, { preset: 'podcast', mode: 'track' });
    for (const t of out) {
      const m = measureLoudness(t.audio, FS);
      expect(Math.abs(m.integrated + 16)).toBeLessThanOrEqual(0.1);
      expect(m.truePeak).toBeLessThanOrEqual(-1);
    }
  }, 60_000);

  it('validates: no tracks, mixed channel counts, an unknown mode', async () => {
    await expect(masterAlbum([], FS)).rejects.toThrow(TypeError);
    await expect(masterAlbum([[new Float32Array(10)], [new Float32Array(10), new Float32Array(10)]], FS)).rejects.toThrow(/channel count/);
    await expect(masterAlbum([[new Float32Array(10)]], FS, { mode: 'radio' as never })).rejects.toThrow(/mode/);
  });
});

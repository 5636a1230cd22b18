/** fili contenders of the biquad benches (imports fili only). */
import Fili, { type FiliSection } from 'fili';
import { CHANNELS, type BlockFn } from './harness.js';
import { EQ_BANDS, SINGLE } from './biquad.common.js';

const filiBandName = { lowshelf: 'lowshelf', peaking: 'peak', highshelf: 'highshelf' } as const;

/** fili sections for the single filter. `CalcCascades` forces Q = √½ on order-1 sections (its
 * Butterworth Q table), so the Q = 1 peak is designed with `IirCoeffs.peak`, the per-section
 * function `CalcCascades` itself calls. */
export function filiSingleSections(sampleRate: number): FiliSection[] {
  return [new Fili.IirCoeffs().peak({ Fs: sampleRate, Fc: SINGLE.frequencyHz, Q: SINGLE.q, gain: SINGLE.gainDb })];
}

/** fili sections for the EQ: one order-1 `CalcCascades` design per band, concatenated into one cascade. */
export function filiEqSections(sampleRate: number): FiliSection[] {
  const cascades = new Fili.CalcCascades();
  return EQ_BANDS.flatMap((b) =>
    cascades[filiBandName[b.type]]({ order: 1, characteristic: 'butterworth', Fs: sampleRate, Fc: b.frequencyHz, gain: b.gainDb }),
  );
}

/** One `IirFilter` per channel over the given sections, processed with `multiStep(x, true)`. */
export function filiBlock(sections: () => FiliSection[]): BlockFn {
  const filters = Array.from({ length: CHANNELS }, () => new Fili.IirFilter(sections()));
  const l = filters[0];
  const r = filters[1];
  return (block) => {
    l.multiStep(block[0], true);
    r.multiStep(block[1], true);
  };
}

/** Whether `multiStep(Float32Array, true)` filters the array in place and returns it. */
export function filiFiltersInPlace(sampleRate: number): boolean {
  const probe = new Float32Array([0.1, 0.2, 0.3, 0.4]);
  const ret = new Fili.IirFilter(filiSingleSections(sampleRate)).multiStep(probe, true);
  return ret === probe && probe instanceof Float32Array && probe[0] !== 0.1;
}

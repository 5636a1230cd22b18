/**
 * Shared definitions of the biquad benches (contender ids, filters, block sizes) and the masterbus
 * contenders. Imports neither fili nor node-web-audio-api, so a process that times masterbus never
 * loads them (see the notes in RESULTS.md on why that matters).
 *
 * masterbus is loaded from the built bundle (`dist/index.js`, run `npm run build` first); its
 * types come from `src/` so this file type-checks without a build.
 */
import { CHANNELS, type BlockFn } from './harness.js';

export type Masterbus = typeof import('../src/index.js');

const DIST = new URL('../dist/index.js', import.meta.url);

/** Import masterbus from `dist/index.js`, with a clear message if it has not been built. */
export async function loadMasterbus(): Promise<Masterbus> {
  try {
    return (await import(DIST.href)) as Masterbus;
  } catch (e) {
    throw new Error(`bench: cannot import ${DIST.pathname}; run \`npm run build\` first (${(e as Error).message})`);
  }
}

export const BLOCK_SIZES = [128, 4096] as const;

/** The single filter: peaking, 1 kHz, Q 1, +6 dB. */
export const SINGLE = { type: 'peaking', frequencyHz: 1000, q: 1, gainDb: 6 } as const;

export type BandType = 'lowshelf' | 'peaking' | 'highshelf';
/**
 * The five EQ bands. The brief leaves the peaking bands' Q open; they use √½, masterbus's default Q
 * and the Q that fili's `CalcCascades` forces on order-1 sections, so all three libraries run
 * exactly the same filter. Shelves use shelf slope S = 1 (masterbus default, Web Audio's fixed
 * slope, and fili's Q = √½ shelf, which is the same thing).
 */
export const EQ_BANDS: readonly { type: BandType; frequencyHz: number; gainDb: number; q: number }[] = [
  { type: 'lowshelf', frequencyHz: 100, gainDb: 3, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 300, gainDb: -2, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 1000, gainDb: 2, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 3000, gainDb: -1, q: Math.SQRT1_2 },
  { type: 'highshelf', frequencyHz: 8000, gainDb: 2, q: Math.SQRT1_2 },
];

/** Identifiers of the six contenders (a result's key is `${id}@${block}`). */
export const IDS = {
  mbBiquad: 'masterbus BiquadFilter',
  mbEq: 'masterbus ParametricEQ 5-band',
  nwaBiquad: 'nwa 1 BiquadFilterNode',
  nwaEq: 'nwa 5 chained BiquadFilterNodes',
  filiBiquad: 'fili IirFilter 1 section',
  filiEq: 'fili IirFilter 5-section cascade',
} as const;

export const NWA_BLOCK = '128 (render quantum)';

/**
 * The bench groups; each is timed in its own child process that loads only its own library
 * (`bench/worker.ts <group>`). Listed in table order.
 */
export const GROUPS = ['masterbus', 'nwa', 'fili'] as const;
export type Group = (typeof GROUPS)[number];

export function mbBiquad(mb: Masterbus, sampleRate: number, blockFrames: number): BlockFn {
  const f = new mb.BiquadFilter({ ...SINGLE });
  f.prepare({ sampleRate, maxBlockSize: blockFrames, channels: CHANNELS });
  return (block) => f.process(block);
}

export function mbEq(mb: Masterbus, sampleRate: number, blockFrames: number): BlockFn {
  const eq = new mb.ParametricEQ({ bands: EQ_BANDS.map((b) => ({ type: b.type, frequencyHz: b.frequencyHz, gainDb: b.gainDb, q: b.q })) });
  eq.prepare({ sampleRate, maxBlockSize: blockFrames, channels: CHANNELS });
  return (block) => eq.process(block);
}

/**
 * Loudness targets for mastering: the integrated loudness (LUFS, ITU-R BS.1770) and the true-peak
 * ceiling (dBTP) that a platform or a broadcast standard asks for, each with the document it comes
 * from. `master()` takes one of these presets by name, or a custom target checked by
 * {@link loudnessTarget}.
 *
 * The figures are the published ones; a platform may change its own, so each preset names its
 * source and the date it was read. Where a platform publishes no figure (YouTube), the preset says
 * so and cites the recommendation that documents the measured behaviour.
 *
 * @module
 */
import { checkNumber, checkObject, describeValue, checkKnownKeys, type NumberRange } from '../core/validate.js';

/** A loudness target: what a master must measure. */
export interface LoudnessTarget {
  /** Integrated loudness, LUFS (BS.1770 gated programme loudness). */
  readonly integratedLufs: number;
  /** Highest true peak allowed, dBTP (BS.1770 Annex 2). */
  readonly truePeakDbtp: number;
}

/** A named preset: a {@link LoudnessTarget} with its name and source. */
export interface LoudnessPreset extends LoudnessTarget {
  /** Human-readable name. */
  readonly label: string;
  /** Where the figures are published (document, section), and how they are meant. */
  readonly source: string;
  /** Link to the source. */
  readonly url: string;
}

/** The names of {@link LOUDNESS_TARGETS}. */
export type LoudnessPresetName = 'streaming' | 'apple-music' | 'youtube' | 'ebu-r128' | 'atsc-a85' | 'podcast';

/**
 * The loudness presets, with their published figures and sources (read 2026-12).
 *
 * | preset | LUFS | dBTP | source |
 * |---|---|---|---|
 * | `streaming` | −14 | −1 | Spotify for Artists, "Loudness normalization" |
 * | `apple-music` | −16 | −1 | Apple, "Apple Digital Masters"; AES TD1008 |
 * | `youtube` | −14 | −1 | AES TD1008 (measured reference level) |
 * | `ebu-r128` | −23 | −1 | EBU R 128 (2020), §2 |
 * | `atsc-a85` | −24 | −2 | ATSC A/85:2013, §5 and §8 |
 * | `podcast` | −16 | −1 | Apple Podcasts, "Audio requirements"; AES TD1004.1.15-10 |
 */
export const LOUDNESS_TARGETS: Readonly<Record<LoudnessPresetName, LoudnessPreset>> = Object.freeze({
  streaming: Object.freeze({
    label: 'Streaming (Spotify, Tidal, Amazon Music)',
    integratedLufs: -14,
    truePeakDbtp: -1,
    source:
      'Spotify for Artists, "Loudness normalization": playback is normalised to −14 LUFS integrated (ITU-R BS.1770); masters should keep true peaks below −1 dBTP (−2 dBTP for masters louder than −14 LUFS) to survive lossy encoding.',
    url: 'https://support.spotify.com/artists/article/loudness-normalization/',
  }),
  'apple-music': Object.freeze({
    label: 'Apple Music (Sound Check)',
    integratedLufs: -16,
    truePeakDbtp: -1,
    source:
      'Apple, "Apple Digital Masters" (mastering guidelines): Sound Check normalises to −16 LUFS; keep true peaks at or below −1 dBTP for AAC encoding. The −16 LUFS reference is also listed in AES TD1008 (2021), §5.',
    url: 'https://www.apple.com/apple-music/apple-digital-masters/',
  }),
  youtube: Object.freeze({
    label: 'YouTube',
    integratedLufs: -14,
    truePeakDbtp: -1,
    source:
      'YouTube publishes no figure; its playback normalisation reference of about −14 LUFS is the measured value cited in AES TD1008 (2021), "Recommendations for Loudness of Internet Audio Streaming and On-Demand Distribution"; −1 dBTP is that document\'s ceiling for lossy delivery.',
    url: 'https://www.aes.org/technical/documentDownloads.cfm?docID=731',
  }),
  'ebu-r128': Object.freeze({
    label: 'EBU R 128 broadcast',
    integratedLufs: -23,
    truePeakDbtp: -1,
    source:
      'EBU R 128 (2020), "Loudness normalisation and permitted maximum level of audio signals", §2: programme loudness −23.0 LUFS (±0.5 LU tolerance, ±1 LU live), maximum true peak −1 dBTP.',
    url: 'https://tech.ebu.ch/publications/r128',
  }),
  'atsc-a85': Object.freeze({
    label: 'ATSC A/85 (US television)',
    integratedLufs: -24,
    truePeakDbtp: -2,
    source:
      'ATSC A/85:2013 Recommended Practice, "Techniques for Establishing and Maintaining Audio Loudness for Digital Television": target loudness −24 LKFS (§5), true peak at most −2 dBTP (§8, for content passed through lossy codecs).',
    url: 'https://www.atsc.org/atsc-documents/a85-techniques-for-establishing-and-maintaining-audio-loudness-for-digital-television/',
  }),
  podcast: Object.freeze({
    label: 'Podcast',
    integratedLufs: -16,
    truePeakDbtp: -1,
    source:
      'Apple Podcasts, "Audio requirements": −16 LUFS ±1 dB, true peak not above −1 dBFS; AES TD1004.1.15-10, "Recommendation for Loudness of Audio Streaming and Network File Playback": −16 LUFS for mobile listening (−20 to −16), −1 dBTP maximum.',
    url: 'https://podcasters.apple.com/support/893-audio-requirements',
  }),
});

/** The names of the presets, in the order of {@link LOUDNESS_TARGETS}. */
export const LOUDNESS_PRESET_NAMES: readonly LoudnessPresetName[] = Object.freeze(Object.keys(LOUDNESS_TARGETS) as LoudnessPresetName[]);

/** Range of a custom target's integrated loudness, LUFS. */
export const TARGET_LOUDNESS_RANGE: NumberRange = Object.freeze({ min: -60, max: -3, unit: 'LUFS' });
/** Range of a custom true-peak ceiling, dBTP (the `Limiter`'s ceiling range). */
export const TARGET_CEILING_RANGE: NumberRange = Object.freeze({ min: -20, max: 0, unit: 'dBTP' });

/**
 * A validated {@link LoudnessTarget}: from a preset name (`'streaming'`), or from a custom
 * `{ integratedLufs, truePeakDbtp }` (integrated in [−60, −3] LUFS, ceiling in [−20, 0] dBTP; the
 * ceiling must lie above the integrated loudness). Throws a `TypeError` / `RangeError` naming the
 * value and its range.
 *
 * @example
 * ```ts
 * import { loudnessTarget } from 'masterbus';
 * loudnessTarget('ebu-r128');                                   // { integratedLufs: -23, truePeakDbtp: -1, … }
 * loudnessTarget({ integratedLufs: -12, truePeakDbtp: -0.5 });  // a custom target
 * ```
 */
export function loudnessTarget(target: LoudnessPresetName | LoudnessTarget): LoudnessTarget {
  if (typeof target === 'string') {
    if (!Object.hasOwn(LOUDNESS_TARGETS, target)) {
      throw new TypeError(`loudnessTarget: unknown preset ${describeValue(target)}; presets are ${LOUDNESS_PRESET_NAMES.join(', ')}`);
    }
    return LOUDNESS_TARGETS[target];
  }
  const t = checkObject('loudnessTarget', 'target', target);
  checkKnownKeys('loudnessTarget', t, ['integratedLufs', 'truePeakDbtp', 'label', 'source', 'url']);
  const integratedLufs = checkNumber('loudnessTarget', 'target.integratedLufs', t.integratedLufs, TARGET_LOUDNESS_RANGE);
  const truePeakDbtp = checkNumber('loudnessTarget', 'target.truePeakDbtp', t.truePeakDbtp, TARGET_CEILING_RANGE);
  if (!(truePeakDbtp > integratedLufs)) {
    throw new RangeError(`loudnessTarget: target.truePeakDbtp (${truePeakDbtp} dBTP) must lie above target.integratedLufs (${integratedLufs} LUFS)`);
  }
  return Object.freeze({ integratedLufs, truePeakDbtp });
}

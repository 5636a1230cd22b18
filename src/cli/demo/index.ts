/**
 * The demo song of `masterbus demo`: a procedurally generated multitrack song (score, synthesis),
 * its Mixer session, and the offline mix.
 *
 * @module
 */
export { renderDemoStems, DEMO_STEM_NAMES, DEMO_STEM_PEAKS_DB, type DemoStem, type DemoStems, type DemoStemsOptions } from './stems.js';
export { demoSession, type DemoSessionJSON, type DemoSessionOptions } from './session.js';
export { mixDemo, type DemoMix, type MixDemoOptions } from './mix.js';
export { demoScore, DEMO_BPM, DEMO_BARS, A_MINOR_PITCH_CLASSES, type DemoScore, type Note, type SungNote, type DrumHit, type Chord } from './score.js';
export { VOWEL_FORMANTS, type VowelFormants } from './formants.js';

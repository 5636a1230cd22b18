/**
 * Options shared by processors.
 * @module
 */
import { checkNumber } from './validate.js';

/** Range of `smoothingMs`, the ramp time of click-free parameter changes. */
export const SMOOTHING_RANGE = Object.freeze({ min: 0, max: 1000, unit: 'ms' });

/** Default ramp time of parameter changes, in ms (JUCE uses 50 ms; 20 ms is quick yet click-free). */
export const DEFAULT_SMOOTHING_MS = 20;

/** Validate a `smoothingMs` value. */
export function checkSmoothingMs(owner: string, value: unknown): number {
  return checkNumber(owner, 'smoothingMs', value, SMOOTHING_RANGE);
}

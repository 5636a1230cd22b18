/**
 * Decibel helpers. Amplitude decibels: `dB = 20·log10(gain)`.
 * @module
 */

/** Convert decibels to a linear amplitude gain: `10^(dB/20)`. `-Infinity` gives 0. */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Convert a linear amplitude gain to decibels: `20·log10(|gain|)`. 0 gives `-Infinity`. */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(Math.abs(gain));
}

/** Convert a power ratio to decibels: `10·log10(power)`. */
export function powerToDb(power: number): number {
  return 10 * Math.log10(power);
}

/**
 * Special functions shared by filter designs.
 * @module
 */

/**
 * Zeroth-order modified Bessel function of the first kind, I₀(x), by its power series
 * Σ ((x/2)^k / k!)², summed until a term no longer changes the sum (for the Kaiser window:
 * Kaiser, "Nonrecursive digital filter design using the I0-sinh window function", 1974).
 */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

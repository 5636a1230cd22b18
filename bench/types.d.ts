/** Minimal types for the parts of fili 2.0.3 the benches use (fili ships no types). */
declare module 'fili' {
  /** One biquad section: `H(z) = k·(b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a[0] z⁻¹ + a[1] z⁻²)`. */
  export interface FiliSection {
    a: number[];
    b: number[];
    k: number;
    z: number[];
    a0?: number;
  }
  export interface FiliCascadeParams {
    order: number;
    characteristic: 'butterworth' | 'bessel';
    Fs: number;
    Fc: number;
    gain?: number;
    BW?: number;
    preGain?: boolean;
    oneDb?: boolean;
    transform?: string;
  }
  export interface FiliSectionParams {
    Fs: number;
    Fc: number;
    Q: number;
    gain?: number;
    BW?: number;
    preGain?: boolean;
  }
  export type FiliCascadeDesign = (params: FiliCascadeParams) => FiliSection[];
  export interface FiliCalcCascades {
    lowpass: FiliCascadeDesign;
    highpass: FiliCascadeDesign;
    peak: FiliCascadeDesign;
    lowshelf: FiliCascadeDesign;
    highshelf: FiliCascadeDesign;
    available(): string[];
  }
  export interface FiliIirCoeffs {
    peak(params: FiliSectionParams): FiliSection;
    lowshelf(params: FiliSectionParams): FiliSection;
    highshelf(params: FiliSectionParams): FiliSection;
  }
  export interface FiliIirFilter {
    singleStep(input: number): number;
    /** Filters `input`; with `overwrite` the result is written back into `input` and returned. */
    multiStep<T extends ArrayLike<number>>(input: T, overwrite: true): T;
    multiStep(input: ArrayLike<number>, overwrite?: boolean): number[];
    reinit(): void;
  }
  const Fili: {
    CalcCascades: new () => FiliCalcCascades;
    IirCoeffs: new () => FiliIirCoeffs;
    IirFilter: new (sections: FiliSection[]) => FiliIirFilter;
  };
  export default Fili;
}

declare module 'ebur128-wasm/ebur128_wasm.js' {
  export function ebur128_integrated_stereo(sampleRate: number, left: Float32Array, right: Float32Array): number;
  export function ebur128_true_peak_stereo(sampleRate: number, left: Float32Array, right: Float32Array): number;
}

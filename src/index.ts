/**
 * masterbus: DSP for mixing and mastering music. Processors are plain classes over
 * `Float32Array` blocks that run the same in Node and in a browser AudioWorklet.
 *
 * @packageDocumentation
 */
export type { ChannelRange, Meter, MeterName, ProcessSpec, Processor, ProcessorJSON, SidechainProcessor } from './core/processor.js';
export { ANY_CHANNELS, METER_NAMES, NO_METERS, SPEC_LIMITS, STEREO_ONLY, safeFrameCount, usableChannels, validateSpec } from './core/processor.js';
export { BypassFade, DelayLine, MAX_DELAY_SAMPLES, delayInPlace } from './core/delay-line.js';
export { AutomationLane, MAX_AUTOMATION_EVENTS } from './core/automation.js';
export type { DescribedClass, OptionDescription } from './core/json.js';
export { describeOptions, paramsFromJSON, paramsToJSON, processorJSON } from './core/json.js';
export { dbToGain, gainToDb, powerToDb } from './core/db.js';
export { SmoothedValue } from './core/smoothed-value.js';
export { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from './core/options.js';
export { primeAutomation } from './core/prime.js';
export { RealFFT } from './core/fft.js';
export type { DitherBits, DitherMode, DitherOptions } from './core/dither.js';
export { DITHER_BITS, DITHER_DEFAULTS, DITHER_MODES, DITHER_RULES, Dither, quantizeToInt } from './core/dither.js';
export type { ArrayRule, BooleanRule, EnumRule, NumberRange, NumberRule, ObjectRule, OptionRule, OptionRules, RuleBase } from './core/validate.js';
export { checkBoolean, checkKnownKeys, checkNumber, checkObject, checkOneOf, checkOption, defineRules, formatRange, inRange, validateOptions } from './core/validate.js';
export type { BiquadCoefficients, CascadeType, FilterDesign, FilterType, RbjType, Rolloff } from './filters/biquad-coefficients.js';
export {
  CASCADE_TYPES,
  FILTER_TYPES,
  MAX_SECTIONS,
  RBJ_TYPES,
  ROLLOFFS,
  designFilter,
  sectionCount,
  writeCascadeQs,
  writeFilterCoefficients,
  writeRbjCoefficients,
} from './filters/biquad-coefficients.js';
export type { FilterOptions } from './filters/filter-stage.js';
export { FILTER_DEFAULTS, FILTER_RANGES, FILTER_RULES } from './filters/filter-stage.js';
export type { BiquadFilterOptions } from './filters/biquad-filter.js';
export { BIQUAD_FILTER_DEFAULTS, BIQUAD_FILTER_RULES, BiquadFilter } from './filters/biquad-filter.js';
export type { EqBandOptions, ParametricEQOptions } from './filters/parametric-eq.js';
export { MAX_EQ_BANDS, PARAMETRIC_EQ_DEFAULTS, PARAMETRIC_EQ_RULES, ParametricEQ } from './filters/parametric-eq.js';
export type { ChainOptions, ProcessorBuilder } from './chains/chain.js';
export { CHAIN_BYPASS_FADE_SECONDS, CHAIN_EDIT_FADE_SECONDS, Chain, MAX_CHAIN_LENGTH, isProcessor } from './chains/chain.js';
export type { MidSideOptions, MidSidePaths } from './chains/mid-side.js';
export { MID_SIDE_DEFAULTS, MID_SIDE_RULES, MidSide } from './chains/mid-side.js';
export type { ParallelOptions } from './chains/parallel.js';
export { PARALLEL_DEFAULTS, PARALLEL_RULES, Parallel } from './chains/parallel.js';
export type { AutomationEvent, BusOptions, MasterOptions, MixerPanLaw, MixerSession, SendOptions, TrackInput, TrackOptions } from './chains/mixer.js';
export { MAX_TRACKS, MIXER_CONTROL_INTERVAL, MIXER_LIMITS, MIXER_PAN_LAWS, MIXER_SESSION_VERSION, MIXER_SMOOTHING_MS, Mixer, balanceGains, panGains } from './chains/mixer.js';
export type { MasteringChainOptions, MasteringEqOptions, MasteringStage } from './chains/mastering-chain.js';
export {
  MASTERING_CHAIN_DEFAULTS,
  MASTERING_CHAIN_RULES,
  MASTERING_EQ_RULES,
  MASTERING_METER_NAMES,
  MASTERING_METER_SLOTS,
  MASTERING_STAGES,
  MASTERING_STAGE_DEFAULTS,
  MasteringChain,
} from './chains/mastering-chain.js';
export type { LoudnessPreset, LoudnessPresetName, LoudnessTarget } from './chains/loudness-targets.js';
export { LOUDNESS_PRESET_NAMES, LOUDNESS_TARGETS, TARGET_CEILING_RANGE, TARGET_LOUDNESS_RANGE, loudnessTarget } from './chains/loudness-targets.js';
export type { AbortSignalLike, GainReductionSeries, LimiterStatistics, MasterAlbumOptions, MasterAlbumResult, MasteringOptions, MasterProgress, MasterReport, MasterResult, MasterSink, MasterSource, MasterWarning, MasterWarningCode } from './chains/master.js';
export { ALBUM_MAX_ROUNDS, HEAVY_LIMITING_FRACTION_3DB, HEAVY_LIMITING_MEAN_DB, MASTER_DEFAULT_CHAIN, MASTER_MAX_GAIN_DB, MASTER_MAX_PASSES, MASTER_TOLERANCE_LU, master, masterAlbum, masterStream } from './chains/master.js';
export type { ProcessorClass } from './registry.js';
export { MAX_JSON_NESTING, PROCESSOR_CLASSES, processorFromJSON } from './registry.js';
export { BS1770_STAGE1_48K, BS1770_STAGE2_48K, kWeighting, rediscretise } from './metering/k-weighting.js';
export { TRUE_PEAK_TAPS, truePeakFilter } from './core/true-peak-kernel.js';
export { TruePeakDetector, truePeakOversampling } from './metering/true-peak.js';
export type { LoudnessHistory, LoudnessMeterOptions, LoudnessReading, LoudnessSummary } from './metering/loudness-meter.js';
export { LOUDNESS_METER_DEFAULTS, LOUDNESS_METER_RULES, LoudnessMeter, defaultChannelWeights, measureLoudness } from './metering/loudness-meter.js';
export type { LongTermSpectrum, SpectrumTier, ThirdOctaveBands } from './metering/tonal-balance.js';
export {
  LongTermSpectrumAccumulator,
  SPECTRUM_SEAM_HZ,
  THIRD_OCTAVE_CENTRES_HZ,
  THIRD_OCTAVE_NOMINAL_HZ,
  longTermSpectrum,
  spectrumDecimation,
  spectrumPowerBetween,
  thirdOctaveBandPowers,
  thirdOctaveEdges,
} from './metering/tonal-balance.js';
export type {
  LossyHeadroom,
  ProgrammeAnalysis,
  ProgrammeAnalysisOptions,
  ProgrammeAnalyzerOptions,
  ProgrammeClipping,
  ProgrammeLoudness,
  ProgrammeSeries,
  ProgrammeTonalBalance,
  ProgrammeTranslation,
  ProgrammeWarning,
  ProgrammeWarningCode,
} from './metering/programme-analysis.js';
export {
  LOSSY_CEILING_DBTP,
  PROGRAMME_ANALYSIS_DEFAULTS,
  PROGRAMME_ANALYSIS_RULES,
  PROGRAMME_WARNING_LIMITS,
  ProgrammeAnalyzer,
  TONAL_BALANCE_REFERENCE_LUFS,
  analyzeProgramme,
  programmeWarnings,
} from './metering/programme-analysis.js';
export type { CompressorDetector, CompressorOptions } from './dynamics/compressor.js';
export { COMPRESSOR_DEFAULTS, COMPRESSOR_RULES, Compressor, compressorGainReductionDb } from './dynamics/compressor.js';
export type { GateOptions } from './dynamics/gate.js';
export { GATE_DEFAULTS, GATE_RULES, Gate, gateGainReductionDb } from './dynamics/gate.js';
export type { MultibandBandOptions, MultibandCompressorOptions, MultibandRolloff } from './dynamics/multiband-compressor.js';
export {
  MAX_CROSSOVER_FRACTION,
  MAX_MULTIBAND_BANDS,
  MIN_CROSSOVER_HZ,
  MIN_CROSSOVER_RATIO,
  MIN_MULTIBAND_BANDS,
  MULTIBAND_BAND_DEFAULTS,
  MULTIBAND_BAND_RULES,
  MULTIBAND_COMPRESSOR_DEFAULTS,
  MULTIBAND_COMPRESSOR_RULES,
  MULTIBAND_ROLLOFFS,
  MultibandCompressor,
} from './dynamics/multiband-compressor.js';
export type { LimiterMode, LimiterOptions } from './dynamics/limiter.js';
export { LIMITER_DEFAULTS, LIMITER_RULES, LIMITER_TARGET_MARGIN_DB, Limiter } from './dynamics/limiter.js';
export type { PanLaw, PannerOptions } from './stereo/panner.js';
export { PAN_LAWS, PANNER_DEFAULTS, PANNER_RULES, Panner } from './stereo/panner.js';
export type { StereoWidenerOptions } from './stereo/stereo-widener.js';
export { STEREO_WIDENER_DEFAULTS, STEREO_WIDENER_RULES, StereoWidener } from './stereo/stereo-widener.js';
export type { SaturationCurve } from './color/curves.js';
export { CURVE_BOUNDS, SATURATION_CURVES, TUBE_BIAS, saturationCurve } from './color/curves.js';
export type { HalfBandStage, OversamplingFactor } from './color/oversampling.js';
export { OVERSAMPLING_FACTORS, OVERSAMPLING_STAGES, Oversampler, halfBandImpulse, halfBandTaps, oversamplingLatency } from './color/oversampling.js';
export type { IirHalfBandStage } from './color/iir-oversampling.js';
export { IIR_OVERSAMPLING_STAGES, IirOversampler, iirHalfBandCoefficients } from './color/iir-oversampling.js';
export type { OversamplingFilter, SaturatorOptions } from './color/saturator.js';
export { AUTO_GAIN_REFERENCE_DB, OVERSAMPLING_FILTERS, SATURATOR_DEFAULTS, SATURATOR_RULES, Saturator } from './color/saturator.js';
export type { ChorusOptions } from './modulation/chorus.js';
export { CHORUS_DEFAULTS, CHORUS_RULES, Chorus, MAX_VOICES } from './modulation/chorus.js';
export type { PhaserLfoShape, PhaserOptions } from './modulation/phaser.js';
export { MAX_PHASER_STAGES, PHASER_DEFAULTS, PHASER_LFO_SHAPES, PHASER_RULES, Phaser } from './modulation/phaser.js';
export type { NoteValue } from './core/tempo.js';
export { BPM_RANGE, NOTE_VALUES, noteToHz, noteToMs } from './core/tempo.js';
export type { DelayMode, DelayOptions, DelayTimeChange } from './space/delay.js';
export { DELAY_DEFAULTS, DELAY_MODES, DELAY_RULES, DELAY_TIME_CHANGES, Delay, MAX_DELAY_MS } from './space/delay.js';
export type { ReverbOptions } from './space/reverb.js';
export { REVERB_DEFAULTS, REVERB_LINES, REVERB_RULES, Reverb } from './space/reverb.js';
export type { ConvolverNormalization, ConvolverOptions, ImpulseResponse } from './space/convolver.js';
export { CONVOLVER_DEFAULTS, CONVOLVER_NORMALIZATIONS, CONVOLVER_RULES, Convolver, MAX_IMPULSE_RESPONSE_SAMPLES, resample } from './space/convolver.js';
export type { JsonSchema, SchemaOptions } from './schema.js';
export { JSON_SCHEMA_DIALECT, SCHEMA_BASE_URL, mixerSessionSchema, processorSchema, publishedSchemas, ruleSchema } from './schema.js';

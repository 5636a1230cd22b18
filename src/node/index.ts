/**
 * `masterbus/node`: audio files for Node, on top of the isomorphic library. Streaming WAV reading
 * and writing (PCM 8–32, float 32/64, WAVE_FORMAT_EXTENSIBLE, RF64), FLAC / MP3 / Ogg Vorbis /
 * Ogg Opus input through WebAssembly decoders, FLAC output, and file-level rendering, analysis,
 * mastering and mixing on the core's processors. Outputs are written to a temporary file and
 * renamed, never over an input.
 *
 * @module
 */
export { AudioFileError, type AudioFileFormat, type AudioSink, type AudioSource, type SampleFormat } from './audio-file.js';
export { WAV_BUFFER_BYTES, createWavWriter, defaultChannelMask, openWav, parseWavHeader, readWav, writeWav, type WavContainer, type WavData, type WavDitherOptions, type WavInfo, type WavSource, type WavWriterOptions } from './wav.js';
export { openFlac, openMp3, openOggOpus, openOggVorbis } from './decoders.js';
export { createFlacWriter, type FlacWriterOptions } from './flac-writer.js';
export { sniffAudioFormat } from './sniff.js';
export { createAudioWriter, describeFsError, openAudio, outputContainer, readSource, type AudioWriterOptions, type OutputContainer } from './open-audio.js';
export { FILE_BLOCK, analyzeSources, blockBuffers, fileChannelWeights, fileLoudness, renderFile, type FileLoudness, type FileProgress, type FileWorkOptions } from './render.js';
export { masterFile, type MasterFileOptions, type MasterFileResult } from './master-file.js';
export { MIX_MAX_TAIL_SECONDS, MIX_QUIET_SECONDS, MIX_TAIL_FLOOR_DB, STEM_EXTENSIONS, loadSessionFile, mixSessionFile, trackFile, type MixFileOptions, type MixFileResult, type SessionFile } from './mix-file.js';
export { fileHref, renderReportHtml, reportPlots, svgToPng, writeReportPngs, type ReportFile, type ReportInput, type ReportPlot, type ReportPlotId, type SvgToPngOptions } from './report/index.js';

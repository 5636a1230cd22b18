/**
 * `masterbus/node`: Node-only audio file I/O (streaming readers and writers) on top of the
 * isomorphic library.
 *
 * @module
 */
export { AudioFileError, type AudioFileFormat, type AudioSink, type AudioSource, type SampleFormat } from './audio-file.js';
export { openFlac, openMp3, openOggOpus, openOggVorbis } from './decoders.js';
export { createFlacWriter, type FlacWriterOptions } from './flac-writer.js';
export { sniffAudioFormat } from './sniff.js';

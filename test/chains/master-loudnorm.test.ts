/**
 * master() against ffmpeg's two-pass loudnorm (I = −14, TP = −1, default LRA) on the same inputs:
 * master() keeps more of the loudness range (LRA loss smaller than loudnorm's) while meeting
 * target and ceiling. Skipped with a message when ffmpeg is missing, unless REQUIRE_FFMPEG=1
 * (CI), where a missing ffmpeg fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { master, measureLoudness } from '../../src/index.js';
import { haveFfmpeg, loudnormTwoPass, writeWavFloat } from '../support/loudnorm.js';
import { readWav } from '../support/wav.js';
import { programme, type ProgrammeKind } from './programmes.js';

const FS = 48000;
const available = haveFfmpeg();
if (!available && process.env.REQUIRE_FFMPEG === '1') throw new Error('REQUIRE_FFMPEG=1 but ffmpeg is not installed');
if (!available) console.warn('[master-loudnorm] SKIPPED: ffmpeg not found (apt-get install -y ffmpeg)');


describe.skipIf(!available)('master() vs ffmpeg two-pass loudnorm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'masterbus-loudnorm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Music with an LRA of about 4.5 LU (the reference case: loudnorm takes about 1.4 LU of
  // it) and of about 12 LU (beyond loudnorm's LRA target of 7: its dynamic mode takes more), speech.
  const cases: [ProgrammeKind, number, number, number][] = [
    ['music', 11, -21.3, 6],
    ['music', 11, -21.3, 16],
    ['speech', 12, -26, 0],
  ];
  for (const [kind, seed, level, spread] of cases) {
    it(`${kind} (spread ${spread} dB) at ${level} LUFS → −14 LUFS / −1 dBTP: less LRA lost than loudnorm, target and ceiling met`, async () => {
      const x = programme(kind, seed, 12, FS, level, spread);
      const inFile = join(dir, `${kind}${spread}.wav`);
      const outFile = join(dir, `${kind}${spread}-loudnorm.wav`);
      writeWavFloat(inFile, x, FS);
      loudnormTwoPass(inFile, outFile, FS);
      const ln = readWav(outFile).channels;
      const { audio } = await master(x, FS, { preset: 'streaming' });
      const before = measureLoudness(x, FS);
      const ours = measureLoudness(audio, FS);
      const theirs = measureLoudness(ln, FS);
      const line = `[master-loudnorm] ${kind}: input ${before.integrated.toFixed(2)} LUFS LRA ${before.lra.toFixed(2)}; master() ${ours.integrated.toFixed(2)} LUFS, ${ours.truePeak.toFixed(2)} dBTP, LRA ${ours.lra.toFixed(2)}; loudnorm ${theirs.integrated.toFixed(2)} LUFS, ${theirs.truePeak.toFixed(2)} dBTP, LRA ${theirs.lra.toFixed(2)}`;
      console.log(line);
      expect(Math.abs(ours.integrated + 14), line).toBeLessThanOrEqual(0.1);
      expect(ours.truePeak, line).toBeLessThanOrEqual(-1);
      expect(before.lra - ours.lra, line).toBeLessThan(before.lra - theirs.lra);
    }, 120_000);
  }
});

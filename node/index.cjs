'use strict';
// `require('masterbus/node')` lands here. masterbus/node (audio files, rendering, the CLI's
// building blocks) is an ES module, as are the WebAssembly decoders it uses: import it.
throw new Error("masterbus/node is an ES module: use import { openAudio } from 'masterbus/node' (or await import('masterbus/node') from CommonJS), not require()");

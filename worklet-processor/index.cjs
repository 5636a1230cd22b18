'use strict';
// `require('masterbus/worklet-processor')` lands here. The prebuilt worklet module is an ES
// module that only registers an AudioWorkletProcessor: load its URL with
// audioWorklet.addModule() (see docs/worklet.md), do not require() it.
throw new Error(
  "masterbus/worklet-processor is an ES module for audioWorklet.addModule(): pass its URL " +
    "(dist/masterbus-worklet.js; with a bundler: new URL(…, import.meta.url) or Vite's ?url), do not require() it",
);

/**
 * `masterbus/worklet-processor` under `require`: the prebuilt worklet module is an ES module
 * for `audioWorklet.addModule()`, and requiring it throws an Error that says so. It exports
 * nothing.
 */
export {};

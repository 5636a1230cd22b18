/**
 * The little of the WebAssembly JavaScript API the core uses, typed here: the core is compiled
 * without the DOM or Node type libraries, and a global declaration would leak into users' types.
 * @module
 */

/** A compiled module (opaque). @internal */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory. @internal */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** What the core calls. @internal */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/**
 * The realm's WebAssembly API, or undefined where there is none.
 * @internal
 */
export function webAssembly(): WasmApi | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return typeof api === 'object' && api !== null ? api : undefined;
}

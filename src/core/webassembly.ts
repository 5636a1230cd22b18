/**
 * The little of the WebAssembly JavaScript API the core uses, typed here: the core is compiled
 * without the DOM or Node type libraries, and a global declaration would leak into users' types.
 * @module
 */
import { decodeBase64 } from './base64.js';

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

const compiled = new Map<string, WasmModule | null>();

/**
 * The module whose bytes `base64` holds, compiled once per realm; null where WebAssembly is
 * missing or rejects it (no SIMD, say). Callers then run their JavaScript kernels.
 * @internal
 */
export function compileWasm(base64: string): WasmModule | null {
  let m = compiled.get(base64);
  if (m === undefined) {
    m = null;
    try {
      const wasm = webAssembly();
      if (wasm !== undefined) {
        const bytes = decodeBase64(base64);
        if (wasm.validate(bytes)) m = new wasm.Module(bytes);
      }
    } catch {
      m = null;
    }
    compiled.set(base64, m);
  }
  return m;
}

/**
 * An instance of `module` over a new memory of at least `bytes` bytes (imported as env.memory),
 * or undefined when it cannot be made (no WebAssembly, or no address space left for another
 * memory: each reserves several GiB of it).
 * @internal
 */
export function instantiateWithMemory(module: WasmModule | null, bytes: number): { exports: Record<string, unknown>; buffer: ArrayBuffer } | undefined {
  const wasm = webAssembly();
  if (module === null || wasm === undefined) return undefined;
  try {
    const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    return { exports: new wasm.Instance(module, { env: { memory } }).exports, buffer: memory.buffer };
  } catch {
    return undefined;
  }
}

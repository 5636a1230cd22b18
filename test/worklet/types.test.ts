/**
 * Compile-time checks of the worklet typings (run by `npm run typecheck`, which CI runs): a chain
 * given as processors types `set()` per slot, so a misspelt option or a wrong value type does not
 * compile. The `@ts-expect-error` lines fail the type-check if they ever compile.
 */
import { describe, expect, it } from 'vitest';
import { Compressor, Limiter, ParametricEQ } from '../../src/index.js';
import { createMasterbusNode, type WorkletContextLike, type WorkletNodeLike } from '../../src/worklet/index.js';

class FakeNode implements WorkletNodeLike {
  readonly port = { sent: [] as unknown[], postMessage: (m: unknown) => void this.port.sent.push(m), onmessage: null as ((e: { data: unknown }) => void) | null };
  onprocessorerror: ((event: unknown) => void) | null = null;
  constructor(_c: never, _name: string, _options: Record<string, unknown>) {}
}
const context: WorkletContextLike = { sampleRate: 48000, audioWorklet: { addModule: async () => {} } };

describe('worklet typings', () => {
  it('types set() by the processor at each index; the node keeps the class it was made with', async () => {
    const master = await createMasterbusNode(context, {
      AudioWorkletNode: FakeNode,
      moduleUrl: '/m.js',
      chain: [new ParametricEQ(), new Compressor(), new Limiter()],
    });
    const node: FakeNode = master.node;
    master.set(2, { ceilingDb: -2 });
    master.set(1, { ratio: 3, thresholdDb: -20 });
    // @ts-expect-error: a misspelt option of the Limiter
    master.set(2, { ceilingDB: -2 });
    // @ts-expect-error: a string where the Compressor wants a number
    master.set(1, { ratio: '3' });
    // @ts-expect-error: no slot 3
    master.set(3, {});
    expect(node.port.sent).toEqual([
      { type: 'set', index: 2, params: { ceilingDb: -2 } },
      { type: 'set', index: 1, params: { ratio: 3, thresholdDb: -20 } },
      { type: 'set', index: 2, params: { ceilingDB: -2 } },
      { type: 'set', index: 1, params: { ratio: '3' } },
      { type: 'set', index: 3, params: {} },
    ]);
  });
});

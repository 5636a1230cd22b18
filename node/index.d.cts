/**
 * `masterbus/node` under `require`: the module is ESM-only (its decoders are ES modules), and
 * requiring it throws an Error that says to import it. It exports nothing here.
 */
export {};

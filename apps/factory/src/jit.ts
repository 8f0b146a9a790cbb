import { setFlagsFromString } from 'node:v8';

/** V8's default is 920 bytes of bytecode inlined into one optimised function. */
export const INLINED_BYTECODE_BUDGET = 2000;

/**
 * Lets TurboFan inline more into one function: undici's parser callbacks among them.
 *
 * Why: V8 counts the bytecode a callee's own optimised code has already inlined against the
 * caller's budget. In a factory undici's `Parser.onHeaderValue` is optimised on its own first
 * (796 bytes with what it inlines) and then no longer fits into `wasm_on_header_value`, which
 * calls it once per response header; in a bare undici loop the order is the other way round
 * and it is inlined (`--trace-turbo-inlining`, bench/README.md). With 2,000 it is inlined in
 * either order: +2-3 % requests per CPU second in the closed model (8 pairs run side by side
 * on one core with `bench/real-factory.mjs --together`: 0.99-1.05, 6 above 1.00). A
 * process-wide flag read by each optimisation job: set once at boot, before the warm-up
 * optimises the request path.
 */
export function widenInlining(): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_BUDGET}`);
}

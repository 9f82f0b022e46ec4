/**
 * Loop skeletons for SIMD kernels emitted at run time (`_group_norm_simd.ts`,
 * `_simd_kernels.ts`): the bodies differ, the walking of rows and channels is
 * the same.
 *
 * @module
 */
import { op } from "./_wasm_emit.ts";

/**
 * A loop over `rows` rows of `c4` vectors. `streams` are pointer params that
 * advance by 16 bytes per vector and carry on across rows; `perChannel` are
 * pointer params that restart every row. `inner(p)` emits one vector's work,
 * given `p(i)`: the local holding the current address of param i.
 */
export function rowLoop(
  params: number,
  rowsParam: number,
  c4Param: number,
  streams: number[],
  perChannel: number[],
  inner: (p: (i: number) => number, v: number) => number[],
): number[] {
  // Locals after the params: a cursor per per-channel pointer, then the vector counter.
  const cursor = new Map(perChannel.map((param, i) => [param, params + i]));
  const counter = params + perChannel.length;
  const p = (i: number) => cursor.get(i) ?? i;
  const body: number[] = [];
  const e = (...parts: number[][]) => parts.forEach((x) => body.push(...x));
  e(op.block, op.loop, op.get(rowsParam), op.eqz, op.brIf(1));
  for (const param of perChannel) e(op.get(param), op.set(cursor.get(param)!));
  e(op.get(c4Param), op.set(counter));
  e(op.block, op.loop, op.get(counter), op.eqz, op.brIf(1));
  // The v128 scratch local comes after the params and the six i32 locals.
  body.push(...inner(p, params + 6));
  for (const param of [...streams, ...perChannel]) {
    e(op.get(p(param)), op.i32(16), op.add, op.set(p(param)));
  }
  e(op.get(counter), op.i32(1), op.sub, op.set(counter), op.br(0), op.end, op.end);
  e(op.get(rowsParam), op.i32(1), op.sub, op.set(rowsParam), op.br(0), op.end, op.end);
  return body;
}

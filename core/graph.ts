/**
 * The flow-graph recorder (seed 001, "Flow Graphs, Chain Rule and
 * Backpropagation"): every op that has a recorded input links its output to
 * its inputs and to a closure that maps the output's cotangent to theirs.
 *
 * Recording is on while a function is being differentiated and off inside a
 * first-order backward sweep, so training pays for the graph only once. A
 * backward sweep that runs under an enclosing `grad` records again, and that is
 * what makes gradients of gradients exact.
 *
 * @module
 */

import { type GraphNode, Tensor, type TypedArray } from "./tensor.ts";

/**
 * Recording state, shared by every copy of this module in the process (a
 * plugin imported by URL brings its own copy of gradflow; its ops must see the
 * host's `grad`). Bump the key's version when the graph's layout changes.
 */
const shared: { recording: boolean; traceDepth: number } =
  ((globalThis as Record<symbol, unknown>)[Symbol.for("gradflow.graph@1")] ??= { recording: true, traceDepth: 0 }) as {
    recording: boolean;
    traceDepth: number;
  };

/**
 * Whether ops currently link their outputs into the flow graph.
 *
 * @returns `true` unless inside a first-order backward sweep or {@linkcode withRecording}(false).
 *
 * @example
 * ```ts
 * import { isRecording } from "./graph.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isRecording(), true);
 * ```
 */
export function isRecording(): boolean {
  return shared.recording;
}

/**
 * Runs `fn` with graph recording switched on or off, and restores the previous
 * setting afterwards (also when `fn` throws).
 *
 * @param on Whether ops record while `fn` runs.
 * @param fn The work to run.
 * @returns What `fn` returns.
 *
 * @example Evaluate without building a graph
 * ```ts
 * import { isRecording, withRecording } from "./graph.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(withRecording(false, () => isRecording()), false);
 * ```
 */
export function withRecording<T>(on: boolean, fn: () => T): T {
  const previous = shared.recording;
  shared.recording = on;
  try {
    return fn();
  } finally {
    shared.recording = previous;
  }
}

/**
 * Runs `fn` as the body of a differentiated function (one level deeper of
 * `grad`). A backward sweep started while a trace is open records its own ops,
 * so the enclosing transformation can differentiate the gradient.
 *
 * @param fn The function body.
 * @returns What `fn` returns.
 *
 * @example
 * ```ts
 * import { insideTrace, traced } from "./graph.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(traced(() => insideTrace()), true);
 * assert.equal(insideTrace(), false);
 * ```
 */
export function traced<T>(fn: () => T): T {
  shared.traceDepth++;
  try {
    return withRecording(true, fn);
  } finally {
    shared.traceDepth--;
  }
}

/**
 * Whether some enclosing `grad`, `vjp` or `hvp` is evaluating its function now.
 *
 * @returns `true` inside at least one trace.
 *
 * @example
 * ```ts
 * import { insideTrace } from "./graph.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(insideTrace(), false);
 * ```
 */
export function insideTrace(): boolean {
  return shared.traceDepth > 0;
}

/**
 * Wraps an op's freshly computed buffer as a tensor, and links it into the
 * flow graph when recording is on and some input is itself in the graph.
 *
 * @param op The op name.
 * @param data The output buffer (owned by the new tensor).
 * @param shape The output shape.
 * @param inputs The op's tensor inputs, in the order `vjp` answers for them.
 * @param vjp Maps the output cotangent to one cotangent per input.
 * @returns The output tensor.
 *
 * @example A hand-made doubling op
 * ```ts
 * import { record } from "./graph.ts";
 * import { tensor } from "./tensor.ts";
 * import { mul } from "./ops/elementwise.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([1, 2]);
 * const y = record("double", x.data.map((v) => 2 * v), x.shape, [x], (g) => [mul(g, 2)]);
 * assert.deepEqual(y.toArray(), [2, 4]);
 * ```
 */
export function record(
  op: string,
  data: TypedArray,
  shape: readonly number[],
  inputs: readonly Tensor[],
  vjp: GraphNode["vjp"],
): Tensor {
  const out = new Tensor(data, shape);
  if (shared.recording) {
    for (const x of inputs) {
      if (x._node !== null) {
        out._node = { op, inputs, vjp };
        break;
      }
    }
  }
  return out;
}

/**
 * Makes a tensor a differentiation target: a fresh graph leaf that shares the
 * value of `x`. When `x` is itself in an enclosing graph the leaf stays linked
 * to it, so the enclosing transformation sees through.
 *
 * @param x The value to differentiate with respect to.
 * @returns A new tensor in the graph.
 *
 * @example
 * ```ts
 * import { leaf } from "./graph.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.notEqual(leaf(tensor([1])).  _node, null);
 * ```
 */
export function leaf(x: Tensor): Tensor {
  const out = new Tensor(x.data, x.shape);
  out._node = x._node === null
    ? { op: "leaf", inputs: [], vjp: () => [] }
    : { op: "leaf", inputs: [x], vjp: (g) => [g] };
  return out;
}

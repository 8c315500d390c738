/**
 * A Keras-style model summary: each layer with its output shape and its
 * number of parameters.
 *
 * @module
 */

import type { Layer } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import type { Registry } from "../core/registry.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { isLayer, type ModelSpec, normalizeModelSpec, resolveModel } from "./model.ts";

/** One row of a {@linkcode ModelSummary}. */
export interface SummaryRow {
  /** Where the layer sits: its index path in the model (`"0"`, `"2.1"`), as parameter paths name it. */
  path: string;
  /** The layer's plugin name (`"dense"`), or `"layer"` for an instance. */
  type: string;
  /** The shape of one output sample (without the batch axis). */
  outputShape: number[];
  /** Trainable parameters (elements of every parameter tensor). */
  params: number;
  /** Non-trainable state elements (batch normalization's running statistics). */
  state: number;
  /** The bytes the parameters and state take. */
  bytes: number;
}

/** What {@linkcode modelSummary} returns. */
export interface ModelSummary {
  /** The shape of one input sample. */
  inputShape: number[];
  /** The layers, in order (the leaves of nested `sequential` models). */
  rows: SummaryRow[];
  /** Trainable parameters in all. */
  trainable: number;
  /** Non-trainable state elements in all. */
  nonTrainable: number;
  /** The bytes of every parameter and state tensor. */
  bytes: number;
}

function count(tree: Tree): number {
  return flattenTree(tree).reduce((n, [, t]) => n + t.size, 0);
}

function bytesOf(tree: Tree): number {
  return flattenTree(tree).reduce((n, [, t]) => n + t.data.byteLength, 0);
}

/**
 * Summarizes a model like Keras's `model.summary()`: each layer of a
 * sequential model (nested ones are opened) with its output shape and its
 * parameter count, and the totals. Nothing is trained; the layers are
 * initialized once with a fixed seed to learn their shapes.
 *
 * @param model The model: a spec (`[{ name: "dense", units: 8 }, …]`) or a layer instance (one row).
 * @param inputShape The shape of one input sample, without the batch axis.
 * @param registry Where layer names are looked up. @default {createRegistry()}
 * @returns The rows and totals; {@linkcode formatSummary} prints them.
 * @throws {TypeError | RangeError} When the model cannot be built or does not fit the input shape.
 *
 * @example
 * ```ts
 * import { modelSummary } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const s = modelSummary([{ name: "dense", units: 16 }, { name: "tanh" }, { name: "dense", units: 1 }], [2]);
 * assert.deepEqual(s.rows.map((r) => [r.type, r.outputShape, r.params]), [["dense", [16], 48], ["tanh", [16], 0], ["dense", [1], 17]]);
 * assert.equal(s.trainable, 65);
 * ```
 */
export function modelSummary(
  model: Layer | ModelSpec,
  inputShape: readonly number[],
  registry: Registry = createRegistry(),
): ModelSummary {
  const rng = new Random(0);
  const rows: SummaryRow[] = [];
  const walk = (spec: Layer | ModelSpec, path: string, shape: number[]): number[] => {
    const normalized = isLayer(spec) ? spec : normalizeModelSpec(spec) as { name: string; layers?: unknown };
    if (!isLayer(normalized) && normalized.name === "sequential" && Array.isArray(normalized.layers)) {
      return normalized.layers.reduce(
        (s: number[], child: Layer | ModelSpec, i: number) => walk(child, path === "" ? `${i}` : `${path}.${i}`, s),
        shape,
      );
    }
    const layer = resolveModel(normalized as Layer | ModelSpec, registry, path === "" ? "model" : `model.${path}`);
    const init = layer.init(shape, rng);
    rows.push({
      path: path === "" ? "0" : path,
      type: isLayer(normalized) ? "layer" : normalized.name,
      outputShape: [...init.outputShape],
      params: count(init.params),
      state: count(init.state),
      bytes: bytesOf(init.params) + bytesOf(init.state),
    });
    return init.outputShape;
  };
  walk(model, "", [...inputShape]);
  return {
    inputShape: [...inputShape],
    rows,
    trainable: rows.reduce((n, r) => n + r.params, 0),
    nonTrainable: rows.reduce((n, r) => n + r.state, 0),
    bytes: rows.reduce((n, r) => n + r.bytes, 0),
  };
}

/**
 * The summary as a table, as Keras prints it: `Layer (type)`, `Output Shape`
 * with `None` for the batch axis, `Param #`, and the totals (with the memory
 * they take).
 *
 * @param summary From {@linkcode modelSummary}.
 * @param title The model's name, for the first line. @default {"model"}
 * @returns The text, without a final newline.
 *
 * @example
 * ```ts
 * import { formatSummary, modelSummary } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const text = formatSummary(modelSummary([{ name: "dense", units: 3 }], [2]), "tiny");
 * assert.match(text, /^Model: "tiny"/);
 * assert.match(text, /0 \(dense\) +\(None, 3\) +9/);
 * assert.match(text, /Total params: 9 \(72 B\)/); // float64
 * ```
 */
export function formatSummary(summary: ModelSummary, title = "model"): string {
  const size = (b: number) =>
    b < 1024 ? `${b} B` : b < 1024 ** 2 ? `${(b / 1024).toFixed(2)} KB` : `${(b / 1024 ** 2).toFixed(2)} MB`;
  const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const rows = summary.rows.map((r) => [
    `${r.path} (${r.type})`,
    `(None, ${r.outputShape.join(", ")})`.replace(", )", ")"),
    grouped(r.params + r.state),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("   ").trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 6);
  const total = summary.trainable + summary.nonTrainable;
  return [
    `Model: "${title}"  (input: (None, ${summary.inputShape.join(", ")}))`.replace(", ))", "))"),
    rule("─"),
    line(header),
    rule("═"),
    ...rows.map(line),
    rule("─"),
    `Total params: ${grouped(total)} (${size(summary.bytes)})`,
    `Trainable params: ${grouped(summary.trainable)}`,
    `Non-trainable params: ${grouped(summary.nonTrainable)}`,
  ].join("\n");
}

/**
 * Optimizer and regularizer state to and from a checkpoint: a JSON part (the
 * structure, the numbers, the strings) and a list of named tensors (for a
 * safetensors file), with an exact round trip.
 *
 * @module
 */

import type { StateValue } from "../core/interfaces.ts";
import { type DType, Tensor } from "../core/tensor.ts";

/** A value `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What {@linkcode encodeState} returns. */
export interface EncodedState {
  /** The structure and the scalars, JSON-safe; tensors appear as `{ "$tensor": name, dtype, shape }`. */
  json: JsonValue;
  /** The tensors referenced by `json`, each once, in the order first met. */
  tensors: [string, Tensor][];
}

/** Options of {@linkcode encodeState}. */
export interface EncodeStateOptions {
  /** The first segment of every tensor name (`"state.m.w"`); a tensor at the root is named by it alone. @default {"state"} */
  prefix?: string;
}

/** The tensors {@linkcode decodeState} takes: `[name, tensor]` pairs, a `Map`, or a record. */
export type NamedTensors = Iterable<readonly [string, Tensor]> | ReadonlyMap<string, Tensor> | Record<string, Tensor>;

const SPECIAL_NUMBERS: Record<string, number> = { "NaN": NaN, "Infinity": Infinity, "-Infinity": -Infinity, "-0": -0 };

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return `the bigint ${value}`;
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "object") {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  }
  return JSON.stringify(value);
}

function isPlainRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Keys that start with `$` get one more `$`, so they never look like the markers `$tensor` and `$number`. */
function escapeKey(key: string): string {
  return key.startsWith("$") ? `$${key}` : key;
}

function unescapeKey(key: string): string {
  return key.startsWith("$$") ? key.slice(1) : key;
}

/**
 * Splits a state (tensors, numbers, strings, booleans, `null`, arrays and
 * records of these) into a JSON-safe part and a list of named tensors, for a
 * checkpoint: the JSON part goes to a `.json` file, the tensors to a
 * safetensors file. {@linkcode decodeState} reverses it exactly.
 *
 * Encoding, so that `JSON.stringify` loses nothing:
 * - a tensor becomes `{ "$tensor": name, "dtype": …, "shape": […] }`; its name is
 *   the prefix and the dotted path to it (`"state.m.0.weight"`), made unique with
 *   `#2`, `#3`… when keys containing dots collide; the same tensor object met twice
 *   is stored once and referenced twice;
 * - a finite number other than −0 stays a number; `NaN`, `Infinity`, `-Infinity`
 *   and `-0` become `{ "$number": "NaN" }` and so on;
 * - a record key starting with `$` gets one more `$` (`"$x"` → `"$$x"`).
 *
 * The tensors are returned as they are, not copied (tensors are immutable).
 *
 * @param state The state to encode.
 * @param options `prefix`.
 * @returns `{ json, tensors }`.
 * @throws {TypeError} When a value is none of the allowed kinds (undefined, a
 *   function, a typed array, a class instance…) or the state contains itself;
 *   the message names the path.
 *
 * @example Checkpoint Adam's state and read it back
 * ```ts
 * import { decodeState, encodeState } from "./serialize.ts";
 * import { tensor, type Tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const state = { step: 3, m: { w: tensor([0.5, -0]) }, vMax: null, lr: NaN };
 * const { json, tensors } = encodeState(state);
 * assert.deepEqual(tensors.map(([name]) => name), ["state.m.w"]);
 * const text = JSON.stringify(json); // to a .json file; tensors to safetensors
 * const back = decodeState(JSON.parse(text), tensors) as typeof state;
 * assert.equal(back.step, 3);
 * assert.ok(Number.isNaN(back.lr));
 * assert.ok(Object.is((back.m.w as Tensor).data[1], -0));
 * ```
 */
export function encodeState(state: StateValue, options: EncodeStateOptions = {}): EncodedState {
  const prefix = options.prefix ?? "state";
  if (typeof prefix !== "string" || prefix === "") {
    throw new TypeError(
      `Cannot encode the state as prefix must be a non-empty string: current value is ${describe(prefix)}`,
    );
  }
  const tensors: [string, Tensor][] = [];
  const names = new Map<Tensor, string>();
  const used = new Set<string>();
  const ancestors = new Set<object>();
  const where = (path: string) => (path === "" ? "the root" : `"${path}"`);
  const visit = (value: unknown, path: string): JsonValue => {
    if (value instanceof Tensor) {
      let name = names.get(value);
      if (name === undefined) {
        const base = path === "" ? prefix : `${prefix}.${path}`;
        name = base;
        for (let n = 2; used.has(name); n++) name = `${base}#${n}`;
        used.add(name);
        names.set(value, name);
        tensors.push([name, value]);
      }
      return { $tensor: name, dtype: value.dtype, shape: [...value.shape] };
    }
    if (typeof value === "number") {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? "-0" : String(value) };
    }
    if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
    if (typeof value === "object" && (Array.isArray(value) || isPlainRecord(value))) {
      if (ancestors.has(value)) {
        throw new TypeError(`Cannot encode the state as it must not contain itself: ${where(path)} is a cycle`);
      }
      ancestors.add(value);
      const join = (key: string) => (path === "" ? key : `${path}.${key}`);
      let out: JsonValue;
      if (Array.isArray(value)) {
        out = [];
        for (let i = 0; i < value.length; i++) out.push(visit(value[i], join(String(i))));
      } else {
        out = Object.fromEntries(
          Object.entries(value).map(([key, child]) => [escapeKey(key), visit(child, join(key))]),
        );
      }
      ancestors.delete(value);
      return out;
    }
    throw new TypeError(
      `Cannot encode the state as every value must be a tensor, number, string, boolean, null, array or plain record: ${
        where(path)
      } is ${describe(value)}`,
    );
  };
  const json = visit(state, "");
  return { json, tensors };
}

function lookupFrom(tensors: NamedTensors): (name: string) => Tensor | undefined {
  if (tensors instanceof Map) return (name) => tensors.get(name);
  if (tensors !== null && typeof tensors === "object" && Symbol.iterator in tensors) {
    const map = new Map<string, Tensor>();
    for (const [name, t] of tensors as Iterable<readonly [string, Tensor]>) map.set(name, t);
    return (name) => map.get(name);
  }
  if (tensors !== null && typeof tensors === "object") {
    const record = tensors as Record<string, Tensor>;
    return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
  }
  throw new TypeError(
    `Cannot decode the state as tensors must be [name, tensor] pairs, a Map or a record: current value is ${
      describe(tensors)
    }`,
  );
}

/**
 * Rebuilds a state from the two parts {@linkcode encodeState} made (the JSON
 * part may have been through `JSON.stringify` and `JSON.parse`). The result
 * equals the original: same structure, numbers (NaN, ±Infinity and −0
 * included), strings, booleans, nulls, and the very tensors given.
 *
 * @param json The JSON part.
 * @param tensors The named tensors: pairs, a `Map` or a record.
 * @returns The state.
 * @throws {TypeError} When a referenced tensor is missing or is not a tensor, or
 *   the JSON part is malformed (the path is named).
 * @throws {RangeError} When a tensor's dtype or shape differs from the one
 *   recorded (both are named).
 *
 * @example
 * ```ts
 * import { decodeState } from "./serialize.ts";
 * import { tensor, type Tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const json = { step: 1, v: { $tensor: "state.v", dtype: "float64", shape: [2] }, eps: { $number: "-0" } };
 * const state = decodeState(json, { "state.v": tensor([1, 2]) }) as { step: number; v: Tensor; eps: number };
 * assert.deepEqual(state.v.toArray(), [1, 2]);
 * assert.ok(Object.is(state.eps, -0));
 * ```
 */
export function decodeState(json: JsonValue, tensors: NamedTensors): StateValue {
  const lookup = lookupFrom(tensors);
  const where = (path: string) => (path === "" ? "the root" : `"${path}"`);
  const visit = (value: unknown, path: string): StateValue => {
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean" || value === null) {
      return value;
    }
    const join = (key: string) => (path === "" ? key : `${path}.${key}`);
    if (Array.isArray(value)) return value.map((child, i) => visit(child, join(String(i))));
    if (typeof value !== "object") {
      throw new TypeError(
        `Cannot decode the state as ${where(path)} must be a JSON value: current value is ${describe(value)}`,
      );
    }
    const record = value as Record<string, unknown>;
    if (Object.hasOwn(record, "$tensor")) return decodeTensor(record, path, lookup);
    if (Object.hasOwn(record, "$number")) {
      const text = record.$number;
      if (typeof text !== "string" || !Object.hasOwn(SPECIAL_NUMBERS, text)) {
        throw new TypeError(
          `Cannot decode the state as the number at ${
            where(path)
          } must be "NaN", "Infinity", "-Infinity" or "-0": current value is ${describe(text)}`,
        );
      }
      return SPECIAL_NUMBERS[text];
    }
    return Object.fromEntries(
      Object.entries(record).map(([key, child]) => {
        const k = unescapeKey(key);
        return [k, visit(child, join(k))];
      }),
    );
  };
  return visit(json, "");
}

function decodeTensor(
  ref: Record<string, unknown>,
  path: string,
  lookup: (name: string) => Tensor | undefined,
): Tensor {
  const at = path === "" ? "the root" : `"${path}"`;
  const name = ref.$tensor;
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot decode the state as the tensor name at ${at} must be a string: current value is ${describe(name)}`,
    );
  }
  const t = lookup(name);
  if (!(t instanceof Tensor)) {
    throw new TypeError(
      `Cannot decode the state as tensor "${name}" (at ${at}) must be given: current value is ${describe(t)}`,
    );
  }
  const dtype = ref.dtype as DType | undefined;
  if (dtype !== undefined && dtype !== t.dtype) {
    throw new RangeError(
      `Cannot decode the state as tensor "${name}" must have dtype ${dtype}: current dtype is ${t.dtype}`,
    );
  }
  const shape = ref.shape;
  if (shape !== undefined) {
    const ok = Array.isArray(shape) && shape.length === t.shape.length && shape.every((n, i) => n === t.shape[i]);
    if (!ok) {
      throw new RangeError(
        `Cannot decode the state as tensor "${name}" must have shape [${
          Array.isArray(shape) ? shape.join(", ") : String(shape)
        }]: current shape is [${t.shape.join(", ")}]`,
      );
    }
  }
  return t;
}

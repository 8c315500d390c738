/**
 * Option validation shared by plugin factories, so every bad option gets the
 * same kind of message: which plugin, which option, the allowed range, and the
 * value given.
 *
 * @module
 */

import type { LearningRate, Scheduler } from "./interfaces.ts";

/** The constraints {@linkcode checkNumber} enforces. */
export interface NumberRule {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** Exclude `min` itself. */
  minExclusive?: boolean;
  /** Exclude `max` itself. */
  maxExclusive?: boolean;
  /** Require an integer. */
  integer?: boolean;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "an integer" : "a number";
  const lo = rule.min === undefined ? "(-∞" : `${rule.minExclusive ? "(" : "["}${rule.min}`;
  const hi = rule.max === undefined ? "∞)" : `${rule.max}${rule.maxExclusive ? ")" : "]"}`;
  if (rule.min === undefined && rule.max === undefined) return `a finite ${rule.integer ? "integer" : "number"}`;
  return `${kind} in ${lo}, ${hi}`;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Validates a numeric option, returning the default when it is undefined.
 *
 * @param owner Who is asking, e.g. `optimizer "adam"`.
 * @param option The option name, e.g. `beta1`.
 * @param value The value given.
 * @param fallback The default.
 * @param rule The allowed range.
 * @returns The value (or the default).
 * @throws {TypeError} When the value is not a finite number.
 * @throws {RangeError} When it is outside the range.
 *
 * @example
 * ```ts
 * import { checkNumber } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkNumber('optimizer "adam"', "beta1", undefined, 0.9, { min: 0, max: 1, maxExclusive: true }), 0.9);
 * assert.throws(
 *   () => checkNumber('optimizer "adam"', "beta1", 1, 0.9, { min: 0, max: 1, maxExclusive: true }),
 *   { name: "RangeError", message: 'Cannot create optimizer "adam" as beta1 must be a number in [0, 1): current value is 1' },
 * );
 * ```
 */
export function checkNumber(
  owner: string,
  option: string,
  value: unknown,
  fallback: number,
  rule: NumberRule = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(
      `Cannot create ${owner} as ${option} must be ${describeRule(rule)}: current value is ${show(value)}`,
    );
  }
  const below = rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min);
  const above = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
  if (below || above || (rule.integer && !Number.isInteger(value))) {
    throw new RangeError(
      `Cannot create ${owner} as ${option} must be ${describeRule(rule)}: current value is ${show(value)}`,
    );
  }
  return value;
}

/**
 * Validates a boolean option, returning the default when it is undefined.
 *
 * @param owner Who is asking.
 * @param option The option name.
 * @param value The value given.
 * @param fallback The default.
 * @returns The value (or the default).
 * @throws {TypeError} When the value is not a boolean.
 *
 * @example
 * ```ts
 * import { checkBoolean } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkBoolean('optimizer "sgd"', "nesterov", undefined, false), false);
 * ```
 */
export function checkBoolean(owner: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot create ${owner} as ${option} must be true or false: current value is ${show(value)}`);
  }
  return value;
}

/**
 * Validates an option that takes one of a fixed set of strings.
 *
 * @param owner Who is asking.
 * @param option The option name.
 * @param value The value given.
 * @param fallback The default.
 * @param allowed The allowed values.
 * @returns The value (or the default).
 * @throws {RangeError} When the value is not one of `allowed`.
 *
 * @example
 * ```ts
 * import { checkChoice } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkChoice('loss "mse"', "reduction", "avg", "mean", ["mean", "sum", "none"]), /"mean", "sum", "none"/);
 * ```
 */
export function checkChoice<T extends string>(
  owner: string,
  option: string,
  value: unknown,
  fallback: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new RangeError(
      `Cannot create ${owner} as ${option} must be one of ${
        allowed.map((a) => JSON.stringify(a)).join(", ")
      }: current value is ${show(value)}`,
    );
  }
  return value as T;
}

/**
 * Rejects option names a plugin does not know, naming the nearest known one,
 * so a typo (`learningrate`) is an error rather than a silent default.
 *
 * @param owner Who is asking.
 * @param options The options object given (may be undefined).
 * @param known The option names the plugin accepts.
 * @throws {TypeError} When `options` is not an object or has an unknown key.
 *
 * @example
 * ```ts
 * import { checkKeys } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkKeys('optimizer "sgd"', { learningrate: 1 }, ["learningRate"]), /unknown option "learningrate"/);
 * ```
 */
export function checkKeys(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`Cannot create ${owner} as options must be an object: current value is ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key === "name" || known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ""));
    throw new TypeError(
      `Cannot create ${owner} as it has an unknown option "${key}"${
        near ? ` (did you mean "${near}"?)` : ""
      }: known options are ${known.length ? known.join(", ") : "none"}`,
    );
  }
}

/**
 * Validates a learning rate (a positive number or a schedule) and returns it
 * as a schedule.
 *
 * @param owner Who is asking.
 * @param value The value given.
 * @param fallback The default step size.
 * @param option The option name. @default {"learningRate"}
 * @returns A function of the step.
 * @throws {TypeError | RangeError} When the value is neither a positive number nor a function.
 *
 * @example
 * ```ts
 * import { checkLearningRate } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkLearningRate('optimizer "sgd"', 0.1, 0.01)(5), 0.1);
 * assert.equal(checkLearningRate('optimizer "sgd"', (k: number) => 1 / (k + 1), 0.01)(1), 0.5);
 * ```
 */
export function checkLearningRate(
  owner: string,
  value: LearningRate | undefined,
  fallback: number,
  option = "learningRate",
): Scheduler {
  if (typeof value === "function") return value;
  const lr = checkNumber(owner, option, value, fallback, { min: 0 });
  return () => lr;
}

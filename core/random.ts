/**
 * Seeded randomness. Every random draw in gradflow comes from a
 * {@linkcode Random} passed in by the caller; `Math.random` is never used.
 *
 * The generator is xoshiro128** (Blackman and Vigna), seeded through
 * SplitMix32: fast, 128 bits of state, and the state can be saved in a
 * checkpoint and restored to continue the exact same stream.
 *
 * @module
 */

import * as libm from "./libm.ts";

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** The saved state of a {@linkcode Random}: plain numbers, JSON-safe. */
export interface RandomState {
  /** The four 32-bit words of xoshiro128**. */
  words: [number, number, number, number];
  /** A cached second normal deviate from Box–Muller, or `null`. */
  spare: number | null;
}

/**
 * A seeded pseudo-random generator with uniform, normal, integer and shuffle draws.
 *
 * @example The same seed gives the same stream; state can be saved and restored
 * ```ts
 * import { Random } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new Random(42), b = new Random(42);
 * assert.equal(a.uniform(), b.uniform());
 * const saved = a.getState();
 * const next = a.normal();
 * a.setState(saved);
 * assert.equal(a.normal(), next);
 * ```
 */
export class Random {
  /**
   * `rng instanceof Random` also holds for a generator made by another copy of
   * gradflow in the process (a plugin imported by URL brings its own copy).
   *
   * @param value The value to test.
   * @returns Whether it is a generator of this or another copy of gradflow.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== Random) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[RANDOM_BRAND] === true;
  }

  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  #spare: number | null = null;

  /**
   * Creates a generator from an integer seed.
   *
   * @param seed Any safe integer.
   * @throws {TypeError} When the seed is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`Cannot create a Random as the seed must be a safe integer: current value is ${seed}`);
    }
    const next = splitmix32((seed % 0x100000000) ^ Math.floor(seed / 0x100000000));
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0, n3 = s3 ^ s1;
    const n1 = s1 ^ n2, n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.#s0 = n0 >>> 0;
    this.#s1 = n1 >>> 0;
    this.#s2 = n2 >>> 0;
    this.#s3 = n3 >>> 0;
    return r;
  }

  /**
   * A uniform draw from [low, high), with 53 random bits.
   *
   * @param low The lower bound. @default {0}
   * @param high The upper bound. @default {1}
   * @returns The draw.
   */
  uniform(low = 0, high = 1): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return low + (high - low) * ((hi * 67108864 + lo) / 9007199254740992);
  }

  /**
   * A normal draw (Box–Muller; the second deviate is kept for the next call).
   *
   * @param mean The mean. @default {0}
   * @param std The standard deviation. @default {1}
   * @returns The draw.
   */
  normal(mean = 0, std = 1): number {
    if (this.#spare !== null) {
      const z = this.#spare;
      this.#spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * libm.log(u));
    this.#spare = r * libm.sin(2 * Math.PI * v);
    return mean + std * r * libm.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [0, n), without modulo bias.
   *
   * @param n The number of outcomes, a positive integer up to 2³².
   * @returns The draw.
   * @throws {RangeError} When `n` is not a positive integer up to 2³².
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`Cannot draw an integer as n must be an integer in [1, 2^32]: current value is ${n}`);
    }
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Shuffles an array in place (Fisher–Yates) and returns it.
   *
   * @param items The array (or typed array) to shuffle.
   * @returns The same array, shuffled.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * A random permutation of 0…n−1.
   *
   * @param n The length.
   * @returns A new `Int32Array`.
   */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * A new generator seeded from this one, for an independent stream (dropout
   * masks apart from data shuffling, say).
   *
   * @returns The new generator.
   */
  fork(): Random {
    return new Random(this.nextUint32() * 0x200000 + (this.nextUint32() >>> 11));
  }

  /**
   * The generator's state, to store in a checkpoint.
   *
   * @returns A JSON-safe copy of the state.
   */
  getState(): RandomState {
    return { words: [this.#s0, this.#s1, this.#s2, this.#s3], spare: this.#spare };
  }

  /**
   * Restores a state from {@linkcode Random.getState}.
   *
   * @param state The saved state.
   * @throws {TypeError} When the state is malformed.
   */
  setState(state: RandomState): void {
    const w = state?.words;
    if (!Array.isArray(w) || w.length !== 4 || w.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw new TypeError(
        `Cannot restore a Random as state.words must be four 32-bit unsigned integers: current value is ${
          JSON.stringify(w)
        }`,
      );
    }
    if (state.spare !== null && typeof state.spare !== "number") {
      throw new TypeError(
        `Cannot restore a Random as state.spare must be a number or null: current value is ${state.spare}`,
      );
    }
    [this.#s0, this.#s1, this.#s2, this.#s3] = w;
    this.#spare = state.spare;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Marks generators across copies of gradflow; bump the version when the generator's methods change. */
const RANDOM_BRAND = Symbol.for("gradflow.random@1");
Object.defineProperty(Random.prototype, RANDOM_BRAND, { value: true });

/**
 * MNIST and Fashion-MNIST from their IDX files.
 *
 * @module
 */

import { type DType, Tensor, type TypedArray } from "../../core/tensor.ts";
import { dataArray } from "./_dtype.ts";
import type { Dataset } from "./_rows.ts";
import { type IdxValues, readIdx } from "./idx.ts";

/** Where Debian's `dataset-fashion-mnist` package installs the four files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);

/** Options for {@linkcode loadMnist} and {@linkcode loadFashionMnist}. */
export interface MnistOptions {
  /** The folder holding the four IDX files (plain or `.gz`). MNIST has no default; Fashion-MNIST's is {@linkcode FASHION_MNIST_DIR}. */
  dir?: string;
  /** Scale pixels from 0…255 to [0, 1]. @default {true} */
  normalize?: boolean;
  /** Images as `[n, 784]` rows (for dense layers) rather than `[n, 28, 28]`. @default {true, or false with `channels`} */
  flatten?: boolean;
  /**
   * Images as `[n, 1, 28, 28]`, with the channel axis the convolution layers read (NCHW, PyTorch's
   * layout, as torchvision's `ToTensor` gives). Implies `flatten: false`. @default {false}
   */
  channels?: boolean;
  /** Targets as `"one-hot"` rows `[n, 10]` or class `"index"` values `[n]`. @default {"one-hot"} */
  labels?: "one-hot" | "index";
  /** Keep only the first `limit` samples of each split (quick experiments). */
  limit?: number;
  /**
   * The element type of the images and targets, written directly from the file's bytes (no float64 copy):
   * `"float32"`, what PyTorch and Keras train in, or `"float64"`. @default {"float32"}
   */
  dtype?: DType;
}

/** A dataset with a training and a test split. */
export interface MnistData {
  /** The 60 000 training samples (or `limit`). */
  train: Dataset;
  /** The 10 000 test samples (or `limit`). */
  test: Dataset;
  /** The class names, by label. */
  classes: readonly string[];
}

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** `out[i] = values[i] · scale`, each rounded once to `out`'s type (one monomorphic loop per pair of types). */
function scaleInto(out: TypedArray, values: IdxValues, scale: number): void {
  if (out instanceof Float32Array && values instanceof Uint8Array) {
    for (let i = 0; i < out.length; i++) out[i] = values[i] * scale;
  } else if (out instanceof Float64Array && values instanceof Uint8Array) {
    for (let i = 0; i < out.length; i++) out[i] = values[i] * scale;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = values[i] * scale;
  }
}

async function loadIdxSet(
  name: string,
  dir: string,
  options: MnistOptions,
  classes: readonly string[],
  howToGet: string,
): Promise<MnistData> {
  const paths: Record<string, string> = {};
  for (const [key, file] of Object.entries(FILES)) {
    const plain = `${dir}/${file}`, packed = `${plain}.gz`;
    if (await exists(packed)) paths[key] = packed;
    else if (await exists(plain)) paths[key] = plain;
    else {
      throw new Deno.errors.NotFound(
        `Cannot load ${name} as ${packed} (or ${file}) is missing: ${howToGet}`,
      );
    }
  }
  const channels = options.channels ?? false;
  if (typeof channels !== "boolean" || (channels && options.flatten === true)) {
    throw new TypeError(
      `Cannot load ${name} as channels must be true or false, and true only without flatten: current values are channels ${
        JSON.stringify(options.channels)
      } and flatten ${JSON.stringify(options.flatten)}`,
    );
  }
  const normalize = options.normalize ?? true, flatten = options.flatten ?? !channels;
  const labels = options.labels ?? "one-hot";
  if (labels !== "one-hot" && labels !== "index") {
    throw new RangeError(
      `Cannot load ${name} as labels must be one of "one-hot", "index": current value is ${JSON.stringify(labels)}`,
    );
  }
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(
      `Cannot load ${name} as dtype must be one of "float32", "float64": current value is ${JSON.stringify(dtype)}`,
    );
  }
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`Cannot load ${name} as limit must be a positive integer: current value is ${limit}`);
  }
  const split = async (imagesPath: string, labelsPath: string): Promise<Dataset> => {
    const images = await readIdx(imagesPath), targets = await readIdx(labelsPath);
    if (images.shape.length !== 3 || targets.shape.length !== 1 || images.shape[0] !== targets.shape[0]) {
      throw new RangeError(
        `Cannot load ${name} as ${imagesPath} must hold [n, rows, cols] images and ${labelsPath} n labels: current shapes are [${images.shape}] and [${targets.shape}]`,
      );
    }
    const n = Math.min(images.shape[0], limit ?? Infinity);
    const pixels = images.shape[1] * images.shape[2];
    // Each pixel is scaled in double and rounded once to the dtype: the float32 values equal PyTorch's
    // `ToTensor()` (a float32 division by 255) and a float32 cast of the float64 ones.
    const x = dataArray(dtype, n * pixels);
    scaleInto(x, images.values, normalize ? 1 / 255 : 1);
    const k = classes.length;
    const y = dataArray(dtype, labels === "one-hot" ? n * k : n);
    for (let i = 0; i < n; i++) {
      const c = targets.values[i];
      if (!Number.isInteger(c) || c < 0 || c >= k) {
        throw new RangeError(
          `Cannot load ${name} as every label must be an integer in [0, ${k}): label ${i} in ${labelsPath} (byte offset ${
            8 + i
          }) is ${c}`,
        );
      }
      if (labels === "one-hot") y[i * k + c] = 1;
      else y[i] = c;
    }
    return {
      x: new Tensor(
        x,
        flatten
          ? [n, pixels]
          : channels
          ? [n, 1, images.shape[1], images.shape[2]]
          : [n, images.shape[1], images.shape[2]],
      ),
      y: new Tensor(y, labels === "one-hot" ? [n, k] : [n]),
    };
  };
  return {
    train: await split(paths.trainImages, paths.trainLabels),
    test: await split(paths.testImages, paths.testLabels),
    classes,
  };
}

/**
 * Loads MNIST (LeCun, Cortes and Burges) from the four IDX files in a folder:
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
 * and `t10k-labels-idx1-ubyte`, each plain or gzip-compressed (`.gz`). Nothing
 * is downloaded. Needs `--allow-read` for the folder.
 *
 * @param options `dir` (required), `normalize`, `flatten`, `channels`, `labels`, `limit`, `dtype`.
 * @returns `{ train, test, classes }`.
 * @throws {Deno.errors.NotFound} When a file is missing; the message says where to get it.
 * @throws {RangeError} When a file is corrupt or truncated (naming the file and the byte offset).
 *
 * @example A missing folder names the files and where to get them
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(loadMnist({ dir: "/nonexistent" }), /train-images-idx3-ubyte.*is missing/);
 * ```
 */
export function loadMnist(options: MnistOptions): Promise<MnistData> {
  if (typeof options?.dir !== "string") {
    return Promise.reject(
      new TypeError(
        `Cannot load MNIST as dir must be the folder holding its IDX files: current value is ${typeof options?.dir}`,
      ),
    );
  }
  const dir = options.dir.replace(/\/+$/, "");
  return loadIdxSet(
    "MNIST",
    dir,
    options,
    ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    `put the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz into ${dir} (for example from https://ossci-datasets.s3.amazonaws.com/mnist/, the mirror torchvision uses)`,
  );
}

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28×28 grey images of
 * ten kinds of clothing, in MNIST's IDX layout. By default it reads the files
 * Debian's `dataset-fashion-mnist` package installs in {@linkcode FASHION_MNIST_DIR};
 * nothing is downloaded. Needs `--allow-read` for the folder.
 *
 * @param options `dir`, `normalize`, `flatten`, `channels`, `labels`, `limit`, `dtype`.
 * @returns `{ train, test, classes }` with {@linkcode FASHION_MNIST_CLASSES}.
 * @throws {Deno.errors.NotFound} When a file is missing; the message gives the install command and the download address.
 * @throws {RangeError} When a file is corrupt or truncated.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from "./mnist.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(loadFashionMnist({ dir: "/nonexistent" }), /apt-get install dataset-fashion-mnist/);
 * ```
 */
export function loadFashionMnist(options: MnistOptions = {}): Promise<MnistData> {
  const dir = (options.dir ?? FASHION_MNIST_DIR).replace(/\/+$/, "");
  return loadIdxSet(
    "Fashion-MNIST",
    dir,
    options,
    FASHION_MNIST_CLASSES,
    `install it with "sudo apt-get install dataset-fashion-mnist" (Debian/Ubuntu; it puts the files in ${FASHION_MNIST_DIR}), or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion into ${dir}`,
  );
}

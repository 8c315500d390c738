import assert from "node:assert/strict";
import { gzipBytes, idxBytes } from "./_idx_fixture.ts";
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from "./mnist.ts";

/** Writes a tiny MNIST-shaped set: 3 training and 2 test images of 2×2 pixels. */
async function fixture(dir: string, gzip: boolean): Promise<void> {
  const files: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte": idxBytes([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]),
    "train-labels-idx1-ubyte": idxBytes([3], [7, 0, 9]),
    "t10k-images-idx3-ubyte": idxBytes([2, 2, 2], [10, 20, 30, 40, 50, 60, 70, 80]),
    "t10k-labels-idx1-ubyte": idxBytes([2], [1, 2]),
  };
  for (const [name, bytes] of Object.entries(files)) {
    if (gzip) await Deno.writeFile(`${dir}/${name}.gz`, await gzipBytes(bytes));
    else await Deno.writeFile(`${dir}/${name}`, bytes);
  }
}

Deno.test("loadMnist() reads the four IDX files, scales pixels to [0, 1] and one-hot encodes labels", async () => {
  for (const gzip of [false, true]) {
    const dir = await Deno.makeTempDir();
    try {
      await fixture(dir, gzip);
      const { train, test, classes } = await loadMnist({ dir, dtype: "float64" });
      assert.deepEqual(train.x.shape, [3, 4]);
      assert.deepEqual([...train.x.data.subarray(0, 4)], [0, 1, 0.2, 0.4]);
      assert.deepEqual(train.y.shape, [3, 10]);
      assert.equal(train.y.data[7], 1);
      assert.deepEqual(test.x.shape, [2, 4]);
      assert.equal(classes.length, 10);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("loadMnist() gives float32 images and targets by default: the float64 values rounded once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fixture(dir, true);
    const single = await loadMnist({ dir }), double = await loadMnist({ dir, dtype: "float64" });
    for (const split of ["train", "test"] as const) {
      for (const key of ["x", "y"] as const) {
        assert.equal(single[split][key].dtype, "float32");
        assert.deepEqual([...single[split][key].data], [...double[split][key].data].map(Math.fround));
      }
    }
    await assert.rejects(loadMnist({ dir, dtype: "int8" as never }), /dtype must be one of "float32", "float64"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFashionMnist() keeps images 2-D, raw pixels and class indices on request, and honours limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fixture(dir, true);
    const { train, classes } = await loadFashionMnist({
      dir,
      flatten: false,
      normalize: false,
      labels: "index",
      limit: 2,
    });
    assert.deepEqual(train.x.shape, [2, 2, 2]);
    assert.equal(train.x.data[1], 255);
    assert.deepEqual([...train.y.data], [7, 0]);
    assert.equal(classes[9], "Ankle boot");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFashionMnist() on missing files says how to install them and where they go", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const error = await loadFashionMnist({ dir }).catch((e) => e);
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.match(error.message, /train-images-idx3-ubyte\.gz \(or train-images-idx3-ubyte\) is missing/);
    assert.ok(error.message.includes("sudo apt-get install dataset-fashion-mnist"));
    assert.ok(error.message.includes(FASHION_MNIST_DIR));
    assert.ok(error.message.includes("https://github.com/zalandoresearch/fashion-mnist"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMnist() rejects a truncated file, a label out of range and mismatched counts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fixture(dir, false);
    const images = await Deno.readFile(`${dir}/train-images-idx3-ubyte`);
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, images.subarray(0, images.length - 1));
    await assert.rejects(loadMnist({ dir }), /train-images-idx3-ubyte as an IDX file as it is truncated/);
    await fixture(dir, false);
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, idxBytes([3], [1, 12, 0]));
    await assert.rejects(loadMnist({ dir }), /label 1 in .*train-labels-idx1-ubyte \(byte offset 9\) is 12/);
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, idxBytes([2], [1, 2]));
    await assert.rejects(loadMnist({ dir }), /current shapes are \[3,2,2\] and \[2\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFashionMnist() with channels gives [n, 1, rows, cols] images for conv2d, in row-major pixel order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fixture(dir, false);
    const { train, test } = await loadFashionMnist({ dir, channels: true });
    assert.deepEqual(train.x.shape, [3, 1, 2, 2]);
    assert.deepEqual(test.x.shape, [2, 1, 2, 2]);
    assert.deepEqual([...train.x.data.subarray(0, 4)], [0, 1, Math.fround(0.2), Math.fround(0.4)]); // float32 by default
    assert.deepEqual((await loadFashionMnist({ dir, channels: true, flatten: false })).train.x.shape, [3, 1, 2, 2]);
    await assert.rejects(loadFashionMnist({ dir, channels: true, flatten: true }), {
      name: "TypeError",
      message:
        "Cannot load Fashion-MNIST as channels must be true or false, and true only without flatten: current values are channels true and flatten true",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { accuracy } from "./accuracy.ts";
import type { Metric } from "../../core/interfaces.ts";
import type { Tensor } from "../../core/tensor.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));

Deno.test("accuracy() uses the argmax for several outputs, with one-hot or index targets", () => {
  const p = tensor([[0.1, 0.7, 0.2], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6], [0.9, 0, 0.1]]);
  assert.equal(once(accuracy(), p, tensor([[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0]])), 0.75);
  assert.equal(once(accuracy(), p, tensor([1, 0, 2, 2])), 0.75);
  assert.equal(once(accuracy(), p, tensor([[1], [0], [2], [2]])), 0.75);
});

Deno.test("accuracy() thresholds one output at 0.5 for 0/1 labels and at 0 for ±1 labels", () => {
  assert.equal(once(accuracy(), tensor([[0.6], [0.4], [0.2]]), tensor([[1], [0], [1]])), 2 / 3);
  assert.equal(once(accuracy(), tensor([[0.3], [-0.1], [2]]), tensor([[1], [-1], [-1]])), 2 / 3);
  assert.equal(once(accuracy({ threshold: 0 }), tensor([[0.3], [-0.1]]), tensor([[1], [0]])), 1);
});

Deno.test("accuracy() decides the automatic threshold from every batch added, not batch by batch", () => {
  const acc = accuracy();
  // The first batch has only +1 labels; the second reveals ±1 labels, so 0 is the threshold for both.
  let state = acc.update(acc.init(), tensor([[0.2], [0.3]]), tensor([[1], [1]]));
  state = acc.update(state, tensor([[-0.4], [0.1]]), tensor([[-1], [1]]));
  assert.equal(acc.result(state), 1);
});

Deno.test("accuracy() counts correct samples over batches: the exact share, not a mean of batch means", () => {
  const acc = accuracy();
  let state = acc.update(acc.init(), tensor([[0.9], [0.1], [0.8]]), tensor([[1], [1], [1]]));
  state = acc.update(state, tensor([[0.9]]), tensor([[0]]));
  assert.equal(acc.result(state), 0.5); // 2 of 4 (the mean of the batch means would be 1/3)
  assert.ok(Number.isNaN(acc.result(acc.init())));
});

Deno.test("accuracy() rejects predictions and targets that do not match, naming both shapes", () => {
  assert.throws(
    () => once(accuracy(), tensor([[1, 0]]), tensor([[1, 0, 0]])),
    /shape \[1,2\] and targets of shape \[1,3\]/,
  );
  assert.throws(() => once(accuracy(), tensor([[1]]), tensor([[1], [0]])), /same number of rows/);
  assert.throws(() => once(accuracy(), tensor([[1, 0]]), tensor([2])), /class indices must be integers in \[0, 2\)/);
  const acc = accuracy();
  const state = acc.update(acc.init(), tensor([[1, 0]]), tensor([0]));
  assert.throws(() => acc.update(state, tensor([[1, 0, 0]]), tensor([0])), /earlier batches had 2 outputs per sample/);
});

Deno.test('accuracy() rejects a threshold that is neither a number nor "auto", naming it', () => {
  assert.throws(
    () => accuracy({ threshold: NaN }),
    /metric "accuracy" as threshold must be a finite number or "auto": current value is NaN/,
  );
  assert.throws(() => accuracy({ threshold: "half" as never }), RangeError);
  assert.throws(() => accuracy({ treshold: 0 } as never), /unknown option "treshold"/);
});

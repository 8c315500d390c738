import assert from "node:assert/strict";
import { grad, hessian, hvp, valueAndGrad, vjp } from "./autodiff.ts";
import {
  add,
  cos,
  customVjp,
  div,
  exp,
  matmul,
  mul,
  reshape,
  sin,
  slice,
  square,
  stopGradient,
  sub,
  sum,
  tanh,
} from "./ops/mod.ts";
import { type Tensor, tensor } from "./tensor.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} ≉ ${b}`);

Deno.test("grad() of seed 001's L = sin(a² + b/a) sums both paths from a", () => {
  const L = ({ a, b }: { a: Tensor; b: Tensor }) => sin(add(square(a), div(b, a)));
  for (const [a, b] of [[2, 3], [-0.7, 1.5], [1.3, -4]]) {
    const g = grad(L)({ a: tensor(a), b: tensor(b) });
    const c = Math.cos(a * a + b / a);
    close(g.a.item(), c * (2 * a - b / (a * a)));
    close(g.b.item(), c / a);
  }
});

/**
 * Seed 001's chain x_t = f(x_{t-1}, y_{t-1}), y_t = g(x_{t-1}, y_{t-1}): the
 * number of paths from x_0 to L doubles with each step. With n = 60 there are
 * 2^59 ≈ 5.8e17 paths, so enumerating them would never finish; the sweep visits
 * each of the ~6n arcs once.
 */
function chain(n: number) {
  return ({ x, y }: { x: Tensor; y: Tensor }) => {
    for (let t = 0; t < n; t++) [x, y] = [tanh(add(mul(x, 0.9), mul(y, 0.5))), tanh(sub(mul(x, 0.5), mul(y, 0.8)))];
    return add(x, y);
  };
}

function chainByHand(n: number, x0: number, y0: number): [number, number] {
  // Forward-mode by hand: carry (value, ∂/∂x0, ∂/∂y0) through each step.
  let [x, xdx, xdy] = [x0, 1, 0];
  let [y, ydx, ydy] = [y0, 0, 1];
  for (let t = 0; t < n; t++) {
    const u = 0.9 * x + 0.5 * y, v = 0.5 * x - 0.8 * y;
    const tu = Math.tanh(u), tv = Math.tanh(v);
    const du = 1 - tu * tu, dv = 1 - tv * tv;
    [x, xdx, xdy, y, ydx, ydy] = [
      tu,
      du * (0.9 * xdx + 0.5 * ydx),
      du * (0.9 * xdy + 0.5 * ydy),
      tv,
      dv * (0.5 * xdx - 0.8 * ydx),
      dv * (0.5 * xdy - 0.8 * ydy),
    ];
  }
  return [xdx + ydx, xdy + ydy];
}

Deno.test("grad() differentiates seed 001's 2^n-path chain with n = 60 in linear time", () => {
  const g = grad(chain(60))({ x: tensor(0.3), y: tensor(-0.2) });
  const [dx, dy] = chainByHand(60, 0.3, -0.2);
  close(g.x.item(), dx, 1e-10);
  close(g.y.item(), dy, 1e-10);
});

Deno.test("grad() cost grows linearly with the chain length (arcs visited once)", () => {
  // Count vjp calls through a customVjp identity placed on every step.
  let calls = 0;
  const counted = customVjp("counted", (x: Tensor) => ({ output: x, saved: null }), (g) => {
    calls++;
    return [g];
  });
  for (const n of [10, 20, 40]) {
    calls = 0;
    grad(({ x, y }: { x: Tensor; y: Tensor }) => {
      for (let t = 0; t < n; t++) [x, y] = [counted(tanh(add(x, y))), counted(tanh(sub(x, y)))];
      return add(x, y);
    })({ x: tensor(0.1), y: tensor(0.2) });
    assert.equal(calls, 2 * n);
  }
});

Deno.test("grad() of a gradient gives exact second derivatives", () => {
  const f = (x: Tensor) => sum(mul(exp(x), sin(x)));
  const d2 = grad((x: Tensor) => sum(grad(f)(x)))(tensor([0.3, -1.1]));
  // d²/dx² eˣ sin x = 2eˣ cos x
  [0.3, -1.1].forEach((x, i) => close(d2.data[i], 2 * Math.exp(x) * Math.cos(x)));
  const d3 = grad((x: Tensor) => sum(grad((y: Tensor) => sum(grad(f)(y)))(x)))(tensor([0.5]));
  // d³/dx³ eˣ sin x = 2eˣ (cos x − sin x)
  close(d3.item(), 2 * Math.exp(0.5) * (Math.cos(0.5) - Math.sin(0.5)));
});

Deno.test("hvp() and hessian() are exact for a quadratic form", () => {
  const A = tensor([[4, 1, 0], [1, 3, -1], [0, -1, 2]]);
  // f(x) = ½ xᵀAx has Hessian A.
  const quad = (x: Tensor) => {
    const col = matmul(A, tensorColumn(x));
    return mul(sum(mul(tensorColumn(x), col)), 0.5);
  };
  const H = hessian(quad)(tensor([0.2, -0.4, 1]));
  assert.deepEqual(H.toArray(), A.toArray());
  assert.deepEqual(hvp(quad, tensor([0.2, -0.4, 1]), tensor([1, 0, 2])).toArray(), [4, -1, 4]);
});

function tensorColumn(x: Tensor): Tensor {
  return reshape(x, [x.size, 1]);
}

Deno.test("hessian() of a non-quadratic function matches the derivative by hand", () => {
  // f(x, y) = x²y + sin(y)  →  H = [[2y, 2x], [2x, −sin y]]
  const f = (v: Tensor) => {
    return sum(add(mul(square(pick(v, 0)), pick(v, 1)), sin(pick(v, 1))));
  };
  const H = hessian(f)(tensor([0.5, 1.2])).toArray() as number[][];
  close(H[0][0], 2.4);
  close(H[0][1], 1);
  close(H[1][0], 1);
  close(H[1][1], -Math.sin(1.2));
});

function pick(v: Tensor, i: number): Tensor {
  return slice(v, [i], [1]);
}

Deno.test("valueAndGrad() with hasAux passes auxiliary data through", () => {
  const { value, grad: g, aux } = valueAndGrad(
    (x: Tensor) => [sum(square(x)), { note: "hi" }] as [Tensor, { note: string }],
    {
      hasAux: true,
    },
  )(tensor([1, 2]));
  assert.equal(value.item(), 5);
  assert.deepEqual(g.toArray(), [2, 4]);
  assert.deepEqual(aux, { note: "hi" });
});

Deno.test("vjp() can be applied repeatedly to build a Jacobian", () => {
  const { output, vjp: back } = vjp((x: Tensor) => mul(x, cos(x)), tensor([0.1, 0.2]));
  assert.deepEqual(output.shape, [2]);
  const row0 = back(tensor([1, 0])).toArray() as number[];
  const row1 = back(tensor([0, 1])).toArray() as number[];
  close(row0[0], Math.cos(0.1) - 0.1 * Math.sin(0.1));
  assert.equal(row0[1], 0);
  close(row1[1], Math.cos(0.2) - 0.2 * Math.sin(0.2));
});

Deno.test("grad() returns zeros for inputs the output does not depend on", () => {
  const g = grad(({ a }: { a: Tensor; b: Tensor }) => sum(square(a)))({ a: tensor([1]), b: tensor([5, 6]) });
  assert.deepEqual(g.b.toArray(), [0, 0]);
});

Deno.test("grad() of a constant function is zero", () => {
  assert.deepEqual(grad((_x: Tensor) => tensor(3))(tensor([1, 2])).toArray(), [0, 0]);
});

Deno.test("grad() keeps the dtype of each input", () => {
  const g = grad((x: Tensor) => sum(square(x)))(tensor([1, 2], [2], "float32"));
  assert.equal(g.dtype, "float32");
});

Deno.test("stopGradient() blocks one path and keeps the other", () => {
  const g = grad((x: Tensor) => sum(mul(x, stopGradient(square(x)))))(tensor([3]));
  assert.deepEqual(g.toArray(), [9]);
});

Deno.test("grad() throws RangeError naming the shape when the function is not scalar", () => {
  assert.throws(() => grad((x: Tensor) => square(x))(tensor([1, 2])), {
    name: "RangeError",
    message: /must return a scalar tensor \(one element\): current shape is \[2\]/,
  });
});

Deno.test("grad() throws TypeError when the function returns a non-tensor", () => {
  assert.throws(() => grad(((_x: Tensor) => 3) as unknown as (x: Tensor) => Tensor)(tensor([1])), TypeError);
});

Deno.test("vjp() throws RangeError when the cotangent has the wrong shape", () => {
  const { vjp: back } = vjp((x: Tensor) => square(x), tensor([1, 2]));
  assert.throws(() => back(tensor([1, 2, 3])), /cotangent must have the output's shape \[2\]/);
});

Deno.test("grad() does not mutate its inputs", () => {
  const x = tensor([1, 2, 3]);
  grad((v: Tensor) => sum(square(v)))(x);
  assert.deepEqual(x.toArray(), [1, 2, 3]);
  assert.equal(x._node, null);
});

Deno.test("hvp() is curried like grad(): hvp(f)(x, v) equals hvp(f, x, v)", () => {
  const f = (x: Tensor) => sum(mul(square(x), x));
  const x = tensor([1, -2, 0.5]), v = tensor([0.3, 1, -1]);
  assert.deepEqual(hvp(f)(x, v).toArray(), hvp(f, x, v).toArray());
  assert.deepEqual(hvp(f)(x, v).toArray(), [6 * 0.3, 6 * -2, 6 * 0.5 * -1]);
  assert.throws(() => (hvp(f) as (x: Tensor) => Tensor)(x), /needs a point x and a direction v: call hvp\(f\)\(x, v\)/);
});

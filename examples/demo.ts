/**
 * The quick demo: a small sigmoid network learns two interleaved spirals
 * through the flow graph, and the loss goes down.
 *
 *   deno run examples/demo.ts
 *
 * @module
 */

import { applyUpdates, grad, layers, losses, optimizers, Random, tensor, type Tensor, type Tree } from "../mod.ts";

/** Two interleaved spirals in 2-D, labels 0 and 1 (seeded). */
function spirals(n: number, rng: Random): { x: Tensor; y: Tensor } {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = 0.25 + 2.5 * Math.PI * rng.uniform();
    const sign = label === 0 ? 1 : -1;
    xs.push(sign * t * Math.cos(t) / 8 + rng.normal(0, 0.05), sign * t * Math.sin(t) / 8 + rng.normal(0, 0.05));
    ys.push(label);
  }
  return { x: tensor(xs, [n, 2]), y: tensor(ys, [n, 1]) };
}

const rng = new Random(0);
const data = spirals(200, rng);
const model = layers.sequential([
  layers.dense({ units: 16 }),
  layers.sigmoid(),
  layers.dense({ units: 16 }),
  layers.sigmoid(),
  layers.dense({ units: 1 }),
  layers.sigmoid(),
]);
const loss = losses.mse();
const optimizer = optimizers.sgd({ learningRate: 2, momentum: 0.9 });
let { params, state } = model.init([2], rng);
let optState = optimizer.init(params);

const objective = (p: Tree) => loss(model.apply(p as Tree[], state, data.x, { training: true }).output, data.y);
for (let epoch = 0; epoch <= 2000; epoch++) {
  const g = grad(objective)(params);
  if (epoch % 250 === 0) {
    const out = model.apply(params, state, data.x, { training: false }).output;
    const correct = out.data.filter((p, i) => (p > 0.5 ? 1 : 0) === data.y.data[i]).length;
    console.log(`epoch ${String(epoch).padStart(4)}  loss ${objective(params).item().toFixed(5)}  accuracy ${(correct / 2).toFixed(1)}%`);
  }
  const r = optimizer.update(g, optState, params);
  params = applyUpdates(params, r.updates);
  optState = r.state;
  state = model.apply(params, state, data.x, { training: true }).state;
}

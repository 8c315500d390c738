/**
 * ROC AUC: the area under the receiver operating characteristic curve.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";

/** Options for {@linkcode rocAuc} (none yet). */
export type RocAucOptions = Record<string, never>;

/** State of {@linkcode rocAuc}: every score and label added. */
export interface RocAucState {
  /** One score per sample: the output, or output 1 − output 0 for a two-output model. */
  scores: number[];
  /** Whether each sample is positive. */
  positive: boolean[];
}

/**
 * ROC AUC for binary tasks (sklearn's `roc_auc_score`): the probability that a
 * random positive sample scores higher than a random negative one, ties
 * counting one half — the area under the ROC curve, computed exactly from the
 * ranks (Mann–Whitney U) of every score added. The score is the model's output
 * for one output (a probability or a logit: only the order matters), or
 * output 1 minus output 0 for two (softmax probabilities or logits). A target
 * is positive when it exceeds 0.5, so 0/1 and ±1 labels both work; two-output
 * targets may also be one-hot rows or class indices. With only one class among
 * the targets the area is undefined: NaN.
 *
 * @param options None.
 * @returns The metric `"rocAuc"`.
 * @throws {TypeError} For an option; at `update`, a RangeError for more than two outputs or shapes that do not go together.
 *
 * @example
 * ```ts
 * import { rocAuc } from "./roc_auc.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const auc = rocAuc();
 * const state = auc.update(auc.init(), tensor([[0.1], [0.4], [0.35], [0.8]]), tensor([[0], [0], [1], [1]]));
 * assert.equal(auc.result(state), 0.75); // sklearn's example
 * ```
 */
export function rocAuc(options: RocAucOptions = {}): Metric<RocAucState> {
  const owner = 'metric "roc-auc"';
  checkKeys(owner, options, []);
  const shapes = (p: { shape: readonly number[] }, t: { shape: readonly number[] }) =>
    `predictions of shape [${p.shape}] and targets of shape [${t.shape}]`;
  return {
    name: "rocAuc",
    higherIsBetter: true,
    init: () => ({ scores: [], positive: [] }),
    update(state, predictions, targets) {
      const n = predictions.shape[0];
      const k = n > 0 ? predictions.size / n : 0;
      if (predictions.rank < 1 || targets.shape[0] !== n || n === 0 || (k !== 1 && k !== 2)) {
        throw new RangeError(
          `Cannot compute ${owner} for ${
            shapes(predictions, targets)
          }: it is for binary tasks (one output, or two), with one target row per sample`,
        );
      }
      const p = predictions.data, t = targets.data;
      const oneHot = k === 2 && targets.size === 2 * n;
      if (!oneHot && targets.size !== n) {
        throw new RangeError(`Cannot compute ${owner} for ${shapes(predictions, targets)}: one target per sample`);
      }
      for (let i = 0; i < n; i++) {
        state.scores.push(k === 1 ? p[i] : p[2 * i + 1] - p[2 * i]);
        state.positive.push(oneHot ? t[2 * i + 1] > t[2 * i] : t[i] > 0.5);
      }
      return state;
    },
    result({ scores, positive }) {
      const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
      let rankSum = 0, positives = 0;
      for (let start = 0; start < order.length;) {
        let end = start + 1;
        while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
        const rank = (start + 1 + end) / 2; // the mean of ranks start+1 … end, for ties
        for (let j = start; j < end; j++) {
          if (positive[order[j]]) {
            rankSum += rank;
            positives++;
          }
        }
        start = end;
      }
      const negatives = scores.length - positives;
      if (positives === 0 || negatives === 0) return NaN;
      return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    },
  };
}

/** Registers {@linkcode rocAuc} as metric "roc-auc". */
const plugin: Plugin<"metric", RocAucOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "roc-auc",
  description: "Area under the ROC curve for binary tasks, exact from the ranks of the scores (Mann–Whitney U).",
  defaults: {},
  create: rocAuc as Plugin<"metric", RocAucOptions>["create"],
};
export default plugin;

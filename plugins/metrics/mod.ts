/**
 * The built-in metrics: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import accuracyPlugin from "./accuracy.ts";
import confusionMatrixPlugin from "./confusion_matrix.ts";
import f1Plugin from "./f1.ts";
import precisionPlugin from "./precision.ts";
import recallPlugin from "./recall.ts";
import rocAucPlugin from "./roc_auc.ts";
import topKAccuracyPlugin from "./top_k_accuracy.ts";

export { accuracy, type AccuracyOptions } from "./accuracy.ts";
export { confusionMatrix, type ConfusionMatrixOptions, matrixOf } from "./confusion_matrix.ts";
export { f1, type F1Options } from "./f1.ts";
export { precision, type PrecisionOptions } from "./precision.ts";
export { recall, type RecallOptions } from "./recall.ts";
export { rocAuc, type RocAucOptions, type RocAucState } from "./roc_auc.ts";
export { topKAccuracy, type TopKAccuracyOptions, type TopKAccuracyState } from "./top_k_accuracy.ts";
export { type Average, type ClassFigureOptions, type ConfusionState, type Threshold } from "./_confusion.ts";

/** Every built-in metric plugin; a new metric joins the built-ins by being listed here. */
export const metricPlugins: readonly Plugin[] = [
  accuracyPlugin,
  precisionPlugin,
  recallPlugin,
  f1Plugin,
  confusionMatrixPlugin,
  topKAccuracyPlugin,
  rocAucPlugin,
] as Plugin[];

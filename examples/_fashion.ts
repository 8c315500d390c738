/**
 * What the two Fashion-MNIST examples (`fashion_mnist.ts`, the MLP, and
 * `fashion_cnn.ts`, the CNN) share: their flags, loading the data with an
 * error that says how to get it, and the report of a run (the epoch table,
 * test accuracy per class, the target line and the two charts). Not part of
 * the library.
 *
 * @module
 */

import { backends, setBackend } from "../mod.ts";
import { confusionMatrix, matrixOf } from "../plugins/metrics/confusion_matrix.ts";
import { FASHION_MNIST_DIR, loadFashionMnist, type MnistData, predict, type TrainResult } from "../train/mod.ts";
import type { MnistOptions } from "../train/data/mnist.ts";
import type { Dataset } from "../train/data/_rows.ts";
import { lineChart } from "../train/plot/mod.ts";
import { type ExampleFlags, exampleFlags, percent, saveChart, table } from "./_shared.ts";

/** A Fashion-MNIST example's flags, checked, with its backend made active. */
export interface FashionFlags extends ExampleFlags {
  /** Epochs to train. */
  epochs: number;
  /** `wasm`, `js` or `blas`. */
  backendName: string;
  /** The folder holding the four IDX files. */
  dir: string;
}

/**
 * Reads the flags `--epochs`, `--backend` and `--data` besides the common
 * ones, exits 2 with the usage for a bad value (1 when the backend cannot be
 * loaded), and makes the backend active.
 *
 * @param name The example's name (its default output folder is `runs/<name>`).
 * @param usage The usage text.
 * @param defaultEpochs Epochs without `--epochs` (one with `--quick`).
 * @returns The flags.
 *
 * @example
 * ```ts ignore
 * import { fashionFlags } from "./_fashion.ts";
 *
 * const flags = fashionFlags("fashion_mnist", "Usage: …", 5);
 * ```
 */
export function fashionFlags(name: string, usage: string, defaultEpochs: number): FashionFlags {
  const flags = exampleFlags(name, usage, ["epochs", "backend", "data"]);
  const epochs = flags.extra.epochs !== undefined ? Number(flags.extra.epochs) : flags.quick ? 1 : defaultEpochs;
  if (!Number.isInteger(epochs) || epochs < 1) {
    console.error(`--epochs must be a positive integer: current value is ${flags.extra.epochs}\n\n${usage}`);
    Deno.exit(2);
  }
  const backendName = flags.extra.backend ?? "wasm";
  if (!["wasm", "js", "blas"].includes(backendName)) {
    console.error(`--backend must be one of wasm, js, blas: current value is ${backendName}\n\n${usage}`);
    Deno.exit(2);
  }
  try {
    if (backendName === "wasm") setBackend(backends.wasm());
    if (backendName === "blas") setBackend(backends.blas());
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
  return { ...flags, epochs, backendName, dir: flags.extra.data ?? FASHION_MNIST_DIR };
}

/**
 * Loads Fashion-MNIST from `dir`; when the files are missing or not readable,
 * says how to get them (or which permission to give) and exits 1.
 *
 * @param dir The folder.
 * @param options The loader's options besides `dir`.
 * @returns The data.
 *
 * @example
 * ```ts ignore
 * import { loadFashionOrExit } from "./_fashion.ts";
 *
 * const data = await loadFashionOrExit("/usr/share/datasets/fashion-mnist", { limit: 5000 });
 * ```
 */
export async function loadFashionOrExit(dir: string, options: Omit<MnistOptions, "dir"> = {}): Promise<MnistData> {
  try {
    return await loadFashionMnist({ ...options, dir });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      console.error(`${(e as Error).message}\n`);
      console.error("To get Fashion-MNIST (about 30 MB), either:");
      console.error(
        "  sudo apt-get install dataset-fashion-mnist        # Debian/Ubuntu, installs " + FASHION_MNIST_DIR,
      );
      console.error(
        "  or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and\n" +
          "  t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion\n" +
          "  into a folder and pass --data DIR (with --allow-read=runs,DIR).",
      );
      Deno.exit(1);
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      console.error(
        `${(e as Error).message}\nAllow reading the data: deno run --allow-read=runs,${dir} --allow-write=runs …`,
      );
      Deno.exit(1);
    }
    throw e;
  }
}

/** What {@linkcode reportFashionRun} needs besides the run. */
export interface FashionReport {
  /** The model's name in the charts' titles (`"MLP 784-256-128-10"`). */
  model: string;
  /** The test set the run validated on. */
  test: Dataset;
  /** The class names, by class index. */
  classes: readonly string[];
  /** The test accuracy the example aims at, checked when at least `targetEpochs` were trained. */
  target: number;
  targetEpochs: number;
  /** Epochs trained, seconds taken, the backend's name, and whether this was a `--quick` run. */
  epochs: number;
  seconds: number;
  backendName: string;
  quick: boolean;
  /** The output folder for `loss.svg` and `accuracy.svg`. */
  out: string;
}

/**
 * Prints a run's epochs as a table, its test accuracy per class (from the
 * `confusion-matrix` metric on the final weights), its final accuracy with
 * the target, and writes `loss.svg` and `accuracy.svg`.
 *
 * @param result What `train()` returned (run with `recordSteps: true`, validated on `report.test`).
 * @param report What to report on, and where.
 *
 * @example
 * ```ts ignore
 * import { reportFashionRun } from "./_fashion.ts";
 *
 * await reportFashionRun(result, { model: "CNN", test, classes, target: 0.9, targetEpochs: 3, epochs, seconds,
 *   backendName: "wasm", quick: false, out: "runs/fashion_cnn" });
 * ```
 */
export async function reportFashionRun(result: TrainResult, report: FashionReport): Promise<void> {
  const history = result.history.epochs;
  const last = history.at(-1)!;
  const metric = confusionMatrix();
  const counts = matrixOf(
    // In training-sized batches: the CNN's activations for predict()'s default 1024 images take hundreds of MiB.
    metric.result(metric.update(metric.init(), predict(result, report.test.x, { batchSize: 128 }), report.test.y)),
  );
  console.log();
  console.log(table(
    ["epoch", "train loss", "train acc (running)", "test loss", "test acc", "time (s)"],
    history.map((e) => [
      String(e.epoch),
      e.loss.toFixed(4),
      percent(e.accuracy),
      e.valLoss.toFixed(4),
      percent(e.valAccuracy),
      e.time.toFixed(1),
    ]),
  ));
  console.log();
  console.log(table(
    ["class", "test acc"],
    report.classes.map((name, c) => {
      const total = counts[c]?.reduce((a, b) => a + b, 0) ?? 0;
      return [name, total ? percent(counts[c][c] / total) : "—"];
    }),
  ));
  const aim = `target ≥ ${Math.round(100 * report.target)}%`;
  const target = report.quick || report.epochs < report.targetEpochs
    ? ""
    : `  (${aim}: ${last.valAccuracy >= report.target ? "met" : "NOT met"})`;
  console.log(
    `\nTest accuracy ${percent(last.valAccuracy)} after ${report.epochs} epoch(s), ${result.steps} steps, ` +
      `${report.seconds.toFixed(1)} s (${
        (result.steps / report.seconds).toFixed(1)
      } steps/s, backend ${report.backendName})${target}`,
  );

  const steps = result.history.steps;
  const epochAxis = history.map((e) => e.step);
  await saveChart(
    report.out,
    "loss.svg",
    lineChart([
      { name: "training loss per step", x: steps.map((s) => s.step), y: steps.map((s) => s.loss), color: "#9ecae1" },
      { name: "training loss per epoch", x: epochAxis, y: history.map((e) => e.loss) },
      { name: "test loss", x: epochAxis, y: history.map((e) => e.valLoss), dash: "6 3" },
    ], {
      title: `Fashion-MNIST, ${report.model}, Adam`,
      xLabel: "step (batches of 128)",
      yLabel: "softmax cross-entropy",
      logY: true,
      markers: false,
    }),
  );
  await saveChart(
    report.out,
    "accuracy.svg",
    lineChart([
      { name: "training (running, in-epoch)", x: history.map((e) => e.epoch), y: history.map((e) => e.accuracy) },
      { name: "test", x: history.map((e) => e.epoch), y: history.map((e) => e.valAccuracy) },
    ], {
      title: `Fashion-MNIST ${report.model} accuracy per epoch`,
      xLabel: "epoch",
      yLabel: "accuracy",
      markers: true,
    }),
  );
}

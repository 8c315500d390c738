/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The gradflow playground's page: the controls, the URL that records them,
 * the Web Workers that train, and the live views.
 *
 * @module
 */

import type { PluginKind } from "../../core/interfaces.ts";
import { contourPlot } from "../../train/plot/contour_plot.ts";
import { lineChart, type LineSeries } from "../../train/plot/line_chart.ts";
import {
  ACTIVATIONS,
  addPluginInfo,
  BATCHINGS,
  type Choice,
  CLASSIFY_OPTIMIZERS,
  type ClassifyConfig,
  DATASET_INFO,
  DATASETS,
  experimentOf,
  formatNumber,
  fromQuery,
  INITIALIZERS,
  knownNames,
  LOSSES,
  MAX_NEWTON_PARAMS,
  type OptionValue,
  type PageState,
  parameterCount,
  pluginInfo,
  presetChoice,
  RACE_FUNCTIONS,
  type RaceFunctionName,
  type Racer,
  REGULARIZERS,
  SCHEDULERS,
  SECOND_ORDER,
  toQuery,
} from "./config.ts";
import { drawBoundary, drawWeights, type Points, showSvg } from "./draw.ts";
import type { Frame, FromWorker, Grid, ToWorker } from "./protocol.ts";
import { RACE, raceLearningRate, type RaceResult } from "./race.ts";

// ---------------------------------------------------------------------------------------------------------
// Small DOM helpers.

type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

function $(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`The page lacks the element #${id}`);
  return node;
}

let uid = 0;
const nextId = (stem: string) => `${stem}-${++uid}`;

/** A labelled `<select>`. */
function selectField(
  label: string,
  value: string,
  options: readonly (readonly [string, string])[],
  onChange: (value: string) => void,
  hint?: string,
): HTMLElement {
  const id = nextId("f");
  const select = h(
    "select",
    { id, onchange: (e) => onChange((e.target as HTMLSelectElement).value) },
    ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    select,
    hint ? h("p", { class: "hint" }, hint) : null,
  );
}

/** A labelled number input that commits valid values on change. */
function numberField(
  label: string,
  value: number,
  onChange: (value: number) => void,
  limits: { min?: number; max?: number; step?: number | "any"; integer?: boolean } = {},
): HTMLElement {
  const id = nextId("f");
  const input = h("input", {
    id,
    type: "number",
    inputmode: limits.integer ? "numeric" : "decimal",
    value: String(value),
    min: limits.min,
    max: limits.max,
    step: limits.step ?? "any",
    onchange: (e) => {
      const target = e.target as HTMLInputElement;
      const x = Number(target.value);
      const ok = target.value.trim() !== "" && Number.isFinite(x) && (limits.min === undefined || x >= limits.min) &&
        (limits.max === undefined || x <= limits.max) && (!limits.integer || Number.isInteger(x));
      target.setAttribute("aria-invalid", String(!ok));
      if (ok) onChange(x);
    },
  });
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

/** A labelled range slider with its value shown. */
function rangeField(
  label: string,
  value: number,
  min: number,
  max: number,
  step: number,
  onChange: (value: number) => void,
): HTMLElement {
  const id = nextId("f");
  const output = h("output", { for: id }, formatNumber(value));
  const input = h("input", {
    id,
    type: "range",
    min,
    max,
    step,
    value: String(value),
    oninput: (e) => (output.textContent = formatNumber(Number((e.target as HTMLInputElement).value))),
    onchange: (e) => onChange(Number((e.target as HTMLInputElement).value)),
  });
  return h("div", { class: "field range" }, h("label", { for: id }, label, " ", output), input);
}

/** A labelled checkbox. */
function checkField(label: string, value: boolean, onChange: (value: boolean) => void): HTMLElement {
  const id = nextId("f");
  return h(
    "div",
    { class: "field check" },
    h("input", {
      id,
      type: "checkbox",
      checked: value,
      onchange: (e) => onChange((e.target as HTMLInputElement).checked),
    }),
    h("label", { for: id }, label),
  );
}

/** An option's name as a label: `learningRate` → "Learning rate". */
function optionLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
}

/** Fields for a plugin's options (numbers, booleans, strings), from its defaults; `skip` are shown elsewhere. */
function optionFields(kind: PluginKind, choice: Choice, onChange: (c: Choice) => void, skip: string[] = []) {
  const defaults = pluginInfo(kind, choice.name)?.defaults ?? {};
  const keys = [...new Set([...Object.keys(defaults), ...Object.keys(choice)])].filter((k) =>
    k !== "name" && !skip.includes(k)
  );
  return keys.map((key) => {
    const value = (choice[key] ?? defaults[key]) as OptionValue | undefined;
    const set = (v: OptionValue) => onChange({ ...choice, [key]: v });
    if (typeof value === "boolean") return checkField(optionLabel(key), value, set);
    if (typeof value === "number") return numberField(optionLabel(key), value, set);
    const id = nextId("f");
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, optionLabel(key)),
      h("input", {
        id,
        type: "text",
        value: value ?? "",
        onchange: (e) => set((e.target as HTMLInputElement).value),
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------------------
// State and URL.

const parsed = fromQuery(location.search);
const state: PageState = parsed.state;
const startupWarnings = parsed.warnings;

function saveUrl(): void {
  const url = `${location.pathname}?${toQuery(state)}`;
  history.replaceState(null, "", url);
}

function labelOf(name: string): string {
  const special: Record<string, string> = {
    "sgd": "SGD",
    "lbfgs": "L-BFGS",
    "adamw": "AdamW",
    "rmsprop": "RMSProp",
    "adagrad": "AdaGrad",
    "adadelta": "AdaDelta",
    "bfgs": "BFGS",
    "newton": "Newton",
    "damped-newton": "Damped Newton",
    "hessian-free": "Hessian-free",
    "lion": "Lion",
    "mse": "MSE",
    "l1": "L1",
    "l2": "L2",
    "binary-cross-entropy": "Binary cross-entropy",
    "xavier-uniform": "Xavier (uniform)",
    "xavier-normal": "Xavier (normal)",
    "he-uniform": "He (uniform)",
    "he-normal": "He (normal)",
    "tanh": "tanh",
    "relu": "ReLU",
  };
  if (special[name]) return special[name];
  const text = name.replaceAll("-", " ");
  return text[0].toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------------------
// Training runs.

const GRID_N = 48;

function gridOf(config: ClassifyConfig): Grid {
  const s = config.noise;
  const [cx, cy, half] = config.data === "xor"
    ? [0.5, 0.5, 0.7 + 2 * s]
    : config.data === "two-gaussians"
    ? [0, 0, 1 + 3 * s]
    : [0, 0, 1.1 + 2 * s];
  return { x: [cx - half, cx + half], y: [cy - half, cy + half], n: GRID_N };
}

interface RunView {
  key: "a" | "b";
  config: ClassifyConfig;
  worker: Worker;
  grid: Grid;
  backend: string;
  points: Points | null;
  frame: Frame | null;
  epochs: Record<string, number>[];
  error: string | null;
  dirty: boolean;
  chartsDirty: boolean;
  root: HTMLElement;
  boundary: HTMLCanvasElement;
  weights: HTMLCanvasElement;
  weightsCaption: HTMLElement;
  norms: HTMLElement;
  status: HTMLElement;
  metricsWaiters: ((m: { jsonl: string; epochs: number }) => void)[];
}

const runs: { a: RunView | null; b: RunView | null } = { a: null, b: null };
let playing = false;
/** The run the controls edit. */
let editing: "a" | "b" = "a";

function workerUrl(): URL {
  return new URL("./worker.js", import.meta.url);
}

function newWorker(onMessage: (m: FromWorker) => void): Worker {
  const worker = new Worker(workerUrl(), { type: "module", name: "gradflow" });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    console.error(`gradflow worker: ${e.message}`);
  };
  return worker;
}

function send(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

function pluginUrlsFor(config: ClassifyConfig): string[] {
  const url = pluginInfo("optimizer", config.optimizer.name)?.url;
  return url ? [url] : [];
}

function buildRunView(key: "a" | "b", config: ClassifyConfig): RunView {
  const title = state.b === null ? "Decision boundary" : `Run ${key.toUpperCase()}: decision boundary`;
  const boundary = h("canvas", {
    class: "boundary",
    role: "img",
    "aria-label": `${title}: the model's output over the plane (orange class 0, blue class 1) with the data`,
  });
  const weights = h("canvas", { class: "weights", role: "img", "aria-label": "The weights of each layer" });
  const weightsCaption = h("figcaption", {}, "Weights");
  const norms = h("div", { class: "chart norms" });
  const status = h("p", { class: "run-status", "aria-live": "off" }, "…");
  const root = h(
    "section",
    { class: `run run-${key}`, "aria-label": `Run ${key.toUpperCase()}` },
    h(
      "h2",
      {},
      state.b === null ? "Model" : `Run ${key.toUpperCase()}`,
      h("span", { class: "summary" }, summary(config)),
    ),
    h(
      "figure",
      { class: "boundary-figure" },
      boundary,
      h(
        "figcaption",
        {},
        h("span", { class: "swatch c0" }),
        "class 0 ",
        h("span", { class: "swatch c1" }),
        "class 1 ",
        h("span", { class: "swatch held" }),
        "validation",
      ),
    ),
    status,
    h("figure", { class: "weights-figure" }, weightsCaption, weights),
    h("figure", { class: "norms-figure" }, norms),
  );
  const run: RunView = {
    key,
    config,
    worker: null as unknown as Worker,
    grid: gridOf(config),
    backend: "",
    points: null,
    frame: null,
    epochs: [],
    error: null,
    dirty: true,
    chartsDirty: true,
    root,
    boundary,
    weights,
    weightsCaption,
    norms,
    status,
    metricsWaiters: [],
  };
  run.worker = newWorker((m) => onRunMessage(run, m));
  const urls = [...new Set([...state.plugins, ...pluginUrlsFor(config)])];
  if (urls.length > 0) send(run.worker, { type: "plugins", urls });
  send(run.worker, { type: "train", experiment: experimentOf(config, { epochs: 100 }), grid: run.grid });
  if (playing) send(run.worker, { type: "play" });
  return run;
}

function summary(config: ClassifyConfig): string {
  const parts = [
    [2, ...config.hidden, 1].join("-") + " " + config.activation,
    labelOf(config.initializer.name).toLowerCase() + " init",
    labelOf(config.optimizer.name) +
    (typeof config.optimizer.learningRate === "number" ? ` lr ${config.optimizer.learningRate}` : ""),
  ];
  if (config.scheduler) parts.push(config.scheduler.name + " schedule");
  if (config.regularizer) parts.push(config.regularizer.name);
  return parts.join(" · ");
}

function onRunMessage(run: RunView, m: FromWorker): void {
  if (runs[run.key] !== run) return;
  switch (m.type) {
    case "ready":
      run.backend = m.backend;
      return;
    case "plugins":
      for (const info of m.loaded) addPluginInfo(info);
      if (m.errors.length > 0) run.error = m.errors.map((e) => e.message).join("; ");
      return;
    case "data":
      run.points = { xy: m.points, labels: m.labels, validation: m.validation };
      run.dirty = true;
      return;
    case "frame":
      run.frame = m;
      if (m.epochs.length > 0) {
        run.epochs.push(...m.epochs);
        run.chartsDirty = true;
      }
      run.dirty = true;
      return;
    case "error":
      run.error = m.message;
      run.dirty = true;
      if (run.key === "a" || runs.a?.error) setPlaying(false);
      return;
    case "metrics":
      run.metricsWaiters.splice(0).forEach((w) => w(m));
      return;
  }
}

function resetRuns(): void {
  for (const key of ["a", "b"] as const) {
    runs[key]?.worker.terminate();
    runs[key] = null;
  }
  const container = $("runs");
  container.replaceChildren();
  container.classList.toggle("compare", state.b !== null);
  runs.a = buildRunView("a", state.a);
  container.append(runs.a.root);
  if (state.b !== null) {
    runs.b = buildRunView("b", state.b);
    container.append(runs.b.root);
  }
  lossChartDirty = true;
}

function setPlaying(on: boolean): void {
  playing = on;
  const button = $("play");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Pause" : "Play";
  button.setAttribute("aria-label", on ? "Pause training" : "Start training");
  for (const run of [runs.a, runs.b]) if (run) send(run.worker, { type: on ? "play" : "pause" });
}

// ---------------------------------------------------------------------------------------------------------
// Classification controls.

function editConfig(): ClassifyConfig {
  return editing === "b" && state.b !== null ? state.b : state.a;
}

let restartTimer: ReturnType<typeof setTimeout> | undefined;
function changed(update: (c: ClassifyConfig) => void, rebuildControls = false): void {
  update(editConfig());
  saveUrl();
  if (rebuildControls) renderControls();
  updateHints();
  clearTimeout(restartTimer);
  restartTimer = setTimeout(resetRuns, 120);
}

function section(title: string, ...fields: (HTMLElement | HTMLElement[] | null)[]): HTMLElement {
  return h(
    "details",
    { class: "group", open: !narrow() },
    h("summary", {}, title),
    ...fields.flat().filter((f): f is HTMLElement => f !== null),
  );
}

function narrow(): boolean {
  return globalThis.matchMedia?.("(max-width: 760px)").matches ?? false;
}

const openGroups = new Map<string, boolean>();

function renderControls(): void {
  const form = $("controls") as HTMLFormElement;
  // Keep the groups the student opened or closed as they were.
  for (const d of form.querySelectorAll("details")) openGroups.set(d.querySelector("summary")!.textContent!, d.open);
  const c = editConfig();
  const info = DATASET_INFO[c.data];
  const compare = h(
    "div",
    { class: "compare-box" },
    checkField("Compare two runs side by side", state.b !== null, (on) => {
      state.b = on ? structuredClone(state.a) : null;
      editing = on ? "b" : "a";
      saveUrl();
      renderControls();
      resetRuns();
    }),
    state.b === null ? null : h(
      "div",
      { class: "run-tabs", role: "radiogroup", "aria-label": "Settings of" },
      ...(["a", "b"] as const).map((key) =>
        h(
          "button",
          {
            type: "button",
            role: "radio",
            "aria-checked": String(editing === key),
            class: `run-tab run-tab-${key}`,
            onclick: () => {
              editing = key;
              renderControls();
            },
          },
          `Run ${key.toUpperCase()}`,
        )
      ),
    ),
    state.b === null ? null : h("p", { class: "hint" }, "Change run B (e.g. its initializer) and compare."),
  );

  const optimizers = [
    ...new Set([...CLASSIFY_OPTIMIZERS, ...knownNames("optimizer").filter((n) => pluginInfo("optimizer", n)?.url)]),
  ];
  const opt = c.optimizer;
  const optDefaults = pluginInfo("optimizer", opt.name)?.defaults ?? {};
  const hasRate = "learningRate" in optDefaults || "learningRate" in opt;
  const secondOrder = SECOND_ORDER.includes(opt.name);

  const groups = [
    section(
      "Data",
      selectField("Data set", c.data, DATASETS.map((d) => [d, DATASET_INFO[d].label] as const), (v) =>
        changed((k) => {
          k.data = v as ClassifyConfig["data"];
          k.noise = DATASET_INFO[k.data].noise;
        }, true)),
      rangeField(
        `Noise (${info.noiseKey === "std" ? "σ of each cloud" : "σ"})`,
        c.noise,
        0,
        info.maxNoise,
        info.maxNoise / 60,
        (v) => changed((k) => (k.noise = Number(v.toPrecision(3)))),
      ),
      numberField("Samples", c.samples, (v) => changed((k) => (k.samples = v)), {
        min: 4,
        max: 2000,
        integer: true,
        step: 1,
      }),
      rangeField(
        "Validation share",
        c.validation,
        0,
        0.5,
        0.05,
        (v) => changed((k) => (k.validation = Number(v.toFixed(2)))),
      ),
      numberField("Seed", c.seed, (v) => changed((k) => (k.seed = v)), { integer: true, step: 1 }),
    ),
    section(
      "Network",
      (() => {
        const id = nextId("f");
        return h(
          "div",
          { class: "field" },
          h("label", { for: id }, "Hidden layers (units, comma-separated)"),
          h("input", {
            id,
            type: "text",
            inputmode: "numeric",
            value: c.hidden.join(", "),
            pattern: "^\\s*(\\d+\\s*(,\\s*\\d+\\s*)*)?$",
            onchange: (e) => {
              const target = e.target as HTMLInputElement;
              const text = target.value.trim();
              const units = text === "" ? [] : text.split(",").map((u) => Number(u.trim()));
              const ok = units.length <= 8 && units.every((u) => Number.isInteger(u) && u >= 1 && u <= 64);
              target.setAttribute("aria-invalid", String(!ok));
              if (ok) changed((k) => (k.hidden = units));
            },
          }),
          h("p", { class: "hint" }, "Up to 8 layers of 1–64 units; empty for none (logistic regression)."),
        );
      })(),
      selectField(
        "Activation",
        c.activation,
        ACTIVATIONS.map((a) => [a, labelOf(a)] as const),
        (v) => changed((k) => (k.activation = v as ClassifyConfig["activation"])),
      ),
      selectField(
        "Initializer (weights)",
        c.initializer.name,
        INITIALIZERS.map((i) => [i, labelOf(i)] as const),
        (v) => changed((k) => (k.initializer = presetChoice("initializer", v)), true),
      ),
      optionFields("initializer", c.initializer, (ch) => changed((k) => (k.initializer = ch))),
      selectField(
        "Loss",
        c.loss,
        LOSSES.map((l) => [l, l === "hinge" ? "Hinge (±1 labels, linear output)" : labelOf(l)] as const),
        (v) => changed((k) => (k.loss = v as ClassifyConfig["loss"])),
      ),
    ),
    section(
      "Optimizer",
      selectField("Optimizer", opt.name, optimizers.map((o) => [o, labelOf(o)] as const), (v) =>
        changed((k) => {
          k.optimizer = presetChoice("optimizer", v, "classify");
          if (SECOND_ORDER.includes(v)) k.batching = "full";
          if (
            SECOND_ORDER.includes(v) && k.scheduler && !("learningRate" in (pluginInfo("optimizer", v)?.defaults ?? {}))
          ) {
            k.scheduler = null;
          }
        }, true), pluginInfo("optimizer", opt.name)?.description),
      hasRate
        ? numberField(
          "Learning rate",
          Number(opt.learningRate ?? optDefaults.learningRate),
          (v) => changed((k) => (k.optimizer = { ...k.optimizer, learningRate: v })),
          { min: 0 },
        )
        : null,
      h(
        "details",
        { class: "more" },
        h("summary", {}, "More options"),
        ...optionFields("optimizer", opt, (ch) => changed((k) => (k.optimizer = ch)), ["learningRate"]),
      ),
      hasRate
        ? selectField(
          "Learning-rate schedule",
          c.scheduler?.name ?? "none",
          [["none", "Constant"] as const, ...SCHEDULERS.map((s) => [s, labelOf(s)] as const)],
          (v) => changed((k) => (k.scheduler = v === "none" ? null : presetChoice("scheduler", v)), true),
          c.scheduler ? pluginInfo("scheduler", c.scheduler.name)?.description : undefined,
        )
        : null,
      c.scheduler && hasRate
        ? optionFields("scheduler", c.scheduler, (ch) => changed((k) => (k.scheduler = ch)), ["learningRate"])
        : null,
      secondOrder
        ? h(
          "p",
          { class: "hint", id: "second-order-hint" },
          `Second-order: full batch, small nets only (at most ${MAX_NEWTON_PARAMS} parameters for damped Newton).`,
        )
        : null,
    ),
    section(
      "Regularization and batches",
      selectField(
        "Regularizer",
        c.regularizer?.name ?? "none",
        [["none", "None"] as const, ...REGULARIZERS.map((r) => [r, labelOf(r)] as const)],
        (v) => changed((k) => (k.regularizer = v === "none" ? null : presetChoice("regularizer", v)), true),
        c.regularizer ? pluginInfo("regularizer", c.regularizer.name)?.description : undefined,
      ),
      c.regularizer ? optionFields("regularizer", c.regularizer, (ch) => changed((k) => (k.regularizer = ch))) : null,
      selectField(
        "Batches",
        c.batching,
        BATCHINGS.map((b) =>
          [
            b,
            {
              "minibatch-shuffled": "Minibatches, reshuffled each epoch",
              "minibatch-fixed": "Minibatches, made once",
              "single": "One sample at a time",
              "full": "Full batch",
            }[b],
          ] as const
        ),
        (v) => changed((k) => (k.batching = v as ClassifyConfig["batching"]), true),
      ),
      c.batching.startsWith("minibatch")
        ? numberField("Batch size", c.batchSize, (v) => changed((k) => (k.batchSize = v)), {
          min: 1,
          max: 2000,
          integer: true,
          step: 1,
        })
        : null,
    ),
  ];
  for (const g of groups) {
    const title = g.querySelector("summary")!.textContent!;
    if (openGroups.has(title)) (g as HTMLDetailsElement).open = openGroups.get(title)!;
  }
  form.replaceChildren(compare, ...groups, h("p", { class: "hint warn", id: "config-hint", role: "status" }));
  updateHints();
}

function updateHints(): void {
  const node = document.getElementById("config-hint");
  if (!node) return;
  const c = editConfig();
  const notes: string[] = [];
  if (c.optimizer.name === "damped-newton" && parameterCount(c) > MAX_NEWTON_PARAMS) {
    notes.push(
      `This net has ${parameterCount(c)} parameters: damped Newton's Hessian would be slow. Use fewer units.`,
    );
  }
  node.textContent = notes.join(" ");
}

// ---------------------------------------------------------------------------------------------------------
// Drawing the runs.

let lossChartDirty = true;
let lastChartDraw = 0;
const fps = { frames: 0, busy: 0, since: performance.now(), value: 0 };

function runStatus(run: RunView): string {
  if (run.error) return `Stopped: ${run.error}`;
  const f = run.frame;
  if (f === null) return "Starting…";
  const last = run.epochs.at(-1);
  const parts = [`epoch ${f.epoch}`, `step ${f.step}`];
  if (f.loss !== null) parts.push(`loss ${formatNumber(f.loss)}`);
  if (last?.accuracy !== undefined) parts.push(`accuracy ${(100 * last.accuracy).toFixed(1)}%`);
  if (last?.valAccuracy !== undefined) parts.push(`validation ${(100 * last.valAccuracy).toFixed(1)}%`);
  return parts.join(" · ");
}

const LAYER_NAMES = (indices: number[]) =>
  indices.map((_i, k) => (k === indices.length - 1 ? "output" : `layer ${k + 1}`));

function drawRun(run: RunView): void {
  const signed = run.config.loss === "hinge";
  drawBoundary(run.boundary, run.grid, run.frame?.boundary ?? null, run.points, signed);
  if (run.frame) {
    const scale = drawWeights(run.weights, run.frame.weights);
    run.weightsCaption.textContent = `Weights (last row: biases), largest |w| = ${formatNumber(scale)}`;
  }
  run.status.textContent = runStatus(run);
  run.status.classList.toggle("error", run.error !== null);
  run.root.dataset.step = String(run.frame?.step ?? 0);
  run.root.dataset.epoch = String(run.frame?.epoch ?? 0);
  const last = run.epochs.at(-1);
  if (last?.accuracy !== undefined) run.root.dataset.accuracy = String(last.accuracy);
}

function drawNorms(run: RunView): void {
  const keys = Object.keys(run.epochs[0] ?? {}).filter((k) => k.startsWith("gradNorm."));
  const indices = keys.map((k) => Number(k.slice(9))).sort((p, q) => p - q);
  const names = LAYER_NAMES(indices);
  const x = run.epochs.map((e) => e.epoch);
  const series: LineSeries[] = indices.map((i, k) => ({
    name: names[k],
    x,
    y: run.epochs.map((e) => e[`gradNorm.${i}`]),
  }));
  showSvg(
    run.norms,
    lineChart(series, {
      title: "Gradient norm per layer (log scale)",
      xLabel: "epoch",
      yLabel: "‖∂J/∂W‖",
      logY: true,
      width: 480,
      height: 260,
      markers: false,
    }),
    `norms-${run.key}`,
  );
}

function drawLossChart(): void {
  const series: LineSeries[] = [];
  const colors = { a: ["#0072B2", "#56B4E9"], b: ["#D55E00", "#E69F00"] };
  for (const run of [runs.a, runs.b]) {
    if (!run) continue;
    const name = state.b === null ? "" : `${run.key.toUpperCase()} `;
    const x = run.epochs.map((e) => e.epoch);
    series.push({ name: `${name}training`, x, y: run.epochs.map((e) => e.loss), color: colors[run.key][0] });
    if (run.config.validation > 0) {
      series.push({
        name: `${name}validation`,
        x,
        y: run.epochs.map((e) => e.valLoss ?? NaN),
        color: colors[run.key][1],
        dash: "6 3",
      });
    }
  }
  const values = series.flatMap((s) => s.y).filter((v) => v > 0 && Number.isFinite(v));
  const logY = values.length > 1 && Math.max(...values) / Math.min(...values) > 10;
  showSvg(
    $("loss-chart"),
    lineChart(series, {
      title: `Loss${logY ? " (log scale)" : ""}`,
      xLabel: "epoch",
      yLabel: "loss",
      logY,
      width: 720,
      height: 300,
      markers: false,
    }),
    "loss",
  );
}

function frameLoop(now: number): void {
  requestAnimationFrame(frameLoop);
  const began = performance.now();
  let drew = false;
  for (const run of [runs.a, runs.b]) {
    if (run?.dirty) {
      drawRun(run);
      run.dirty = false;
      drew = true;
    }
  }
  // The SVG charts are rebuilt a few times a second; the canvases every frame.
  if (now - lastChartDraw > 250) {
    for (const run of [runs.a, runs.b]) {
      if (run?.chartsDirty) {
        drawNorms(run);
        run.chartsDirty = false;
        lossChartDirty = true;
      }
    }
    if (lossChartDirty) {
      drawLossChart();
      lossChartDirty = false;
    }
    lastChartDraw = now;
  }
  if (drew) fps.frames++;
  fps.busy += performance.now() - began;
  if (now - fps.since >= 1000) {
    fps.value = fps.frames * 1000 / (now - fps.since);
    // The main thread's drawing time per drawn frame (the charts' share included), for the benchmark.
    $("speed").dataset.drawMs = fps.frames > 0 ? (fps.busy / fps.frames).toFixed(2) : "0";
    fps.frames = 0;
    fps.busy = 0;
    fps.since = now;
    const rate = runs.a?.frame?.stepsPerSecond ?? 0;
    const speed = $("speed");
    speed.textContent = playing
      ? `${Math.round(rate).toLocaleString("en")} steps/s · ${Math.round(fps.value)} fps`
      : `backend: ${runs.a?.backend || "…"}`;
    speed.dataset.stepsPerSecond = String(rate);
    speed.dataset.fps = String(fps.value);
  }
  if (raceAnimation) raceAnimation(now);
}

// ---------------------------------------------------------------------------------------------------------
// Export.

function exportRun(run: RunView): void {
  const epochs = run.epochs.length;
  const experiment = experimentOf(run.config, {
    name: state.b === null ? "playground" : `playground-${run.key}`,
    epochs: epochs > 0 ? epochs : 100,
    backend: run.backend || undefined,
    plugins: pluginUrlsFor(run.config),
  });
  const text = JSON.stringify(experiment, null, 2) + "\n";
  const dialog = $("export-dialog") as HTMLDialogElement;
  ($("export-json") as HTMLTextAreaElement).value = text;
  const file = `${experiment.name}.json`;
  $("export-command").textContent = `deno task gradflow train ${file}`;
  $("export-note").textContent = epochs > 0
    ? `It trains the ${epochs} epoch${
      epochs === 1 ? "" : "s"
    } this run completed: Deno gives the same loss curve, bit for bit, on the ${run.backend || "same"} backend.`
    : "No epoch has completed yet: the file trains 100 epochs.";
  const jsonLink = $("export-download") as HTMLAnchorElement;
  URL.revokeObjectURL(jsonLink.href);
  jsonLink.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  jsonLink.download = file;
  const metricsLink = $("export-metrics") as HTMLAnchorElement;
  metricsLink.setAttribute("aria-disabled", "true");
  metricsLink.removeAttribute("href");
  run.metricsWaiters.push(({ jsonl }) => {
    URL.revokeObjectURL(metricsLink.href);
    metricsLink.href = URL.createObjectURL(new Blob([jsonl], { type: "application/x-ndjson" }));
    metricsLink.download = "metrics.jsonl";
    metricsLink.setAttribute("aria-disabled", "false");
  });
  send(run.worker, { type: "metrics" });
  const choose = $("export-runs");
  choose.replaceChildren(
    ...(state.b === null ? [] : (["a", "b"] as const).map((key) =>
      h("button", {
        type: "button",
        "aria-pressed": String(run.key === key),
        onclick: () => runs[key] && exportRun(runs[key]!),
      }, `Run ${key.toUpperCase()}`)
    )),
  );
  if (!dialog.open) dialog.showModal();
}

// ---------------------------------------------------------------------------------------------------------
// The race.

let raceWorker: Worker | null = null;
let raceId = 0;
let raceResults: (RaceResult | undefined)[] = [];
let raceAnimation: ((now: number) => void) | null = null;
let raceTimer: ReturnType<typeof setTimeout> | undefined;

function raceMessage(m: FromWorker): void {
  switch (m.type) {
    case "plugins": {
      for (const info of m.loaded) addPluginInfo(info);
      pluginLoaded(m.loaded, m.errors);
      return;
    }
    case "racer":
      if (m.id === raceId) raceResults[m.index] = m.result;
      return;
    case "race-done":
      if (m.id === raceId) showRace();
      return;
    case "error":
      $("race-status").textContent = `The race failed: ${m.message}`;
      return;
  }
}

function ensureRaceWorker(): Worker {
  if (raceWorker === null) {
    raceWorker = newWorker(raceMessage);
    if (state.plugins.length > 0) send(raceWorker, { type: "plugins", urls: state.plugins });
  }
  return raceWorker;
}

function startRace(): void {
  clearTimeout(raceTimer);
  raceTimer = setTimeout(() => {
    raceId++;
    raceResults = [];
    $("race-status").textContent = "Racing…";
    send(ensureRaceWorker(), {
      type: "race",
      id: raceId,
      fn: state.race.fn,
      steps: state.race.steps,
      racers: structuredClone(state.race.racers),
    });
  }, 150);
}

function raceChanged(rebuild = true): void {
  saveUrl();
  if (rebuild) renderRaceControls();
  startRace();
}

function racerRow(racer: Racer, index: number): HTMLElement {
  const names = [...new Set([...knownNames("optimizer").filter((n) => !["chain", "clip-by-global-norm"].includes(n))])];
  const defaults = pluginInfo("optimizer", racer.optimizer.name)?.defaults ?? {};
  const hasRate = "learningRate" in defaults || "learningRate" in racer.optimizer;
  const update = (r: Racer) => {
    state.race.racers[index] = r;
    raceChanged();
  };
  return h(
    "li",
    { class: "racer" },
    h("span", { class: "racer-color", style: `background:${racerColor(index)}` }),
    selectField(`Racer ${index + 1}`, racer.optimizer.name, names.map((n) => [n, labelOf(n)] as const), (v) => {
      const lr = raceLearningRate(state.race.fn, v);
      const info = pluginInfo("optimizer", v);
      const fallback = info?.url && "learningRate" in info.defaults
        ? raceLearningRate(state.race.fn, "adam")
        : undefined;
      const rate = lr ?? fallback;
      const optimizer = { ...presetChoice("optimizer", v), ...(rate !== undefined ? { learningRate: rate } : {}) };
      update({ optimizer, schedule: "learningRate" in (info?.defaults ?? {}) ? racer.schedule : null });
    }),
    hasRate
      ? numberField(
        "Learning rate",
        Number(racer.optimizer.learningRate ?? defaults.learningRate),
        (v) => update({ ...racer, optimizer: { ...racer.optimizer, learningRate: v } }),
        { min: 0 },
      )
      : h("div", { class: "field placeholder" }, h("span", { class: "hint" }, "no learning rate")),
    hasRate
      ? selectField(
        "Schedule",
        racer.schedule?.name ?? "none",
        [["none", "Constant"] as const, ...SCHEDULERS.map((s) => [s, labelOf(s)] as const)],
        (v) => update({ ...racer, schedule: v === "none" ? null : presetChoice("scheduler", v) }),
      )
      : null,
    h("button", {
      type: "button",
      class: "remove",
      "aria-label": `Remove racer ${index + 1} (${racer.optimizer.name})`,
      onclick: () => {
        state.race.racers.splice(index, 1);
        raceChanged();
      },
    }, "Remove"),
  );
}

const RACE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A000"];
function racerColor(i: number): string {
  return RACE_COLORS[i % RACE_COLORS.length];
}

function renderRaceControls(): void {
  const race = state.race;
  const fn = RACE[race.fn];
  $("race-controls").replaceChildren(
    selectField("Function", race.fn, RACE_FUNCTIONS.map((f) => [f, RACE[f].label] as const), (v) => {
      race.fn = v as RaceFunctionName;
      // Each function has its own scale: start each racer at the rate that suits it.
      race.racers = race.racers.map((r) => {
        const lr = raceLearningRate(race.fn, r.optimizer.name);
        return lr === undefined ? r : { ...r, optimizer: { ...r.optimizer, learningRate: lr } };
      });
      raceChanged();
    }, fn.about),
    numberField("Steps (at most)", race.steps, (v) => {
      race.steps = v;
      raceChanged(false);
    }, { min: 1, max: 5000, integer: true, step: 1 }),
    h("h3", {}, "Racers"),
    h("ol", { class: "racers" }, ...race.racers.map(racerRow)),
    h("button", {
      type: "button",
      onclick: () => {
        const name = "adam";
        race.racers.push({
          optimizer: { name, learningRate: raceLearningRate(race.fn, name) ?? 0.01 },
          schedule: null,
        });
        raceChanged();
      },
    }, "Add a racer"),
  );
}

function pluginLoaded(
  loaded: { kind: string; name: string; url?: string }[],
  errors: { url: string; message: string }[],
) {
  const status = $("plugin-status");
  if (errors.length > 0) {
    status.textContent = errors.map((e) => e.message).join(" ");
    status.classList.add("error");
    return;
  }
  status.classList.remove("error");
  if (loaded.length === 0) return;
  let added = false;
  for (const p of loaded) {
    if (p.url && !state.plugins.includes(p.url)) state.plugins.push(p.url);
    if (p.kind === "optimizer" && !state.race.racers.some((r) => r.optimizer.name === p.name)) {
      const info = pluginInfo("optimizer", p.name);
      const lr = info && "learningRate" in info.defaults ? raceLearningRate(state.race.fn, "adam") : undefined;
      state.race.racers.push({
        optimizer: { name: p.name, ...(lr !== undefined ? { learningRate: lr } : {}) },
        schedule: null,
      });
      added = true;
    }
  }
  status.textContent = `Loaded ${loaded.map((p) => `${p.kind} "${p.name}"`).join(", ")}${
    added ? ": it joins the race (and the optimizer menu of Classify)." : "."
  }`;
  saveUrl();
  renderRaceControls();
  renderControls();
  startRace();
}

function loadPluginUrl(url: string): void {
  const status = $("plugin-status");
  status.classList.remove("error");
  status.textContent = `Loading ${url}…`;
  send(ensureRaceWorker(), { type: "plugins", urls: [new URL(url, location.href).href] });
}

function showRace(): void {
  const race = state.race;
  const fn = RACE[race.fn];
  const results = raceResults.filter((r): r is RaceResult => r !== undefined);
  const finished = results.map((r) => r);
  const failures = finished.filter((r) => r.error !== null);
  $("race-status").textContent = `${finished.length} racers, up to ${race.steps} steps${
    failures.length ? `; ${failures.map((r) => `${r.label} stopped: ${r.error}`).join("; ")}` : ""
  }.`;
  const svg = contourPlot(fn.plain, {
    x: fn.x,
    y: fn.y,
    levels: 16,
    levelScale: fn.levelScale,
    optimum: fn.optimum,
    resolution: 100,
    paths: finished.map((r, i) => ({ name: r.label, points: r.path, color: racerColor(i) })),
    title: `${fn.label} from (${fn.start.join(", ")})`,
    width: 720,
    height: 560,
  });
  const contour = $("race-contour");
  showSvg(contour, svg, "race");
  contour.dataset.racers = String(finished.length);
  const moved = finished.map((r) => stepsThatMoved(r.path));
  const lossSeries = finished.map((r, i) => ({
    name: r.label,
    y: r.losses.slice(0, moved[i] + 1).map((v) => Math.max(v, 1e-16)),
    color: racerColor(i),
  }));
  const byStep = $("race-steps"), byGrad = $("race-grads");
  showSvg(
    byStep,
    lineChart(lossSeries, {
      title: "f against steps",
      xLabel: "step",
      yLabel: "f (log scale)",
      logY: true,
      markers: false,
      width: 560,
      height: 340,
    }),
    "race-steps",
  );
  showSvg(
    byGrad,
    lineChart(
      finished.map((r, i) => ({
        name: r.label,
        x: r.gradients.slice(0, moved[i] + 1),
        y: r.losses.slice(0, moved[i] + 1).map((v) => Math.max(v, 1e-16)),
        color: racerColor(i),
      })),
      {
        title: "f against gradient evaluations",
        xLabel: "loss-and-gradient evaluations",
        yLabel: "f (log scale)",
        logY: true,
        markers: false,
        width: 560,
        height: 320,
      },
    ),
    "race-grads",
  );
  const rows = finished.map((r, i) => {
    const reached = r.losses.findIndex((l) => l < 1e-6);
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, h("span", { class: "racer-color", style: `background:${racerColor(i)}` }), r.label),
      h("td", {}, String(moved[i])),
      h("td", {}, r.losses.length ? formatNumber(r.losses.at(-1)!) : "–"),
      h("td", {}, reached === -1 ? "–" : String(reached)),
      h("td", {}, String(r.gradients.at(-1) ?? 0)),
      h("td", {}, String(r.hvps)),
      h("td", {}, r.error ? "diverged" : "ok"),
    );
  });
  $("race-table").replaceChildren(
    h(
      "table",
      {},
      h("caption", {}, "The work each racer did"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["optimizer", "steps", "final f", "steps to f < 1e-6", "gradients", "Hessian·v", "status"].map((t) =>
            h("th", { scope: "col" }, t)
          ),
        ),
      ),
      h("tbody", {}, ...rows),
    ),
  );
  animateRace(contour, finished.map((r) => r.path.length));
}

function stepsThatMoved(path: readonly [number, number][]): number {
  let moved = path.length - 1;
  while (moved > 0 && path[moved][0] === path[moved - 1][0] && path[moved][1] === path[moved - 1][1]) moved--;
  return moved;
}

/** Draws the paths step by step: every racer on the same clock, so the fast ones finish first. */
function animateRace(contour: HTMLElement, lengths: number[]): void {
  raceAnimation = null;
  if (globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches) return;
  const groups = [...contour.querySelectorAll<SVGGElement>("g.path")];
  const tracks = groups.map((g) => {
    const path = g.querySelector("path");
    if (!path) return null;
    const coords = (path.getAttribute("d") ?? "").slice(1).split("L").map((p) => p.trim().split(/\s+/).map(Number));
    const lengths = [0];
    for (let k = 1; k < coords.length; k++) {
      lengths.push(lengths[k - 1] + Math.hypot(coords[k][0] - coords[k - 1][0], coords[k][1] - coords[k - 1][1]));
    }
    const total = lengths.at(-1)! || 1;
    path.style.strokeDasharray = `${total} ${total}`;
    const dots = [...g.querySelectorAll<SVGCircleElement>("circle:not(.start)")];
    return { path, lengths, total, dots, end: g.querySelector<SVGCircleElement>("circle.end") };
  });
  const longest = Math.max(1, ...lengths);
  const duration = 2500;
  let started = -1;
  raceAnimation = (now) => {
    if (started < 0) started = now;
    const t = Math.min(1, (now - started) / duration);
    // Quadratic in time: the first steps, where fast methods finish, are not over in a blink.
    const k = Math.round(t * t * (longest - 1));
    tracks.forEach((track) => {
      if (!track) return;
      const i = Math.min(k, track.lengths.length - 1);
      track.path.style.strokeDashoffset = String(track.total - track.lengths[i]);
      track.dots.forEach((dot, j) => {
        dot.style.visibility = dot === track.end
          ? (i === track.lengths.length - 1 ? "visible" : "hidden")
          : j <= i
          ? "visible"
          : "hidden";
      });
    });
    $("race-clock").textContent = `step ${k}`;
    if (t >= 1) raceAnimation = null;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Tabs and start-up.

function selectTab(tab: "classify" | "race", focus = false): void {
  state.tab = tab;
  saveUrl();
  for (const t of ["classify", "race"] as const) {
    const button = $(`tab-${t}`);
    button.setAttribute("aria-selected", String(t === tab));
    button.tabIndex = t === tab ? 0 : -1;
    $(`panel-${t}`).hidden = t !== tab;
    if (focus && t === tab) button.focus();
  }
  if (tab === "race" && raceResults.length === 0) startRace();
  if (tab === "race" && playing) setPlaying(false);
}

function start(): void {
  for (const t of ["classify", "race"] as const) {
    $(`tab-${t}`).addEventListener("click", () => selectTab(t));
    $(`tab-${t}`).addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        e.preventDefault();
        selectTab(t === "classify" ? "race" : "classify", true);
      }
    });
  }
  $("play").addEventListener("click", () => setPlaying(!playing));
  $("step").addEventListener("click", () => {
    if (playing) setPlaying(false);
    for (const run of [runs.a, runs.b]) if (run) send(run.worker, { type: "step", steps: 1 });
  });
  $("reset").addEventListener("click", () => {
    setPlaying(false);
    resetRuns();
  });
  $("export").addEventListener("click", () => runs.a && exportRun(editing === "b" && runs.b ? runs.b : runs.a));
  $("export-close").addEventListener("click", () => ($("export-dialog") as HTMLDialogElement).close());
  $("export-copy").addEventListener("click", async () => {
    const text = ($("export-json") as HTMLTextAreaElement).value;
    try {
      await navigator.clipboard.writeText(text);
      $("export-copied").textContent = "Copied.";
    } catch {
      ($("export-json") as HTMLTextAreaElement).select();
      $("export-copied").textContent = "Selected: press Ctrl+C to copy.";
    }
  });
  $("plugin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const url = ($("plugin-url") as HTMLInputElement).value.trim();
    if (url !== "") loadPluginUrl(url);
  });
  $("plugin-lion").addEventListener("click", () => loadPluginUrl("./plugins/lion.js"));
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  if (startupWarnings.length > 0) {
    $("url-warnings").textContent = `Some settings in the address were not usable: ${startupWarnings.join("; ")}.`;
  }
  renderControls();
  renderRaceControls();
  resetRuns();
  if (state.plugins.length > 0) ensureRaceWorker();
  selectTab(state.tab);
  saveUrl();
  requestAnimationFrame(frameLoop);
}

start();

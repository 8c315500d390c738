/**
 * The playground in a real browser (headless Chromium over the DevTools
 * protocol): it trains the spirals, switches optimizer and initializer, runs
 * a race, loads a plugin from a second loopback origin, and gives the same
 * loss curve as `gradflow train` in Deno, bit for bit. Any console error of
 * the page or its workers fails the test. Screenshots go to runs/playground/.
 *
 * Needs Chromium (`apt-get install chromium`, or CHROME_PATH); without it the
 * test is ignored, except under CI, where it fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Browser, findChromium, type Page } from "./_cdp.ts";
import { buildPlayground } from "./build.ts";
import { staticHandler } from "./serve.ts";
import { skipUnlessAvailable } from "../tests/_skip.ts";

const chromium = findChromium();
const root = new URL("../", import.meta.url);
const path = (url: URL) => decodeURIComponent(url.pathname);
const runsDir = path(new URL("runs/playground", root));
const site = `${runsDir}/site`;

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sets the control labelled `label` (in the element matching `scope`) to `value`, as a person would. */
async function choose(page: Page, label: string, value: string, scope = "#controls"): Promise<void> {
  const done = await page.evaluate<boolean>(`(() => {
    const label = [...document.querySelectorAll(${JSON.stringify(scope)} + " label")]
      .find((l) => l.textContent.trim() === ${JSON.stringify(label)});
    const control = label && document.getElementById(label.htmlFor);
    if (!control) return false;
    control.focus();
    control.value = ${JSON.stringify(value)};
    control.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  })()`);
  assert.ok(done, `the page has a control labelled "${label}"`);
}

/** Moves the keyboard focus with Tab until the element with this id has it (at most 20 presses). */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (await page.evaluate<boolean>(`document.activeElement?.id === ${JSON.stringify(id)}`)) return;
    await page.press("Tab");
  }
  assert.fail(`#${id} cannot be reached with the Tab key`);
}

const runA = (field: string) => `document.querySelector(".run.run-a")?.dataset.${field}`;

function records(jsonl: string): Record<string, unknown>[] {
  return jsonl.trim().split("\n").map((line) => JSON.parse(line));
}

/** Run A's export (keyboard: Tab to Export, Enter): the experiment file and the metrics so far. */
async function exportRun(p: Page): Promise<{ text: string; metrics: Record<string, unknown>[] }> {
  await p.evaluate("document.activeElement?.blur()");
  await tabTo(p, "export");
  await p.press("Enter");
  try {
    await p.waitFor(`document.getElementById("export-dialog").open`);
    const text = await p.evaluate<string>(`document.getElementById("export-json").value`);
    await p.waitFor(`document.getElementById("export-metrics").getAttribute("aria-disabled") === "false"`);
    const metrics = records(
      await p.evaluate<string>(`fetch(document.getElementById("export-metrics").href).then((r) => r.text())`),
    );
    await p.screenshot(`${runsDir}/export.png`, false);
    return { text, metrics };
  } finally {
    await p.press("Escape");
    await p.evaluate(`document.getElementById("export-dialog").close()`);
  }
}

/**
 * Runs an exported experiment with `gradflow train` in Deno and checks that every metric of every step and
 * epoch is the same number as in the browser, bit for bit.
 */
async function sameInDeno(name: string, exported: { text: string; metrics: Record<string, unknown>[] }) {
  const experiment = JSON.parse(exported.text);
  assert.equal(experiment.backend, "wasm", "the page trains on the WebAssembly SIMD backend");
  assert.equal(exported.metrics.filter((r) => r.kind === "epoch").length, experiment.epochs);
  await Deno.writeTextFile(`${runsDir}/${name}.json`, exported.text);
  const out = `runs/playground/deno-${name}`;
  await Deno.remove(path(new URL(out, root)), { recursive: true }).catch(() => {});
  const cli = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read=.", "--allow-write=runs", "cli/main.ts", "train", `runs/playground/${name}.json`]
      .concat(["--out", out, "--quiet"]),
    cwd: path(root),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(cli.success, new TextDecoder().decode(cli.stderr));
  const deno = records(await Deno.readTextFile(path(new URL(`${out}/metrics.jsonl`, root))));
  assert.equal(deno.length, exported.metrics.length);
  const steps = deno.filter((r) => r.kind === "step").length;
  assert.ok(steps >= 50, `${steps} steps compared`);
  deno.forEach((record, i) => {
    const { time: _a, ...inDeno } = record, { time: _b, ...inBrowser } = exported.metrics[i];
    // deepEqual compares numbers with Object.is: every bit of every loss, accuracy, rate and gradient norm.
    assert.deepEqual(inBrowser, inDeno, `${name}: record ${i} of metrics.jsonl`);
  });
}

const NAME = "the playground trains, races and loads a plugin in headless Chromium, and matches Deno bit for bit";

// Outside CI, ignored (with the reason printed) where Chromium is missing; under CI (which installs it) it runs.
Deno.test({
  name: NAME,
  ignore: skipUnlessAvailable(
    NAME,
    chromium === null ? "Chromium is missing (apt-get install chromium, or set CHROME_PATH)" : null,
  ),
}, async (t) => {
  await Deno.mkdir(runsDir, { recursive: true });
  await buildPlayground({ out: site, deno: Deno.execPath() });
  const lion = await Deno.readFile(`${site}/plugins/lion.js`);
  const pluginDir = await Deno.makeTempDir({ prefix: "gradflow_plugin_host_" });
  await Deno.writeFile(`${pluginDir}/lion.js`, lion);
  const quiet = { hostname: "127.0.0.1", port: 0, onListen() {} };
  // The page as `deno task playground` serves it (cross-origin isolated), the same files as a plain static
  // host serves them, and a second loopback origin that hosts a plugin (with CORS).
  const isolated = Deno.serve(quiet, staticHandler(site, { isolation: true }));
  const plain = Deno.serve(quiet, staticHandler(site, { isolation: false }));
  const pluginHost = Deno.serve(quiet, staticHandler(pluginDir, { isolation: false, cors: true }));
  const origin = `http://127.0.0.1:${isolated.addr.port}`;
  if (chromium === null) {
    throw new Error("Cannot run the browser test as Chromium is missing: apt-get install chromium");
  }
  const browser = await Browser.launch(chromium, { width: 1360, height: 900 });
  let page: Page | null = null;
  try {
    page = await browser.newPage();
    const p = page;
    await p.viewport(1360, 900);

    let spirals: { text: string; metrics: Record<string, unknown>[] } | null = null;
    await t.step("it trains the spirals to ≥ 95% training accuracy within 60 s, and the loss falls", async () => {
      await p.goto(`${origin}/?data=two-spirals&seed=0`);
      assert.equal(await p.evaluate("crossOriginIsolated"), true);
      await p.waitFor(`${runA("step")} === "0" && ${runA("epoch")} === "0"`, 30_000, "the run to be ready");
      // Keyboard only: Tab to Play, press Space (and again to pause).
      await p.evaluate("document.activeElement?.blur()");
      await tabTo(p, "play");
      await p.press(" ");
      const started = Date.now();
      await p.waitFor(`Number(${runA("accuracy")}) >= 0.95`, 60_000, "95% training accuracy");
      const seconds = (Date.now() - started) / 1000;
      await p.press(" ");
      await p.waitFor(`document.getElementById("play").getAttribute("aria-pressed") === "false"`);
      console.log(`  the spirals reached 95% training accuracy in ${seconds.toFixed(1)} s`);
      await new Promise((r) => setTimeout(r, 400));
      await p.screenshot(`${runsDir}/classify.png`);
      await p.screenshot(`${runsDir}/classify-top.png`, false);
      spirals = await exportRun(p);
      const epochs = spirals.metrics.filter((r) => r.kind === "epoch");
      const [first, last] = [epochs[0].loss as number, epochs.at(-1)!.loss as number];
      assert.ok(last < first / 2, `the loss fell: ${first} → ${last}`);
    });

    await t.step("Export gives what gradflow train runs in Deno to the same loss curve, bit for bit", async () => {
      assert.ok(spirals, "the spirals' run");
      await sameInDeno("spirals", spirals);
      // A second run through the other elementary functions: tanh, a sigmoid output, Gaussian data and
      // initialization (log, sin, cos), a decaying schedule (powers), momentum and L2.
      await p.goto(
        `${origin}/?data=two-gaussians&hidden=6,6&act=tanh&init=xavier-normal&opt=momentum&opt.learningRate=0.05` +
          "&sched=exponential&sched.gamma=0.995&reg=l2&reg.lambda=0.001&batching=minibatch-fixed&batch=16&seed=3",
      );
      await p.waitFor(`${runA("step")} === "0"`, 30_000, "the second run to be ready");
      await p.evaluate(`document.getElementById("play").click()`);
      await p.waitFor(`Number(${runA("epoch")}) >= 8`, 30_000, "8 epochs");
      await p.evaluate(`document.getElementById("play").click()`);
      await p.waitFor(`document.getElementById("play").getAttribute("aria-pressed") === "false"`);
      await sameInDeno("gaussians", await exportRun(p));
    });

    await t.step("it switches optimizer and initializer, then runs a race", async () => {
      await choose(p, "Optimizer", "momentum");
      await choose(p, "Initializer (weights)", "zeros");
      await p.waitFor(
        `document.querySelector(".run.run-a .summary")?.textContent.includes("zeros init") && ${runA("epoch")} === "0"`,
        10_000,
        "run A to restart with zero initialization",
      );
      const query = await p.evaluate<string>("location.search");
      assert.match(query, /opt=momentum/);
      assert.match(query, /init=zeros/);
      for (let i = 0; i < 3; i++) await p.evaluate(`document.getElementById("step").click()`);
      await p.waitFor(`${runA("step")} === "3"`, 10_000, "three steps");
      // Zero weights stay zero (every hidden unit gets the same zero gradient): the symmetry of seed 000.
      assert.match(
        await p.evaluate<string>(`document.querySelector(".run.run-a .weights-figure figcaption").textContent`),
        /= 0$/,
      );

      await p.evaluate(`document.getElementById("tab-classify").focus()`);
      await p.press("ArrowRight");
      assert.equal(await p.evaluate(`document.getElementById("panel-race").hidden`), false);
      const racers = await p.evaluate<number>(`document.querySelectorAll(".racer").length`);
      await p.waitFor(`document.getElementById("race-contour").dataset.racers === "${racers}"`, 30_000, "the race");
      const table = await p.evaluate<string[][]>(
        `[...document.querySelectorAll("#race-table tbody tr")].map((r) => [...r.children].map((c) => c.textContent))`,
      );
      const row = (name: string) => table.find((r) => r[0].startsWith(name))!;
      assert.equal(row("sgd")[3], "–", "plain gradient descent does not reach f < 1e-6 on Rosenbrock's valley");
      assert.ok(Number(row("newton")[3]) <= 10, "Newton's method reaches it within 10 steps");
      await new Promise((r) => setTimeout(r, 2800));
      await p.screenshot(`${runsDir}/race.png`);
    });

    await t.step("it loads an optimizer plugin by URL from a second loopback origin, pinned by SHA-256", async () => {
      const url = `http://127.0.0.1:${pluginHost.addr.port}/lion.js`;
      const load = async (specifier: string) => {
        await p.evaluate(`(() => {
          const input = document.getElementById("plugin-url");
          input.value = ${JSON.stringify(specifier)};
          document.getElementById("plugin-form").requestSubmit();
        })()`);
      };
      await load(`${url}#sha256=${"0".repeat(64)}`);
      await p.waitFor(`document.getElementById("plugin-status").classList.contains("error")`, 20_000);
      assert.match(
        await p.evaluate<string>(`document.getElementById("plugin-status").textContent`),
        /does not match the pin/,
      );
      await load(`${url}#sha256=${await sha256(lion)}`);
      await p.waitFor(
        `document.getElementById("plugin-status").textContent.includes('Loaded optimizer "lion"')`,
        20_000,
        "Lion to load",
      );
      await p.waitFor(
        `[...document.querySelectorAll("#race-table tbody th")].some((th) => th.textContent.startsWith("lion"))`,
        30_000,
        "Lion in the race",
      );
      const racers = await p.evaluate<number>(`document.querySelectorAll(".racer").length`);
      await p.waitFor(`document.getElementById("race-contour").dataset.racers === "${racers}"`, 30_000);
      assert.match(
        await p.evaluate<string>("decodeURIComponent(location.search)"),
        /plugin=http:\/\/127\.0\.0\.1:\d+\/lion\.js#sha256=/,
      );
      await new Promise((r) => setTimeout(r, 2800));
      await p.screenshot(`${runsDir}/plugin.png`);
    });

    await t.step("two runs side by side, and the layout at phone width", async () => {
      await p.goto(`${origin}/?data=circle&hidden=4&act=tanh&compare=1&b.init=zeros&opt=sgd&opt.learningRate=0.3`);
      await p.waitFor(
        `document.querySelectorAll(".run").length === 2 && document.querySelector(".run.run-b")?.dataset.step === "0"`,
        30_000,
        "two runs",
      );
      await p.evaluate(`document.getElementById("play").click()`);
      await p.waitFor(
        `Number(${runA("epoch")}) >= 30 && Number(document.querySelector(".run.run-b").dataset.epoch) >= 30`,
        30_000,
      );
      await p.evaluate(`document.getElementById("play").click()`);
      await new Promise((r) => setTimeout(r, 400));
      await p.screenshot(`${runsDir}/compare.png`);
      await p.viewport(390, 844, true);
      await p.goto(`${origin}/`);
      await p.waitFor(`${runA("step")} === "0"`, 30_000, "the page at phone width");
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(
        await p.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth"),
        "nothing is wider than a phone's screen",
      );
      await p.screenshot(`${runsDir}/phone.png`, false);
      await p.evaluate(`document.getElementById("tab-race").click()`);
      await p.waitFor(`document.getElementById("race-contour").dataset.racers !== undefined`, 30_000, "the race");
      assert.ok(
        await p.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth"),
        "nothing on the race tab is wider than a phone's screen",
      );
      await p.screenshot(`${runsDir}/phone-race.png`);
      await p.viewport(1360, 900);
    });

    await t.step("the built files work from a plain static host (no cross-origin isolation)", async () => {
      await p.goto(`http://127.0.0.1:${plain.addr.port}/?data=xor`);
      assert.equal(await p.evaluate("crossOriginIsolated"), false);
      await p.waitFor(`${runA("step")} === "0"`, 30_000, "the page from a plain host");
      await p.evaluate(`document.getElementById("step").click()`);
      await p.waitFor(`${runA("step")} === "1"`, 10_000);
    });

    assert.deepEqual(page.errors, [], "the browser's console shows no errors");
  } catch (error) {
    if (page) {
      await page.screenshot(`${runsDir}/failure.png`).catch(() => {});
      console.error(`console of the page:\n${page.messages.join("\n")}`);
    }
    throw error;
  } finally {
    await browser.close();
    await Promise.all([isolated.shutdown(), plain.shutdown(), pluginHost.shutdown()]);
    await Deno.remove(pluginDir, { recursive: true });
  }
});

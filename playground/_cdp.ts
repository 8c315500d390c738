/**
 * A small client of the Chrome DevTools protocol, enough to drive headless
 * Chromium from the playground's test and benchmark: open a page, evaluate
 * script in it, press keys, take screenshots, and collect every console error
 * of the page and its workers. No dependency: Deno's WebSocket and a
 * subprocess.
 *
 * @module
 */

/** Where Chromium is looked for, in order (`CHROME_PATH` first). */
export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/**
 * The Chromium executable: `CHROME_PATH`, else the first candidate that exists, else `null`.
 *
 * Needs `--allow-env=CHROME_PATH` (optional) and `--allow-read` on the candidates.
 */
export function findChromium(): string | null {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("CHROME_PATH");
  } catch {
    fromEnv = undefined;
  }
  for (const candidate of [fromEnv, ...CHROMIUM_CANDIDATES]) {
    if (!candidate) continue;
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // Not there.
    }
  }
  return null;
}

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

/** A console error, an uncaught exception or an error log entry, from the page or a worker. */
export interface ConsoleError {
  /** Where: `page` or `worker`. */
  source: string;
  /** The text. */
  text: string;
}

/** A browser connection. */
export class Browser {
  #socket: WebSocket;
  #next = 0;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  #listeners = new Map<string, Set<Listener>>();
  #process: Deno.ChildProcess;
  #profile: string;

  private constructor(socket: WebSocket, process: Deno.ChildProcess, profile: string) {
    this.#socket = socket;
    this.#process = process;
    this.#profile = profile;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data as string);
      if (message.id !== undefined) {
        const waiter = this.#pending.get(message.id);
        if (!waiter) return;
        this.#pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
        else waiter.resolve(message.result);
        return;
      }
      for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params, message.sessionId);
    };
  }

  /**
   * Starts headless Chromium with a fresh profile and connects to it.
   *
   * Needs `--allow-run` (Chromium), `--allow-read` and `--allow-write` (a temporary profile) and
   * `--allow-net=127.0.0.1` (the protocol's socket).
   *
   * @param executable The browser.
   * @param options The window size.
   * @returns The connection.
   */
  static async launch(executable: string, options: { width?: number; height?: number } = {}): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "gradflow_chromium_" });
    const process = new Deno.Command(executable, {
      args: [
        "--headless",
        "--no-sandbox",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
        "--hide-scrollbars",
        "--mute-audio",
        `--window-size=${options.width ?? 1360},${options.height ?? 900}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Chromium writes its port and the browser's socket path into the profile once it listens.
    const deadline = Date.now() + 30_000;
    let text = "";
    while (Date.now() < deadline) {
      try {
        text = await Deno.readTextFile(`${profile}/DevToolsActivePort`);
        if (text.split("\n").length >= 2 && text.split("\n")[1] !== "") break;
      } catch {
        // Not yet written.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const [port, socketPath] = text.trim().split("\n");
    if (!port || !socketPath) {
      process.kill();
      await process.status;
      throw new Error(`Cannot start Chromium (${executable}): it did not open its DevTools port within 30 s`);
    }
    const socket = new WebSocket(`ws://127.0.0.1:${port}${socketPath}`);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("Cannot connect to Chromium's DevTools socket"));
    });
    return new Browser(socket, process, profile);
  }

  /** Sends a command; `sessionId` addresses a page or worker. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = ++this.#next;
    const promise = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
    });
    this.#socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return promise;
  }

  /** Listens to an event of any session. */
  on(method: string, listener: Listener): void {
    if (!this.#listeners.has(method)) this.#listeners.set(method, new Set());
    this.#listeners.get(method)!.add(listener);
  }

  /** Opens a page (a tab) and attaches to it and its workers. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await page.init();
    return page;
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    try {
      await Promise.race([this.send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // Already gone.
    }
    this.#socket.close();
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // Exited.
    }
    await this.#process.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

function remoteText(args: { type: string; value?: unknown; description?: string }[]): string {
  return args.map((a) => (a.value !== undefined ? String(a.value) : a.description ?? a.type)).join(" ");
}

/** A page of the browser. */
export class Page {
  /** Console errors, uncaught exceptions and error log entries seen so far (page and workers). */
  readonly errors: ConsoleError[] = [];
  /** Every console message, for diagnosis. */
  readonly messages: string[] = [];
  #loaded: (() => void)[] = [];
  #sessions = new Set<string>();

  constructor(readonly browser: Browser, readonly sessionId: string) {}

  /** Enables the domains it listens to, here and in every worker the page starts. */
  async init(): Promise<void> {
    const b = this.browser;
    this.#sessions.add(this.sessionId);
    b.on("Target.attachedToTarget", (params, parent) => {
      if (parent === undefined || !this.#sessions.has(parent)) return;
      const id = params.sessionId as string;
      const type = (params.targetInfo as { type: string }).type;
      this.#sessions.add(id);
      this.#enable(id, type).catch(() => {});
    });
    b.on("Runtime.consoleAPICalled", (params, session) => {
      if (!session || !this.#sessions.has(session)) return;
      const text = remoteText(params.args as { type: string; value?: unknown }[]);
      const where = session === this.sessionId ? "page" : "worker";
      this.messages.push(`[${where} ${params.type}] ${text}`);
      if (params.type === "error" || params.type === "assert") this.errors.push({ source: where, text });
    });
    b.on("Runtime.exceptionThrown", (params, session) => {
      if (!session || !this.#sessions.has(session)) return;
      const details = params.exceptionDetails as { text: string; exception?: { description?: string } };
      this.errors.push({
        source: session === this.sessionId ? "page" : "worker",
        text: details.exception?.description ?? details.text,
      });
    });
    b.on("Log.entryAdded", (params, session) => {
      if (!session || !this.#sessions.has(session)) return;
      const entry = params.entry as { level: string; text: string; url?: string };
      this.messages.push(`[log ${entry.level}] ${entry.text}`);
      if (entry.level === "error") {
        this.errors.push({ source: "log", text: `${entry.text}${entry.url ? ` (${entry.url})` : ""}` });
      }
    });
    b.on("Page.loadEventFired", (_params, session) => {
      if (session === this.sessionId) this.#loaded.splice(0).forEach((r) => r());
    });
    await this.#enable(this.sessionId, "page");
  }

  async #enable(sessionId: string, type: string): Promise<void> {
    const b = this.browser;
    try {
      if (type === "page") await b.send("Page.enable", {}, sessionId);
      await b.send("Runtime.enable", {}, sessionId);
      await b.send("Log.enable", {}, sessionId).catch(() => {});
      // Workers wait for us before their first line, so that none of their messages is missed.
      await b.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId)
        .catch(() => {});
    } finally {
      if (type !== "page") await b.send("Runtime.runIfWaitingForDebugger", {}, sessionId).catch(() => {});
    }
  }

  /** Sends a command to this page. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  /** Sets the viewport (CSS pixels), e.g. a phone's. */
  async viewport(width: number, height: number, mobile = false): Promise<void> {
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: mobile ? 2 : 1,
      mobile,
    });
  }

  /** Opens a URL and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => this.#loaded.push(resolve));
    const result = await this.send<{ errorText?: string }>("Page.navigate", { url });
    if (result.errorText) throw new Error(`Cannot open ${url}: ${result.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page (awaiting a promise) and returns its value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send<{
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true, userGesture: true });
    if (result.exceptionDetails) {
      const d = result.exceptionDetails;
      throw new Error(`In the page: ${d.exception?.description ?? d.text}`);
    }
    return result.result.value as T;
  }

  /** Waits until an expression is truthy; returns its value. */
  async waitFor<T = unknown>(expression: string, timeoutMs = 10_000, what = expression): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) {
        const page = await this.evaluate<string>(
          `location.href + "\\n" + (document.body?.innerText ?? "").replace(/\\s+/g, " ").slice(0, 400)`,
        ).catch(() => "");
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; the page: ${page}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Presses a key (`"Tab"`, `"Enter"`, `" "`, `"ArrowRight"`…) on the focused element, with optional modifiers. */
  async press(key: string, modifiers = 0): Promise<void> {
    const codes: Record<string, [string, number]> = {
      Tab: ["Tab", 9],
      Enter: ["Enter", 13],
      " ": ["Space", 32],
      ArrowRight: ["ArrowRight", 39],
      ArrowLeft: ["ArrowLeft", 37],
      Escape: ["Escape", 27],
    };
    const [code, keyCode] = codes[key] ?? [key, key.toUpperCase().charCodeAt(0)];
    const text = key === "Enter" ? "\r" : key === " " ? " " : undefined;
    const base = { key, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode, modifiers };
    await this.send("Input.dispatchKeyEvent", {
      type: text ? "keyDown" : "rawKeyDown",
      ...base,
      ...(text ? { text } : {}),
    });
    await this.send("Input.dispatchKeyEvent", { type: "keyUp", ...base });
  }

  /** Types text into the focused element. */
  async type(text: string): Promise<void> {
    await this.send("Input.insertText", { text });
  }

  /** Saves a PNG of the whole page (or the viewport). */
  async screenshot(path: string, fullPage = true): Promise<void> {
    let clip: Record<string, number> | undefined;
    if (fullPage) {
      const { cssContentSize } = await this.send<{ cssContentSize: { width: number; height: number } }>(
        "Page.getLayoutMetrics",
      );
      clip = { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 };
    }
    const { data } = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      ...(clip ? { clip, captureBeyondViewport: true } : {}),
    });
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    await Deno.writeFile(path, bytes);
  }
}

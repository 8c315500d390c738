/**
 * A test fixture: the file-system calls a Deno script makes, in order, traced with `strace` (Linux).
 * The durability tests use it to check the order of flushes and renames that a power loss depends on.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Whether `strace` can trace a child here (Linux with ptrace allowed); the tests that need it are ignored elsewhere. */
export const strace = await (async () => {
  try {
    const probe = await new Deno.Command("strace", { args: ["-o", "/dev/null", "true"], stderr: "null" }).output();
    return probe.success;
  } catch {
    return false;
  }
})();

/**
 * Runs `script` in a Deno subprocess under `strace` and returns its file-system calls in order, one
 * per line, with file descriptors replaced by the paths they were opened on: `fsync(<dir>/f.1-0.tmp)`,
 * `rename(<dir>/f.1-0.tmp, <dir>/f)`, `fsync(<dir>)`, `unlink(<dir>/old)`.
 */
export async function fileSystemCalls(script: string, dir: string): Promise<string[]> {
  const log = `${dir}.strace`;
  const { success, stderr } = await new Deno.Command("strace", {
    args: [
      "-f",
      "-qq",
      "-e",
      "trace=openat,open,fcntl,dup,dup2,dup3,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat",
      "-o",
      log,
      Deno.execPath(),
      "eval",
      script,
    ],
    stdout: "null",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const open = new Map<string, string>(), calls: string[] = []; // file descriptor → path
  const at = (path: string) => path.replace(dir, "<dir>");
  // strace -f splits a call that another thread interrupts: "123 fsync(7 <unfinished ...>" … "123 <... fsync resumed>) = 0".
  const pending = new Map<string, string>(), lines: string[] = [];
  for (const raw of (await Deno.readTextFile(log)).split("\n")) {
    const tid = /^(\d+)\s/.exec(raw)?.[1] ?? "";
    if (raw.endsWith("<unfinished ...>")) pending.set(tid, raw.slice(0, -"<unfinished ...>".length).trimEnd());
    else if (/<\.\.\. \w+ resumed>/.test(raw) && pending.has(tid)) {
      lines.push(pending.get(tid)! + raw.replace(/^\d+\s+<\.\.\. \w+ resumed>/, ""));
      pending.delete(tid);
    } else lines.push(raw);
  }
  for (const line of lines) {
    if (!line.includes(dir)) {
      // One process: file descriptors are shared by its threads, and the last open of a number wins.
      const sync = /^\d+\s+f(?:data)?sync\((\d+)\)\s+=\s+0/.exec(line);
      if (sync && open.has(sync[1])) calls.push(`fsync(${at(open.get(sync[1])!)})`);
      const dup = /^\d+\s+(?:fcntl\((\d+), F_DUPFD|dup[23]?\((\d+))[^=]*=\s+(\d+)/.exec(line);
      if (dup && open.has(dup[1] ?? dup[2])) open.set(dup[3], open.get(dup[1] ?? dup[2])!);
      continue;
    }
    const opened = /^\d+\s+open(?:at)?\((?:AT_FDCWD, )?"([^"]+)".*\)\s+=\s+(\d+)/.exec(line);
    if (opened) open.set(opened[2], opened[1]);
    const renamed = /rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)".*\)\s+=\s+0/.exec(line);
    if (renamed) calls.push(`rename(${at(renamed[1])}, ${at(renamed[2])})`);
    const unlinked = /unlink(?:at)?\((?:AT_FDCWD, )?"([^"]+)".*\)\s+=\s+0/.exec(line);
    if (unlinked) calls.push(`unlink(${at(unlinked[1])})`);
  }
  await Deno.remove(log);
  return calls;
}

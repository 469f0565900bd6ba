import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const PARENT = join(import.meta.dirname, "fixtures", "group-parent.ts");

/** Starts the parent, which starts the wrapper, which starts the server; waits for the server. */
async function start(env: Record<string, string> = {}) {
  const parent: ChildProcess = spawn(process.execPath, ["--import", "tsx", PARENT], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const server = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening (\d+) (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), pid: Number(m[2]) });
      }
    };
    parent.stdout?.on("data", onData);
    parent.stderr?.on("data", onData);
  });
  const exited = new Promise<void>((r) => parent.once("exit", () => r()));
  return { parent, server, exited };
}

/** Whether the process runs (a zombie, dead but not yet reaped, does not). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc/self/stat")) {
    if (!existsSync(stat)) return false;
    return !/^\d+ \(.*\) Z /.test(readFileSync(stat, "utf8"));
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls until the server has stopped (port closed, process gone), or 3 s have passed. */
async function stopped(server: { port: number; pid: number }): Promise<boolean> {
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    if (!running(server.pid) && !(await answers(server.port))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Leave nothing behind whatever the outcome.
  if (running(server.pid)) process.kill(server.pid, "SIGKILL");
  return false;
}

describe.skipIf(process.platform === "win32")(
  "a command run as a process group (npm run email's preview server)",
  () => {
    it.each(["SIGTERM", "SIGINT"] as const)(
      "%s to the script stops the server its CLI started, not only the CLI",
      async (signal) => {
        const { parent, server, exited } = await start();
        expect(await answers(server.port)).toBe(true);
        parent.kill(signal);
        await exited;
        expect(await stopped(server)).toBe(true);
      },
    );

    it("the script exiting by itself stops the server too", async () => {
      const { server, exited } = await start({ EXIT_ON_LISTEN: "1" });
      await exited;
      expect(await stopped(server)).toBe(true);
    });
  },
);

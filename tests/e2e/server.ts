import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningFunnel {
  siteUrl: string;
  inboxUrl: string;
  stop(): Promise<void>;
}

/**
 * Runs `npm start`'s entry point as its own process (the binary, not npm, so the PID is the
 * server's), on free ports with a fresh data directory, and reads the URLs it prints.
 */
export async function startFunnel(env: Record<string, string> = {}): Promise<RunningFunnel> {
  const dataDir = mkdtempSync(join(tmpdir(), "funnel-e2e-"));
  const child: ChildProcess = spawn("node_modules/.bin/tsx", ["infra/local/main.ts"], {
    env: { ...process.env, PORT: "0", SES_PORT: "0", DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const urls = await new Promise<{ siteUrl: string; inboxUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URLs printed:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const site = /Landing page\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      const inbox = /Inbox\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (site?.[1] && inbox?.[1]) {
        clearTimeout(timer);
        resolve({ siteUrl: site[1], inboxUrl: inbox[1] });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    ...urls,
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once("exit", r));
        process.kill(child.pid, "SIGINT");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

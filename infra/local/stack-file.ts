import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * While `npm start` runs, its embedded dynalite holds the on-disk database; operator commands
 * find it through this file in the data directory and talk to the running process instead.
 */
export const STACK_FILE = "local-stack.json";

export interface StackFile {
  pid: number;
  dynamoEndpoint: string;
  siteUrl: string;
  inboxUrl: string;
  tableName: string;
}

/** Records the running stack's endpoints in `dataDir`. */
export function writeStackFile(dataDir: string, info: StackFile): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, STACK_FILE), JSON.stringify(info, null, 2), { mode: 0o600 });
}

/** Removes the record, but only if it is still this process's (a newer start may own it). */
export function removeStackFile(dataDir: string, pid = process.pid): void {
  const current = readStackFile(dataDir);
  if (current?.pid === pid) rmSync(join(dataDir, STACK_FILE), { force: true });
}

/** The record, if there is one and its process is alive; a stale one (crash) reads as none. */
export function readStackFile(dataDir: string): StackFile | undefined {
  let info: StackFile;
  try {
    info = JSON.parse(readFileSync(join(dataDir, STACK_FILE), "utf8")) as StackFile;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(info.pid) || typeof info.dynamoEndpoint !== "string") return undefined;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    // EPERM: alive but not ours to signal; anything else: gone.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return info;
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { startLocalStack } from "../../infra/local/stack";
import { readStackFile, STACK_FILE } from "../../infra/local/stack-file";
import { openTarget, TargetError, targetOptions } from "../../ops/lib/target";

const dataDir = mkdtempSync(join(tmpdir(), "funnel-target-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Puts a recognisable item through the running stack's own store. */
async function seed(stack: Awaited<ReturnType<typeof startLocalStack>>) {
  await stack.deps.store.count("2026-01-02", { signups: 7 });
}

describe("openTarget on local data", () => {
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir, logger: silentLogger });
    await seed(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("connects to the running stack, which holds the database, through its stack file", async () => {
    const running = readStackFile(dataDir);
    expect(running?.pid).toBe(process.pid);
    expect(running?.dynamoEndpoint).toBe(stack?.dynamoEndpoint);
    const target = await openTarget(targetOptions({ "data-dir": dataDir }));
    try {
      expect(target.description).toContain("running npm start");
      expect(await target.store.stats("2026-01-02")).toEqual({ signups: 7 });
      // A write through the target is seen by the running stack: one database, not a copy.
      await target.store.count("2026-01-02", { signups: 1 });
      expect(await stack?.deps.store.stats("2026-01-02")).toEqual({ signups: 8 });
    } finally {
      await target.close();
    }
  });

  it("opens the data directory itself once the stack has stopped, and the data is there", async () => {
    await stack?.stop();
    stack = undefined;
    expect(readStackFile(dataDir)).toBeUndefined();
    const target = await openTarget(targetOptions({ "data-dir": dataDir }));
    try {
      expect(target.description).not.toContain("running");
      expect(await target.store.stats("2026-01-02")).toEqual({ signups: 8 });
    } finally {
      await target.close();
    }
  });

  it("ignores a stack file left by a process that died", async () => {
    // pid 2^22+1 is above Linux's pid_max default range; nobody owns it.
    writeFileSync(
      join(dataDir, STACK_FILE),
      JSON.stringify({ pid: 4_194_305, dynamoEndpoint: "http://127.0.0.1:9", tableName: "x" }),
    );
    expect(readStackFile(dataDir)).toBeUndefined();
    const target = await openTarget(targetOptions({ "data-dir": dataDir }));
    try {
      expect(await target.store.stats("2026-01-02")).toEqual({ signups: 8 });
    } finally {
      await target.close();
    }
  });

  it("refuses a data directory that holds no data, and creates nothing", async () => {
    const empty = join(dataDir, "nothing-here");
    await expect(openTarget({ kind: "local", dataDir: empty })).rejects.toThrow(TargetError);
    expect(readStackFile(empty)).toBeUndefined();
  });
});

describe("targetOptions", () => {
  it("reads --aws with a table from the flag or HH_TABLE_NAME", () => {
    expect(targetOptions({ aws: true, table: "T", region: "eu-west-1" }, {})).toEqual({
      kind: "aws",
      table: "T",
      region: "eu-west-1",
    });
    expect(targetOptions({ aws: true }, { HH_TABLE_NAME: "U" })).toMatchObject({ table: "U" });
  });

  it("refuses --aws without a table, and --table without --aws", () => {
    expect(() => targetOptions({ aws: true }, {})).toThrow(/--table/);
    expect(() => targetOptions({ table: "T" }, {})).toThrow(/with --aws/);
  });

  it("defaults to DATA_DIR, then .data", () => {
    expect(targetOptions({}, { DATA_DIR: "/tmp/x" })).toEqual({ kind: "local", dataDir: "/tmp/x" });
    expect(targetOptions({}, {})).toMatchObject({ kind: "local" });
  });
});

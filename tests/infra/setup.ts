import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudAssembly } from "aws-cdk-lib/cx-api";
import { afterAll } from "vitest";
import { placeholderAssets } from "../../infra/aws/bundles";

let assets: string | undefined;

/** One placeholder guide folder per test file, removed when the file is done. */
export function testAssetsDir(): string {
  assets ??= placeholderAssets(mkdtempSync(join(tmpdir(), "hh-assets-")));
  return assets;
}

afterAll(() => {
  // Each `new App()` leaves a temporary cloud assembly directory behind.
  CloudAssembly.cleanupTemporaryDirectories();
  if (assets) rmSync(assets, { recursive: true, force: true });
});

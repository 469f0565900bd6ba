import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (or CHROMIUM_PATH); never a downloaded browser. */
export const chromiumPath = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
].find((p): p is string => Boolean(p && existsSync(p)));

if (!chromiumPath) {
  const message = "Chromium is not installed (apt-get install chromium): browser tests cannot run.";
  if (process.env.CI) throw new Error(`${message} CI must run them.`);
  console.warn(`\n!!! SKIPPING BROWSER TESTS: ${message}\n`);
}

/** Headless Chromium that talks to nothing but the loopback. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

import { gzipSync } from "node:zlib";
import {
  BUDGET_KIB,
  bundleHandler,
  duplicatePackages,
  HANDLERS,
  weightByPackage,
} from "./bundle-budget";

/**
 * `npm run bundle:sizes`: bundles every Lambda with the stack's esbuild settings (minified,
 * AWS SDK external, NODE_ENV=production) and prints each against its budget, with what weighs
 * most in it. Exits 1 when a bundle is over budget or carries a package twice.
 */
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

let failed = false;
console.log(
  `\n${"function".padEnd(10)}${"minified".padStart(12)}${"budget".padStart(12)}${"gzipped".padStart(12)}  heaviest parts`,
);
for (const name of HANDLERS) {
  const bundle = await bundleHandler(name);
  const budget = BUDGET_KIB[name] * 1024;
  const over = bundle.bytes > budget;
  const twice = duplicatePackages(bundle);
  failed ||= over || twice.length > 0;
  const top = weightByPackage(bundle)
    .slice(0, 5)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)}`)
    .join(", ");
  console.log(
    `${name.padEnd(10)}${kib(bundle.bytes).padStart(12)}${`<= ${BUDGET_KIB[name]} KiB`.padStart(12)}${kib(gzipSync(bundle.code).length).padStart(12)}  ${over ? "OVER BUDGET  " : ""}${top}`,
  );
  if (twice.length) console.log(`${"".padEnd(10)}bundled twice: ${twice.join(", ")}`);
}
if (failed) process.exitCode = 1;

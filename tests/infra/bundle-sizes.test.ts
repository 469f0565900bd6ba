import { beforeAll, describe, expect, it } from "vitest";
import {
  BUDGET_KIB,
  type BuiltBundle,
  bundleHandler,
  duplicatePackages,
  externalImportsOf,
  HANDLERS,
  inputsOf,
  SDK_PACKAGES,
} from "../../infra/aws/bundle-budget";

/**
 * Bundle sizes are deterministic (esbuild with the stack's settings: minified, AWS SDK
 * external, NODE_ENV=production), so their budgets are checked here rather than in the bench:
 * web and admin 150 KiB each, send 100, dispatch and feedback 60.
 */

/** What no Lambda may carry: rendering and parsing happen at build time, and zod/mini only. */
const FORBIDDEN = [
  /node_modules\/react\//,
  /node_modules\/react-dom\//,
  /node_modules\/@react-email\//,
  /node_modules\/marked\//,
  /node_modules\/yaml\//,
  /node_modules\/js-yaml\//,
  /node_modules\/gray-matter\//,
  /node_modules\/luxon\//,
  /node_modules\/zod\/v4\/classic\//,
  /node_modules\/zod\/v4\/locales\//,
  /functions\/core\/content\.ts$/,
  /functions\/mail\/(compile|render)\.ts$/,
];

const bundles = new Map<string, BuiltBundle>();
beforeAll(async () => {
  for (const name of HANDLERS) bundles.set(name, await bundleHandler(name));
}, 120_000);

describe.each(HANDLERS)("the %s bundle's size", (name) => {
  it(`is at most ${BUDGET_KIB[name]} KiB`, () => {
    const bundle = bundles.get(name) as BuiltBundle;
    expect(bundle.bytes / 1024).toBeLessThanOrEqual(BUDGET_KIB[name]);
  });
});

describe.each(HANDLERS)("the %s bundle", (name) => {
  it("carries no package twice", () => {
    expect(duplicatePackages(bundles.get(name) as BuiltBundle)).toEqual([]);
  });

  it("carries no React, markdown or YAML parser, content loader, luxon or full zod", () => {
    const inputs = inputsOf(bundles.get(name) as BuiltBundle);
    expect(inputs.filter((f) => FORBIDDEN.some((re) => re.test(f)))).toEqual([]);
  });

  it("imports exactly the AWS SDK packages the function calls (each is loaded at cold start)", () => {
    // Exactly: the cold-start bench's baseline is this list.
    const imports = externalImportsOf(bundles.get(name) as BuiltBundle);
    expect(imports).toEqual([...SDK_PACKAGES[name]].sort());
  });

  it("is built for production", () => {
    expect((bundles.get(name) as BuiltBundle).code).not.toContain("process.env.NODE_ENV");
  });
});

describe("the split between the public site and the owner's area", () => {
  it("the web bundle carries none of the owner's area; the admin bundle none of the public pages", () => {
    const web = inputsOf(bundles.get("web") as BuiltBundle);
    expect(web.filter((f) => /functions\/http\/admin(\/|-app)/.test(f))).toEqual([]);
    const admin = inputsOf(bundles.get("admin") as BuiltBundle);
    expect(admin.filter((f) => /functions\/http\/routes\//.test(f))).toEqual([]);
  });
});

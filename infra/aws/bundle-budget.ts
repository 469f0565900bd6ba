import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

/**
 * The Lambda bundles and their size budgets. The stack bundles with these esbuild settings
 * (constructs/app-function.ts); the size test, `npm run bundle:sizes` and the bench call esbuild
 * directly with the same ones, which gives the same bytes (the bundles test checks it).
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One entry file per Lambda in functions/handlers/. */
export const HANDLERS = ["web", "admin", "send", "dispatch", "feedback"] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** Minified, SDK external, production: what each function may weigh, in KiB. */
export const BUDGET_KIB: Record<HandlerName, number> = {
  web: 150,
  admin: 150,
  send: 100,
  dispatch: 60,
  feedback: 60,
};

/**
 * The AWS SDK packages each function calls, which the Lambda runtime provides: exactly what its
 * bundle imports from the SDK (an imported package is loaded at cold start even if nothing
 * calls it), and so the cold-start bench's baseline.
 */
export const SDK_PACKAGES: Record<HandlerName, readonly string[]> = {
  // Every email is a job for the send function: web never talks to SES.
  web: [
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-sqs",
    "@aws-sdk/client-secrets-manager",
  ],
  // The owner's area: the same as web (it queues sign-in links and tests; it reads the DLQ depth).
  admin: [
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-sqs",
    "@aws-sdk/client-secrets-manager",
  ],
  send: [
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-sqs",
    "@aws-sdk/client-secrets-manager",
    "@aws-sdk/client-sesv2",
  ],
  dispatch: [
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-sqs",
    "@aws-sdk/client-sesv2",
  ],
  feedback: [
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-secrets-manager",
  ],
};

/** ESM bundles may pull CommonJS dependencies that call require. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

/**
 * What every Lambda bundle is built with: ESM, minified, the AWS SDK v3 left to the runtime,
 * and libraries told they run in production (no development builds, no dev-only checks).
 */
export const BUNDLE = {
  format: "esm",
  minify: true,
  target: "node24",
  mainFields: ["module", "main"],
  banner: ESM_REQUIRE_BANNER,
  external: ["@aws-sdk/*"],
  define: { "process.env.NODE_ENV": '"production"' },
} as const;

export const entryOf = (name: HandlerName) => join(ROOT, "functions", "handlers", `${name}.ts`);

export interface BuiltBundle {
  name: HandlerName;
  code: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * Bundles one handler in memory with the stack's settings.
 * @example const { bytes } = await bundleHandler("web");
 */
export async function bundleHandler(name: HandlerName): Promise<BuiltBundle> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entryOf(name)],
    bundle: true,
    platform: "node",
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [...BUNDLE.external],
    define: BUNDLE.define,
    outfile: join(ROOT, ".build", "bundles", name, "index.mjs"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${name}`);
  return { name, code: out.text, bytes: out.contents.byteLength, metafile: result.metafile };
}

/** The package an input file belongs to and where it is installed ("" for project files). */
function packageOf(file: string): { name: string; root: string } | undefined {
  const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? { name: m[2] as string, root: `${m[1]}${m[2]}` } : undefined;
}

/** Bytes of the bundle by package (project files by their folder), largest first. */
export function weightByPackage(bundle: BuiltBundle): [string, number][] {
  const out = Object.values(bundle.metafile.outputs)[0];
  const weights = new Map<string, number>();
  for (const [file, input] of Object.entries(out?.inputs ?? {})) {
    const key = packageOf(file)?.name ?? file.split("/").slice(0, 2).join("/");
    weights.set(key, (weights.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...weights].sort((a, b) => b[1] - a[1]);
}

/** Packages bundled from more than one installed copy (each a wasted second copy). */
export function duplicatePackages(bundle: BuiltBundle): string[] {
  const out = Object.values(bundle.metafile.outputs)[0];
  const roots = new Map<string, Set<string>>();
  for (const [file, input] of Object.entries(out?.inputs ?? {})) {
    const pkg = packageOf(file);
    if (!pkg || input.bytesInOutput === 0) continue;
    roots.set(pkg.name, (roots.get(pkg.name) ?? new Set()).add(pkg.root));
  }
  return [...roots].filter(([, r]) => r.size > 1).map(([name]) => name);
}

/** Every input file of the bundle that contributes bytes. */
export function inputsOf(bundle: BuiltBundle): string[] {
  const out = Object.values(bundle.metafile.outputs)[0];
  return Object.entries(out?.inputs ?? {})
    .filter(([, i]) => i.bytesInOutput > 0)
    .map(([f]) => f);
}

/** The packages the bundle imports at run time (left out of it: the AWS SDK), sorted. */
export function externalImportsOf(bundle: BuiltBundle): string[] {
  const out = Object.values(bundle.metafile.outputs)[0];
  const names = (out?.imports ?? [])
    .filter((i) => i.external && !i.path.startsWith("node:"))
    .map((i) => i.path);
  return [...new Set(names)].sort();
}

import { BUDGET_KIB, bundleHandler, HANDLERS } from "../../infra/aws/bundle-budget";
import type { BenchMeasure } from "./row";

/** Each Lambda bundle (minified, SDK external, production) against its budget. */
export const measure: BenchMeasure = async () => {
  const rows = [];
  for (const name of HANDLERS) {
    const { bytes } = await bundleHandler(name);
    const kib = bytes / 1024;
    rows.push({
      measure: `${name} bundle size`,
      project: round(kib),
      baseline: BUDGET_KIB[name],
      ratio: round(kib / BUDGET_KIB[name]),
      goal: `<= ${BUDGET_KIB[name]} KiB`,
      met: kib <= BUDGET_KIB[name],
      unit: "KiB",
    });
  }
  return rows;
};

const round = (n: number) => Math.round(n * 100) / 100;

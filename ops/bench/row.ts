/** One line of `npm run bench`: a measure of the project beside its baseline, in one run. */
export interface BenchRow {
  /** What is measured, e.g. "signups/s at concurrency 8". */
  measure: string;
  /** The project's figure. */
  project: number;
  /** The baseline's figure, measured side by side in the same run. */
  baseline: number;
  /** project / baseline (or the inverse where lower is better; say so in `goal`). */
  ratio: number;
  /** The goal in words, e.g. ">= 0.8x raw". */
  goal: string;
  met: boolean;
  unit?: string;
  /** What the figure is made of, printed under the table (e.g. requests by kind). */
  note?: string;
}

/** A bench module: measures something and returns its rows. */
export type BenchMeasure = () => Promise<BenchRow[]>;

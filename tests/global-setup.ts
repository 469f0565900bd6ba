import { ensureCourse } from "../infra/build/course";

/**
 * Once per test run, before any test file: compile `content/` and the emails into
 * `.build/course.json` when missing or stale, so every test process (and every bundle the
 * infra tests build) reads the same compiled course instead of each rendering its own.
 */
export default async function setup(): Promise<void> {
  await ensureCourse();
}

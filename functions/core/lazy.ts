/**
 * A value made on first use and kept. For module-level schemas and tables: a Lambda's cold
 * start then builds only what its first request uses (a schema costs little once the code is
 * warm, but every one made at import is paid by every cold start, used or not).
 * @example const Schema = lazy(() => z.strictObject({ ... })); Schema().parse(x);
 */
export function lazy<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

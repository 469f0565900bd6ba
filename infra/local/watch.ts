import { type FSWatcher, watch } from "node:fs";

export interface WatchOptions {
  /** Quiet time after the last change before `onChange` runs (editors write in bursts). */
  debounceMs?: number;
}

/**
 * Watches `dir` and everything under it; after a burst of changes settles, calls `onChange`
 * once with the changed paths (relative, sorted). Changes that arrive while `onChange` runs
 * are collected for the next call, so a reload never overlaps another.
 * @example const stop = watchDir("content", (files) => reload(files));
 */
export function watchDir(
  dir: string,
  onChange: (files: string[]) => Promise<void> | void,
  opts: WatchOptions = {},
): () => void {
  const debounceMs = opts.debounceMs ?? 250;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const flush = async () => {
    timer = undefined;
    if (running) {
      await running;
      if (!timer && pending.size) schedule();
      return;
    }
    const files = [...pending].sort();
    pending.clear();
    running = Promise.resolve()
      .then(() => onChange(files))
      .finally(() => {
        running = undefined;
      });
    await running;
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), debounceMs);
  };

  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
    const name = file ? String(file) : "";
    // Editors' swap and backup files are not content.
    if (!name || /(^|\/)(\.|#)|~$|\.sw[a-p]$/.test(name)) return;
    pending.add(name);
    schedule();
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}

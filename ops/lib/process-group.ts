import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

/** How long the children get to stop after a signal before they are killed outright. */
export const STOP_GRACE_MS = 5000;

/**
 * Runs a command whose own children must stop with it, as one process group, and ties the
 * group to this process: SIGINT, SIGTERM or SIGHUP here goes to every process in the group
 * (a CLI wrapper such as react-email's `email` does not pass a signal on to the server it
 * starts), anything left in the group when the command exits is stopped, and so is the group
 * when this process exits for any reason. After a signal this process exits once the command
 * has, or after `graceMs` with the group killed.
 *
 * On Windows there are no process groups: the signal goes to the command alone.
 */
export function spawnGroup(
  command: string,
  args: string[],
  options: SpawnOptions = {},
  graceMs = STOP_GRACE_MS,
): ChildProcess {
  const grouped = process.platform !== "win32";
  // Its own group: Ctrl-C reaches it only through this process, which passes it on.
  const child = spawn(command, args, { ...options, detached: grouped });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (!child.pid) return;
    try {
      if (grouped) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // The group is gone already.
    }
  };
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    signalGroup(signal);
    setTimeout(() => {
      signalGroup("SIGKILL");
      process.exit(1);
    }, graceMs).unref();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  process.on("exit", () => signalGroup("SIGTERM"));
  child.on("exit", (code, signal) => {
    // The command is gone; whatever it started may not be.
    signalGroup("SIGTERM");
    process.exit(code ?? (signal ? 1 : 0));
  });
  return child;
}

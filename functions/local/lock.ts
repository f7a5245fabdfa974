/**
 * One platform per state folder: two processes on the same queues' journals and LevelDB would corrupt
 * both. The lock is a file holding the owner's process id; one left by a process that no longer runs
 * (killed) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NudgeError } from "../shared/errors.ts";

/** Another process runs the platform on this folder. */
export class FolderInUseError extends NudgeError {}

/** Whether a process with this id runs (on this machine). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the folder's lock, or throws FolderInUseError; returns its release. */
export function lockFolder(dir: string): () => void {
  const path = join(dir, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new FolderInUseError(
          `${dir} is in use by process ${owner} (another nudge start?): stop it, or give another folder with --dir`,
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw new FolderInUseError(`${dir}: could not take its lock`);
}

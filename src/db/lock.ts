// A pid lock file for the embedded database's data folder. PGlite takes no lock of its own, and two
// processes opening the same folder would both "succeed" and corrupt it.
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataFolderLockedError } from "./errors.ts";

export const LOCK_FILE_NAME = "inloco.lock";

/** Lock files this process holds: a lock naming our own pid but absent here is a stale one
 * (a container restarted with the same pid), not ours. */
const heldByThisProcess = new Set<string>();

export interface DataFolderLock {
  readonly lockFile: string;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

/** Takes the (existing) data folder's lock, taking over a lock left by a dead process. */
export function lockDataFolder(folder: string): DataFolderLock {
  const dir = resolve(folder);
  const lockFile = join(dir, LOCK_FILE_NAME);

  // Two rounds: the second one runs after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(lockFile)) {
      heldByThisProcess.add(lockFile);
      return {
        lockFile,
        release() {
          if (!heldByThisProcess.delete(lockFile)) return;
          if (readPid(lockFile) === process.pid) unlinkQuietly(lockFile);
        },
      };
    }
    const holder = readPid(lockFile);
    if (holder !== undefined && isHeld(holder, lockFile)) {
      throw new DataFolderLockedError(dir, holder, lockFile);
    }
    // Stale. Re-read just before removing, so a lock another process has taken over meanwhile
    // is not removed (the window left is a few microseconds).
    if (readPid(lockFile) === holder) unlinkQuietly(lockFile);
  }
  const holder = readPid(lockFile) ?? -1;
  throw new DataFolderLockedError(dir, holder, lockFile);
}

function tryCreate(lockFile: string): boolean {
  // Written aside then linked into place, so the lock file never exists without its pid.
  const draft = `${lockFile}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n`, { mode: 0o644 });
  try {
    linkSync(draft, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkQuietly(draft);
  }
}

function readPid(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isHeld(pid: number, lockFile: string): boolean {
  if (pid === process.pid) return heldByThisProcess.has(lockFile);
  return processExists(pid);
}

/** Whether a process with this id runs on this machine (whoever owns it). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes a file; one already gone is fine. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

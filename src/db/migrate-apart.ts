// Migrates the embedded database in a short-lived process of its own, before the app opens it.
//
// PGlite's WebAssembly memory grows to whatever PostgreSQL once needed and is never given back to the
// operating system: creating a fresh folder (PGlite's initdb) and applying the migrations took the app
// to about 900 MB, held until it was restarted, for work done once. Done in a child process, that peak
// ends with the child; the app then opens a folder that is already migrated (≈ 1 s) and stays at its
// idle size. The child takes the folder's lock like any other opener, so the two never overlap.
// (A worker thread would share the process: its WebAssembly memory is unmapped, but what the C
// allocator kept of it is not always returned.)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openEmbeddedPostgres, PGLITE_FOLDER } from "./embedded.ts";
import { DataFolderLockedError, FailedMigrationPendingError, MigrationError } from "./errors.ts";
import { applyMigrations } from "./migrate.ts";

/** The child's entry point: a .js file that registers tsx, as src/cli/inloco.js does. */
const CHILD = fileURLToPath(new URL("./migrate-child.js", import.meta.url));

/** Whether the embedded folder has no database yet (PGlite would run initdb when opening it). */
export function isFreshFolder(dataDir: string): boolean {
  return !existsSync(join(dataDir, PGLITE_FOLDER, "PG_VERSION"));
}

/** What the child writes on its standard output's last line. */
type ChildReport =
  | { applied: string[] }
  | { error: { name: string; message: string; migration?: string; cause?: string; folder?: string; pid?: number; lockFile?: string; reason?: string } };

/**
 * Creates (if needed) and migrates the embedded database in `dataDir` in a child process; returns the
 * names of the migrations it applied. The child's errors come back as the same classes
 * (DataFolderLockedError when another process holds the folder, MigrationError…).
 */
export async function migrateApart(dataDir: string, cacheMb: number): Promise<string[]> {
  const child = spawn(process.execPath, [CHILD, dataDir, String(cacheMb)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c) => resolve(c));
  });
  const last = out.trim().split("\n").pop() ?? "";
  let report: ChildReport | undefined;
  try {
    report = JSON.parse(last) as ChildReport;
  } catch {
    report = undefined;
  }
  if (report && "applied" in report && code === 0) return report.applied;
  if (report && "error" in report) throw rebuild(report.error);
  throw new Error(`migrating the embedded database in a child process failed (exit ${code}): ${err.trim() || out.trim() || "no output"}`);
}

function rebuild(e: Extract<ChildReport, { error: unknown }>["error"]): Error {
  if (e.name === "MigrationError" && e.migration) return new MigrationError(e.migration, e.cause ? { cause: new Error(e.cause) } : {});
  if (e.name === "FailedMigrationPendingError" && e.migration) return new FailedMigrationPendingError(e.migration);
  if (e.name === "DataFolderLockedError" && e.folder && e.pid !== undefined && e.lockFile) return new DataFolderLockedError(e.folder, e.pid, e.lockFile, e.reason);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/** In the child: open, migrate, close; the report as JSON on the last line of standard output. */
export async function runMigrateChild(argv: readonly string[]): Promise<number> {
  const [dataDir, cacheMb] = argv;
  try {
    if (!dataDir) throw new Error("usage: migrate-child.js <data folder> <cache MB>");
    const embedded = await openEmbeddedPostgres(dataDir, { cacheMb: Number(cacheMb) || undefined });
    let applied: string[];
    try {
      applied = await applyMigrations(embedded.url);
    } finally {
      await embedded.close();
    }
    process.stdout.write(`${JSON.stringify({ applied } satisfies ChildReport)}\n`);
    return 0;
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const fields = e as { migration?: string; folder?: string; pid?: number; lockFile?: string; reason?: string };
    const report: ChildReport = {
      error: {
        name: e.name,
        message: e.message,
        ...(fields.migration !== undefined ? { migration: fields.migration } : {}),
        ...(e.cause instanceof Error ? { cause: e.cause.message } : {}),
        ...(fields.folder !== undefined ? { folder: fields.folder, pid: fields.pid as number, lockFile: fields.lockFile as string } : {}),
        ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
      },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 1;
  }
}

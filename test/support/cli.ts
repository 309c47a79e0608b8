// The real CLI run as a process against a PostgreSQL test database of its own, with fresh identity
// keys and no Redis: what a coordinator's command does, end to end. Registers its own setup and teardown.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

const CLI = join(PROJECT_ROOT, "src", "cli", "inloco.js");

/** What a command printed and how it exited. */
export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A test file's CLI: `inloco(args)` runs a command; `db()` is its database (after setup). */
export function cliOnTestDatabase(o: { env?: NodeJS.ProcessEnv; prepare?: (db: TestDatabase) => Promise<unknown> } = {}): {
  /** Runs a command; `input` is what the person types (standard input is closed after it). */
  inloco: (args: string[], o?: { input?: string }) => Promise<CliResult>;
  db: () => TestDatabase;
} {
  const out = mkdtempSync(join(tmpdir(), "inloco-cli-"));
  let db: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    db = await createTestDatabase();
    await o.prepare?.(db);
    env = { ...process.env, DATABASE_URL: db.url, INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey(), ...o.env };
    delete env.REDIS_URL;
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(out, { recursive: true, force: true });
  });
  const inloco = (args: string[], o: { input?: string } = {}) =>
    new Promise<CliResult>((resolve) => {
      const child = execFile(process.execPath, [CLI, ...args], { env, cwd: out, timeout: 90_000 }, (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
      );
      child.stdin?.end(o.input ?? "");
    });
  return {
    inloco,
    db: () => {
      if (!db) throw new Error("the test database is made in beforeAll");
      return db;
    },
  };
}

// The small commands a newcomer tries first: --version, a mistyped contact id, db seed saying what it
// made (the ids a poster needs), and a poster refusing ids that don't exist. Run as the real CLI on a
// real PostgreSQL.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { DEMO_EVENT_ID } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const CLI = join(PROJECT_ROOT, "src", "cli", "inloco.js");
const out = mkdtempSync(join(tmpdir(), "inloco-cli-"));
let db: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...process.env, DATABASE_URL: db.url, INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey() };
  delete env.REDIS_URL;
});
afterAll(async () => {
  await db.drop();
  rmSync(out, { recursive: true, force: true });
});

function inloco(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd: out, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
    );
  });
}

describe("small commands", () => {
  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    const r = await inloco(["--version"]);
    expect([r.code, r.stdout.trim()]).toEqual([0, version]);
  });

  it("contact erase with something that is not an id says so, without a stack trace", async () => {
    const r = await inloco(["contact", "erase", "not-a-uuid"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      '"not-a-uuid" is not a contact id: a contact id is a UUID such as 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b (see the audit log or an export)',
    );
  });

  it("db seed says what it created: the territory ids and the event's id", async () => {
    const r = await inloco(["db", "seed"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("territories: torino, valsusa, cuneo, asti\n");
    expect(r.stdout).toContain(`event: ${DEMO_EVENT_ID} "Val di Susa task force meeting" in valsusa`);
    expect(r.stdout).toContain(`--event ${DEMO_EVENT_ID}`);
  });
});

// The small commands a newcomer tries first: --version, a mistyped contact id, db seed saying what it
// made (the ids a poster needs), and a poster refusing ids that don't exist. Run as the real CLI on a
// real PostgreSQL.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { DEMO_EVENT_ID } from "../../src/repos/seed.ts";
import { cliOnTestDatabase } from "../support/cli.ts";

const { inloco } = cliOnTestDatabase();

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

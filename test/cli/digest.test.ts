// `inloco digest preview` as a coordinator runs it: the real CLI as a process on a real PostgreSQL with
// a seeded week, no Slack anywhere.
import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliOnTestDatabase } from "../support/cli.ts";
import { seedWeek } from "../digests/world.ts";

const { inloco } = cliOnTestDatabase({ prepare: (db) => seedWeek(db) });
const folder = mkdtempSync(join(tmpdir(), "inloco-digest-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("inloco digest preview", () => {
  it("prints the digest of a task force named by its name, and writes its chart", { timeout: 120_000 }, async () => {
    const out = join(folder, "chart.png");
    const r = await inloco(["digest", "preview", "--task-force", "task force val di susa", "--from", "2027-03-01", "--to", "2027-03-08", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Task force Val di Susa: digest\n1 Mar – 7 Mar 2027, compared with 22 Feb – 28 Feb\nTerritory: Val di Susa");
    expect(r.stdout).toMatch(/^ {2}Housing +8 {2}\+3$/m);
    expect(r.stdout).toMatch(/^ {2}Language +< 5$/m);
    expect(r.stdout).toMatch(/^ {2}People reached +21 {2}\+7$/m);
    expect(r.stdout).not.toContain("Amira");
    expect(r.stdout).toContain(`written to ${out}`);
    expect(readFileSync(out).subarray(0, 4).toString("latin1")).toBe("\x89PNG");
  });

  it("names the chart after the task force by default, in the current folder", { timeout: 120_000 }, async () => {
    const r = await inloco(["digest", "preview", "--task-force", "Task force Val di Susa", "--to", "2027-03-08"]);
    expect(r.code).toBe(0);
    const file = /written to (.+\.png)$/m.exec(r.stdout)?.[1] ?? "";
    expect(file).toMatch(/\/digest-task-force-val-di-susa\.png$/);
    expect(existsSync(file)).toBe(true);
  });

  it("lists the known task forces for a wrong one, and refuses a period backwards", { timeout: 120_000 }, async () => {
    const wrong = await inloco(["digest", "preview", "--task-force", "Atlantis"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(/^no task force "Atlantis"; known task forces:\n {2}[0-9a-f-]{36} {2}Task force Asti \(asti\)\n/);
    expect(wrong.stderr).toContain("Task force Val di Susa (valsusa)");
    const backwards = await inloco(["digest", "preview", "--task-force", "Task force Asti", "--from", "2027-03-08", "--to", "2027-03-01"]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr.trim()).toBe("the period must end after it starts (--from 2027-03-08, --to 2027-03-01)");
    const malformed = await inloco(["digest", "preview", "--task-force", "Task force Asti", "--from", "March"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('a day "YYYY-MM-DD"');
  });
});

// `inloco export` and `inloco report` as a researcher runs them: the real CLI as a process on a real
// PostgreSQL with seeded needs-survey runs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { cliOnTestDatabase } from "../support/cli.ts";
import { seedRuns } from "../exports/world.ts";

const { inloco } = cliOnTestDatabase({ prepare: (db) => seedRuns(db) });
const folder = mkdtempSync(join(tmpdir(), "inloco-export-cli-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("inloco export", () => {
  it("writes the XLSX, names it on standard output and says what it wrote on standard error", { timeout: 120_000 }, async () => {
    const out = join(folder, "needs.xlsx");
    const r = await inloco(["export", "--flow", "needs", "--labels", "ar", "--stable-ids", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toBe(`Exported 4 runs of 3 people (61 columns) to ${out}\n`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet("responses");
    const headers = (ws?.getRow(1).values as unknown[]).slice(1);
    const first = (ws?.getRow(2).values as unknown[]).slice(1);
    const cell = (h: string) => first[headers.indexOf(h)];
    expect([cell("territory"), cell("housing"), cell("housing_label"), cell("skills"), cell("skills__trade"), cell("children")]).toEqual(["valsusa", "reception", "في مركز استقبال أو مأوى", "degree;trade", 1, "(skipped)"]);
    expect(cell("anything_else")).toBe("(text withheld)");
  });

  it("writes CSV files with --include-text, warning that free text can identify people", { timeout: 120_000 }, async () => {
    const r = await inloco(["export", "--flow", "needs", "--include-text", "--territory", "torino", "--from", "2027-03-01", "--to", "2027-03-01", "--out", join(folder, "torino.csv")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Warning: --include-text puts free text and places in the file\. What people wrote can identify them/);
    expect(r.stdout.trim().split("\n")).toEqual(["responses", "codebook", "about"].map((s) => join(folder, `torino-${s}.csv`)));
    const rows = parse(readFileSync(join(folder, "torino-responses.csv")), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((x) => [x.territory, x.housing, x.work, x.transport])).toEqual([["torino", "(skipped)", "employed", "car"]]);
  });

  it("refuses what it can't do with a message and exit code 1, writing nothing", { timeout: 120_000 }, async () => {
    const flow = await inloco(["export", "--flow", "needz", "--out", join(folder, "x.xlsx")]);
    expect(flow.code).toBe(1);
    expect(flow.stderr).toMatch(/^--flow: no flow "needz"; known: .*\bneeds\b/);
    const territory = await inloco(["export", "--flow", "needs", "--territory", "atlantis", "--out", join(folder, "x.xlsx")]);
    expect(territory.code).toBe(1);
    expect(territory.stderr.trim()).toBe('--territory: no territory "atlantis"; known: asti, cuneo, torino, valsusa');
    const labels = await inloco(["export", "--flow", "needs", "--labels", "klingon", "--out", join(folder, "x.xlsx")]);
    expect(labels.code).toBe(1);
    expect(labels.stderr).toMatch(/^--labels: no texts in "klingon"; known: /);
    const malformed = await inloco(["export", "--flow", "needs", "--from", "March"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('a day "YYYY-MM-DD"');
    const noSuchDay = await inloco(["export", "--flow", "needs", "--to", "2027-02-30"]);
    expect(noSuchDay.code).toBe(1);
    expect(noSuchDay.stderr.trim()).toBe('--to: "2027-02-30": no such date');
    expect(existsSync(join(folder, "x.xlsx"))).toBe(false);
  });
});

describe("inloco report", () => {
  it("prints the needs survey's counts with bars, hiding those under 5", { timeout: 120_000 }, async () => {
    const r = await inloco(["report", "--territory", "valsusa"], {});
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Needs survey (needs) — territory valsusa");
    expect(lines[1]).toBe('Runs < 5, completed < 5. Counts under 5 show as "< 5".');
    expect(lines).toContain("housing — What is your housing situation now? [choice]");
    expect(r.stdout).not.toMatch(/[█▏▎▍▌▋▊▉]/);
    const all = await inloco(["report", "--flow", "needs"], {});
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("Needs survey (needs) — all territories");
  });
});

// `inloco report`'s counts and text from seeded runs on a real PostgreSQL: completion by territory and
// language, each question's options with bars, and every count under the threshold written "< 5"
// with no bar (a bar's length would tell it).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExportInputError } from "../../src/exports/errors.ts";
import { buildReport, type Report, type ReportContext } from "../../src/exports/report.ts";
import { bar, reportText } from "../../src/exports/report-text.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { shippedTexts } from "../support/engine.ts";
import { FIRST, flowsAsVersion2, seedRuns } from "./world.ts";

let db: TestDatabase;
let ctx: ReportContext;
let report: Report;
let text: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedRuns(db);
  // Six more in Torino, in Italian, who live in their own home and work: completed.
  for (let i = 0; i < 6; i++) {
    const contact = randomUUID();
    const run = randomUUID();
    await db.sql.query(`INSERT INTO contacts (id, language, territory_id, consent_version) VALUES ($1, 'it', 'torino', '2')`, [contact]);
    await db.sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at) VALUES ($1, $2, 'needs', '2', 'completed', $3, $3)`, [run, contact, FIRST]);
    for (const [result, choice] of [["housing", "stable"], ["work", "employed"]]) {
      await db.sql.query(
        `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_choices, language) VALUES (gen_random_uuid(), $1, $2, 'needs', '2', $3, $3, 'choice', $4, 'it')`,
        [contact, run, result, [choice]],
      );
    }
  }
  const texts = shippedTexts();
  ctx = { sql: db.sql, flows: flowsAsVersion2(), texts: { text: (l, k) => texts.text(l, k), languages: Object.keys(texts.resources) }, minCount: 5 };
  report = await buildReport(ctx, { flowId: "needs" });
  text = reportText(report);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe("the report's counts", () => {
  it("counts runs and completion in all, by territory and by the language each run was answered in", () => {
    expect(report.total).toEqual({ key: "all", runs: 10, completed: 8 });
    expect(report.byTerritory).toEqual([
      { key: "torino", runs: 7, completed: 6 },
      { key: "valsusa", runs: 3, completed: 2 },
    ]);
    expect(report.byLanguage).toEqual([
      { key: "it", runs: 6, completed: 6 },
      { key: "ar", runs: 2, completed: 2 },
      { key: "fa", runs: 1, completed: 0 },
      { key: "uk", runs: 1, completed: 0 },
    ]);
  });

  it("counts each question's options, skips and runs that never reached it", () => {
    const housing = report.questions.find((q) => q.name === "housing");
    expect(housing).toMatchObject({ answered: 8, skipped: 1, notAsked: 1, text: "What is your housing situation now?" });
    expect(housing?.options.map((o) => [o.code, o.count])).toEqual([["stable", 7], ["reception", 1], ["friends", 0], ["none", 0]]);
    const skills = report.questions.find((q) => q.name === "skills");
    expect(skills?.options.map((o) => [o.code, o.count])).toEqual([["degree", 1], ["vocational", 0], ["trade", 1], ["licence", 0], ["none", 1]]);
    expect(report.questions.find((q) => q.name === "language_level")?.options).toEqual([{ code: "3", count: 1 }]);
    // A free text is counted, never shown.
    expect(report.questions.find((q) => q.name === "anything_else")).toMatchObject({ answered: 1, options: [] });
  });

  it("covers one territory with --territory, and refuses one it doesn't know", async () => {
    const valsusa = await buildReport(ctx, { flowId: "needs", territory: "valsusa" });
    expect(valsusa.total).toEqual({ key: "all", runs: 3, completed: 2 });
    expect(valsusa.questions.find((q) => q.name === "housing")?.options[0]).toMatchObject({ code: "stable", count: 1 });
    const e = await buildReport(ctx, { flowId: "needs", territory: "atlantis" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExportInputError);
    expect((e as Error).message).toMatch(/^--territory: no territory "atlantis"; known: asti, cuneo/);
    expect(((await buildReport(ctx, { flowId: "nope" }).catch((x: unknown) => x)) as Error).message).toMatch(/^--flow: no flow "nope"; known: .*needs/);
  });
});

describe("the report as text", () => {
  it("draws bars in eighths of a cell", () => {
    expect(bar(24, 24)).toBe("█".repeat(24));
    expect(bar(1, 24)).toBe("█");
    expect(bar(1, 48)).toBe("▌");
    expect(bar(1, 192)).toBe("▏");
    expect(bar(0, 10)).toBe("");
  });

  it("heads with the flow, the runs and the threshold", () => {
    expect(text.split("\n").slice(0, 2)).toEqual(["Needs survey (needs) — all territories", 'Runs 10, completed 8 (80%). Counts under 5 show as "< 5".']);
  });

  it("shows counts from 5 with a bar and a percentage, and those under it as \"< 5\" with neither", () => {
    const lines = text.split("\n");
    expect(lines).toContain(`  torino   ${"█".repeat(24)}    7  completed 6 (86%)`);
    expect(lines).toContain(`  valsusa  ${" ".repeat(24)}  < 5  completed < 5`);
    const housing = lines.indexOf("housing — What is your housing situation now? [choice]");
    expect(housing).toBeGreaterThan(0);
    expect(lines[housing + 1]).toMatch(/^ {2}stable {5}In my own or a rented home +█{24} {4}7$/);
    expect(lines[housing + 2]).toMatch(/^ {2}reception {2}In a reception centre or shelter {2} {24} {2}< 5$/);
    expect(lines[housing + 5]).toBe("  answered 8 · skipped < 5 · not asked < 5");
    // Zero is under the threshold too.
    expect(lines[housing + 3]).toMatch(/< 5$/);
  });
});

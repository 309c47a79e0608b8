// Survey runs of the needs survey seeded row by row, so every cell of an export is known in advance:
// two flow versions (the older one with questions the current file dropped), a partial run, skipped
// and never-asked questions, a multiple choice, a number, a date, a free text that is a formula, and
// one person with two runs. Plus a feedback run, and feedback whose writer was erased (no contact).
import { randomUUID } from "node:crypto";
import type { Sql } from "../../src/db/index.ts";
import type { ExportContext } from "../../src/exports/export.ts";
import type { FlowQuestions } from "../../src/flows/questions.ts";
import { questionsOf } from "../../src/flows/questions.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { ALL_LANGUAGES, shippedFlows, shippedTexts } from "../support/engine.ts";

/** A free text that a spreadsheet would run as a formula. */
export const FORMULA_TEXT = '=HYPERLINK("http://example.org/x","click me")';

/** The people and runs seeded, for the assertions. */
export interface SeededRuns {
  amira: string;
  olena: string;
  karim: string;
  /** Run ids, oldest first: amira v1 complete, olena v1 partial, amira v2 complete, karim v2 partial. */
  runs: [string, string, string, string];
}

/** When the first run started: 1 March 2027, 10:00 in Rome. */
export const FIRST = new Date("2027-03-01T09:00:00Z");
const HOUR = 3_600_000;

type Value = string | string[] | number | { text: string } | { date: string } | null;

/** Seeds the runs on a migrated database (the demo territories too). */
export async function seedRuns(db: { prisma: PrismaClient; sql: Sql }): Promise<SeededRuns> {
  await seedDemo(db.prisma, FIRST);
  const sql = db.sql;
  const contact = async (language: string, territory: string, consent: string) => {
    const id = randomUUID();
    await sql.query(`INSERT INTO contacts (id, language, territory_id, consent_version, consent_at) VALUES ($1, $2, $3, $4, now())`, [id, language, territory, consent]);
    return id;
  };
  const amira = await contact("ar", "valsusa", "2");
  const olena = await contact("uk", "torino", "1");
  const karim = await contact("fa", "valsusa", "2");
  const run = async (contactId: string, version: string, at: Date, status: string, language: string, answers: Record<string, Value>) => {
    const id = randomUUID();
    await sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at) VALUES ($1, $2, 'needs', $3, $4, $5, $6)`, [
      id, contactId, version, status, at, status === "completed" ? new Date(at.getTime() + 600_000) : null,
    ]);
    let minute = 0;
    for (const [result, v] of Object.entries(answers)) {
      const kind = v === null ? "text" : typeof v === "number" ? "number" : typeof v === "string" || Array.isArray(v) ? "choice" : "text" in v ? "text" : "date";
      await sql.query(
        `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number, value_choices, value_date, skipped, language, answered_at)
         VALUES (gen_random_uuid(), $1, $2, 'needs', $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          contactId, id, version, result, kind,
          v !== null && typeof v === "object" && "text" in v ? v.text : null,
          typeof v === "number" ? v : null,
          typeof v === "string" ? [v] : Array.isArray(v) ? v : [],
          v !== null && typeof v === "object" && "date" in v ? v.date : null,
          v === null, language, new Date(at.getTime() + ++minute * 60_000),
        ],
      );
    }
    return id;
  };
  // Version 1 asked `transport` and `arrival`, which the current file (version 2) no longer has.
  const r1 = await run(amira, "1", FIRST, "completed", "ar", {
    housing: "reception", housing_help: "yes", skills: ["degree", "trade"], language_level: 3, children: null, anything_else: { text: FORMULA_TEXT }, transport: "bus", arrival: { date: "2026-11-02" },
  });
  const r2 = await run(olena, "1", new Date(FIRST.getTime() + HOUR), "abandoned", "uk", { housing: null, work: "employed", transport: "car" });
  const r3 = await run(amira, "2", new Date(FIRST.getTime() + 24 * HOUR), "completed", "ar", { housing: "stable", skills: ["none"], priority: "work" });
  const r4 = await run(karim, "2", new Date(FIRST.getTime() + 48 * HOUR), "in_progress", "fa", {});
  // A feedback run, and feedback whose writer was erased (its contact is gone): not a needs run.
  await sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at) VALUES ($1, $2, 'feedback', '1', 'completed', $3)`, [randomUUID(), olena, FIRST]);
  await sql.query(`INSERT INTO feedback (id, contact_id, text, category, language, territory_id, created_at, source_event_id) VALUES (gen_random_uuid(), NULL, NULL, 'housing', 'en', 'valsusa', $1, $2)`, [FIRST, `test:${randomUUID()}`]);
  return { amira, olena, karim, runs: [r1, r2, r3, r4] };
}

/** The shipped flows' questions, the needs survey's file taken as version 2. */
export function flowsAsVersion2(): Map<string, FlowQuestions> {
  const texts = shippedTexts();
  const catalog = shippedFlows(texts);
  const out = new Map<string, FlowQuestions>();
  for (const id of catalog.ids()) {
    const q = questionsOf(catalog.get(id) as NonNullable<ReturnType<typeof catalog.get>>, ALL_LANGUAGES);
    out.set(id, id === "needs" ? { ...q, version: "2" } : q);
  }
  return out;
}

/** An export context over the shipped texts, with a fixed clock and stable key. */
export function exportContext(sql: Sql, o: { stableKey?: Buffer } = {}): ExportContext {
  const texts = shippedTexts();
  return {
    sql,
    flows: flowsAsVersion2(),
    texts: { text: (l, k) => texts.text(l, k), languages: Object.keys(texts.resources) },
    languages: ALL_LANGUAGES,
    stableKey: () => o.stableKey ?? Buffer.alloc(32, 7),
    now: () => new Date("2027-03-10T12:00:00Z"),
    appVersion: "0.0.0-test",
  };
}

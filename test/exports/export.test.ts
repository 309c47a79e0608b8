// A research export of seeded needs-survey runs on a real PostgreSQL, read back as a researcher
// would (the XLSX with exceljs, the CSV with a CSV parser), checked cell by cell: codes and labels,
// multiple choice split in 0/1 columns, skipped against not asked, two flow versions, formula
// escaping, the codebook and about sheets, person ids that join nothing, and the input refused.
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFlow, type ExportContext } from "../../src/exports/export.ts";
import { ExportInputError } from "../../src/exports/errors.ts";
import type { ExportOptionsInput } from "../../src/exports/options.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { exportContext, FIRST, FORMULA_TEXT, seedRuns, type SeededRuns } from "./world.ts";

let db: TestDatabase;
let seeded: SeededRuns;
let ctx: ExportContext;
const folder = mkdtempSync(join(tmpdir(), "inloco-export-"));

beforeAll(async () => {
  db = await createTestDatabase();
  seeded = await seedRuns(db);
  ctx = exportContext(db.sql);
}, 120_000);
afterAll(async () => {
  await db?.drop();
  rmSync(folder, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
let n = 0;
const options = (o: Partial<ExportOptionsInput> = {}): ExportOptionsInput => ({ flowId: "needs", out: join(folder, `export-${++n}.xlsx`), timeZone: "Europe/Rome", ...o });

/** A sheet of an XLSX file as rows keyed by the header row (empty cells null). */
async function readSheet(file: string, name: string): Promise<{ headers: string[]; rows: Row[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  const values: unknown[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => values.push((row.values as unknown[]).slice(1)));
  const headers = (values[0] ?? []) as string[];
  return { headers, rows: values.slice(1).map((v) => Object.fromEntries(headers.map((h, i) => [h, v[i] ?? null]))) };
}

/** Rome in March 2027 is UTC+1: a wall-clock time as the sheet holds it. */
const rome = (iso: string) => new Date(`${iso}Z`);

describe("inloco export as XLSX", () => {
  let file: string;
  let sheet: { headers: string[]; rows: Row[] };
  beforeAll(async () => {
    const r = await exportFlow(ctx, options());
    file = r.files[0] as string;
    sheet = await readSheet(file, "responses");
    expect(r).toMatchObject({ rows: 4, people: 3 });
  });

  it("writes one row per run, oldest first, with who and when, and the three sheets", async () => {
    expect(sheet.rows).toHaveLength(4);
    expect(sheet.headers.slice(0, 7)).toEqual(["person_id", "territory", "language", "flow_version", "started_at", "completed_at", "status"]);
    const [r1, r2, r3, r4] = sheet.rows as [Row, Row, Row, Row];
    expect(r1).toMatchObject({ territory: "valsusa", language: "ar", flow_version: "1", started_at: rome("2027-03-01T10:00:00"), completed_at: rome("2027-03-01T10:10:00"), status: "complete" });
    expect(r2).toMatchObject({ territory: "torino", language: "uk", flow_version: "1", completed_at: null, status: "partial" });
    expect(r3).toMatchObject({ flow_version: "2", status: "complete", started_at: rome("2027-03-02T10:00:00") });
    // No answers: the person's language, and partial while it is still going.
    expect(r4).toMatchObject({ language: "fa", flow_version: "2", status: "partial" });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["responses", "codebook", "about"]);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it("gives a choice its code, a multiple choice its codes and a 0/1 column per option, numbers as numbers, dates as dates", () => {
    const r1 = sheet.rows[0] as Row;
    expect(r1).toMatchObject({ housing: "reception", housing_help: "yes", skills: "degree;trade", language_level: 3, transport: "bus", arrival: new Date("2026-11-02T00:00:00Z") });
    expect([r1.skills__degree, r1.skills__vocational, r1.skills__trade, r1.skills__licence, r1.skills__none]).toEqual([1, 0, 1, 0, 0]);
    expect(sheet.headers.filter((h) => h.startsWith("skills"))).toEqual(["skills", "skills__degree", "skills__vocational", "skills__trade", "skills__licence", "skills__none"]);
    expect((sheet.rows[2] as Row).skills__none).toBe(1);
    expect(sheet.headers.some((h) => h.endsWith("_label"))).toBe(false);
  });

  it("tells skipped from not asked: \"(skipped)\" in each of the question's columns, or empty cells", () => {
    const [r1, r2, , r4] = sheet.rows as [Row, Row, Row, Row];
    expect(r1.children).toBe("(skipped)");
    expect(r2.housing).toBe("(skipped)");
    expect(r1.work).toBeNull();
    expect(r2.work).toBe("employed");
    expect([r2.skills, r2.skills__degree, r2.skills__none]).toEqual([null, null, null]);
    expect(Object.entries(r4).filter(([h, v]) => !["person_id", "territory", "language", "flow_version", "started_at", "completed_at", "status"].includes(h) && v !== null)).toEqual([]);
  });

  it("withholds free text unless asked, and keeps both versions' questions: the file's, then the older one's", () => {
    expect((sheet.rows[0] as Row).anything_else).toBe("(text withheld)");
    expect(JSON.stringify(sheet.rows)).not.toContain("HYPERLINK");
    expect(sheet.headers.slice(-3)).toEqual(["anything_else", "arrival", "transport"]);
    expect((sheet.rows[2] as Row).transport).toBeNull();
  });

  it("gives each person an id that is not their contact id, the same for both of a person's runs", () => {
    const ids = sheet.rows.map((r) => r.person_id as string);
    for (const id of ids) expect(id).toMatch(/^p[0-9a-f]{16}$/);
    expect(ids[0]).toBe(ids[2]);
    expect(new Set(ids).size).toBe(3);
    const everything = readFileSync(file).toString("latin1");
    for (const c of [seeded.amira, seeded.olena, seeded.karim]) expect(everything).not.toContain(c);
  });

  it("describes every variable in the codebook: texts in each language, type, options with labels, versions", async () => {
    const { headers, rows } = await readSheet(file, "codebook");
    expect(headers).toEqual(["variable", "column", "type", "code", "versions", "text_en", "text_it", "text_ar", "text_fa", "text_uk", "text_ti", "text_fr", "note"]);
    expect(rows.find((r) => r.variable === "status")).toMatchObject({ type: "code" });
    const housing = rows.filter((r) => r.variable === "housing");
    expect(housing[0]).toMatchObject({ column: "housing", type: "choice", code: null, versions: "1, 2", text_en: "What is your housing situation now?", text_ar: "أين تسكن الآن؟" });
    expect(housing[0]?.note).toContain('"(skipped)": asked and skipped');
    expect(housing.slice(1).map((r) => r.code)).toEqual(["stable", "reception", "friends", "none"]);
    expect(housing[2]).toMatchObject({ type: "option", column: "housing", text_ar: "في مركز استقبال أو مأوى" });
    const skills = rows.filter((r) => r.variable === "skills");
    expect(skills[0]).toMatchObject({ type: "multiple_choice", versions: "1, 2" });
    expect(skills[1]).toMatchObject({ code: "degree", column: "skills__degree", text_ar: "شهادة جامعية" });
    expect(rows.find((r) => r.variable === "transport")).toMatchObject({ type: "choice", versions: "1", text_en: null });
    expect(rows.find((r) => r.variable === "transport")?.note).toContain("not in the current flow file");
    expect(rows.filter((r) => r.variable === "transport").map((r) => r.code)).toEqual([null, "bus", "car"]);
    expect(rows.find((r) => r.variable === "arrival")).toMatchObject({ type: "date" });
    expect(rows.find((r) => r.variable === "language_level")).toMatchObject({ type: "scale", versions: "1" });
    // Asked by the file but never answered yet: no versions.
    expect(rows.find((r) => r.variable === "social")).toMatchObject({ versions: null });
  });

  it("says in the about sheet what was exported: filters, time zone, rows, consent versions, conventions", async () => {
    const { rows } = await readSheet(file, "about");
    const about = Object.fromEntries(rows.map((r) => [r.item, r.value]));
    expect(about).toMatchObject({
      flow: "needs",
      "flow version in the current flow file": "2",
      "runs of flow version 1": 2,
      "runs of flow version 2": 2,
      "filter --territory": "(all)",
      rows: 4,
      people: 3,
      "consent version 1": "1 people, 1 runs",
      "consent version 2": "2 people, 3 runs",
      "exported at": rome("2027-03-10T13:00:00"),
    });
    expect(about["time zone"]).toMatch(/^Europe\/Rome/);
    expect(about.what).toContain("Needs survey");
    expect(about["not asked"]).toMatch(/^an empty cell/);
    expect(about.skipped).toContain("(skipped)");
  });
});

describe("options of an export", () => {
  it("adds label columns in Arabic beside the codes with --labels ar", async () => {
    const r = await exportFlow(ctx, options({ labels: "ar" }));
    const { headers, rows } = await readSheet(r.files[0] as string, "responses");
    expect(headers.filter((h) => h.startsWith("housing"))).toEqual(["housing", "housing_label", "housing_help", "housing_help_label"]);
    expect(headers.filter((h) => h.startsWith("skills")).slice(0, 2)).toEqual(["skills", "skills_label"]);
    const r1 = rows[0] as Row;
    expect(r1).toMatchObject({ housing: "reception", housing_label: "في مركز استقبال أو مأوى", housing_help_label: "نعم", skills_label: "شهادة جامعية; خبرة في مهنة (مثلاً البناء، الطبخ، الزراعة)" });
    expect((rows[1] as Row).housing_label).toBe("(skipped)");
    expect((rows[1] as Row).work_label).toBe("أعمل عند صاحب عمل");
    expect(r1.transport_label).toBeNull();
  });

  it("includes free text only with --include-text, a formula written as text", async () => {
    const r = await exportFlow(ctx, options({ includeText: true }));
    const { rows } = await readSheet(r.files[0] as string, "responses");
    expect((rows[0] as Row).anything_else).toBe(`'${FORMULA_TEXT}`);
    const about = Object.fromEntries((await readSheet(r.files[0] as string, "about")).rows.map((x) => [x.item, x.value]));
    expect(about["free text and places"]).toMatch(/^INCLUDED/);
  });

  it("gives other person ids in every export, and the same ones with --stable-ids", async () => {
    const ids = async (o: Partial<ExportOptionsInput>, c = ctx) => (await readSheet((await exportFlow(c, options(o))).files[0] as string, "responses")).rows.map((r) => r.person_id);
    const [a, b] = [await ids({}), await ids({})];
    expect(a.every((id, i) => id !== b[i])).toBe(true);
    const [s1, s2] = [await ids({ stableIds: true }), await ids({ stableIds: true })];
    expect(s1).toEqual(s2);
    expect(s1[0]).toBe(s1[2]);
    // Another INLOCO_HASH_KEY: other stable ids.
    expect((await ids({ stableIds: true }, exportContext(db.sql, { stableKey: Buffer.alloc(32, 9) })))[0]).not.toBe(s1[0]);
  });

  it("exports only the territories and the days asked for (--to's day included)", async () => {
    const r = await exportFlow(ctx, options({ territories: ["valsusa"], from: new Date("2027-03-01T23:00:00Z"), to: new Date("2027-03-02T23:00:00Z"), given: { from: "2027-03-02", to: "2027-03-02" } }));
    const { rows } = await readSheet(r.files[0] as string, "responses");
    expect(rows.map((x) => [x.territory, x.flow_version])).toEqual([["valsusa", "2"]]);
    const about = Object.fromEntries((await readSheet(r.files[0] as string, "about")).rows.map((x) => [x.item, x.value]));
    expect(about).toMatchObject({ "filter --from": "2027-03-02", "filter --territory": "valsusa", rows: 1, people: 1 });
  });

  it("reads the runs page by page without losing or repeating one, runs of the same instant too", async () => {
    const at = new Date("2027-03-05T08:00:00Z");
    const { rows: contacts } = await db.sql.query<{ id: string }>("SELECT id::text AS id FROM contacts ORDER BY id LIMIT 3");
    for (const c of contacts) {
      await db.sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at) VALUES (gen_random_uuid()::text, $1, 'rsvp', '1', 'completed', $2)`, [c.id, at]);
    }
    const sheetOf = async (pageSize?: number) => {
      const r = await exportFlow(pageSize ? { ...ctx, pageSize } : ctx, options({ flowId: "rsvp", stableIds: true }));
      return (await readSheet(r.files[0] as string, "responses")).rows.map((x) => x.person_id);
    };
    const whole = await sheetOf();
    expect(whole).toHaveLength(3);
    expect(await sheetOf(1)).toEqual(whole);
    expect(await sheetOf(2)).toEqual(whole);
    const needs = async (pageSize?: number) => (await readSheet((await exportFlow(pageSize ? { ...ctx, pageSize } : ctx, options({ stableIds: true }))).files[0] as string, "responses")).rows;
    expect(await needs(1)).toEqual(await needs());
  });

  it("exports a flow whose feedback lost its writer (erased) without trouble", async () => {
    const r = await exportFlow(ctx, options({ flowId: "feedback" }));
    expect(r.rows).toBe(1);
  });

  it("refuses an unknown flow (listing the known ones), an unknown territory or label language, a backwards period", async () => {
    const refused = (o: Partial<ExportOptionsInput>) => exportFlow(ctx, options(o)).then(() => undefined, (e: unknown) => e);
    const flow = await refused({ flowId: "needz" });
    expect(flow).toBeInstanceOf(ExportInputError);
    expect((flow as Error).message).toMatch(/^--flow: no flow "needz"; known: .*\bfeedback\b.*\bneeds\b/);
    expect(((await refused({ territories: ["atlantis"] })) as Error).message).toMatch(/^--territory: no territory "atlantis"; known: asti, cuneo, torino, valsusa/);
    expect(((await refused({ labels: "xx" })) as Error).message).toMatch(/^--labels: no texts in "xx"; known: .*\bar\b/);
    expect(((await refused({ from: FIRST, to: FIRST })) as Error).message).toBe("--to: must be after --from");
    expect(readdirSync(folder).filter((f) => f.endsWith(".part"))).toEqual([]);
  });
});

describe("inloco export as CSV", () => {
  it("writes one UTF-8 file per sheet with a byte order mark, the same cells as text", async () => {
    const out = join(folder, "needs.csv");
    const r = await exportFlow(ctx, options({ format: "csv", out, includeText: true, labels: "ar" }));
    expect(r.files).toEqual([join(folder, "needs-responses.csv"), join(folder, "needs-codebook.csv"), join(folder, "needs-about.csv")]);
    for (const f of r.files) expect([...readFileSync(f).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(readFileSync(r.files[0] as string), { bom: true, columns: true }) as Row[];
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      started_at: "2027-03-01 10:00:00",
      completed_at: "2027-03-01 10:10:00",
      housing: "reception",
      housing_label: "في مركز استقبال أو مأوى",
      skills: "degree;trade",
      skills__degree: "1",
      skills__vocational: "0",
      language_level: "3",
      children: "(skipped)",
      work: "",
      anything_else: `'${FORMULA_TEXT}`,
      arrival: "2026-11-02",
    });
    expect(rows[1]).toMatchObject({ completed_at: "", status: "partial" });
    const codebook = parse(readFileSync(r.files[1] as string), { bom: true, columns: true }) as Row[];
    expect(codebook.find((x) => x.variable === "housing" && x.code === "reception")).toMatchObject({ text_ar: "في مركز استقبال أو مأوى", text_en: "In a reception centre or shelter" });
  });
});

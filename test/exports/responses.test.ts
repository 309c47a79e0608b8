// A row of the responses sheet from plain data (no database, no file): what a voice note, a place and
// an answer stored otherwise than its question's type come out as, with and without --include-text.
import { describe, expect, it } from "vitest";
import type { AnswerRow } from "../../src/repos/exports.ts";
import { responseLayout, type ExportRun } from "../../src/exports/responses.ts";
import type { Variable } from "../../src/exports/variables.ts";

const answer = (o: Partial<AnswerRow> & Pick<AnswerRow, "result_name" | "kind">): AnswerRow => ({
  value_text: null, value_number: null, value_choices: [], value_date: null, value_lat: null, value_lon: null, value_place: null, skipped: false, language: "en", ...o,
});
const variables: Variable[] = [
  { name: "note", type: "text", options: [], versions: ["1"], inFlowFile: true },
  { name: "where", type: "location", options: [], versions: ["1"], inFlowFile: true },
  { name: "size", type: "choice", options: [{ code: "small", labelKey: "x:small" }], versions: ["1", "2"], inFlowFile: true },
];
const run = (answers: AnswerRow[]): ExportRun => ({
  personId: "p0", territory: null, language: "en", flowVersion: "1", startedAt: new Date(0), completedAt: null, complete: false, answers: new Map(answers.map((a) => [a.result_name, a])),
});
const cells = (includeText: boolean, answers: AnswerRow[]) => {
  const layout = responseLayout(variables, { includeText });
  const row = layout.cellsOf(run(answers));
  return Object.fromEntries(layout.columns.map((c, i) => [c.header, row[i]]).slice(7));
};

describe("a row of the responses sheet", () => {
  it("says a voice note is one, with or without --include-text", () => {
    expect(cells(true, [answer({ result_name: "note", kind: "media" })]).note).toBe("(voice note)");
    expect(cells(false, [answer({ result_name: "note", kind: "media" })]).note).toBe("(voice note)");
  });

  it("withholds a place in all three of its columns unless --include-text", () => {
    const where = answer({ result_name: "where", kind: "location", value_lat: 45.07, value_lon: 7.69, value_place: "Porta Palazzo" });
    expect(cells(false, [where])).toMatchObject({ where_lat: "(place withheld)", where_lon: "(place withheld)", where_place: "(place withheld)" });
    expect(cells(true, [where])).toMatchObject({ where_lat: 45.07, where_lon: 7.69, where_place: "Porta Palazzo" });
  });

  it("shows an answer stored otherwise than its question's type (a version that asked a number) as it was stored", () => {
    expect(cells(false, [answer({ result_name: "size", kind: "number", value_number: 3 })]).size).toBe(3);
  });

  it("leaves every column of a question not asked empty", () => {
    expect(Object.values(cells(true, []))).toEqual([null, null, null, null, null]);
  });
});

// The `codebook` sheet: every column of the responses sheet explained. The run's own columns first,
// then each variable: a row for the question (its type, the flow versions with answers to it, its
// text in each language) and a row per option (its code, the column it has in a multiple choice,
// its label in each language).
import type { Cell } from "./cells.ts";
import { MARKS, type ResponseColumn } from "./responses.ts";
import type { Variable } from "./variables.ts";

/** A text of the flows in exactly one language, or undefined when that language lacks it. */
export type TextIn = (language: string, key: string) => string | undefined;

const RUN_NOTES: Record<string, [type: string, note: string]> = {
  person_id: ["id", "a pseudonym of the person, not their contact id: random for this export (so two exports can't be joined), or stable across exports with --stable-ids"],
  territory: ["code", "the territory id of the person (empty: none)"],
  language: ["code", "the language the run was answered in (its first answer's; the person's language when it has none)"],
  flow_version: ["text", "the version of the flow the run went through"],
  started_at: ["time", "when the run started, on the clocks of the time zone in the about sheet"],
  completed_at: ["time", "when the run was completed (empty: not completed)"],
  status: ["code", "complete, or partial (left half-way or still going)"],
};

const TYPE_NOTES: Partial<Record<Variable["type"], string>> = {
  multiple_choice: "the chosen codes joined by \";\", and one column per option: 1 chosen, 0 not",
  text: `free text: only with --include-text, else "${MARKS.textWithheld}"; a voice note is "${MARKS.voiceNote}"`,
  location: `latitude, longitude and place: only with --include-text, else "${MARKS.placeWithheld}"`,
  scale: "a number on the scale",
};

/** The codebook's header row. */
export const codebookHeaders = (languages: readonly string[]): string[] => ["variable", "column", "type", "code", "versions", ...languages.map((l) => `text_${l}`), "note"];

/** The codebook's rows, for the responses sheet's columns and variables. */
export function codebookRows(variables: readonly Variable[], columns: readonly ResponseColumn[], languages: readonly string[], textIn: TextIn): Cell[][] {
  const rows: Cell[][] = [];
  const inEach = (key: string | undefined) => languages.map((l) => (key ? (textIn(l, key) ?? null) : null));
  for (const c of columns.filter((c) => c.role === "run")) {
    const [type, note] = RUN_NOTES[c.header] ?? ["text", ""];
    rows.push([c.header, c.header, type, null, null, ...languages.map(() => null), note]);
  }
  const missing = `empty: not asked in the run; "${MARKS.skipped}": asked and skipped`;
  for (const v of variables) {
    const own = columns.filter((c) => c.variable === v.name);
    const shown = own.filter((c) => c.role !== "chosen").map((c) => c.header);
    const bounds = v.type === "scale" || v.type === "number" ? [v.min !== undefined ? `from ${v.min}` : "", v.max !== undefined ? `to ${v.max}` : ""].filter(Boolean).join(" ") : "";
    const note = [TYPE_NOTES[v.type], bounds, v.inFlowFile ? "" : "not in the current flow file (an older version's question)", missing].filter(Boolean).join("; ");
    rows.push([v.name, shown.join(", "), v.type, null, v.versions.join(", ") || null, ...inEach(v.textKey), note]);
    for (const o of v.options) {
      const column = own.find((c) => c.role === "chosen" && c.code === o.code)?.header ?? v.name;
      rows.push([v.name, column, "option", o.code, null, ...inEach(o.labelKey), o.labelKey ? null : "a code found in the data only"]);
    }
  }
  return rows;
}

// The `responses` sheet: one row per survey run. First who and when (a pseudonymous person id,
// territory, language, flow version, times, complete or partial), then each variable's columns:
//   choice, yes/no, language   <name> (the option's code) [+ <name>_label]
//   multiple choice            <name> (codes joined by ";") [+ <name>_label], then <name>__<code>: 1 chosen, 0 not
//   number, scale              <name> (a number)
//   date                       <name> (a date)
//   text                       <name> (the text with --include-text, else "(text withheld)"; a voice note: "(voice note)")
//   location                   <name>_lat, <name>_lon, <name>_place (with --include-text, else "(place withheld)")
// A question not asked in the run is an empty cell in each of its columns; a question skipped says
// "(skipped)" in each: the two are never confused.
import type { AnswerRow } from "../repos/exports.ts";
import type { Cell } from "./cells.ts";
import type { Variable } from "./variables.ts";

/** What a cell says instead of a value. "Not asked" is an empty cell. */
export const MARKS = {
  skipped: "(skipped)",
  textWithheld: "(text withheld)",
  placeWithheld: "(place withheld)",
  voiceNote: "(voice note)",
} as const;

/** A run as its row is written. */
export interface ExportRun {
  personId: string;
  territory: string | null;
  language: string;
  flowVersion: string;
  /** Wall-clock times of the export's time zone. */
  startedAt: Date;
  completedAt: Date | null;
  complete: boolean;
  /** Its answers by result name. */
  answers: ReadonlyMap<string, AnswerRow>;
}

/** A column of the responses sheet, and what it says (for the codebook). */
export interface ResponseColumn {
  header: string;
  /** The variable it belongs to (none for the run's own columns). */
  variable?: string;
  /** For a multiple choice's 0/1 column, its option's code. */
  code?: string;
  role: "run" | "value" | "label" | "chosen" | "lat" | "lon" | "place";
}

/** The run's own columns, before the variables'. */
export const RUN_COLUMNS = ["person_id", "territory", "language", "flow_version", "started_at", "completed_at", "status"] as const;

export interface LayoutOptions {
  /** The label of an option's text key in the language asked for; unset: no label columns. */
  label?: (key: string) => string;
  includeText: boolean;
}

/** The columns of the responses sheet and the cells of a run's row. */
export interface ResponseLayout {
  columns: ResponseColumn[];
  cellsOf(run: ExportRun): Cell[];
}

// An answer's value whatever its kind, for an answer stored otherwise than its variable's type says
// (a question whose type changed between versions).
function anyValue(a: AnswerRow, includeText: boolean): Cell {
  if (a.kind === "choice") return a.value_choices.join(";");
  if (a.kind === "number") return a.value_number;
  if (a.kind === "date") return a.value_date ? { day: a.value_date } : null;
  if (a.kind === "media") return MARKS.voiceNote;
  if (a.kind === "location") return includeText ? a.value_place ?? (a.value_lat !== null ? `${a.value_lat},${a.value_lon}` : null) : MARKS.placeWithheld;
  return includeText ? a.value_text : MARKS.textWithheld;
}

interface Part {
  columns: ResponseColumn[];
  cells(a: AnswerRow, out: Cell[]): void;
}

// A variable's columns and how an answer fills them (not asked and skipped are handled around this).
function partOf(v: Variable, o: LayoutOptions): Part {
  const col = (header: string, role: ResponseColumn["role"], code?: string): ResponseColumn => ({ header, variable: v.name, role, ...(code !== undefined ? { code } : {}) });
  const labelOf = (code: string) => {
    const key = v.options.find((x) => x.code === code)?.labelKey;
    return key && o.label ? o.label(key) : null;
  };
  switch (v.type) {
    case "choice":
    case "yes_no":
    case "language":
      return {
        columns: [col(v.name, "value"), ...(o.label ? [col(`${v.name}_label`, "label")] : [])],
        cells(a, out) {
          const code = a.kind === "choice" ? (a.value_choices[0] ?? null) : anyValue(a, o.includeText);
          out.push(code);
          if (o.label) out.push(typeof code === "string" ? labelOf(code) : null);
        },
      };
    case "multiple_choice":
      return {
        columns: [col(v.name, "value"), ...(o.label ? [col(`${v.name}_label`, "label")] : []), ...v.options.map((x) => col(`${v.name}__${x.code}`, "chosen", x.code))],
        cells(a, out) {
          const chosen = a.kind === "choice" ? a.value_choices : [];
          out.push(a.kind === "choice" ? chosen.join(";") : anyValue(a, o.includeText));
          if (o.label) out.push(chosen.map((c) => labelOf(c) ?? c).join("; "));
          for (const x of v.options) out.push(chosen.includes(x.code) ? 1 : 0);
        },
      };
    case "number":
    case "scale":
      return { columns: [col(v.name, "value")], cells: (a, out) => void out.push(a.kind === "number" ? a.value_number : anyValue(a, o.includeText)) };
    case "date":
      return { columns: [col(v.name, "value")], cells: (a, out) => void out.push(a.kind === "date" && a.value_date ? { day: a.value_date } : anyValue(a, o.includeText)) };
    case "location":
      return {
        columns: [col(`${v.name}_lat`, "lat"), col(`${v.name}_lon`, "lon"), col(`${v.name}_place`, "place")],
        cells(a, out) {
          if (!o.includeText) out.push(MARKS.placeWithheld, MARKS.placeWithheld, MARKS.placeWithheld);
          else if (a.kind === "location") out.push(a.value_lat, a.value_lon, a.value_place);
          else out.push(null, null, anyValue(a, true));
        },
      };
    case "text":
      return { columns: [col(v.name, "value")], cells: (a, out) => void out.push(anyValue(a, o.includeText)) };
  }
}

/** The responses sheet's layout for these variables. */
export function responseLayout(variables: readonly Variable[], o: LayoutOptions): ResponseLayout {
  const parts = variables.map((v) => ({ name: v.name, part: partOf(v, o) }));
  const columns: ResponseColumn[] = [...RUN_COLUMNS.map((header): ResponseColumn => ({ header, role: "run" })), ...parts.flatMap((p) => p.part.columns)];
  return {
    columns,
    cellsOf(run) {
      const out: Cell[] = [run.personId, run.territory, run.language, run.flowVersion, run.startedAt, run.completedAt, run.complete ? "complete" : "partial"];
      for (const { name, part } of parts) {
        const a = run.answers.get(name);
        if (!a) for (let i = 0; i < part.columns.length; i++) out.push(null);
        else if (a.skipped) for (let i = 0; i < part.columns.length; i++) out.push(MARKS.skipped);
        else part.cells(a, out);
      }
      return out;
    },
  };
}

// The variables of an export: the questions the current flow file declares, then the result names
// found only in the stored answers (an older version's questions), each with its options (the file's,
// then codes found only in the data) and the flow versions its answers were given in.
import type { FlowQuestions, QuestionType } from "../flows/questions.ts";
import type { StoredResultRow } from "../repos/exports.ts";

/** One option of a variable: its code and, when the flow file has it, its label's text key. */
export interface VariableOption {
  code: string;
  labelKey?: string;
}

/** A question's answers as an export describes them. */
export interface Variable {
  /** The result name. */
  name: string;
  type: QuestionType;
  /** The question's text key, when the current flow file has the question. */
  textKey?: string;
  options: VariableOption[];
  /** Flow versions with answers to it (from the data), in version order. */
  versions: string[];
  /** Whether the current flow file declares it. */
  inFlowFile: boolean;
  /** A number's or scale's bounds in the flow file. */
  min?: number;
  max?: number;
}

const byVersion = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

// The type of a result name the flow file no longer has, from how its answers are stored.
function typeOfStored(rows: readonly StoredResultRow[]): QuestionType {
  const kinds = new Set(rows.map((r) => r.kind));
  if (kinds.has("choice")) return rows.some((r) => r.most_choices > 1) ? "multiple_choice" : "choice";
  if (kinds.has("number")) return "number";
  if (kinds.has("date")) return "date";
  if (kinds.has("location")) return "location";
  return "text";
}

/** The variables of a flow: the file's questions in order, then those found only in the data (by name). */
export function variablesOf(def: FlowQuestions, stored: readonly StoredResultRow[], storedOptions: ReadonlyArray<{ result_name: string; code: string }>): Variable[] {
  const rowsOf = new Map<string, StoredResultRow[]>();
  for (const r of stored) rowsOf.set(r.result_name, [...(rowsOf.get(r.result_name) ?? []), r]);
  const codesOf = new Map<string, string[]>();
  for (const o of storedOptions) codesOf.set(o.result_name, [...(codesOf.get(o.result_name) ?? []), o.code]);
  const versionsOf = (name: string) => [...new Set((rowsOf.get(name) ?? []).map((r) => r.flow_version))].sort(byVersion);
  // Codes in the data the file doesn't list (an option an older version had), after the file's.
  const withStoredCodes = (name: string, options: VariableOption[]) => {
    const known = new Set(options.map((o) => o.code));
    const extra = (codesOf.get(name) ?? []).filter((c) => !known.has(c) && c !== "").sort();
    return [...options, ...extra.map((code) => ({ code }))];
  };
  const out: Variable[] = def.questions.map((q) => ({
    name: q.result,
    type: q.type,
    textKey: q.textKey,
    options: ["choice", "multiple_choice", "yes_no", "language"].includes(q.type) ? withStoredCodes(q.result, q.options) : q.options,
    versions: versionsOf(q.result),
    inFlowFile: true,
    ...(q.min !== undefined ? { min: q.min } : {}),
    ...(q.max !== undefined ? { max: q.max } : {}),
  }));
  const declared = new Set(out.map((v) => v.name));
  for (const name of [...rowsOf.keys()].filter((n) => !declared.has(n)).sort()) {
    const type = typeOfStored(rowsOf.get(name) ?? []);
    out.push({ name, type, options: type === "choice" || type === "multiple_choice" ? withStoredCodes(name, []) : [], versions: versionsOf(name), inFlowFile: false });
  }
  return out;
}

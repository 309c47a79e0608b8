// `inloco report`: a flow's runs counted for the terminal — completion by territory and by language,
// then each question's options — read as counts only (never a person, never free text).
import type { Sql } from "../db/index.ts";
import type { FlowQuestions, QuestionType } from "../flows/questions.ts";
import { answerCountRows, answerTotals, completionRows, flowsWithRuns, type CompletionRow, type StoredResultRow } from "../repos/exports.ts";
import { listTerritories } from "../repos/territories.ts";
import { ExportInputError } from "./errors.ts";
import { shownText, type ExportTexts } from "./texts.ts";
import { variablesOf } from "./variables.ts";

/** Runs of one group, and how many were completed. */
export interface CompletionCount {
  key: string;
  runs: number;
  completed: number;
}

/** One option (or number given) of a question, counted. */
export interface OptionCount {
  code: string;
  label?: string | undefined;
  count: number;
}

/** A question's answers, counted. */
export interface QuestionCounts {
  name: string;
  text?: string | undefined;
  type: QuestionType;
  answered: number;
  skipped: number;
  /** Runs that never reached it. */
  notAsked: number;
  /** Options (choices) or values (numbers), in the flow's order; empty for text, dates and places. */
  options: OptionCount[];
}

/** What `inloco report` prints. */
export interface Report {
  flowId: string;
  title?: string | undefined;
  territory?: string | undefined;
  /** Counts under this are shown as "< N". */
  minCount: number;
  total: CompletionCount;
  byTerritory: CompletionCount[];
  byLanguage: CompletionCount[];
  questions: QuestionCounts[];
}

/** What a report needs. */
export interface ReportContext {
  sql: Sql;
  flows: ReadonlyMap<string, FlowQuestions>;
  texts: ExportTexts;
  minCount: number;
}

// Runs by one key of the completion rows, most runs first.
function countBy(rows: readonly CompletionRow[], key: (r: CompletionRow) => string): CompletionCount[] {
  const out = new Map<string, CompletionCount>();
  for (const r of rows) {
    const k = key(r);
    const c = out.get(k) ?? { key: k, runs: 0, completed: 0 };
    c.runs += r.runs;
    if (r.status === "completed") c.completed += r.runs;
    out.set(k, c);
  }
  return [...out.values()].sort((a, b) => b.runs - a.runs || a.key.localeCompare(b.key));
}

/** Count a flow's runs (of one territory, or all) for the terminal. */
export async function buildReport(ctx: ReportContext, o: { flowId: string; territory?: string | undefined }): Promise<Report> {
  if (!ctx.flows.has(o.flowId)) {
    const known = [...new Set([...ctx.flows.keys(), ...(await flowsWithRuns(ctx.sql))])].sort();
    if (!known.includes(o.flowId)) throw new ExportInputError("--flow", `no flow "${o.flowId}"`, known);
  }
  if (o.territory !== undefined) {
    const known = (await listTerritories(ctx.sql)).map((t) => t.id);
    if (!known.includes(o.territory)) throw new ExportInputError("--territory", `no territory "${o.territory}"`, known);
  }
  const filter = { flowId: o.flowId, territories: o.territory !== undefined ? [o.territory] : [] };
  const [completion, counts, totals] = await Promise.all([completionRows(ctx.sql, filter), answerCountRows(ctx.sql, filter), answerTotals(ctx.sql, filter)]);
  const def = ctx.flows.get(o.flowId) ?? { flowId: o.flowId, version: "", questions: [] };
  // Result names and kinds the answers hold (versions don't matter here), for the variables.
  const stored = [...new Map(counts.map((c): [string, StoredResultRow] => [`${c.result_name}\u0000${c.kind}`, { result_name: c.result_name, kind: c.kind, flow_version: "", answers: c.answers, most_choices: 0 }])).values()];
  const variables = variablesOf(def, stored, counts.filter((c) => c.kind === "choice" && c.value !== null).map((c) => ({ result_name: c.result_name, code: c.value as string })));
  const total = countBy(completion, () => "all")[0] ?? { key: "all", runs: 0, completed: 0 };
  const english = (key: string | undefined) => (key ? shownText(ctx.texts, "en", key) : undefined);
  const questions = variables.map((v): QuestionCounts => {
    const mine = counts.filter((c) => c.result_name === v.name && !c.skipped);
    const answered = totals.find((t) => t.result_name === v.name && !t.skipped)?.answers ?? 0;
    const skipped = totals.find((t) => t.result_name === v.name && t.skipped)?.answers ?? 0;
    const options: OptionCount[] =
      v.options.length > 0
        ? v.options.map((x) => ({ code: x.code, label: english(x.labelKey), count: mine.find((c) => c.value === x.code)?.answers ?? 0 }))
        : v.type === "number" || v.type === "scale"
          ? mine.filter((c) => c.value !== null).sort((a, b) => Number(a.value) - Number(b.value)).map((c) => ({ code: String(c.value), count: c.answers }))
          : [];
    return { name: v.name, text: english(v.textKey), type: v.type, answered, skipped, notAsked: Math.max(0, total.runs - answered - skipped), options };
  });
  return {
    flowId: o.flowId,
    title: def.titleKey ? english(def.titleKey) : undefined,
    territory: o.territory,
    minCount: ctx.minCount,
    total,
    byTerritory: countBy(completion, (r) => r.territory_id ?? "(none)"),
    byLanguage: countBy(completion, (r) => r.language),
    questions,
  };
}

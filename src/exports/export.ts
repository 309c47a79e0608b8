// `inloco export`: a flow's survey runs as a workbook (responses, codebook, about), read from the
// database a page at a time and written row by row, so memory stays flat whatever the size.
import type { Sql } from "../db/index.ts";
import type { FlowQuestions } from "../flows/questions.ts";
import { consentVersionCounts, flowsWithRuns, runPage, storedOptions, storedResults, type AnswerRow, type RunCursor, type RunFilter, type RunRow } from "../repos/exports.ts";
import { listTerritories } from "../repos/territories.ts";
import { aboutRows, ABOUT_HEADERS } from "./about.ts";
import { codebookHeaders, codebookRows } from "./codebook.ts";
import { csvSink } from "./csv-sink.ts";
import { ExportInputError } from "./errors.ts";
import { ExportOptions, PAGE_SIZE, PROGRESS_EVERY, type ExportOptionsInput } from "./options.ts";
import { pseudonymizer } from "./pseudonyms.ts";
import { shownText, type ExportTexts } from "./texts.ts";
import { responseLayout } from "./responses.ts";
import type { WorkbookSink } from "./sink.ts";
import { wallClock } from "./times.ts";
import { variablesOf } from "./variables.ts";
import { xlsxSink } from "./xlsx-sink.ts";

export type { ExportTexts } from "./texts.ts";

/** What an export needs besides its options. */
export interface ExportContext {
  sql: Sql;
  /** The current flow files' questions, by flow id. */
  flows: ReadonlyMap<string, FlowQuestions>;
  texts: ExportTexts;
  /** The languages offered (INLOCO_LANGUAGES): the codebook's text columns. */
  languages: readonly string[];
  /** The key of stable person ids (derived from INLOCO_HASH_KEY); asked only with --stable-ids. */
  stableKey: () => Buffer;
  now: () => Date;
  appVersion: string;
  /** Runs read at a time (default PAGE_SIZE). */
  pageSize?: number;
  /** Called every PROGRESS_EVERY rows with the rows written so far. */
  progress?: (rows: number) => void;
}

/** What an export wrote. */
export interface ExportResult {
  files: string[];
  rows: number;
  people: number;
  columns: number;
}

/** The filter of an export's runs. */
const filterOf = (o: ExportOptions): RunFilter => ({ flowId: o.flowId, from: o.from, to: o.to, territories: o.territories });

/** Check what an export is asked for against the flows, territories and languages there are. */
export async function checkExport(ctx: ExportContext, o: ExportOptions): Promise<void> {
  if (!ctx.flows.has(o.flowId)) {
    const known = [...new Set([...ctx.flows.keys(), ...(await flowsWithRuns(ctx.sql))])].sort();
    if (!known.includes(o.flowId)) throw new ExportInputError("--flow", `no flow "${o.flowId}"`, known);
  }
  if (o.from && o.to && o.to.getTime() <= o.from.getTime()) throw new ExportInputError("--to", "must be after --from");
  if (o.territories.length > 0) {
    const known = (await listTerritories(ctx.sql)).map((t) => t.id);
    const unknown = o.territories.filter((t) => !known.includes(t));
    if (unknown.length > 0) throw new ExportInputError("--territory", `no territory ${unknown.map((t) => `"${t}"`).join(", ")}`, known);
  }
  if (o.labels !== undefined && !ctx.texts.languages.includes(o.labels)) throw new ExportInputError("--labels", `no texts in "${o.labels}"`, [...ctx.texts.languages]);
}

/** Export a flow's runs as asked: checks the options, writes the files, returns what it wrote. */
export async function exportFlow(ctx: ExportContext, input: ExportOptionsInput): Promise<ExportResult> {
  const o = ExportOptions.parse(input);
  await checkExport(ctx, o);
  const def = ctx.flows.get(o.flowId) ?? { flowId: o.flowId, version: "", questions: [] };
  const [stored, codes] = await Promise.all([storedResults(ctx.sql, o.flowId), storedOptions(ctx.sql, o.flowId)]);
  const variables = variablesOf(def, stored, codes);
  const labels = o.labels;
  // Each label looked up once: i18next's lookup costs more than the rest of a row.
  const labelCache = new Map<string, string>();
  const label = (lang: string) => (key: string) => {
    let t = labelCache.get(key);
    if (t === undefined) labelCache.set(key, (t = shownText(ctx.texts, lang, key) ?? shownText(ctx.texts, "en", key) ?? key));
    return t;
  };
  const layout = responseLayout(variables, { includeText: o.includeText, ...(labels ? { label: label(labels) } : {}) });
  const personOf = pseudonymizer(o.stableIds ? ctx.stableKey() : undefined);
  const local = wallClock(o.timeZone);
  const filter = filterOf(o);
  const pageSize = ctx.pageSize ?? PAGE_SIZE;
  const sink: WorkbookSink = o.format === "xlsx" ? xlsxSink(o.out) : csvSink(o.out);
  try {
    const responses = await sink.sheet("responses", layout.columns.map((c) => c.header));
    let rows = 0;
    const versions = new Map<string, number>();
    // The next page is read while this one is written (the database works in its own process
    // meanwhile), so two pages at most are in memory.
    const pageAfter = (cursor: RunCursor | undefined): Promise<RunRow[]> => {
      const page = runPage(ctx.sql, filter, cursor, pageSize, { withText: o.includeText });
      // Awaited below; if writing fails first, its failure is not left unhandled.
      page.catch(() => undefined);
      return page;
    };
    let next: Promise<RunRow[]> | undefined = pageAfter(undefined);
    while (next) {
      const runs: RunRow[] = await next;
      const last = runs.at(-1);
      next = last && runs.length === pageSize ? pageAfter({ startedAt: last.started_at, runId: last.run_id }) : undefined;
      for (const r of runs) {
        const given = new Map<string, AnswerRow>();
        for (const a of r.answers) given.set(a.result_name, a);
        await responses.add(
          layout.cellsOf({
            personId: personOf(r.contact_id),
            territory: r.territory_id,
            // The language of its first answer (they come in the order given).
            language: r.answers[0]?.language ?? r.contact_language,
            flowVersion: r.flow_version,
            startedAt: local(r.started_at),
            completedAt: r.completed_at ? local(r.completed_at) : null,
            complete: r.status === "completed",
            answers: given,
          }),
        );
        versions.set(r.flow_version, (versions.get(r.flow_version) ?? 0) + 1);
        rows += 1;
        if (rows % PROGRESS_EVERY === 0) ctx.progress?.(rows);
      }
    }
    await responses.end();

    const codebook = await sink.sheet("codebook", codebookHeaders(ctx.languages));
    for (const row of codebookRows(variables, layout.columns, ctx.languages, (l, k) => shownText(ctx.texts, l, k))) await codebook.add(row);
    await codebook.end();

    const consent = (await consentVersionCounts(ctx.sql, filter)).map((c) => ({ version: c.consent_version, people: c.people, runs: c.runs }));
    const people = consent.reduce((n, c) => n + c.people, 0);
    const about = await sink.sheet("about", ABOUT_HEADERS);
    const given = (k: string, fallback: string) => o.given[k] ?? fallback;
    const facts = aboutRows({
      flowId: o.flowId,
      flowTitle: def.titleKey ? shownText(ctx.texts, "en", def.titleKey) : undefined,
      fileVersion: def.version || undefined,
      versions: [...versions].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([version, runs]) => ({ version, runs })),
      filters: [
        ["--from", given("from", "(none: from the first run)")],
        ["--to", given("to", "(none: until now)")],
        ["--territory", o.territories.length > 0 ? o.territories.join(", ") : "(all)"],
      ],
      timeZone: o.timeZone,
      exportedAt: local(ctx.now()),
      rows,
      people,
      consent,
      includeText: o.includeText,
      stableIds: o.stableIds,
      labels: o.labels,
      appVersion: ctx.appVersion,
    });
    for (const row of facts) await about.add(row);
    await about.end();
    const files = await sink.close();
    return { files, rows, people, columns: layout.columns.length };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

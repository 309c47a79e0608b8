import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { openStakeholderDatabase, type StakeholderDatabase } from "../app/database.ts";
import { loadRuntime, PROJECT_ROOT, type Runtime } from "../app/runtime.ts";
import { exportFlow, type ExportContext } from "../exports/export.ts";
import { ExportInputError } from "../exports/errors.ts";
import { questionsOf, type FlowQuestions } from "../flows/questions.ts";
import { instantOfLocalTime } from "../meetings/local-time.ts";

interface ExportCliOptions {
  flow: string;
  format?: "xlsx" | "csv";
  from?: string;
  to?: string;
  territory?: string[];
  labels?: string;
  includeText?: boolean;
  stableIds?: boolean;
  out?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

const dateOption = (v: string) => {
  const t = v.trim();
  if (DAY.test(t) || LOCAL.test(t)) return t;
  throw new InvalidArgumentError('a day "YYYY-MM-DD" or a time "YYYY-MM-DD HH:MM" (on INLOCO_TIME_ZONE\'s clocks), e.g. 2027-03-01');
};

/**
 * `--from`/`--to` as an instant on the time zone's clocks. A day is its midnight for --from, and the
 * midnight after it for --to (so `--to 2027-03-31` includes the 31st); a time is that minute.
 */
export function instantOfOption(option: "--from" | "--to", given: string, timeZone: string): Date {
  let local = given;
  if (DAY.test(given)) {
    const day = new Date(`${given}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== given) throw new ExportInputError(option, `"${given}": no such date`);
    local = `${(option === "--to" ? new Date(day.getTime() + 86_400_000) : day).toISOString().slice(0, 10)} 00:00`;
  }
  const at = instantOfLocalTime(local, timeZone);
  if (typeof at === "string") throw new ExportInputError(option, `"${given}": ${at === "no-such-date" ? "no such date" : at === "skipped" ? `the clocks skip that time in ${timeZone}` : "not a day or a time"}`);
  return at;
}

/** The current flow files' questions, by flow id. */
export function flowQuestions(runtime: Runtime): Map<string, FlowQuestions> {
  const out = new Map<string, FlowQuestions>();
  for (const id of runtime.flows.ids()) {
    const flow = runtime.flows.get(id);
    if (flow) out.set(id, questionsOf(flow, runtime.settings.INLOCO_LANGUAGES));
  }
  return out;
}

/** What an export reads from: the database just opened, the flows, texts and languages of this install. */
export function exportContext(runtime: Runtime, opened: Pick<StakeholderDatabase, "db" | "vault">, appVersion: string): ExportContext {
  return {
    sql: opened.db.sql,
    flows: flowQuestions(runtime),
    texts: { text: (l, k) => runtime.texts.text(l, k), languages: Object.keys(runtime.texts.resources) },
    languages: runtime.settings.INLOCO_LANGUAGES,
    stableKey: () => opened.vault.derivedKey("export-pseudonyms"),
    now: () => new Date(),
    appVersion,
  };
}

const collect = (v: string, previous: string[] = []) => [...previous, v];
const appVersion = () => (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
const count = (n: number) => n.toLocaleString("en-US");

/** `inloco export`: a flow's survey runs as XLSX (or CSV) for researchers. */
export function registerExport(program: Command): Command {
  return program
    .command("export")
    .description("write a flow's survey runs for researchers: responses (one row per run), codebook and about, as XLSX or CSV")
    .requiredOption("--flow <id>", "the flow, e.g. needs (a wrong one lists them)")
    .addOption(new Option("--format <format>", "xlsx (one workbook) or csv (one file per sheet); default from --out's ending, else xlsx").choices(["xlsx", "csv"]))
    .option("--from <date>", "runs started on or after this day (or \"YYYY-MM-DD HH:MM\"), on INLOCO_TIME_ZONE's clocks", dateOption)
    .option("--to <date>", "runs started up to this day, included (or before \"YYYY-MM-DD HH:MM\")", dateOption)
    .option("--territory <id>", "only people of this territory (repeat for more)", collect)
    .option("--labels <lang>", "add a label column in this language beside each choice's code")
    .option("--include-text", "include free-text answers and places (they can identify people)")
    .option("--stable-ids", "person ids that stay the same across exports (from INLOCO_HASH_KEY) instead of random per export")
    .option("--out <file>", "the file (xlsx), or the start of the files' names (csv: <out>-responses.csv, -codebook.csv, -about.csv); default <flow>-<date>")
    .action(async (o: ExportCliOptions) => {
      const runtime = loadRuntime();
      const timeZone = runtime.settings.INLOCO_TIME_ZONE;
      const format = o.format ?? (o.out && /\.csv$/i.test(o.out) ? "csv" : "xlsx");
      const stamp = new Date().toISOString().slice(0, 10);
      const out = resolve(o.out ?? (format === "xlsx" ? `${o.flow}-${stamp}.xlsx` : `${o.flow}-${stamp}`));
      const from = o.from !== undefined ? instantOfOption("--from", o.from, timeZone) : undefined;
      const to = o.to !== undefined ? instantOfOption("--to", o.to, timeZone) : undefined;
      if (o.includeText) console.error("Warning: --include-text puts free text and places in the file. What people wrote can identify them: keep the file as personal data, and share it with no one who may not see it.");
      const opened = await openStakeholderDatabase({ attach: true });
      try {
        const ctx: ExportContext = {
          ...exportContext(runtime, opened, appVersion()),
          // Progress only for a person watching: a script reads the files' names on standard output.
          ...(process.stderr.isTTY ? { progress: (rows: number) => console.error(`… ${count(rows)} runs`) } : {}),
        };
        const r = await exportFlow(ctx, {
          flowId: o.flow,
          format,
          from,
          to,
          territories: o.territory ?? [],
          labels: o.labels,
          includeText: o.includeText ?? false,
          stableIds: o.stableIds ?? false,
          out,
          timeZone,
          given: { ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) },
        });
        console.error(`Exported ${count(r.rows)} runs of ${count(r.people)} people (${r.columns} columns) to ${r.files.length === 1 ? r.files[0] : `${r.files.length} files`}`);
        for (const f of r.files) console.log(f);
      } finally {
        await opened.close();
      }
    });
}

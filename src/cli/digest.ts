import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { loadRuntime } from "../app/runtime.ts";
import { readDigestSettings } from "../config/digests.ts";
import { openDatabase } from "../db/index.ts";
import { buildDigest, digestText, DigestPeriodError, findTaskForce, lastWeek, needsChart, type DigestsContext, type DigestTaskForce } from "../digests/index.ts";
import { instantOfLocalTime } from "../meetings/local-time.ts";
import { userInfo } from "node:os";
import { WebClient } from "@slack/web-api";
import { readSlackSettings } from "../config/slack.ts";
import { createLog } from "../log/log.ts";
import { findTaskForce as findTaskForceRow, listTaskForces as listTaskForceRows } from "../repos/task-forces.ts";
import { DigestPoster } from "../slack/digest-poster.ts";
import { ChannelPace } from "../slack/pace.ts";
import { UsageError } from "./errors.ts";

/** `--from`/`--to` as given: a day, a day and a time (both on the territory's clocks), or an instant. */
export interface PeriodOptions {
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const timeOption = (v: string) => {
  const t = v.trim();
  if (DAY.test(t) || /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(t) || INSTANT.test(t)) return t;
  throw new InvalidArgumentError('a day "YYYY-MM-DD" or a time "YYYY-MM-DD HH:MM" (on the territory\'s clocks), e.g. 2026-12-01');
};

/** A time option as an instant: a day is its midnight on the territory's clocks. */
function instantOf(option: "--from" | "--to", given: string, timeZone: string): Date {
  if (INSTANT.test(given)) return new Date(given);
  const local = DAY.test(given) ? `${given} 00:00` : given;
  const at = instantOfLocalTime(local, timeZone);
  if (typeof at === "string") throw new DigestPeriodError(`${option} "${given}": ${at === "no-such-date" ? "no such date" : at === "skipped" ? `the clocks skip that time in ${timeZone}` : "not a day or a time"}`);
  return at;
}

/**
 * The period asked for: [--from, --to), days and times on the territory's clocks (`--to 2026-12-08` ends
 * as 8 December begins). Without --from, the 7 days before --to; without --to, until now.
 */
export function periodOf(o: PeriodOptions, timeZone: string, now: Date): { from: Date; to: Date } {
  const to = o.to !== undefined ? instantOf("--to", o.to, timeZone) : now;
  const from = o.from !== undefined ? instantOf("--from", o.from, timeZone) : lastWeek(to).from;
  if (to.getTime() <= from.getTime()) throw new DigestPeriodError(`the period must end after it starts (--from ${o.from ?? from.toISOString()}, --to ${o.to ?? "now"})`);
  return { from, to };
}

/** Runs `work` with the digests' context on the database (the app's embedded one while it runs), closed after. */
export async function withDigests<T>(work: (ctx: DigestsContext) => Promise<T>): Promise<T> {
  const { texts } = loadRuntime();
  const { INLOCO_DIGEST_MIN_COUNT } = readDigestSettings();
  // attach: works while the app runs on the embedded database, as the other coordinator commands do.
  const db = await openDatabase({ attach: true });
  try {
    return await work({ sql: db.sql, texts, minCount: INLOCO_DIGEST_MIN_COUNT });
  } finally {
    await db.close();
  }
}

/** A task force as a file name: "Task force Val di Susa" → "task-force-val-di-susa". */
const fileNameOf = (tf: DigestTaskForce) =>
  tf.name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || tf.id;

/** `inloco digest preview`: a task force's digest in the terminal and its chart as a PNG, without Slack. */
export function registerDigest(program: Command): Command {
  const digest = program.command("digest").description("task forces' digests: needs, participation, feedback and meetings of a period, compared with the one before");
  digest
    .command("preview")
    .description("print a task force's digest as text and write its needs chart as a PNG (nothing is sent)")
    .requiredOption("--task-force <id or name>", "the task force, by id or name (a wrong one lists them)")
    .option("--from <date>", "start of the period, a day or \"YYYY-MM-DD HH:MM\" on the territory's clocks (default: 7 days before --to)", timeOption)
    .option("--to <date>", "end of the period, not included (--to 2026-12-08 ends as 8 December begins; default: now)", timeOption)
    .option("--out <file.png>", "where to write the chart (default digest-<task force>.png in this folder)")
    .action((o: PeriodOptions & { taskForce: string; out?: string }) =>
      withDigests(async (ctx) => {
        const tf = await findTaskForce(ctx, o.taskForce);
        const period = periodOf(o, tf.timeZone, new Date());
        const d = await buildDigest(ctx, { taskForceId: tf.id, ...period });
        console.log(digestText(d));
        const chart = await needsChart(d);
        if (!chart) {
          console.log("\nNo chart: no needs survey was started in this period or the one before.");
          return;
        }
        const file = resolve(o.out ?? `digest-${fileNameOf(tf)}.png`);
        await writeFile(file, chart.png);
        console.log(`\nChart (${chart.width}×${chart.height}) written to ${file}`);
      }),
    );
  digest
    .command("send")
    .description("post a task force's digest (or every task force's) to its Slack channel now, chart in the thread (needs SLACK_BOT_TOKEN)")
    .option("--task-force <id or name>", "the task force, by id, name or territory")
    .option("--all", "every task force that has a Slack channel")
    .option("--from <date>", "start of the period (default: 7 days before --to)", timeOption)
    .option("--to <date>", "end of the period, not included (default: now)", timeOption)
    .action((o: PeriodOptions & { taskForce?: string; all?: boolean }) =>
      withDigests(async (ctx) => {
        if (Boolean(o.taskForce) === Boolean(o.all)) throw new UsageError("say which: --task-force <id or name>, or --all");
        const settings = readSlackSettings();
        if (!settings.SLACK_BOT_TOKEN) throw new UsageError("SLACK_BOT_TOKEN is not set: digests can't be posted (`inloco digest preview` shows one without Slack)");
        const client = new WebClient(settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL ? { slackApiUrl: settings.SLACK_API_URL.endsWith("/") ? settings.SLACK_API_URL : `${settings.SLACK_API_URL}/` } : {});
        const poster = new DigestPoster({ client, digests: ctx, pace: new ChannelPace(), log: createLog({ level: "warn", format: "text" }) });
        const forces = o.all ? (await listTaskForceRows(ctx.sql)).filter((t) => t.slack_channel) : [await findTaskForceRow(ctx.sql, o.taskForce ?? "")];
        let failed = 0;
        for (const tf of forces) {
          if (!tf) throw new UsageError(`No task force "${o.taskForce}" (\`inloco task-force list\` shows them)`);
          if (!tf.slack_channel) throw new UsageError(`${tf.name} has no Slack channel: \`inloco task-force set-channel "${tf.name}" <channel id>\``);
          const period = periodOf(o, tf.time_zone, new Date());
          try {
            await poster.post(tf, { kind: "on_demand", ...period, requestedBy: `cli:${userInfo().username}` });
            console.error(`${tf.name}: posted to ${tf.slack_channel}`);
          } catch (e) {
            failed += 1;
            console.error(`${tf.name}: not posted: ${(e as Error).message}`);
          }
        }
        if (failed > 0) process.exitCode = 1;
      }),
    );
  return digest;
}

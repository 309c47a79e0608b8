import type { Command } from "commander";
import { ConversationSettings, readSettings } from "../config/env.ts";
import { openDatabase, type Sql } from "../db/index.ts";
import { findTaskForce, listTaskForces, setTaskForceChannel, setTaskForceLanguage, type TaskForceRow } from "../repos/task-forces.ts";
import { UsageError } from "./errors.ts";

/** `inloco task-force list|set-channel|set-language`: where each task force's digests go, and in which language. */
export function registerTaskForce(program: Command): void {
  const tf = program.command("task-force").description("the task forces: their Slack channel and working language");
  tf.command("list")
    .description("every task force: id, territory, Slack channel, language")
    .action(() =>
      withSql(async (sql) => {
        const rows = await listTaskForces(sql);
        if (rows.length === 0) return void console.error("No task force yet (`inloco db seed` loads the demo ones).");
        for (const r of rows) console.log(`${r.id}  ${r.name.padEnd(28)} ${r.territory_id.padEnd(12)} ${(r.slack_channel ?? "(no channel)").padEnd(14)} ${r.language}`);
      }),
    );
  tf.command("set-channel")
    .description("send a task force's digests and feedback notices to a Slack channel (its id, e.g. C0123ABCD: the channel's details show it); 'none' stops them")
    .argument("<task force>", "its id, its name, or its territory's id")
    .argument("<channel id>", "e.g. C0123ABCD, or none")
    .action((which: string, channel: string) =>
      withSql(async (sql) => {
        const t = await mustFind(sql, which);
        const id = channel.trim();
        if (id !== "none" && !/^[CG][A-Z0-9]{6,}$/.test(id)) throw new UsageError(`"${channel}" is not a Slack channel id: it looks like C0123ABCD (in Slack: the channel's name → About → Channel ID)`);
        await setTaskForceChannel(sql, t.id, id === "none" ? null : id);
        console.error(id === "none" ? `${t.name}: no Slack channel any more` : `${t.name}: digests and feedback go to ${id} (invite the app there: /invite @In Loco)`);
      }),
    );
  tf.command("set-language")
    .description("the language a task force's digests are written in (en, it)")
    .argument("<task force>", "its id, its name, or its territory's id")
    .argument("<language>", "e.g. it")
    .action((which: string, language: string) =>
      withSql(async (sql) => {
        const t = await mustFind(sql, which);
        const { INLOCO_LANGUAGES } = readSettings(ConversationSettings);
        if (!["en", "it", ...INLOCO_LANGUAGES].includes(language)) throw new UsageError(`"${language}" is not a language of the project (${INLOCO_LANGUAGES.join(", ")})`);
        await setTaskForceLanguage(sql, t.id, language);
        console.error(`${t.name}: digests in ${language}`);
      }),
    );
}

async function mustFind(sql: Sql, which: string): Promise<TaskForceRow> {
  const t = await findTaskForce(sql, which);
  if (t) return t;
  const known = (await listTaskForces(sql)).map((r) => `  ${r.id}  ${r.name} (${r.territory_id})`).join("\n");
  throw new UsageError(`No task force "${which}". The task forces are:\n${known || "  (none: `inloco db seed` loads the demo ones)"}`);
}

async function withSql(work: (sql: Sql) => Promise<void>): Promise<void> {
  // attach: works while the app runs on the embedded database, as the other coordinator commands do.
  const db = await openDatabase({ attach: true });
  try {
    await work(db.sql);
  } finally {
    await db.close();
  }
}

import { randomInt } from "node:crypto";
import { InvalidArgumentError, type Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { openDatabase } from "../db/index.ts";
import { readPipelineSettings } from "../config/pipeline.ts";
import { RetentionSweeper } from "../retention/retention.ts";
import { loadRuntime, type Runtime } from "../app/runtime.ts";
import { consentGate, type Flow } from "../engine/index.ts";
import { seedDemo, seededReport } from "../repos/seed.ts";
import { removePretendPeople, type SeedContext } from "../repos/seed-people.ts";
import { seedPeople, seededPeopleReport } from "../seed/seed-people.ts";

/** `inloco db migrate`, `inloco db seed` and `inloco db prune`. */
export function registerDb(program: Command): void {
  const db = program.command("db").description("the stakeholder database (PostgreSQL with DATABASE_URL, else embedded in INLOCO_DATA_DIR)");
  db.command("migrate")
    .description("apply pending migrations from prisma/migrations")
    .action(async () => {
      // While the app runs on the embedded folder this goes through its database: up to date, or
      // refused (RunningAppNotMigratedError), since migrations are not applied under a running app.
      const database = await openDatabase({ attach: true });
      try {
        const applied = database.migrationsApplied;
        console.log(applied.length ? `applied ${applied.length} migration(s):\n  ${applied.join("\n  ")}` : "database is up to date");
        console.log(
          !database.embedded
            ? "PostgreSQL server from DATABASE_URL"
            : database.attachedTo !== undefined
              ? `embedded database in ${database.dataDir}, through the app running as process ${database.attachedTo}`
              : `embedded database in ${database.dataDir}`,
        );
      } finally {
        await database.close();
      }
    });
  const seed = db
    .command("seed")
    .description("load demo territories, task forces, organisations and an event (safe to run again); --people adds pretend people")
    .option("--people <n>", "also add N pretend people (consented, Telegram chat ids no real chat has, needs-survey answers, feedback); each run adds N more", positiveInteger)
    .option("--seed <n>", "draw the people from this seed: the same seed gives the same people, number for number (default: a random one, printed)", seedNumber)
    .option("--remove-people", "remove every pretend person (and their feedback) instead; real people are untouched")
    .addHelpText(
      "after",
      "\nPretend people have contact ids starting 5eed0000-0000-8000-8000- (a form real ids never take) and\n" +
        "Telegram chat ids from 2^52 up (above any real chat id). Running it again adds N more, numbered after\n" +
        "the last. See README, \"Data protection\".",
    )
    .action(async (opts: { people?: number; seed?: number; removePeople?: boolean }) => {
      if (opts.removePeople && (opts.people !== undefined || opts.seed !== undefined)) seed.error("error: --remove-people removes them all: it takes no --people or --seed");
      // Flows and languages first: a broken flow or setting stops here, with nothing opened.
      const runtime = opts.people === undefined ? undefined : loadRuntime();
      const { db: database, vault, close } = await openStakeholderDatabase({ attach: true });
      try {
        if (opts.removePeople) {
          const r = await removePretendPeople(database.sql);
          console.log(`removed ${r.contacts} pretend people and ${r.feedback} feedback items of theirs`);
          return;
        }
        console.log(seededReport(await seedDemo(database.prisma)));
        if (runtime && opts.people !== undefined) {
          const total = opts.people;
          const began = performance.now();
          const seeded = await seedPeople({
            sql: database.sql,
            vault,
            count: total,
            seed: opts.seed ?? randomInt(2 ** 31),
            languages: runtime.settings.INLOCO_LANGUAGES,
            needs: needsFlow(runtime),
            context: seedContext(runtime),
            // Progress only when there is something to wait for; on stderr, so stdout stays the report.
            progress: total >= 2000 ? (done) => process.stderr.write(`  ${done}/${total} people\n`) : undefined,
          });
          console.log(seededPeopleReport(seeded));
          if (total >= 2000) process.stderr.write(`  ${total} people in ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
        }
      } finally {
        await close();
      }
    });
  db.command("prune")
    .description("delete receipts and outboxes older than INLOCO_DELIVERY_RECORDS_KEEP, and answers and feedback's text older than INLOCO_ANSWERS_KEEP (if set), now (workers also do it hourly)")
    .action(async () => {
      const settings = readPipelineSettings();
      const keepSeconds = settings.INLOCO_DELIVERY_RECORDS_KEEP;
      const answersKeepSeconds = settings.INLOCO_ANSWERS_KEEP;
      const { db: database, close } = await openStakeholderDatabase({ attach: true });
      try {
        const p = await new RetentionSweeper({ sql: database.sql, keepSeconds, answersKeepSeconds }).sweep();
        console.log(`pruned ${p.receipts} receipts, ${p.outbox} outbox items and ${p.ingestReceipts} ingest receipts older than ${keepSeconds / 86400} days`);
        if (answersKeepSeconds === undefined) console.log("answers and feedback are kept until erased (INLOCO_ANSWERS_KEEP is not set)");
        else console.log(`deleted ${p.answers} answers and ${p.runs} survey runs, made ${p.feedback} feedback anonymous, older than ${answersKeepSeconds / 86400} days`);
      } finally {
        await close();
      }
    });
}

function positiveInteger(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("a whole number of people, 1 or more");
  return n;
}

function seedNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n >= 2 ** 31) throw new InvalidArgumentError("a whole number from 0 to 2147483647");
  return n;
}

/** The needs survey the people answer, as the bot runs it. */
function needsFlow(runtime: Runtime): Flow {
  const needs = runtime.flows.get("needs");
  if (!needs) throw new Error(`no "needs" flow in ${runtime.flowsDir}: pretend people answer the needs survey`);
  return needs;
}

/** The consent version and entry flow the bot runs now, as a real turn would store them. */
function seedContext(runtime: Runtime): SeedContext {
  const gate = consentGate(runtime.engine);
  if (!gate) throw new Error(`no consent note in the flows of ${runtime.flowsDir}`);
  const entry = runtime.flows.get(runtime.settings.INLOCO_ENTRY_FLOW);
  return { consentVersion: gate.version, entryFlow: { id: runtime.settings.INLOCO_ENTRY_FLOW, version: entry?.version ?? 1 } };
}

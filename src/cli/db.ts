import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { openDatabase } from "../db/index.ts";
import { readPipelineSettings } from "../config/pipeline.ts";
import { RetentionSweeper } from "../retention/retention.ts";
import { seedDemo, seededReport } from "../repos/seed.ts";

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
  db.command("seed")
    .description("load demo territories, task forces, organisations and an event (safe to run again)")
    .action(async () => {
      const { db: database, close } = await openStakeholderDatabase({ attach: true });
      try {
        console.log(seededReport(await seedDemo(database.prisma)));
      } finally {
        await close();
      }
    });
  db.command("prune")
    .description("delete receipts and outboxes older than INLOCO_DELIVERY_RECORDS_KEEP now (workers also do it hourly)")
    .action(async () => {
      const keepSeconds = readPipelineSettings().INLOCO_DELIVERY_RECORDS_KEEP;
      const { db: database, close } = await openStakeholderDatabase({ attach: true });
      try {
        const p = await new RetentionSweeper({ sql: database.sql, keepSeconds }).sweep();
        console.log(`pruned ${p.receipts} receipts, ${p.outbox} outbox items and ${p.ingestReceipts} ingest receipts older than ${keepSeconds / 86400} days`);
      } finally {
        await close();
      }
    });
}

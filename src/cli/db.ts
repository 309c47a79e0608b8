import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { openDatabase } from "../db/index.ts";
import { readPipelineSettings } from "../config/pipeline.ts";
import { RetentionSweeper } from "../retention/retention.ts";
import { seedDemo, seededReport } from "../store/seed.ts";

/** `inloco db migrate`, `inloco db seed` and `inloco db prune`. */
export function registerDb(program: Command): void {
  const db = program.command("db").description("the stakeholder database (PostgreSQL with DATABASE_URL, else embedded in INLOCO_DATA_DIR)");
  db.command("migrate")
    .description("apply pending migrations from prisma/migrations")
    .action(async () => {
      const database = await openDatabase();
      try {
        const applied = database.migrationsApplied;
        console.log(applied.length ? `applied ${applied.length} migration(s):\n  ${applied.join("\n  ")}` : "database is up to date");
        console.log(database.embedded ? `embedded database in ${database.dataDir}` : "PostgreSQL server from DATABASE_URL");
      } finally {
        await database.close();
      }
    });
  db.command("seed")
    .description("load demo territories, task forces, organisations and an event (safe to run again)")
    .action(async () => {
      const { db: database, close } = await openStakeholderDatabase();
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
      const { db: database, close } = await openStakeholderDatabase();
      try {
        const p = await new RetentionSweeper({ sql: database.sql, keepSeconds }).sweep();
        console.log(`pruned ${p.receipts} receipts, ${p.outbox} outbox items and ${p.ingestReceipts} ingest receipts older than ${keepSeconds / 86400} days`);
      } finally {
        await close();
      }
    });
}

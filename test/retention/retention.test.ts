// Receipts and outboxes are kept while a repeated delivery could come, then pruned. On a real PostgreSQL.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { pruneReceipts } from "../../src/repos/receipts.ts";
import { RetentionSweeper } from "../../src/retention/retention.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const DAY = 86_400_000;
const now = new Date("2026-12-05T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);

/** A receipt, an outbox item and an ingest receipt written `age` days before `now`; their ids. */
async function records(age: number): Promise<{ receipt: string; outbox: string; ingest: string }> {
  const contact = randomUUID();
  const at = daysAgo(age);
  const ids = { receipt: `m-${randomUUID()}`, outbox: `o-${randomUUID()}`, ingest: `e-${randomUUID()}` };
  await db.sql.query("INSERT INTO contacts (id, language) VALUES ($1, 'en')", [contact]);
  await db.sql.query("INSERT INTO processed_messages (channel, provider_message_id, processed_at) VALUES ('telegram', $1, $2)", [ids.receipt, at]);
  await db.sql.query("INSERT INTO outbox (id, turn_key, contact_id, kind, payload, created_at) VALUES ($1, $1, $2, 'outbound', '{}', $3)", [ids.outbox, contact, at]);
  await db.sql.query("INSERT INTO ingest_receipts (event_id, kind, processed_at) VALUES ($1, 'flow.started', $2)", [ids.ingest, at]);
  return ids;
}

async function exists(ids: { receipt: string; outbox: string; ingest: string }): Promise<[boolean, boolean, boolean]> {
  const one = async (text: string, id: string) => (await db.sql.query(text, [id])).rowCount === 1;
  return [
    await one("SELECT 1 FROM processed_messages WHERE provider_message_id = $1", ids.receipt),
    await one("SELECT 1 FROM outbox WHERE id = $1", ids.outbox),
    await one("SELECT 1 FROM ingest_receipts WHERE event_id = $1", ids.ingest),
  ];
}

describe("delivery records", () => {
  it("are pruned once older than the window, in chunks, and kept before", async () => {
    const old = await Promise.all(Array.from({ length: 7 }, () => records(8)));
    const recent = await Promise.all([records(6), records(0)]);
    // Chunks of 3 rows: seven old rows per table take several statements.
    const pruned = await pruneReceipts(db.sql, daysAgo(7), 3);
    expect(pruned).toEqual({ receipts: 7, outbox: 7, ingestReceipts: 7 });
    for (const ids of old) expect(await exists(ids)).toEqual([false, false, false]);
    for (const ids of recent) expect(await exists(ids)).toEqual([true, true, true]);
  });

  it("the sweeper keeps what its window says, on its own clock", async () => {
    const eightDays = await records(8);
    const twoDays = await records(2);
    await new RetentionSweeper({ sql: db.sql, keepSeconds: 3 * 86_400, now: () => now }).sweep();
    expect(await exists(eightDays)).toEqual([false, false, false]);
    expect(await exists(twoDays)).toEqual([true, true, true]);
  });

  it("two processes pruning at once both finish, and each row goes once", async () => {
    await Promise.all(Array.from({ length: 40 }, () => records(10)));
    const [a, b] = await Promise.all([pruneReceipts(db.sql, daysAgo(9), 5), pruneReceipts(db.sql, daysAgo(9), 5)]);
    expect(a.receipts + b.receipts).toBe(40);
    expect(a.outbox + b.outbox).toBe(40);
  });

  it("`inloco db prune` prunes what is older than INLOCO_DELIVERY_RECORDS_KEEP, and says how much", async () => {
    // Relative to the real clock: the command has no other.
    const at = (days: number) => new Date(Date.now() - days * DAY);
    const contact = randomUUID();
    await db.sql.query("INSERT INTO contacts (id, language) VALUES ($1, 'en')", [contact]);
    const ids = [`cli-old-${randomUUID()}`, `cli-new-${randomUUID()}`];
    await db.sql.query("INSERT INTO processed_messages (channel, provider_message_id, processed_at) VALUES ('telegram', $1, $2), ('telegram', $3, $4)", [ids[0], at(3), ids[1], at(1)]);
    const env = { ...process.env, DATABASE_URL: db.url, INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey(), INLOCO_DELIVERY_RECORDS_KEEP: "2d" };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "db", "prune"], { env, timeout: 60_000 }, (error, out, err) => (error ? reject(new Error(err)) : resolve(out))),
    );
    expect(stdout).toMatch(/^pruned \d+ receipts, \d+ outbox items and \d+ ingest receipts older than 2 days$/m);
    const left = await db.sql.query<{ provider_message_id: string }>("SELECT provider_message_id FROM processed_messages WHERE provider_message_id = ANY($1)", [ids]);
    expect(left.rows.map((r) => r.provider_message_id)).toEqual([ids[1]]);
  });
});

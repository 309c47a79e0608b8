// Receipts and outboxes are kept while a repeated delivery could come, then pruned. On a real PostgreSQL.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { expireAnswers } from "../../src/repos/answer-retention.ts";
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

/** A person with one survey run (`status`) started `age` days before `now`, its two answers and a feedback of the same age; their ids. */
async function person(age: number, status: "completed" | "abandoned" | "in_progress" = "completed"): Promise<{ contact: string; run: string; feedback: string }> {
  const contact = randomUUID();
  const run = `run-${randomUUID()}`;
  const feedback = randomUUID();
  const at = daysAgo(age);
  await db.sql.query("INSERT INTO contacts (id, language) VALUES ($1, 'en')", [contact]);
  await db.sql.query("INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at) VALUES ($1, $2, 'needs', '1', $3, $4)", [run, contact, status, at]);
  await db.sql.query(
    `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_choices, language, answered_at)
     VALUES (gen_random_uuid(), $1, $2, 'needs', '1', 'housing', 'housing', 'choice', ARRAY['own'], 'en', $3),
            (gen_random_uuid(), $1, $2, 'needs', '1', 'priority', 'priority', 'choice', ARRAY['work'], 'en', $3)`,
    [contact, run, at],
  );
  await db.sql.query(
    "INSERT INTO feedback (id, contact_id, text, category, language, source_event_id, created_at) VALUES ($1, $2, 'the bus never comes', 'transport', 'en', $3, $4)",
    [feedback, contact, `test:${randomUUID()}`, at],
  );
  return { contact, run, feedback };
}

/** What is left of a person's answers, run and feedback. */
async function leftOf(p: { contact: string; run: string; feedback: string }) {
  const answers = await db.sql.query("SELECT 1 FROM answers WHERE run_id = $1", [p.run]);
  const run = await db.sql.query("SELECT 1 FROM survey_runs WHERE run_id = $1", [p.run]);
  const feedback = await db.sql.query<{ text: string | null; contact_id: string | null; category: string }>("SELECT text, contact_id, category FROM feedback WHERE id = $1", [p.feedback]);
  return { answers: answers.rowCount, run: run.rowCount, feedback: feedback.rows[0] };
}

describe("answers (INLOCO_ANSWERS_KEEP)", () => {
  it("older answers and their ended runs go and older feedback becomes anonymous, in chunks; recent ones stay", async () => {
    const old = await Promise.all(Array.from({ length: 4 }, () => person(40)));
    const recent = await person(10);
    const expired = await expireAnswers(db.sql, daysAgo(30), 3);
    expect(expired).toEqual({ answers: 8, runs: 4, feedback: 4 });
    for (const p of old) {
      // The feedback stays for the task force (its topic), pointing at no one and saying nothing.
      expect(await leftOf(p)).toEqual({ answers: 0, run: 0, feedback: { text: null, contact_id: null, category: "transport" } });
    }
    expect(await leftOf(recent)).toEqual({ answers: 2, run: 1, feedback: { text: "the bus never comes", contact_id: recent.contact, category: "transport" } });
    // Nothing is left to do a second time.
    expect(await expireAnswers(db.sql, daysAgo(30), 3)).toEqual({ answers: 0, runs: 0, feedback: 0 });
  });

  it("a run still in progress keeps its row (its next answer refers to it), without its old answers", async () => {
    const waiting = await person(40, "in_progress");
    await expireAnswers(db.sql, daysAgo(30));
    expect(await leftOf(waiting)).toMatchObject({ answers: 0, run: 1 });
  });

  it("unset, the sweeper keeps every answer and feedback, however old", async () => {
    const ancient = await person(4000);
    const swept = await new RetentionSweeper({ sql: db.sql, keepSeconds: 7 * 86_400, now: () => now }).sweep();
    expect(swept).toMatchObject({ answers: 0, runs: 0, feedback: 0 });
    expect(await leftOf(ancient)).toEqual({ answers: 2, run: 1, feedback: { text: "the bus never comes", contact_id: ancient.contact, category: "transport" } });
  });

  it("set, the sweeper applies it on its own clock", async () => {
    const old = await person(100);
    const recent = await person(20);
    await new RetentionSweeper({ sql: db.sql, keepSeconds: 7 * 86_400, answersKeepSeconds: 90 * 86_400, now: () => now }).sweep();
    expect(await leftOf(old)).toMatchObject({ answers: 0, run: 0, feedback: { text: null, contact_id: null } });
    expect(await leftOf(recent)).toMatchObject({ answers: 2, run: 1, feedback: { text: "the bus never comes" } });
  });

  it("`inloco db prune` applies INLOCO_ANSWERS_KEEP too, and says how much", async () => {
    // Relative to the real clock: the command has no other.
    const real = (days: number) => new Date(Date.now() - days * DAY);
    const old = await person(0);
    const recent = await person(0);
    await db.sql.query("UPDATE answers SET answered_at = $2 WHERE contact_id = $1", [old.contact, real(40)]);
    await db.sql.query("UPDATE survey_runs SET started_at = $2 WHERE contact_id = $1", [old.contact, real(40)]);
    await db.sql.query("UPDATE feedback SET created_at = $2 WHERE id = $1", [old.feedback, real(40)]);
    await db.sql.query("UPDATE feedback SET created_at = $2 WHERE id = $1", [recent.feedback, real(1)]);
    await db.sql.query("UPDATE answers SET answered_at = $2 WHERE contact_id = $1", [recent.contact, real(1)]);
    const env = { ...process.env, DATABASE_URL: db.url, INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey(), INLOCO_ANSWERS_KEEP: "30d" };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "db", "prune"], { env, timeout: 60_000 }, (error, out, err) => (error ? reject(new Error(err)) : resolve(out))),
    );
    expect(stdout).toMatch(/^deleted \d+ answers and \d+ survey runs, made \d+ feedback anonymous, older than 30 days$/m);
    expect(await leftOf(old)).toMatchObject({ answers: 0, run: 0, feedback: { text: null, contact_id: null } });
    expect(await leftOf(recent)).toMatchObject({ answers: 2, run: 1, feedback: { text: "the bus never comes" } });
  });
});

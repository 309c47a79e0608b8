// The engine meets the database: turns stored atomically in a real PostgreSQL.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Conversations } from "../../src/conversation/conversations.ts";
import { StaleTurnError, type Address } from "../../src/conversation/store.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import { newSession, resume, type Input } from "../../src/engine/index.ts";
import type { OutboxItem } from "../../src/jobs/outbox.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { TURNS } from "../../src/repos/turn-statement.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { testContext } from "../support/engine.ts";

let db: TestDatabase;
let store: DatabaseConversationStore;
let vault: IdentityVault;
const keys = () => ({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  vault = new IdentityVault(keys());
  store = new DatabaseConversationStore(db.sql, vault);
});
afterAll(async () => db?.drop());

let seq = 0;
function person(): { address: Address; conversations: Conversations; say: (text: string | Input, id?: string) => ReturnType<Conversations["receive"]> } {
  const address: Address = { channel: "telegram", id: String(700000000 + ++seq) };
  const conversations = new Conversations(testContext({ languages: ["en", "ar"], newId: randomUUID }), store);
  let n = 0;
  return {
    address,
    conversations,
    say: (text, id) =>
      conversations.receive(address, typeof text === "string" ? { type: "text", text } : text, {
        // As the pipeline does: provider ids are hashed before anything stores them.
        receipt: { channel: "telegram", messageId: vault.hashMessageId("telegram", id ?? `${address.id}-${++n}`) },
      }),
  };
}
const contactOf = async (address: Address) =>
  db.prisma.channelIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: address.channel, addressHash: vault.hashAddress(address.channel, address.id) } },
    include: { contact: true },
  });

describe("conversations in the stakeholder database", () => {
  it("stores onboarding and a whole needs survey: typed answers, runs, contact fields", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "2", "yes", "1", "2", "no", "3", "1 2", "y", "4", "2", "yes", "5", "1", "3", "2", "4,5", "1", "skip", "2", "1 3", "1"]) {
      await p.say(text);
    }
    const { contact } = await contactOf(p.address);
    expect(contact).toMatchObject({ language: "en", territoryId: "valsusa", consentVersion: "2026-11", contactPreference: "all", status: "active" });
    const runs = await db.prisma.surveyRun.findMany({ where: { contactId: contact.id }, orderBy: { startedAt: "asc" } });
    expect(runs.map((r) => [r.flowId, r.status])).toEqual(
      expect.arrayContaining([["main", "in_progress"], ["onboarding", "completed"], ["needs", "in_progress"]]),
    );
    const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" } });
    const byName = Object.fromEntries(answers.map((a) => [a.resultName, a]));
    expect(byName.housing).toMatchObject({ kind: "choice", valueChoices: ["reception"], skipped: false, language: "en", flowVersion: "1" });
    expect(byName.skills).toMatchObject({ kind: "choice", valueChoices: ["degree", "vocational"] });
    expect(byName.language_level).toMatchObject({ kind: "number", valueNumber: 4 });
    expect(byName.children).toMatchObject({ kind: "number", valueNumber: 3 });
    expect(byName.childcare).toMatchObject({ kind: "choice", valueChoices: ["nursery"] });
    expect(byName.own_study).toMatchObject({ kind: "choice", valueChoices: ["yes"] });
    expect(byName.social).toMatchObject({ skipped: true, valueNumber: null, valueChoices: [] });
    expect(byName.priority).toMatchObject({ valueChoices: ["housing"] });
  });

  it("keeps a partial survey and marks it as such", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "1", "yes", "1", "3"]) await p.say(text);
    const { contact } = await contactOf(p.address);
    const needs = await db.prisma.surveyRun.findFirstOrThrow({ where: { contactId: contact.id, flowId: "needs" }, include: { answers: true } });
    expect(needs.status).toBe("in_progress");
    expect(needs.answers.map((a) => a.resultName)).toEqual(["housing"]);
  });

  it("the same delivery five times records one answer", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "1", "yes", "1"]) await p.say(text);
    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => p.say("2", "same-update")));
    expect(replies.filter((r) => !r.duplicate)).toHaveLength(1);
    const { contact } = await contactOf(p.address);
    const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" } });
    expect(answers.map((a) => [a.resultName, a.valueChoices])).toEqual([["housing", ["reception"]]]);
    // A repeat hands back what the first delivery left to do, so nothing it owed is lost.
    const again = await p.say("2", "same-update");
    expect(again.duplicate).toBe(true);
    expect(again.outbox).toEqual(replies.find((r) => !r.duplicate)?.outbox);
  });

  it("two messages of one person at once are both applied, one after the other", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "1", "yes", "1"]) await p.say(text);
    await Promise.all([p.say("1"), p.say("1")]);
    const { contact } = await contactOf(p.address);
    const session = await db.prisma.session.findUniqueOrThrow({ where: { contactId: contact.id } });
    const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" } });
    // The first answered the housing question, the second the next one; nothing lost, nothing mixed.
    expect(answers.map((a) => [a.resultName, a.valueChoices]).sort()).toEqual([["housing", ["stable"]], ["work", ["employed"]]]);
    expect(session.turn).toBe(8);
  });

  it("refuses a turn written on top of a stale session, and writes none of it", async () => {
    const p = person();
    await p.say("/start");
    const { contactId, session } = await store.open(p.address, "en");
    const turn = resume(session, { type: "text", text: "1" }, testContext({ languages: ["en", "ar"], newId: randomUUID }));
    await store.saveTurn({ contactId, previousTurn: session.turn, turn, outbox: [] });
    const run = `stale-${contactId}`;
    const stale = {
      ...turn,
      events: [
        { type: "flow.started" as const, run, flow: "needs", version: 1 },
        { type: "answer.recorded" as const, run, flow: "needs", version: 1, question: "housing", result: "housing", value: { kind: "choice" as const, choices: ["stable"] }, skipped: false, lang: "en", at: "2026-11-25T10:00:00.000Z" },
        { type: "contact.stopped" as const },
      ],
    };
    const outbox = [reply(`${run}/out`)];
    const delivery = { channel: "telegram" as const, messageId: `stale-${contactId}` };
    await expect(store.saveTurn({ contactId, previousTurn: session.turn, turn: stale, outbox, receipt: delivery })).rejects.toBeInstanceOf(StaleTurnError);
    expect(await db.prisma.surveyRun.count({ where: { runId: run } })).toBe(0);
    expect(await db.prisma.outboxItem.count({ where: { contactId } })).toBe(0);
    expect(await db.prisma.processedMessage.count({ where: { providerMessageId: delivery.messageId } })).toBe(0);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: contactId } })).status).toBe("active");
  });

  it("a turn that starts a run, answers in it and completes it is stored whole", async () => {
    const p = person();
    await p.say("/start");
    const { contactId, session } = await store.open(p.address, "en");
    const turn = resume(session, { type: "text", text: "1" }, testContext({ languages: ["en", "ar"], newId: randomUUID }));
    const run = `whole-${contactId}`;
    const answer = { type: "answer.recorded" as const, run, flow: "needs", version: 1, question: "housing", result: "housing", skipped: false, lang: "en", at: "2026-11-25T10:00:00.000Z" };
    // The run's row is inserted and then updated, the answer given, cleared and given again: each row changes twice.
    const events = [
      { type: "flow.started" as const, run, flow: "needs", version: 1 },
      { ...answer, value: { kind: "choice" as const, choices: ["stable"] } },
      { type: "answer.cleared" as const, run, flow: "needs", question: "housing", result: "housing" },
      { ...answer, value: { kind: "choice" as const, choices: ["none"] } },
      { type: "flow.completed" as const, run, flow: "needs", version: 1 },
    ];
    await store.saveTurn({ contactId, previousTurn: session.turn, turn: { ...turn, events }, outbox: [reply(`${run}/out`)] });
    const stored = await db.prisma.surveyRun.findUniqueOrThrow({ where: { runId: run }, include: { answers: true } });
    expect(stored.status).toBe("completed");
    expect(stored.answers.map((a) => a.valueChoices)).toEqual([["none"]]);
    expect(await db.prisma.outboxItem.count({ where: { contactId } })).toBe(1);
  });

  it("a turn racing another try of its own delivery writes nothing; tried again, it is recognised as the repeat", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "1", "yes", "1"]) await p.say(text);
    const { contact } = await contactOf(p.address);
    const messageId = vault.hashMessageId("telegram", "raced-update");
    // The other try has written its receipt and not committed yet: this turn waits for it, then must give way.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("INSERT INTO processed_messages (channel, provider_message_id) VALUES ('telegram', $1)", [messageId]);
      const otherPid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid as number;
      const { session } = await store.open(p.address, "en");
      const turn = resume(session, { type: "text", text: "2" }, testContext({ languages: ["en", "ar"], newId: randomUUID }));
      // Settled into a value at once: it may fail before the COMMIT below has returned here.
      let settled = false;
      const saving = store.saveTurn({ contactId: contact.id, previousTurn: session.turn, turn, outbox: [], receipt: { channel: "telegram", messageId } }).then(
        () => "saved",
        (e: unknown) => e,
      ).finally(() => (settled = true));
      // Commit only once the turn's statement waits for the other try's lock (however slow the machine is).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${otherPid}::int = ANY(pg_blocking_pids(pid))`;
        if ((row?.n ?? 0) > 0) break;
        expect(settled, "the turn ended without waiting for the other try's lock").toBe(false);
        if (Date.now() > deadline) throw new Error("the turn's statement never waited for the other try's lock");
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query("COMMIT");
      expect(await saving).toBeInstanceOf(StaleTurnError);
    } finally {
      await other.end();
    }
    expect(await db.prisma.answer.count({ where: { contactId: contact.id, flowId: "needs" } })).toBe(0);
    const again = await p.say("2", "raced-update");
    expect(again.duplicate).toBe(true);
    expect(await db.prisma.answer.count({ where: { contactId: contact.id, flowId: "needs" } })).toBe(0);
  });

  it("declining consent after an event link keeps exactly what the reply says: nothing of the person (the erasure's audit record and the delivery receipts only)", async () => {
    const address: Address = { channel: "telegram", id: String(700000000 + ++seq) };
    const conversations = new Conversations(testContext({ languages: ["en", "ar"], newId: randomUUID }), store, undefined, eventsForStart(db.prisma));
    const tables = async () => {
      const { rows } = await db.sql.query<{ t: string }>("SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
      const counts: Record<string, number> = {};
      for (const { t } of rows) counts[t] = Number((await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n);
      return counts;
    };
    const before = await tables();
    let n = 0;
    const say = (input: Input) => conversations.receive(address, input, { receipt: { channel: "telegram", messageId: vault.hashMessageId("telegram", `${address.id}-${++n}`) } });
    const first = await say({ type: "start", flow: "rsvp", params: { territory: "valsusa", event: DEMO_EVENT_ID } });
    expect(first.messages.map((m) => m.key)).toEqual(["onboarding:language"]);
    const contactId = first.contactId as string;
    expect((await say({ type: "text", text: "1" })).messages.map((m) => m.key)).toEqual(["onboarding:welcome", "onboarding:consent"]);
    const declined = await say({ type: "text", text: "no" });
    expect(declined.messages.map((m) => m.key)).toEqual(["onboarding:consent_declined"]);

    // What stays: the audit record of the erasure (how much, never what), and the three delivery
    // receipts (keyed hashes of message ids, no contact, pruned after INLOCO_DELIVERY_RECORDS_KEEP).
    const after = await tables();
    const grown = Object.fromEntries(Object.entries(after).filter(([t, count]) => count !== before[t]).map(([t, count]) => [t, count - (before[t] ?? 0)]));
    expect(grown).toEqual({ audit_log: 1, processed_messages: 3 });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: "erase", subject: contactId } });
    expect(audit).toMatchObject({ actor: "contact", details: { answers: 1, feedback: 0, identities: 1 } });
    // The contact id is in no other row of any table; nor the address, nor its keyed hash.
    const columns = await db.prisma.$queryRaw<Array<{ table_name: string; column_name: string }>>`
      SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'uuid', 'ARRAY')`;
    const hash = vault.hashAddress(address.channel, address.id);
    for (const { table_name, column_name } of columns) {
      for (const needle of [contactId, address.id, hash]) {
        const rows = await db.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE $1`, `%${needle}%`);
        const expected = needle === contactId && table_name === "audit_log" && column_name === "subject" ? 1 : 0;
        expect(Number(rows[0]?.n), `${needle === contactId ? "contact id" : needle === hash ? "address hash" : "address"} in ${table_name}.${column_name}`).toBe(expected);
      }
    }
    // Writing again is a stranger: language and consent again, nothing remembered.
    const again = await say({ type: "text", text: "hello" });
    expect(again.contactId).not.toBe(contactId);
    expect(again.messages.map((m) => m.key)).toEqual(["onboarding:language"]);
  });

  it("no table holds a raw address", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes"]) await p.say(text);
    const columns = await db.prisma.$queryRaw<Array<{ table_name: string; column_name: string }>>`
      SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')`;
    expect(columns.length).toBeGreaterThan(20);
    for (const { table_name, column_name } of columns) {
      const rows = await db.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
        `SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE $1`,
        `%${p.address.id}%`,
      );
      expect(Number(rows[0]?.n), `${table_name}.${column_name}`).toBe(0);
    }
    const { addressEncrypted } = await contactOf(p.address);
    expect(vault.decrypt(addressEncrypted)).toBe(p.address.id);
  });

  it("DELETE erases the person: identity, answers (language, territory, contact preference, housing), sessions; feedback keeps no text; the audit log says how much, not what", async () => {
    const p = person();
    for (const text of ["/start", "1", "yes", "1", "yes", "1", "2"]) await p.say(text);
    const { contact } = await contactOf(p.address);
    const created = await db.prisma.feedback.create({
      data: { contactId: contact.id, text: "my neighbour Ahmed at via Roma 5", category: "housing", language: "en", sourceEventId: `fb-${contact.id}` },
    });
    await p.say("delete");
    const erased = await p.say("yes");
    expect(erased.messages.map((m) => m.key)).toEqual(["session:deleted"]);
    expect(await db.prisma.contact.findUnique({ where: { id: contact.id } })).toBeNull();
    expect(await db.prisma.channelIdentity.count({ where: { contactId: contact.id } })).toBe(0);
    expect(await db.prisma.answer.count({ where: { contactId: contact.id } })).toBe(0);
    expect(await db.prisma.session.count({ where: { contactId: contact.id } })).toBe(0);
    const feedback = await db.prisma.feedback.findUniqueOrThrow({ where: { id: created.id } });
    expect(feedback).toMatchObject({ contactId: null, text: null, category: "housing" });
    // The id of the event it came from (which held the contact id here) is replaced by a random one.
    expect(feedback.sourceEventId).toMatch(/^erased-[0-9a-f-]{36}$/);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: "erase", subject: contact.id } });
    expect(audit).toMatchObject({ actor: "contact", details: { answers: 5, feedback: 1, identities: 1 } });
    expect(JSON.stringify(audit)).not.toContain("Ahmed");
    // Writing again is a new person, with nothing of the old one.
    await p.say("/start");
    const fresh = await contactOf(p.address);
    expect(fresh.contactId).not.toBe(contact.id);
  });

  it("an unreadable stored session starts afresh instead of failing", async () => {
    const p = person();
    await p.say("/start");
    const { contact } = await contactOf(p.address);
    await db.prisma.session.update({ where: { contactId: contact.id }, data: { state: { format: 99 } } });
    const reply = await p.say("hello");
    expect(reply.saved).toBe(true);
    expect(reply.messages[0]?.key).toBe("onboarding:language");
  });
});

describe("people at the same moment", () => {
  // The statements that reach the database, to see that turns and lookups were made together.
  function counting(): { store: DatabaseConversationStore; statements: () => number } {
    let n = 0;
    const sql = { ...db.sql, query: ((text: string, values?: unknown[]) => (n++, db.sql.query(text, values))) as typeof db.sql.query };
    return { store: new DatabaseConversationStore(sql, vault), statements: () => n };
  }
  const ctx = () => testContext({ languages: ["en", "ar"], newId: randomUUID });

  it("twenty people answering at once: each turn stored whole, in far fewer statements than turns", async () => {
    const people = Array.from({ length: 20 }, () => person());
    for (const text of ["/start", "1", "yes", "1", "yes", "1"]) await Promise.all(people.map((p) => p.say(text)));
    const { store: counted, statements } = counting();
    const conversations = new Conversations(ctx(), counted);
    // Half say "stable", half "reception": each answer must land with its own person.
    const replies = await Promise.all(
      people.map((p, i) => conversations.receive(p.address, { type: "text", text: i % 2 ? "1" : "2" }, { receipt: { channel: "telegram", messageId: `at-once-${p.address.id}` } })),
    );
    expect(replies.every((r) => r.saved)).toBe(true);
    // 20 lookups and 20 turns alone would be 40 statements.
    expect(statements()).toBeLessThan(20);
    for (const [i, p] of people.entries()) {
      const { contact } = await contactOf(p.address);
      const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" } });
      expect(answers.map((a) => [a.resultName, a.valueChoices])).toEqual([["housing", [i % 2 ? "stable" : "reception"]]]);
      const session = await db.prisma.session.findUniqueOrThrow({ where: { contactId: contact.id } });
      expect(session.turn).toBe(7);
      expect(await db.prisma.processedMessage.count({ where: { providerMessageId: `at-once-${p.address.id}` } })).toBe(1);
    }
  });

  it("in a shared statement, a stale turn and a repeated delivery are refused alone; the others are stored", async () => {
    const people = Array.from({ length: 6 }, () => person());
    for (const text of ["/start", "1", "yes", "1", "yes", "1"]) await Promise.all(people.map((p) => p.say(text)));
    const opened = await Promise.all(people.map((p) => store.open(p.address, "en")));
    const turns = opened.map(({ session }) => resume(session, { type: "text", text: "2" }, ctx()));
    const delivery = (i: number) => ({ channel: "telegram" as const, messageId: `shared-${people[i]?.address.id}` });
    // Person 0 moved on meanwhile (their turn is stale); person 1's delivery was processed before (a repeat).
    await people[0]?.say("3");
    await store.saveTurn({ contactId: opened[1]!.contactId, previousTurn: opened[1]!.session.turn, turn: turns[1]!, receipt: delivery(1), outbox: [] });
    const second = await store.open(people[1]!.address, "en");
    const results = await Promise.allSettled(
      opened.map(({ contactId, session }, i) =>
        store.saveTurn({ contactId, previousTurn: i === 1 ? second.session.turn : session.turn, turn: i === 1 ? resume(second.session, { type: "text", text: "2" }, ctx()) : turns[i]!, receipt: delivery(i), outbox: [reply(`shared-${i}/out`)] }),
      ),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? "saved" : (r.reason as Error).name))).toEqual(["StaleTurnError", "DuplicateReceiptError", "saved", "saved", "saved", "saved"]);
    for (const [i, p] of people.entries()) {
      const { contact } = await contactOf(p.address);
      const housing = await db.prisma.answer.findFirstOrThrow({ where: { contactId: contact.id, resultName: "housing" } });
      // Person 0 kept their own "3"; person 1 the first delivery's "2"; the others their "2".
      expect(housing.valueChoices).toEqual([i === 0 ? "friends" : "reception"]);
      expect(await db.prisma.outboxItem.count({ where: { id: `shared-${i}/out` } })).toBe(i < 2 ? 0 : 1);
    }
  });

  it("a turn that fails its shared statement fails alone: the others are written without it", async () => {
    const people = Array.from({ length: 4 }, () => person());
    for (const text of ["/start", "1", "yes"]) await Promise.all(people.map((p) => p.say(text)));
    const opened = await Promise.all(people.map((p) => store.open(p.address, "en")));
    const results = await Promise.allSettled(
      opened.map(({ contactId, session }, i) => {
        const turn = resume(session, { type: "text", text: "1" }, ctx());
        // An outbox item whose id another row has already: a unique violation in the shared statement.
        const outbox = [reply(i === 2 ? `shared-2/out` : `fails-alone-${contactId}`)];
        return store.saveTurn({ contactId, previousTurn: session.turn, turn, outbox });
      }),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    for (const [i, { contactId }] of opened.entries()) {
      const session = await db.prisma.session.findUniqueOrThrow({ where: { contactId } });
      expect(session.turn).toBe(i === 2 ? 3 : 4);
    }
  });
});

describe("the turns statement as tables grow", () => {
  it("finds sessions, contacts and receipts by index, not by reading whole tables", async () => {
    // A mid-sized project: big enough that a scan costs, small enough that a planner misled about the
    // number of turns (a function's rows count as 100) would still prefer scanning and hashing.
    await db.sql.query(`INSERT INTO contacts (id, language) SELECT gen_random_uuid(), 'en' FROM generate_series(1, 3000)`);
    await db.sql.query(
      `INSERT INTO sessions (id, contact_id, state, turn, flow_id, flow_version, status, updated_at)
       SELECT gen_random_uuid(), c.id, '{}', 1, 'needs', '1', 'waiting', now() FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.contact_id = c.id)`,
    );
    await db.sql.query(`INSERT INTO processed_messages (channel, provider_message_id) SELECT 'telegram', 'grow-' || g FROM generate_series(1, 30000) g`);
    await db.sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version) SELECT 'grow-' || c.id, c.id, 'needs', '1' FROM contacts c`);
    await db.sql.query(
      `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, language)
       SELECT gen_random_uuid(), r.contact_id, r.run_id, 'needs', '1', 'q' || q, 'q' || q, 'text', 'en' FROM survey_runs r, generate_series(1, 10) q WHERE r.run_id LIKE 'grow-%'`,
    );
    await db.sql.query("ANALYZE");
    const plan = await db.sql.transaction(async (tx) => {
      // The plan every later run reuses (PostgreSQL keeps a generic plan for a prepared statement).
      await tx.query("SET LOCAL plan_cache_mode = force_generic_plan");
      await tx.query(`PREPARE turns_plan AS ${TURNS}`);
      const { rows } = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE turns_plan('[]', '[]', '[]', '[]', '[]', true)`);
      await tx.query("DEALLOCATE turns_plan");
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/Index Scan using sessions_contact_id_key/);
    for (const table of ["contacts", "sessions", "processed_messages", "survey_runs", "answers"]) expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
  });
});

describe("session state in the database", () => {
  it("round-trips the engine's session exactly", async () => {
    const p = person();
    for (const text of ["/start", "2"]) await p.say(text);
    const { contact } = await contactOf(p.address);
    const row = await db.prisma.session.findUniqueOrThrow({ where: { contactId: contact.id } });
    const { session } = await store.open(p.address, "en");
    expect(row.state).toEqual(session);
    expect(row.turn).toBe(session.turn);
    expect(newSession("en").turn).toBe(0);
  });
});

/** An outbox item as a turn leaves it: one message to send. */
function reply(id: string): OutboxItem {
  return { id, kind: "outbound", payload: { channel: "telegram", messages: [{ key: "survey:thanks", params: {}, lang: "en", choices: [] }], priority: "reply", sent: 0 } };
}

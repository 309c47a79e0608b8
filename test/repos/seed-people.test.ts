// Pretend people (`inloco db seed --people N`) are stored as real conversations leave people: found by
// their address the way the pipeline finds anyone, consented to the current note, with needs-survey
// answers the flow could have produced. On a real PostgreSQL.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRuntime } from "../../src/app/runtime.ts";
import { IdentityVault } from "../../src/db/index.ts";
import { consentGate, resume, type Flow } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { findAddresses } from "../../src/repos/addresses.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { removePretendPeople } from "../../src/repos/seed-people.ts";
import { PRETEND_CHAT_BASE, pretendChatId, pretendContactId, pretendPerson } from "../../src/seed/pretend-people.ts";
import { seedPeople, type SeedPeopleOptions } from "../../src/seed/seed-people.ts";
import { testContext } from "../support/engine.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import type { AnswerRow as StoredAnswer } from "../../src/effects/effect.ts";

const runtime = loadRuntime({ env: {} });
const needs = runtime.flows.get("needs") as Flow;
const consentVersion = (consentGate(runtime.engine) as { version: string }).version;
const context = { consentVersion, entryFlow: { id: "main", version: (runtime.flows.get("main") as Flow).version } };
const keys = () => new IdentityVault({ hashKey: randomBytes(32), encryptionKey: randomBytes(32) });
const now = new Date("2026-12-01T10:00:00Z");

async function seeded(db: TestDatabase, vault: IdentityVault, count: number, seed: number): Promise<void> {
  const options: SeedPeopleOptions = { sql: db.sql, vault, count, seed, languages: runtime.settings.INLOCO_LANGUAGES, needs, context, now };
  await seedPeople(options);
}

// The answers table's columns as a real turn writes them (src/effects/effect.ts), those read back here.
type AnswerRow = Pick<StoredAnswer, "contact_id" | "run_id" | "question" | "result_name" | "kind" | "value_text" | "value_number" | "value_choices" | "skipped" | "language">;

const answersOf = async (db: TestDatabase) =>
  (
    await db.sql.query<AnswerRow>(
      "SELECT contact_id, run_id, question, result_name, kind::text, value_text, value_number, value_choices, skipped, language FROM answers ORDER BY contact_id, answered_at, question",
    )
  ).rows;

describe("pretend people", () => {
  let db: TestDatabase;
  const vault = keys();
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.prisma);
    await seeded(db, vault, 300, 42);
  });
  afterAll(async () => db?.drop());

  it("300 consented contacts over every territory and several languages", async () => {
    const { rows } = await db.sql.query<{ territory_id: string; language: string; consent_version: string; consent_at: Date | null; status: string }>(
      "SELECT territory_id, language, consent_version, consent_at, status::text FROM contacts",
    );
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.consent_version === consentVersion && r.consent_at !== null && r.status === "active")).toBe(true);
    // Everything happened before now: consent, answers, feedback.
    const latest = await db.sql.query<{ at: Date }>("SELECT greatest((SELECT max(answered_at) FROM answers), (SELECT max(created_at) FROM feedback), (SELECT max(last_seen_at) FROM contacts)) AS at");
    expect(latest.rows[0]?.at.getTime()).toBeLessThan(now.getTime());
    expect(new Set(rows.map((r) => r.territory_id))).toEqual(new Set(["torino", "valsusa", "cuneo", "asti"]));
    const languages = new Set(rows.map((r) => r.language));
    expect(languages.size).toBeGreaterThanOrEqual(5);
    for (const l of languages) expect(runtime.settings.INLOCO_LANGUAGES).toContain(l);
  });

  it("each is found by their chat id as the pipeline finds people, and open() creates no second contact", async () => {
    const store = new DatabaseConversationStore(db.sql, vault);
    for (let i = 0; i < 300; i++) {
      const found = await store.open({ channel: "telegram", id: pretendChatId(i) }, "en");
      expect(found.contactId).toBe(pretendContactId(i));
      // The stored session carries the consent: writing again does not ask for it.
      expect(found.session.contact.fields.consent).toBe(consentVersion);
    }
    const { rows } = await db.sql.query<{ n: string }>("SELECT count(*) AS n FROM contacts");
    expect(Number(rows[0]?.n)).toBe(300);
  });

  it("the chat ids are above any real Telegram chat id, sealed, not in clear, and found for a send", async () => {
    const { rows } = await db.sql.query<{ address_encrypted: Buffer; contact_id: string }>("SELECT address_encrypted, contact_id FROM channel_identities WHERE channel = 'telegram'");
    expect(rows).toHaveLength(300);
    for (const r of rows) {
      const chat = vault.decrypt(r.address_encrypted);
      expect(Number(chat)).toBeGreaterThanOrEqual(PRETEND_CHAT_BASE);
      expect(Number.isSafeInteger(Number(chat))).toBe(true);
      expect(r.address_encrypted.toString("latin1")).not.toContain(chat);
    }
    // The send path (outbound) finds each one's chat id from the contact id, as for anyone.
    const targets = await findAddresses(db.sql, vault, Array.from({ length: 300 }, (_, i) => ({ contactId: pretendContactId(i), channel: "telegram" as const })));
    expect(targets.map((t) => t?.address)).toEqual(Array.from({ length: 300 }, (_, i) => pretendChatId(i)));
    expect(targets.every((t) => t?.status === "active")).toBe(true);
  });

  it("a pretend person who writes gets the menu, not the consent note", async () => {
    const store = new DatabaseConversationStore(db.sql, vault);
    const { session } = await store.open({ channel: "telegram", id: pretendChatId(7) }, "en");
    const ctx = testContext();
    const turn = resume(session, { type: "text", text: "hello" }, ctx);
    const said = turn.messages.map((m) => plainText(m, ctx.texts)).join("\n");
    expect(said).toContain(ctx.texts.t(session.contact.language, "main:menu.question"));
    expect(said).not.toContain(ctx.texts.t(session.contact.language, "onboarding:consent"));
  });

  it("answers use only the needs flow's questions and option ids, follow-ups only where the flow asks", async () => {
    const answers = await answersOf(db);
    expect(answers.length).toBeGreaterThan(1000);
    for (const a of answers) {
      const node = needs.nodes[a.question];
      expect(node?.type, a.question).toBe("question");
      if (node?.type !== "question") continue;
      expect(a.result_name).toBe(node.result ?? a.question);
      if (a.skipped) {
        expect([a.kind, a.value_text, a.value_number, a.value_choices]).toEqual(["text", null, null, []]);
        continue;
      }
      const spec = node.answer;
      if (spec.type === "choice" || spec.type === "multiple_choice") {
        const ids = spec.options.map((o) => o.id);
        expect(a.kind).toBe("choice");
        expect(a.value_choices.length).toBeGreaterThan(0);
        for (const c of a.value_choices) expect(ids, `${a.question}: ${c}`).toContain(c);
        if (spec.type === "choice") expect(a.value_choices).toHaveLength(1);
      } else if (spec.type === "yes_no") {
        expect(a.value_choices.length === 1 && ["yes", "no"].includes(a.value_choices[0] as string)).toBe(true);
      } else if (spec.type === "scale") {
        expect(a.value_number).toBeGreaterThanOrEqual(spec.min);
        expect(a.value_number).toBeLessThanOrEqual(spec.max);
      } else if (spec.type === "number") {
        expect(Number.isInteger(a.value_number)).toBe(true);
      } else {
        expect(a.kind).toBe("text");
      }
    }
    // A follow-up only after the answer that calls for it (flows/needs.yaml's branches).
    const byRun = new Map<string, AnswerRow[]>();
    for (const a of answers) byRun.set(a.run_id, [...(byRun.get(a.run_id) ?? []), a]);
    for (const run of byRun.values()) {
      const housing = run.find((a) => a.question === "housing");
      if (run.some((a) => a.question === "housing_help")) expect(["reception", "friends", "none"]).toContain(housing?.value_choices[0]);
      const children = run.find((a) => a.question === "children");
      if (run.some((a) => a.question === "childcare")) expect(children?.value_number).toBeGreaterThan(0);
    }
  });

  it("some runs are completed, some abandoned half-way; feedback in several topics, linked to the territory", async () => {
    const { rows } = await db.sql.query<{ status: string; answers: string; completed_at: Date | null }>(
      "SELECT r.status::text, count(a.id) AS answers, r.completed_at FROM survey_runs r LEFT JOIN answers a ON a.run_id = r.run_id WHERE r.flow_id = 'needs' GROUP BY r.run_id",
    );
    const completed = rows.filter((r) => r.status === "completed");
    const abandoned = rows.filter((r) => r.status === "abandoned");
    expect(completed.length).toBeGreaterThan(50);
    expect(abandoned.length).toBeGreaterThan(10);
    expect(completed.every((r) => r.completed_at !== null)).toBe(true);
    expect(abandoned.every((r) => r.completed_at === null && Number(r.answers) >= 1)).toBe(true);
    const shortestCompleted = Math.min(...completed.map((r) => Number(r.answers)));
    expect(Math.max(...abandoned.map((r) => Number(r.answers)))).toBeLessThanOrEqual(Object.values(needs.nodes).filter((n) => n.type === "question").length / 2);
    expect(shortestCompleted).toBeGreaterThan(8);
    const feedback = await db.sql.query<{ category: string; territory_id: string | null; task_force_id: string | null }>("SELECT category, territory_id, task_force_id FROM feedback");
    expect(feedback.rows.length).toBeGreaterThan(30);
    expect(new Set(feedback.rows.map((f) => f.category)).size).toBeGreaterThanOrEqual(4);
    expect(feedback.rows.every((f) => f.territory_id !== null && f.task_force_id !== null)).toBe(true);
  });

  it("the same seed gives the same people and answers; another seed other ones; a second run adds more", async () => {
    const again = await createTestDatabase();
    try {
      await seedDemo(again.prisma);
      await seeded(again, keys(), 300, 42);
      const strip = (rows: AnswerRow[]) => rows.map(({ run_id: _, ...rest }) => rest);
      expect(strip(await answersOf(again))).toEqual(strip(await answersOf(db)));
      // A second run adds 300 more, numbered after the first 300, with their own answers.
      await seeded(again, keys(), 300, 42);
      const { rows } = await again.sql.query<{ n: string }>("SELECT count(*) AS n FROM contacts");
      expect(Number(rows[0]?.n)).toBe(600);
      const world = { seed: 42, languages: runtime.settings.INLOCO_LANGUAGES, territories: ["asti", "cuneo", "torino", "valsusa"], needs, now };
      expect(pretendPerson(world, 5)).toEqual(pretendPerson(world, 5));
      expect(pretendPerson({ ...world, seed: 43 }, 5).runs).not.toEqual(pretendPerson(world, 5).runs);
      // Removing them takes everything of theirs, feedback included.
      expect((await removePretendPeople(again.sql)).contacts).toBe(600);
      const left = await again.sql.query<{ n: string }>(
        "SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM feedback) + (SELECT count(*) FROM answers) + (SELECT count(*) FROM channel_identities) AS n",
      );
      expect(Number(left.rows[0]?.n)).toBe(0);
    } finally {
      await again.drop();
    }
  });
});

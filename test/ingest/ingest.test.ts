// Ingest writes the jobs that arrive together in one statement: the same rows as one by one, one
// round trip for many, and a bad row fails only its own job. On a real PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "../../src/db/sql.ts";
import { ingestProcessor } from "../../src/ingest/ingest.ts";
import type { IngestJob } from "../../src/jobs/jobs.ts";
import type { Job } from "../../src/queue/types.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { shippedTexts } from "../support/engine.ts";
import { logInto } from "../support/log.ts";
import { silentLog } from "../../src/log/log.ts";

describe("ingest on PostgreSQL", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.prisma);
  });
  afterAll(async () => db?.drop());

  // The statements that reach the database, to see that jobs were written together.
  function counting(sql: Sql): { sql: Sql; statements: () => number } {
    let n = 0;
    return {
      sql: { ...sql, query: (text, values) => (n++, sql.query(text, values)) },
      statements: () => n,
    };
  }
  const job = (id: string, data: IngestJob): Job<IngestJob> => ({ queue: "ingest", id, name: data.name, data, attempt: 1, maxAttempts: 3, updateData: async () => undefined });

  async function contactIn(territory: string): Promise<string> {
    const c = await db.prisma.contact.create({ data: { language: "it", territoryId: territory } });
    return c.id;
  }

  it("stores 50 feedbacks sent at once, each once, categorized and routed, in fewer statements than jobs; a replay adds nothing", async () => {
    const contact = await contactIn("torino");
    const { sql, statements } = counting(db.sql);
    const ingest = ingestProcessor({ sql, rules: shippedTexts(), log: silentLog });
    const jobs = Array.from({ length: 50 }, (_, i) =>
      job(`fb-${randomUUID()}`, {
        contactId: contact,
        name: "feedback.submitted",
        data: { text: { kind: "text", text: `Cerco casa  per la mia famiglia (${i})` } },
        flow: "feedback",
        run: `run-${i}`,
        language: "it",
        at: new Date().toISOString(),
      }),
    );
    await Promise.all(jobs.map((j) => ingest(j)));
    expect(statements()).toBeLessThan(jobs.length);
    // Delivered again (a retried job): nothing new.
    await Promise.all(jobs.slice(0, 10).map((j) => ingest(j)));
    const stored = await db.prisma.feedback.findMany({ where: { contactId: contact }, include: { taskForce: true } });
    expect(stored).toHaveLength(50);
    expect(new Set(stored.map((f) => f.sourceEventId))).toEqual(new Set(jobs.map((j) => j.id)));
    for (const f of stored) {
      expect(f).toMatchObject({ category: "housing", territoryId: "torino", language: "it" });
      expect(f.text).toMatch(/^Cerco casa per la mia famiglia \(\d+\)$/);
      expect(f.taskForce?.name).toBe("Task force Torino");
    }
  });

  it("counts survey starts and completions sent at once, each event once, and a bad job fails alone", async () => {
    const stats = () => db.prisma.territoryStats.findUnique({ where: { territoryId_flowId: { territoryId: "asti", flowId: "needs" } } });
    const before = await stats();
    const contact = await contactIn("asti");
    const ingest = ingestProcessor({ sql: db.sql, rules: shippedTexts(), log: silentLog });
    const event = (name: string, contactId = contact): IngestJob => ({ contactId, name, data: {}, flow: "needs", run: "r", language: "it", territory: "asti", at: new Date().toISOString() });
    const started = Array.from({ length: 30 }, () => job(`s-${randomUUID()}`, event("flow.started")));
    const completed = Array.from({ length: 12 }, () => job(`c-${randomUUID()}`, event("survey.completed")));
    // Feedback from a contact id that is no UUID at all: that job fails, the others don't.
    const bad = job(`b-${randomUUID()}`, { ...event("feedback.submitted", "not-a-uuid"), data: { text: { kind: "text", text: "x" } } });
    const all = [...started, ...completed, ...started.slice(0, 5)];
    const results = await Promise.allSettled([...all.map((j) => ingest(j)), ingest(bad)]);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect(results.at(-1)?.status).toBe("rejected");
    const after = await stats();
    expect((after?.started ?? 0) - (before?.started ?? 0)).toBe(30);
    expect((after?.completed ?? 0) - (before?.completed ?? 0)).toBe(12);
  });

  it("records an RSVP only for a contact who accepted the consent note: never one with consent_version null", async () => {
    const ingest = ingestProcessor({ sql: db.sql, rules: shippedTexts(), log: silentLog });
    const yes = { kind: "choice", choices: ["yes"] };
    const rsvp = (contactId: string): IngestJob => ({
      contactId, name: "rsvp.recorded", data: { event: DEMO_EVENT_ID, answer: yes, reminder: { kind: "choice", choices: ["day_before"] } },
      flow: "rsvp", run: "r", language: "it", territory: "valsusa", at: new Date().toISOString(),
    });
    const stranger = await contactIn("valsusa");
    await ingest(job(`r-${randomUUID()}`, rsvp(stranger)));
    expect(await db.prisma.rsvp.count({ where: { contactId: stranger } })).toBe(0);
    const agreed = await contactIn("valsusa");
    await db.prisma.contact.update({ where: { id: agreed }, data: { consentVersion: "2026-11", consentAt: new Date() } });
    await ingest(job(`r-${randomUUID()}`, rsvp(agreed)));
    expect(await db.prisma.rsvp.findMany({ where: { contactId: agreed } })).toMatchObject([{ answer: "yes", reminder: "day_before" }]);
    const { rows } = await db.sql.query<{ n: string }>("SELECT count(*) AS n FROM rsvps r JOIN contacts c ON c.id = r.contact_id WHERE c.consent_version IS NULL");
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it("records no RSVP to a meeting cancelled since the question was asked, and says so in the log", async () => {
    const lines: string[] = [];
    const ingest = ingestProcessor({ sql: db.sql, rules: shippedTexts(), log: logInto(lines) });
    const agreed = await contactIn("valsusa");
    await db.prisma.contact.update({ where: { id: agreed }, data: { consentVersion: "2026-11", consentAt: new Date() } });
    const meeting = await db.prisma.event.create({
      data: { title: { en: "Cancelled meeting" }, description: {}, startsAt: new Date(Date.now() + 86_400_000), timeZone: "Europe/Rome", place: "Susa", territoryId: "valsusa", status: "cancelled", cancelledAt: new Date() },
    });
    const id = `r-${randomUUID()}`;
    await ingest(job(id, { contactId: agreed, name: "rsvp.recorded", data: { event: meeting.id, answer: { kind: "choice", choices: ["yes"] } }, flow: "rsvp", run: "r", language: "it", territory: "valsusa", at: new Date().toISOString() }));
    expect(await db.prisma.rsvp.count({ where: { eventId: meeting.id } })).toBe(0);
    expect(lines).toEqual([`rsvp ${id}: meeting ${meeting.id} is cancelled, the answer is not recorded`]);
  });
});

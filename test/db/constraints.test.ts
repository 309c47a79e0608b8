// The unique constraints that make replays harmless, checked on a real PostgreSQL server (PGlite
// serialises every connection, so races only show on a server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const uniqueViolation = { code: "P2002" };

async function newContact() {
  return db.prisma.contact.create({ data: { language: "ar" } });
}

async function newRun(contactId: string, runId: string) {
  return db.prisma.surveyRun.create({ data: { runId, contactId, flowId: "welcome", flowVersion: "1" } });
}

describe("ProcessedMessage", () => {
  it("records a provider message once; the redelivery is refused", async () => {
    const message = { channel: "telegram" as const, providerMessageId: "update-1001" };
    await db.prisma.processedMessage.create({ data: message });
    await expect(db.prisma.processedMessage.create({ data: message })).rejects.toMatchObject(uniqueViolation);
    // Same id on another channel is another message.
    await db.prisma.processedMessage.create({ data: { ...message, channel: "whatsapp" } });
    const inserted = await db.prisma.processedMessage.createMany({ data: [message], skipDuplicates: true });
    expect(inserted.count).toBe(0);
  });

  it("lets exactly one of two concurrent deliveries through", async () => {
    const message = { channel: "whatsapp" as const, providerMessageId: "wamid.race" };
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => db.prisma.processedMessage.create({ data: message })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(r.reason).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect(r.reason).toMatchObject(uniqueViolation);
    }
  });
});

describe("Answer", () => {
  it("keeps one answer per run and question: answering again replaces it", async () => {
    const contact = await newContact();
    await newRun(contact.id, "run-answer-1");
    const key = { runId_question: { runId: "run-answer-1", question: "node-age" } };
    const base = {
      contactId: contact.id,
      runId: "run-answer-1",
      flowId: "welcome",
      flowVersion: "1",
      question: "node-age",
      resultName: "age",
      kind: "number" as const,
      language: "ar",
    };
    await db.prisma.answer.upsert({ where: key, create: { ...base, valueNumber: 43 }, update: { valueNumber: 43 } });
    await db.prisma.answer.upsert({ where: key, create: { ...base, valueNumber: 34 }, update: { valueNumber: 34 } });

    const answers = await db.prisma.answer.findMany({ where: { runId: "run-answer-1" } });
    expect(answers).toHaveLength(1);
    expect(answers[0]?.valueNumber).toBe(34);
    await expect(db.prisma.answer.create({ data: { ...base, valueNumber: 1 } })).rejects.toMatchObject(uniqueViolation);
  });

  it("stores every kind of value in its own column", async () => {
    const contact = await newContact();
    await newRun(contact.id, "run-kinds");
    const common = { contactId: contact.id, runId: "run-kinds", flowId: "welcome", flowVersion: "1", language: "ar" };
    await db.prisma.answer.createMany({
      data: [
        { ...common, question: "q-choices", resultName: "needs", kind: "choice", valueChoices: ["housing", "work"] },
        { ...common, question: "q-date", resultName: "arrived", kind: "date", valueDate: new Date("2024-03-01") },
        { ...common, question: "q-place", resultName: "where", kind: "location", valueLat: 45.07, valueLon: 7.69, valuePlace: "Torino" },
        { ...common, question: "q-skip", resultName: "phone_model", kind: "text", skipped: true },
      ],
    });
    const byQuestion = Object.fromEntries(
      (await db.prisma.answer.findMany({ where: { runId: "run-kinds" } })).map((a) => [a.question, a]),
    );
    expect(byQuestion["q-choices"]?.valueChoices).toEqual(["housing", "work"]);
    expect(byQuestion["q-date"]?.valueDate?.toISOString()).toBe("2024-03-01T00:00:00.000Z");
    expect(byQuestion["q-place"]).toMatchObject({ valueLat: 45.07, valueLon: 7.69, valuePlace: "Torino" });
    expect(byQuestion["q-skip"]).toMatchObject({ skipped: true, valueText: null, valueChoices: [] });
  });

  it("needs its survey run, which stays when partial", async () => {
    const contact = await newContact();
    await expect(
      db.prisma.answer.create({
        data: {
          contactId: contact.id,
          runId: "no-such-run",
          flowId: "welcome",
          flowVersion: "1",
          question: "q",
          resultName: "r",
          kind: "text",
          language: "ar",
        },
      }),
    ).rejects.toMatchObject({ code: "P2003" });
    const run = await newRun(contact.id, "run-partial");
    expect(run.status).toBe("in_progress");
    await db.prisma.surveyRun.update({ where: { runId: run.runId }, data: { status: "abandoned" } });
    expect((await db.prisma.surveyRun.findUniqueOrThrow({ where: { runId: run.runId } })).status).toBe("abandoned");
  });
});

describe("Feedback", () => {
  it("inserts one feedback per source event, however often the event is replayed", async () => {
    const contact = await newContact();
    const data = { contactId: contact.id, text: "No bus on Sundays", category: "transport", language: "ar", sourceEventId: "evt-feedback-1" };
    await db.prisma.feedback.create({ data });
    await expect(db.prisma.feedback.create({ data })).rejects.toMatchObject(uniqueViolation);
    const replay = await db.prisma.feedback.createMany({ data: [data, data], skipDuplicates: true });
    expect(replay.count).toBe(0);
    expect(await db.prisma.feedback.count({ where: { sourceEventId: "evt-feedback-1" } })).toBe(1);
  });

  it("outlives its contact, unlinked", async () => {
    const contact = await newContact();
    const feedback = await db.prisma.feedback.create({
      data: { contactId: contact.id, text: "x", category: "other", language: "ar", sourceEventId: "evt-feedback-2" },
    });
    await db.prisma.contact.delete({ where: { id: contact.id } });
    expect(await db.prisma.feedback.findUniqueOrThrow({ where: { id: feedback.id } })).toMatchObject({ contactId: null });
  });
});

describe("Session", () => {
  it("allows one session per contact and detects a stale turn", async () => {
    const contact = await newContact();
    const session = await db.prisma.session.create({
      data: { contactId: contact.id, flowId: "welcome", flowVersion: "1", state: { node: "start" } },
    });
    await expect(
      db.prisma.session.create({ data: { contactId: contact.id, flowId: "other", flowVersion: "1", state: {} } }),
    ).rejects.toMatchObject(uniqueViolation);

    const advance = (turn: number) =>
      db.prisma.session.updateMany({
        where: { id: session.id, turn },
        data: { state: { node: `after-${turn}` }, status: "waiting", turn: { increment: 1 } },
      });
    expect((await advance(0)).count).toBe(1);
    expect((await advance(0)).count).toBe(0); // a second worker that read turn 0 loses
    expect(await db.prisma.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
      turn: 1,
      state: { node: "after-0" },
    });
  });
});

describe("Rsvp and Delivery", () => {
  it("keep one row per event and contact, and per broadcast and contact", async () => {
    const contact = await db.prisma.contact.create({ data: { language: "ar", consentVersion: "2026-11", consentAt: new Date() } });
    await db.prisma.territory.create({
      data: { id: "torino-aurora", name: "Aurora", region: "Piemonte", kind: "urban", timeZone: "Europe/Rome" },
    });
    const event = await db.prisma.event.create({
      data: {
        title: { it: "Sportello casa", ar: "مكتب السكن" },
        description: { it: "…" },
        startsAt: new Date("2025-05-01T15:00:00Z"),
        timeZone: "Europe/Rome",
        place: "Via Aurora 1",
        territoryId: "torino-aurora",
      },
    });
    await db.prisma.rsvp.create({ data: { eventId: event.id, contactId: contact.id, answer: "maybe" } });
    await expect(
      db.prisma.rsvp.create({ data: { eventId: event.id, contactId: contact.id, answer: "yes" } }),
    ).rejects.toMatchObject(uniqueViolation);

    const broadcast = await db.prisma.broadcast.create({
      data: { messages: { ar: "مرحبا" }, segment: { territories: ["torino-aurora"], languages: [] }, createdBy: "cli:test" },
    });
    await db.prisma.delivery.create({ data: { broadcastId: broadcast.id, contactId: contact.id } });
    const again = await db.prisma.delivery.createMany({
      data: [{ broadcastId: broadcast.id, contactId: contact.id }],
      skipDuplicates: true,
    });
    expect(again.count).toBe(0);
  });

  it("refuse an RSVP for a contact who has not accepted a consent note, whatever writes it", async () => {
    const event = await db.prisma.event.create({
      data: { title: { en: "Meeting" }, description: {}, startsAt: new Date("2026-12-01T17:00:00Z"), timeZone: "Europe/Rome", place: "Bussoleno", territoryId: "torino-aurora" },
    });
    const stranger = await newContact();
    await expect(db.prisma.rsvp.create({ data: { eventId: event.id, contactId: stranger.id, answer: "yes" } })).rejects.toThrow(/without consent/);
    await expect(
      db.sql.query("INSERT INTO rsvps (id, event_id, contact_id, answer, updated_at) VALUES (gen_random_uuid(), $1, $2, 'yes', now())", [event.id, stranger.id]),
    ).rejects.toMatchObject({ code: "23514" });
    const agreed = await db.prisma.contact.create({ data: { language: "ar", consentVersion: "2026-11", consentAt: new Date() } });
    const rsvp = await db.prisma.rsvp.create({ data: { eventId: event.id, contactId: agreed.id, answer: "yes" } });
    // Moving an answer onto a contact without consent is refused too.
    await expect(db.prisma.rsvp.update({ where: { id: rsvp.id }, data: { contactId: stranger.id } })).rejects.toThrow(/without consent/);
    expect(await db.prisma.rsvp.count({ where: { contactId: stranger.id } })).toBe(0);
  });
});

// The message pipeline end to end, on a real PostgreSQL, with both brokers: BullMQ on a real Redis,
// and the in-memory one used when REDIS_URL is unset. Same behaviour expected of both.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullmqBroker, MemoryBroker, type Broker } from "../../src/queue/index.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../support/db.ts";
import { pipelineHarness, type Harness } from "./harness.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
});
afterAll(async () => db?.drop());

const brokers: Array<[string, () => Broker]> = [
  ["memory", () => new MemoryBroker()],
  ["bullmq", () => new BullmqBroker({ url: testRedisUrl(), prefix: `test-${randomUUID()}` })],
];

async function contactOf(h: Harness, address: string) {
  const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: "telegram", addressHash: h.vault.hashAddress("telegram", address) } },
  });
  return db.prisma.contact.findUniqueOrThrow({ where: { id: identity.contactId } });
}
const chat = () => String(100_000_000 + Math.floor(Math.random() * 800_000_000));

describe.each(brokers)("pipeline on the %s broker", (_, makeBroker) => {
  let h: Harness;
  beforeAll(async () => {
    h = await pipelineHarness(db, makeBroker());
  });
  afterAll(async () => h?.close());

  async function onboard(address: string) {
    for (const text of ["/start", "1", "yes", "2", "yes"]) {
      await h.say(address, text);
      await h.idle();
    }
  }

  it("runs a conversation: replies in order, answers stored, feedback ingested with category and task force", async () => {
    const a = chat();
    await onboard(a);
    for (const text of ["2", "1", "The landlord wants to evict us and the rent doubled", "skip", "yes"]) {
      await h.say(a, text);
      await h.idle();
    }
    const texts = h.channel.to(a);
    expect(texts[0]).toMatch(/^🌐 Choose your language/);
    expect(texts.at(-2)).toBe("Thank you! We will pass your feedback to the right people.");
    const contact = await contactOf(h, a);
    const feedback = await db.prisma.feedback.findFirstOrThrow({ where: { contactId: contact.id }, include: { taskForce: true } });
    expect(feedback).toMatchObject({ text: "The landlord wants to evict us and the rent doubled", category: "housing", territoryId: "valsusa", contactBack: true, language: "en" });
    expect(feedback.taskForce?.name).toBe("Task force Val di Susa");
  });

  it("the same message delivered five times is answered and recorded once", async () => {
    const a = chat();
    await onboard(a);
    await h.say(a, "1");
    await h.idle();
    const before = h.channel.to(a).length;
    await Promise.all([1, 2, 3, 4, 5].map(() => h.say(a, "3", "update-42")));
    await h.idle();
    const contact = await contactOf(h, a);
    const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" } });
    expect(answers.map((x) => [x.resultName, x.valueChoices])).toEqual([["housing", ["friends"]]]);
    expect(h.channel.to(a).length - before).toBe(1);
  });

  it("two messages from one person at once are both applied, in order", async () => {
    const a = chat();
    await onboard(a);
    await h.say(a, "1");
    await h.idle();
    await Promise.all([h.say(a, "3"), h.say(a, "no")]);
    await h.idle();
    const contact = await contactOf(h, a);
    // Both messages may carry the same millisecond, so answered_at can tie: listed by question instead.
    const answers = await db.prisma.answer.findMany({ where: { contactId: contact.id, flowId: "needs" }, orderBy: { resultName: "asc" } });
    // accept() resolves in call order, so "3" is queued first: it answers housing, "no" the follow-up
    // (the other order would answer housing with "no", refused, and leave the follow-up unasked).
    expect(answers.map((x) => [x.resultName, x.valueChoices])).toEqual([
      ["housing", ["friends"]],
      ["housing_help", ["no"]],
    ]);
  });

  it("a 429 waits as asked and sends once; a 403 stops the contact", async () => {
    const a = chat();
    h.channel.failures.set(a, ["429"]);
    const started = Date.now();
    await h.say(a, "/start");
    await h.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.channel.to(a)).toHaveLength(1);

    h.channel.failures.set(a, ["403"]);
    await h.say(a, "1");
    await h.idle();
    expect((await contactOf(h, a)).status).toBe("stopped");
  });

  it("an invitation link opens the RSVP with the event's title in the person's language, and the answer is recorded", async () => {
    const a = chat();
    await onboard(a);
    // Arabic, then the poster's link to the demo event.
    await h.say(a, "language");
    await h.say(a, "3");
    await h.say(a, { type: "start", flow: "rsvp", params: { event: DEMO_EVENT_ID } });
    await h.idle();
    const invitation = h.channel.to(a).at(-1) ?? "";
    expect(invitation).toContain("اجتماع فريق عمل فال دي سوزا");
    expect(invitation).toContain("Biblioteca civica, Bussoleno");
    await h.say(a, "نعم");
    await h.say(a, "2");
    await h.idle();
    const contact = await contactOf(h, a);
    const rsvp = await db.prisma.rsvp.findUniqueOrThrow({ where: { eventId_contactId: { eventId: DEMO_EVENT_ID, contactId: contact.id } } });
    expect(rsvp).toMatchObject({ answer: "yes", reminder: "hour_before" });
  });

  it("survey starts and completions are counted per territory once", async () => {
    const before = await db.prisma.territoryStats.findUnique({ where: { territoryId_flowId: { territoryId: "valsusa", flowId: "needs" } } });
    const a = chat();
    await onboard(a);
    for (const text of ["1", ...Array(13).fill("skip")]) {
      await h.say(a, text);
      await h.idle();
    }
    expect(h.channel.to(a).at(-2)).toMatch(/^Thank you! Your answers help/);
    const after = await db.prisma.territoryStats.findUniqueOrThrow({ where: { territoryId_flowId: { territoryId: "valsusa", flowId: "needs" } } });
    expect(after.started - (before?.started ?? 0)).toBe(1);
    expect(after.completed - (before?.completed ?? 0)).toBe(1);
  });
});

/** Waits (up to a generous bound) until every timer has fired and been handled, then until the rest is idle. */
async function timersDone(h: Harness, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await h.broker.counts("timers");
    if (c.waiting + c.active + c.delayed === 0) break;
    if (Date.now() > deadline) throw new Error(`timers still pending after ${timeoutMs} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await h.idle(timeoutMs);
}

describe("timers", () => {
  it("queue one reminder timer per person, not one per answer; it re-arms and reminds once, a delay after the last answer", { timeout: 120_000 }, async () => {
    const h = await pipelineHarness(db, new MemoryBroker(), { reminderAfterSeconds: 2 });
    try {
      const a = chat();
      for (const text of ["/start", "1", "yes", "2", "yes", "1", "2"]) {
        await h.say(a, text);
        await h.idle();
      }
      // In the survey after several answers: one timer waits, set by the first survey question.
      expect((await h.broker.counts("timers")).delayed).toBe(1);
      await new Promise((r) => setTimeout(r, 1000));
      await h.say(a, "1");
      await h.idle();
      const lastAnswer = Date.now();
      expect((await h.broker.counts("timers")).delayed).toBe(1);
      const reminders = () => h.channel.sent.filter((s) => s.address === a && s.message.key === "session:reminder");
      // The first timer fires about a second after that answer, finds a later turn and re-arms for it.
      for (const deadline = Date.now() + 60_000; reminders().length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      expect(reminders()).toHaveLength(1);
      expect(Date.now() - lastAnswer).toBeGreaterThanOrEqual(1900);
      // Every timer fired and was handled (none re-armed after the reminder): still one reminder.
      await timersDone(h);
      expect(reminders()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("remind a person who left a survey half-way once, in their language; never after STOP", { timeout: 120_000 }, async () => {
    const h = await pipelineHarness(db, new MemoryBroker(), { reminderAfterSeconds: 1 });
    try {
      const a = chat();
      const b = chat();
      for (const [who, lang] of [[a, "3"], [b, "1"]] as const) {
        for (const text of ["/start", lang, "1", "2", "1", "1"]) {
          await h.say(who, text);
          await h.idle();
        }
      }
      await h.say(b, "stop");
      await h.idle();
      // Both timers (due a second after each person's last answer) fire and are handled: no fixed sleep.
      await timersDone(h);
      const reminders = (who: string) => h.channel.sent.filter((s) => s.address === who && s.message.key === "session:reminder");
      expect(reminders(a)).toHaveLength(1);
      expect(reminders(a)[0]?.message.lang).toBe("ar");
      expect(reminders(b)).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

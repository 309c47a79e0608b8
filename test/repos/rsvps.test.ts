// A meeting with a capacity: the database decides who has a place when it saves an answer (a yes
// beyond the capacity waits on a list), and a place that frees up goes to the first waiting, however
// many answers arrive at once. On a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateMeetingFields } from "../../src/repos/meetings.ts";
import { saveRsvp, type RsvpAnswer } from "../../src/repos/rsvps.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

describe("RSVPs to a meeting with a capacity", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.prisma);
  });
  afterAll(async () => db?.drop());

  const meeting = async (capacity: number | null) =>
    (
      await db.prisma.event.create({
        data: { title: { en: "Meeting about work" }, description: {}, startsAt: new Date(Date.now() + 7 * 86_400_000), timeZone: "Europe/Rome", place: "Bussoleno", territoryId: "valsusa", capacity },
      })
    ).id;
  const people = async (n: number) =>
    Promise.all(Array.from({ length: n }, async () => (await db.prisma.contact.create({ data: { language: "en", territoryId: "valsusa", consentVersion: "2026-11", consentAt: new Date() } })).id));
  const say = (event: string, contact: string, answer: RsvpAnswer) => saveRsvp(db.sql, event, contact, answer, "day_before");
  const answerOf = async (event: string, contact: string) => (await db.prisma.rsvp.findUniqueOrThrow({ where: { eventId_contactId: { eventId: event, contactId: contact } } })).answer;
  const count = (event: string, answer: "yes" | "waitlist") => db.prisma.rsvp.count({ where: { eventId: event, answer } });
  // Who waits longest is first: set the line up explicitly, so the order never depends on how fast the test ran.
  const waitingSince = async (event: string, contacts: string[]) => {
    for (const [i, contactId] of contacts.entries()) {
      await db.prisma.rsvp.update({ where: { eventId_contactId: { eventId: event, contactId } }, data: { updatedAt: new Date(Date.UTC(2026, 0, 1, 0, i)) } });
    }
  };

  it("a yes once the yes answers reach the capacity is stored on the waiting list; those with a place keep it", async () => {
    const event = await meeting(2);
    const [a, b, c] = await people(3);
    expect(await say(event, a!, "yes")).toEqual({ answer: "yes", promoted: [] });
    expect(await say(event, b!, "yes")).toEqual({ answer: "yes", promoted: [] });
    expect(await say(event, c!, "yes")).toEqual({ answer: "waitlist", promoted: [] });
    // Saying yes again (a changed reminder) keeps a place; maybe and no are taken as they are.
    expect(await say(event, a!, "yes")).toEqual({ answer: "yes", promoted: [] });
    expect(await count(event, "yes")).toBe(2);
    // A capacity lowered below the yes answers takes no place away.
    await db.prisma.event.update({ where: { id: event }, data: { capacity: 1 } });
    expect(await say(event, b!, "yes")).toMatchObject({ answer: "yes" });
  });

  it("a yes that becomes a no or a maybe gives its place to the first waiting, who is marked as moved up", async () => {
    const event = await meeting(2);
    const [a, b, c, d, e] = await people(5);
    for (const p of [a, b, c, d, e]) await say(event, p!, "yes");
    await waitingSince(event, [d!, c!, e!]);
    expect(await say(event, a!, "no")).toEqual({ answer: "no", promoted: [d] });
    expect(await answerOf(event, d!)).toBe("yes");
    expect((await db.prisma.rsvp.findFirstOrThrow({ where: { eventId: event, contactId: d! } })).promotedAt).toBeInstanceOf(Date);
    expect(await say(event, b!, "maybe")).toEqual({ answer: "maybe", promoted: [c] });
    // A person moved up who answers again is no longer marked; a no from the waiting list frees nothing.
    await say(event, d!, "yes");
    expect((await db.prisma.rsvp.findFirstOrThrow({ where: { eventId: event, contactId: d! } })).promotedAt).toBeNull();
    expect(await answerOf(event, e!)).toBe("waitlist");
    expect(await say(event, e!, "no")).toEqual({ answer: "no", promoted: [] });
    expect(await count(event, "yes")).toBe(2);
  });

  it("someone waiting who says yes again keeps their place in the line", async () => {
    const event = await meeting(1);
    const [a, b, c] = await people(3);
    for (const p of [a, b, c]) await say(event, p!, "yes");
    await waitingSince(event, [b!, c!]);
    expect(await say(event, b!, "yes")).toEqual({ answer: "waitlist", promoted: [] });
    expect(await say(event, a!, "no")).toEqual({ answer: "no", promoted: [b] });
    expect(await answerOf(event, c!)).toBe("waitlist");
  });

  it("a capacity raised (or removed) by a coordinator moves the first waiting up", async () => {
    const event = await meeting(1);
    const [a, b, c, d] = await people(4);
    for (const p of [a, b, c, d]) await say(event, p!, "yes");
    await waitingSince(event, [c!, b!, d!]);
    const read = async () => (await db.prisma.event.findUniqueOrThrow({ where: { id: event } })).updatedAt;
    const raised = await updateMeetingFields(db.prisma, event, await read(), { capacity: 2 });
    expect(raised?.rsvps).toEqual({ yes: 2, maybe: 0, no: 0, waitlist: 2 });
    expect(await answerOf(event, c!)).toBe("yes");
    const removed = await updateMeetingFields(db.prisma, event, await read(), { capacity: null });
    expect(removed?.rsvps).toEqual({ yes: 4, maybe: 0, no: 0, waitlist: 0 });
  });

  it("never gives more places than the capacity, however many say yes at once", async () => {
    const event = await meeting(3);
    const crowd = await people(24);
    // All at once, on as many connections as the pool has: the meeting's row lock puts them in a line.
    const saved = await Promise.all(crowd.map((p) => say(event, p, "yes")));
    expect(saved.filter((s) => s.answer === "yes")).toHaveLength(3);
    expect(saved.filter((s) => s.answer === "waitlist")).toHaveLength(21);
    expect(await count(event, "yes")).toBe(3);
  });

  it("keeps the places full and within the capacity when people leave and others say yes at the same moment", async () => {
    const event = await meeting(5);
    const [first, later] = [await people(10), await people(10)];
    for (const p of first) await say(event, p, "yes");
    // Three with a place leave while ten more say yes, all at once.
    const leaving = (await db.prisma.rsvp.findMany({ where: { eventId: event, answer: "yes" }, take: 3 })).map((r) => r.contactId);
    await Promise.all([...leaving.map((p) => say(event, p, "no")), ...later.map((p) => say(event, p, "yes"))]);
    expect(await count(event, "yes")).toBe(5);
    expect(await count(event, "waitlist")).toBe(20 - 3 - 5);
  });

  it("records nothing for a cancelled meeting", async () => {
    const event = await meeting(2);
    const [a] = await people(1);
    await db.prisma.event.update({ where: { id: event }, data: { status: "cancelled", cancelledAt: new Date() } });
    expect(await say(event, a!, "yes")).toEqual({ answer: undefined, promoted: [] });
    expect(await db.prisma.rsvp.count({ where: { eventId: event } })).toBe(0);
  });
});

// A start gets its event's details from the database, in every language: a newcomer chooses theirs
// only after the link (in the consent flow that runs first). On a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSession, resume, type Input } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { testContext } from "../support/engine.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { saveRsvp } from "../../src/repos/rsvps.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

describe("events for a start", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.prisma);
  });
  afterAll(async () => db?.drop());

  it("gives the named event's title and time in the person's language, and in every other one", async () => {
    const prepare = eventsForStart(db.prisma, () => new Date(), ["en", "ar", "it"]);
    const input = await prepare({ type: "start", flow: "rsvp", params: { territory: "valsusa", event: DEMO_EVENT_ID } }, newSession("en"));
    expect(input).toMatchObject({ type: "start", flow: "rsvp" });
    const params = (input as { params: Record<string, string> }).params;
    expect(params).toMatchObject({ territory: "valsusa", event: DEMO_EVENT_ID, event_title: "Val di Susa task force meeting", "event_title@ar": "اجتماع فريق عمل فال دي سوزا" });
    expect(params["event_when@ar"]).toBeTruthy();
    expect(params["event_when@ar"]).not.toBe(params.event_when);
    expect(params["event_title@en"]).toBeUndefined();
  });

  it("a link's territory that doesn't exist is dropped, so onboarding asks where the person lives", async () => {
    const prepare = eventsForStart(db.prisma);
    const input = await prepare({ type: "start", params: { territory: "atlantis" } }, newSession("en"));
    expect(input).toEqual({ type: "start", params: {} });
    const known = await prepare({ type: "start", params: { territory: "cuneo" } }, newSession("en"));
    expect(known).toEqual({ type: "start", params: { territory: "cuneo" } });
  });

  it("'Answer an invitation' at the menu finds the next event of the territory chosen after the start", async () => {
    const prepare = eventsForStart(db.prisma, () => new Date(), ["en"]);
    const ctx = testContext({ languages: ["en"] });
    // A first contact: no territory at the start, so no event then; onboarding asks for it.
    let session = newSession("en");
    const step = async (input: Input) => {
      const turn = resume(session, await prepare(input, session), ctx);
      session = turn.session;
      return turn.messages.map((m) => plainText(m, ctx.texts));
    };
    await step({ type: "start", params: {} });
    await step({ type: "text", text: "1" }); // English
    await step({ type: "text", text: "yes" });
    await step({ type: "text", text: "2" }); // Val di Susa, where the demo event is
    const menu = await step({ type: "text", text: "no" });
    expect(menu.at(-1)).toContain(ctx.texts.t("en", "main:menu.question"));
    const rsvp = await step({ type: "text", text: "3" }); // Answer an invitation
    expect(rsvp.at(-1)).toContain("Val di Susa task force meeting");
    expect(rsvp.join("\n")).not.toContain(ctx.texts.t("en", "rsvp:no_event"));
    // Inside the sub-flow, at "Will you come?", only whether the meeting is full now is looked up (it has no capacity).
    expect(await prepare({ type: "text", text: "1" }, session)).toEqual({ type: "text", text: "1", facts: { event_full: "" } });
  });

  it("a cancelled meeting is no longer offered: not as the territory's next one, nor through its link", async () => {
    const now = () => new Date();
    const prepare = eventsForStart(db.prisma, now, ["en"]);
    const soon = new Date(Date.now() + 86_400_000);
    const meeting = (title: string, startsAt: Date) =>
      db.prisma.event.create({ data: { title: { en: title }, description: {}, startsAt, timeZone: "Europe/Rome", place: "Asti", territoryId: "asti" } });
    const cancelled = await meeting("Called off", soon);
    const next = await meeting("Still on", new Date(soon.getTime() + 3_600_000));
    await db.prisma.event.update({ where: { id: cancelled.id }, data: { status: "cancelled", cancelledAt: new Date() } });
    const start = await prepare({ type: "start", flow: "rsvp", params: { territory: "asti" } }, newSession("en"));
    expect((start as { params: Record<string, string> }).params).toMatchObject({ event: next.id, event_title: "Still on" });
    const linked = await prepare({ type: "start", flow: "rsvp", params: { territory: "asti", event: cancelled.id } }, newSession("en"));
    expect(linked).toEqual({ type: "start", flow: undefined, params: { territory: "asti" } });
  });

  it("a link to an event that doesn't exist is a plain start", async () => {
    const prepare = eventsForStart(db.prisma);
    const input = await prepare({ type: "start", flow: "rsvp", params: { event: "00000000-0000-4000-8000-000000000000" } }, newSession("en"));
    expect(input).toEqual({ type: "start", flow: undefined, params: {} });
  });

  describe("my meetings, looked up when the menu is answered", () => {
    const DAY = 86_400_000;
    // A fixed hour in a zone without summer time: 08:00 UTC is 13:30 in Kolkata, whatever the date.
    const day = (n: number) => new Date(Math.floor(Date.now() / DAY) * DAY + n * DAY + 8 * 3_600_000);
    const person = async () => (await db.prisma.contact.create({ data: { language: "en", territoryId: "valsusa", consentVersion: "2026-11", consentAt: new Date() } })).id;
    const meeting = async (title: Record<string, string>, startsAt: Date, more: { baseLanguage?: string; capacity?: number; place?: string } = {}) =>
      (await db.prisma.event.create({ data: { title, description: {}, startsAt, timeZone: "Asia/Kolkata", place: more.place ?? "Bussoleno", territoryId: "valsusa", baseLanguage: more.baseLanguage ?? "en", capacity: more.capacity ?? null } })).id;
    const facts = (input: Input) => (input as { facts?: Record<string, string> }).facts ?? {};
    const atMenu = () => {
      const ctx = testContext({ languages: ["en", "ar"] });
      const turn = resume(newSession("en", { consent: "2026-11", territory: "valsusa" }), { type: "start", params: {} }, ctx);
      return { ctx, session: turn.session };
    };

    it("lists the coming, scheduled meetings said yes, maybe or waitlist to, soonest first, at most 5, with the title in the person's language or the base one", async () => {
      const me = await person();
      const other = await person();
      const full = await meeting({ en: "Housing clinic" }, day(1), { capacity: 1, place: "Avigliana" });
      const work = await meeting({ it: "Incontro sul lavoro", ar: "اجتماع حول العمل" }, day(3), { baseLanguage: "it" });
      const later = await Promise.all([10, 11, 12, 13].map((n) => meeting({ en: `Later ${n}` }, day(n))));
      const past = await meeting({ en: "Already held" }, new Date(Date.now() - DAY));
      const declined = await meeting({ en: "Said no" }, day(2));
      const cancelled = await meeting({ en: "Called off" }, day(2));
      await saveRsvp(db.sql, full, other, "yes", "none");
      await saveRsvp(db.sql, full, me, "yes", "none");
      await saveRsvp(db.sql, work, me, "yes", "day_before");
      for (const id of later) await saveRsvp(db.sql, id, me, "maybe", "none");
      for (const id of [past, cancelled]) await db.prisma.rsvp.create({ data: { eventId: id, contactId: me, answer: "yes" } });
      await saveRsvp(db.sql, declined, me, "no", "none");
      await db.prisma.event.update({ where: { id: cancelled }, data: { status: "cancelled", cancelledAt: new Date() } });

      const { ctx, session } = atMenu();
      const prepare = eventsForStart(db.prisma, () => new Date(), ["en", "ar"]);
      const found = facts(await prepare({ type: "text", text: "4" }, session, me));
      expect(found).toMatchObject({
        mine: "5",
        mine_1: full, mine_1_title: "Housing clinic", mine_1_place: "Avigliana", mine_1_said: "waitlist", mine_1_full: "yes",
        mine_2: work, mine_2_title: "Incontro sul lavoro", "mine_2_title@ar": "اجتماع حول العمل", mine_2_said: "yes",
        mine_3: later[0], mine_5: later[2],
      });
      expect(found.mine_6).toBeUndefined();
      expect(found.mine_2_full).toBeUndefined();
      // In the meeting's time zone, as each language writes a time.
      expect(found.mine_2_when).toContain("01:30");
      expect(found["mine_2_when@ar"]).toContain("01:30");
      expect(found["mine_2_when@ar"]).not.toBe(found.mine_2_when);

      const list = plainText(resume(session, await prepare({ type: "text", text: "4" }, session, me), ctx).messages.at(-1)!, ctx.texts).split("\n");
      expect(list[0]).toBe(ctx.texts.t("en", "rsvp:mine.question"));
      expect(list[1]).toMatch(/^1\. Housing clinic · .*01:30 PM · Avigliana — on the waiting list$/);
      expect(list[2]).toMatch(/^2\. Incontro sul lavoro · .* · Bussoleno — yes$/);
      expect(list[6]).toBe("6. Nothing to change");
    });

    it("choosing one asks again through the rsvp flow, and the new answer is what is stored", async () => {
      const me = await person();
      const work = await meeting({ en: "Meeting about work" }, day(4));
      await saveRsvp(db.sql, work, me, "yes", "day_before");
      const prepare = eventsForStart(db.prisma, () => new Date(), ["en", "ar"]);
      const menu = atMenu();
      const ctx = menu.ctx;
      let session = menu.session;
      const say = async (text: string) => {
        const turn = resume(session, await prepare({ type: "text", text }, session, me), ctx);
        session = turn.session;
        return turn;
      };
      await say("My meetings");
      const asked = await say("1");
      expect(plainText(asked.messages.at(-1)!, ctx.texts)).toContain("Will you come to Meeting about work?");
      await say("maybe");
      const done = await say("2"); // one hour before
      const recorded = done.events.find((e) => e.type === "emitted" && e.name === "rsvp.recorded");
      expect(recorded).toMatchObject({ data: { event: work, answer: { choices: ["maybe"] }, reminder: { choices: ["hour_before"] } } });
      await saveRsvp(db.sql, work, me, "maybe", "hour_before");
      expect(await db.prisma.rsvp.findUniqueOrThrow({ where: { eventId_contactId: { eventId: work, contactId: me } } })).toMatchObject({ answer: "maybe", reminder: "hour_before" });
    });

    it("a link straight to My meetings gets the list too", async () => {
      const me = await person();
      const work = await meeting({ en: "Meeting about work" }, day(6));
      await saveRsvp(db.sql, work, me, "maybe", "none");
      const prepare = eventsForStart(db.prisma, () => new Date(), ["en"]);
      const input = await prepare({ type: "start", flow: "my_meetings", params: {} }, newSession("en"), me);
      expect((input as { params: Record<string, string> }).params).toMatchObject({ mine: "1", mine_1: work, mine_1_said: "maybe" });
    });

    it("someone with no coming meeting is told so", async () => {
      const me = await person();
      const { ctx, session } = atMenu();
      const prepare = eventsForStart(db.prisma, () => new Date(), ["en"]);
      const input = await prepare({ type: "text", text: "4" }, session, me);
      expect(facts(input)).toMatchObject({ mine: "0" });
      const turn = resume(session, input, ctx);
      expect(turn.messages.map((m) => plainText(m, ctx.texts))[0]).toBe(ctx.texts.t("en", "rsvp:mine.none"));
    });

    it("a link to a full meeting says so to someone without a place, not to someone with one", async () => {
      const [inside, outside] = [await person(), await person()];
      const full = await meeting({ en: "Housing clinic" }, day(5), { capacity: 1 });
      await saveRsvp(db.sql, full, inside, "yes", "none");
      const prepare = eventsForStart(db.prisma, () => new Date(), ["en"]);
      const link = { type: "start", flow: "rsvp", params: { event: full } } as const;
      const paramsOf = async (who: string) => (await prepare(link, newSession("en"), who) as { params: Record<string, string> }).params;
      expect((await paramsOf(outside)).event_full).toBe("yes");
      expect((await paramsOf(inside)).event_full).toBeUndefined();
    });
  });
});


// A start gets its event's details from the database, in every language: a newcomer chooses theirs
// only after the link (in the consent flow that runs first). On a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSession, resume, type Input } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { testContext } from "../support/engine.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
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
    // Inside a sub-flow nothing is looked up.
    expect(await prepare({ type: "text", text: "1" }, session)).toEqual({ type: "text", text: "1" });
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
});

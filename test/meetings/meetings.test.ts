// The meetings service on a real PostgreSQL: what a coordinator creates is what newcomers would be
// offered, at the time the coordinator meant on the territory's clocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelMeeting,
  createMeeting,
  listMeetings,
  MeetingCancelledError,
  MeetingInputError,
  MeetingNotFoundError,
  showMeeting,
  updateMeeting,
  type MeetingsContext,
  type NewMeeting,
} from "../../src/meetings/index.ts";
import { updateMeetingFields } from "../../src/repos/meetings.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const NOW = new Date("2027-01-15T12:00:00Z");
let db: TestDatabase;
let ctx: MeetingsContext;
let valsusaTaskForce: string;
let torinoTaskForce: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma, NOW);
  ctx = { prisma: db.prisma, languages: ["en", "it", "ar", "fa", "uk", "ti", "fr"], now: () => NOW };
  valsusaTaskForce = (await db.prisma.taskForce.findFirstOrThrow({ where: { territoryId: "valsusa" } })).id;
  torinoTaskForce = (await db.prisma.taskForce.findFirstOrThrow({ where: { territoryId: "torino" } })).id;
});
afterAll(async () => db?.drop());

const draft = (over: Partial<NewMeeting> = {}): NewMeeting => ({
  territory: "valsusa",
  title: { it: "Incontro sul lavoro", en: "Meeting about work" },
  starts: "2027-03-28 10:00",
  ends: "2027-03-28 12:00",
  place: "Biblioteca civica, Bussoleno",
  ...over,
});

/** The problems a MeetingInputError carries, as "field: message" lines. */
async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(MeetingInputError);
  return (e as MeetingInputError).problems.map((x) => `${x.field}: ${x.message}`);
}

describe("creating a meeting", () => {
  it("reads the times on the territory's clocks, the day summer time starts in Rome", async () => {
    const m = await createMeeting(ctx, draft({ taskForce: valsusaTaskForce, capacity: 30, description: { it: "Parliamo di lavoro" } }));
    // 10:00 in Rome on 2027-03-28 is already summer time (UTC+2): 08:00 UTC, not 09:00.
    expect(m.startsAt.toISOString()).toBe("2027-03-28T08:00:00.000Z");
    expect(m.endsAt?.toISOString()).toBe("2027-03-28T10:00:00.000Z");
    expect(m).toMatchObject({ starts: "2027-03-28 10:00", ends: "2027-03-28 12:00", timeZone: "Europe/Rome", baseLanguage: "it", status: "scheduled", capacity: 30 });
    expect(m.taskForce?.id).toBe(valsusaTaskForce);
    const shown = await showMeeting(ctx, m.id);
    expect(shown).toMatchObject({ title: { it: "Incontro sul lavoro", en: "Meeting about work" }, description: { it: "Parliamo di lavoro" }, rsvps: { yes: 0, maybe: 0, no: 0 } });
    // The day before, Rome is still on winter time (UTC+1).
    const before = await createMeeting(ctx, draft({ starts: "2027-03-27 10:00", ends: undefined }));
    expect(before.startsAt.toISOString()).toBe("2027-03-27T09:00:00.000Z");
    expect(before.endsAt).toBeNull();
  });

  it("refuses a time the clocks skip, and a date that doesn't exist", async () => {
    expect(await problemsOf(createMeeting(ctx, draft({ starts: "2027-03-28 02:30", ends: undefined })))).toEqual([
      `starts: "2027-03-28 02:30" doesn't exist in Europe/Rome: the clocks skip that hour when summer time starts; choose another time`,
    ]);
    expect(await problemsOf(createMeeting(ctx, draft({ starts: "2027-02-30 10:00", ends: undefined })))).toEqual([
      `starts: "2027-02-30 10:00" is not a date on the calendar: write it as "YYYY-MM-DD HH:MM", e.g. "2027-03-28 10:00"`,
    ]);
  });

  it("reports the problems together (those of shape first, then unknown territory, language, time) and writes nothing", async () => {
    const before = await db.prisma.event.count();
    const problems = await problemsOf(
      createMeeting(ctx, {
        territory: "atlantis",
        title: { de: "Treffen" },
        starts: "28/03/2027 10:00",
        place: "  ",
        capacity: 0,
      }),
    );
    expect(problems).toEqual([`place: where the meeting is, e.g. "Via Roma 12, Susa"`, "capacity: a number of people above 0"]);
    const more = await problemsOf(createMeeting(ctx, { territory: "atlantis", title: { de: "Treffen" }, starts: "28/03/2027 10:00", place: "Susa" }));
    expect(more).toEqual([
      "territory: unknown territory \"atlantis\" (known: asti, cuneo, torino, valsusa)",
      `title: "de" is not a language the project offers (en, it, ar, fa, uk, ti, fr)`,
      `starts: "28/03/2027 10:00" is not a date and time: write it as "YYYY-MM-DD HH:MM" on the territory's clocks, e.g. "2027-03-28 10:00"`,
    ]);
    expect(await db.prisma.event.count()).toBe(before);
  });

  it("wants a title, an end after the start, a start to come, and a task force of the territory", async () => {
    expect(await problemsOf(createMeeting(ctx, draft({ title: {} })))).toEqual([
      'title: at least one title is required, as <language>=<text>, e.g. en="Task force meeting" (languages: en, it, ar, fa, uk, ti, fr)',
    ]);
    expect(await problemsOf(createMeeting(ctx, draft({ ends: "2027-03-28 09:00" })))).toEqual(["ends: must be after the start"]);
    expect(await problemsOf(createMeeting(ctx, draft({ starts: "2027-01-10 10:00", ends: undefined })))).toEqual(["starts: is in the past: a meeting is announced before it happens"]);
    // A coordinator may name the task force instead of giving its id.
    const name = (await db.prisma.taskForce.findUniqueOrThrow({ where: { id: valsusaTaskForce } })).name;
    expect((await createMeeting(ctx, draft({ taskForce: name.toUpperCase() }))).taskForce?.id).toBe(valsusaTaskForce);
    const [problem] = await problemsOf(createMeeting(ctx, draft({ taskForce: torinoTaskForce })));
    expect(problem).toMatch(/^taskForce: task force ".+" works in torino, not valsusa$/);
  });
});

describe("changing a meeting", () => {
  it("changes only what is given", async () => {
    const m = await createMeeting(ctx, draft({ taskForce: valsusaTaskForce, capacity: 20, description: { it: "Lavoro", en: "Work" } }));
    const updated = await updateMeeting(ctx, m.id, { place: "Municipio, Susa", title: { ar: "اجتماع حول العمل", en: "" } });
    expect(updated).toMatchObject({
      place: "Municipio, Susa",
      title: { it: "Incontro sul lavoro", ar: "اجتماع حول العمل" },
      description: { it: "Lavoro", en: "Work" },
      starts: "2027-03-28 10:00",
      ends: "2027-03-28 12:00",
      capacity: 20,
      baseLanguage: "it",
      territory: { id: "valsusa" },
      taskForce: { id: valsusaTaskForce },
    });
    expect(updated.title.en).toBeUndefined();
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(m.updatedAt.getTime());
    const moved = await updateMeeting(ctx, m.id, { starts: "2027-04-02 18:30", ends: null, capacity: null, taskForce: null });
    expect(moved).toMatchObject({ starts: "2027-04-02 18:30", ends: null, capacity: null, taskForce: null, place: "Municipio, Susa" });
    expect(moved.startsAt.toISOString()).toBe("2027-04-02T16:30:00.000Z");
  });

  it("keeps the base language's title, checks the times against what is stored, and knows no such meeting", async () => {
    const m = await createMeeting(ctx, draft());
    expect(await problemsOf(updateMeeting(ctx, m.id, { title: { it: "" } }))).toEqual(["title: the title in the base language (it) can't be removed"]);
    expect(await problemsOf(updateMeeting(ctx, m.id, { ends: "2027-03-28 09:59" }))).toEqual(["ends: must be after the start"]);
    expect(await problemsOf(updateMeeting(ctx, m.id, {}))).toEqual(["id: nothing to change: give at least one field (title, starts, place…)"]);
    expect((await showMeeting(ctx, m.id)).title).toEqual({ it: "Incontro sul lavoro", en: "Meeting about work" });
    await expect(updateMeeting(ctx, "00000000-0000-4000-8000-000000000000", { place: "x" })).rejects.toBeInstanceOf(MeetingNotFoundError);
  });

  it("a change decided on a meeting read before someone else changed it is not saved", async () => {
    const m = await createMeeting(ctx, draft());
    await new Promise((r) => setTimeout(r, 5));
    await updateMeeting(ctx, m.id, { title: { fr: "Réunion sur le travail" } });
    // As a second coordinator who read the meeting before the change above would save theirs.
    expect(await updateMeetingFields(db.prisma, m.id, m.updatedAt, { title: { it: "Incontro", en: "Meeting" } })).toBeNull();
    expect((await showMeeting(ctx, m.id)).title).toEqual({ it: "Incontro sul lavoro", en: "Meeting about work", fr: "Réunion sur le travail" });
  });
});

describe("cancelling and listing", () => {
  it("a cancelled meeting stays, marked cancelled, and can't be changed any more", async () => {
    const m = await createMeeting(ctx, draft());
    const { meeting, alreadyCancelled } = await cancelMeeting(ctx, m.id);
    expect(alreadyCancelled).toBe(false);
    expect(meeting).toMatchObject({ status: "cancelled", cancelledAt: NOW, place: m.place });
    expect((await cancelMeeting(ctx, m.id)).alreadyCancelled).toBe(true);
    await expect(updateMeeting(ctx, m.id, { place: "elsewhere" })).rejects.toBeInstanceOf(MeetingCancelledError);
  });

  it("lists coming meetings soonest first, past ones only with all, one territory's when asked", async () => {
    const late = await createMeeting(ctx, draft({ territory: "cuneo", starts: "2027-06-01 09:00", ends: undefined }));
    const early = await createMeeting(ctx, draft({ territory: "cuneo", starts: "2027-05-01 09:00", ends: undefined }));
    // A meeting that has happened: written directly, as the service refuses one in the past.
    const past = await db.prisma.event.create({
      data: { title: { en: "Past" }, description: {}, startsAt: new Date("2027-01-01T10:00:00Z"), timeZone: "Europe/Rome", place: "Cuneo", territoryId: "cuneo" },
    });
    expect((await listMeetings(ctx, { territory: "cuneo" })).map((m) => m.id)).toEqual([early.id, late.id]);
    expect((await listMeetings(ctx, { territory: "cuneo", all: true })).map((m) => m.id)).toEqual([past.id, early.id, late.id]);
    const all = await listMeetings(ctx);
    expect(all.map((m) => m.startsAt.getTime())).toEqual([...all.map((m) => m.startsAt.getTime())].sort((a, b) => a - b));
    expect(new Set(all.map((m) => m.territory.id))).toEqual(new Set(["valsusa", "cuneo"]));
    expect(await problemsOf(listMeetings(ctx, { territory: "atlantis" }))).toEqual(["territory: unknown territory \"atlantis\" (known: asti, cuneo, torino, valsusa)"]);
  });

  it("counts answers without saying whose", async () => {
    const m = await createMeeting(ctx, draft({ territory: "asti", ends: undefined }));
    for (const answer of ["yes", "yes", "maybe", "no", "waitlist"] as const) {
      const contact = await db.prisma.contact.create({ data: { language: "en", consentVersion: "test", consentAt: NOW } });
      await db.prisma.rsvp.create({ data: { eventId: m.id, contactId: contact.id, answer } });
    }
    const shown = await showMeeting(ctx, m.id);
    expect(shown.rsvps).toEqual({ yes: 2, maybe: 1, no: 1, waitlist: 1 });
    expect(JSON.stringify(shown)).not.toMatch(/contact/i);
    expect((await listMeetings(ctx, { territory: "asti" }))[0]?.rsvps).toEqual({ yes: 2, maybe: 1, no: 1, waitlist: 1 });
  });

  it("a meeting id that is not a UUID is refused as such", async () => {
    expect(await problemsOf(showMeeting(ctx, "42"))).toEqual(['id: "42" is not a meeting id: a meeting id is a UUID, as `inloco event create` prints']);
  });
});

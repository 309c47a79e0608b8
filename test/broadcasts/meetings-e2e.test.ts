// A meeting's whole life as newcomers see it on Telegram, in English and in Arabic (right to left):
// the coordinator creates it and announces it; each person gets the invitation in their language and
// answers with its buttons; they are reminded when they asked to be; they hear when it moves and when
// it is cancelled. Through the real pipeline, the real Telegram channel and a fake Bot API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastProgress, confirmBroadcast, createBroadcast } from "../../src/broadcasts/index.ts";
import { cancelMeeting, createMeeting, updateMeeting } from "../../src/meetings/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { openWorld, type World } from "./world.ts";

const EN = 1001;
const AR = 1002;
const NO = 1003; // said no: hears nothing more about it

let db: TestDatabase;
let w: World;

beforeAll(async () => {
  db = await createTestDatabase();
  // Sunday 2027-03-21, 10:00 in Rome.
  w = await openWorld(db, { start: new Date("2027-03-21T09:00:00Z") });
  await w.newcomer(EN, "en");
  await w.newcomer(AR, "ar");
  await w.newcomer(NO, "en");
}, 60_000);
afterAll(async () => {
  await w?.close();
  await db?.drop();
});

const texts = (chat: number) => w.seen(chat).map((m) => m.text);
const lastText = (chat: number) => w.seen(chat).at(-1)?.text ?? "";

describe("a meeting announced, answered, reminded, moved and cancelled", () => {
  let meetingId = "";

  it("announces the meeting in each person's language, with RSVP buttons", async () => {
    const m = await createMeeting(w.meetings, {
      territory: "valsusa",
      title: { en: "Task force on work", ar: "فريق العمل حول التوظيف" },
      starts: "2027-03-24 18:00",
      place: "Biblioteca civica, Susa",
      capacity: 20,
    });
    meetingId = m.id;
    const { broadcast, preview } = await createBroadcast(w.broadcasts, { meeting: m.id, createdBy: "cli:test" });
    expect(preview.total).toBe(3);
    expect(preview.byLanguage).toEqual([
      { language: "en", people: 2 },
      { language: "ar", people: 1 },
    ]);
    expect(preview.missing).toEqual([]);
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    await w.settle();

    expect(lastText(EN)).toContain("Will you come to Task force on work?");
    expect(lastText(EN)).toContain("Biblioteca civica, Susa");
    expect(lastText(EN)).toContain("Wed, Mar 24, 06:00 PM");
    const ar = lastText(AR);
    expect(ar).toContain("فريق العمل حول التوظيف");
    // The date written the Arabic way (Arabic weekday), on Rome's clocks.
    expect(ar).toContain("الأربعاء");
    const buttons = (chat: number) => (w.seen(chat).at(-1)?.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
    expect(buttons(AR)).toEqual(["c:attend:yes", "c:attend:no", "c:attend:maybe"]);
    const p = await broadcastProgress(w.broadcasts, broadcast.id);
    expect(p).toMatchObject({ recipients: 3, sent: 3, failed: 0, done: 3 });
    expect(p.broadcast.status).toBe("sent");
  });

  it("records the answers given with the buttons", async () => {
    await w.tap(EN, { data: "c:attend:yes" });
    await w.tap(EN, { data: "c:reminder:day_before" });
    await w.tap(AR, { data: "c:attend:maybe" });
    await w.tap(AR, { data: "c:reminder:hour_before" });
    await w.tap(NO, { data: "c:attend:no" });
    const rsvps = await db.prisma.rsvp.findMany({ where: { eventId: meetingId }, select: { answer: true, reminder: true } });
    expect(rsvps.map((r) => `${r.answer}/${r.reminder}`).sort()).toEqual(["maybe/hour_before", "no/none", "yes/day_before"]);
  });

  it("reminds each the day or the hour before, as they chose, in their language", async () => {
    const before = { en: texts(EN).length, ar: texts(AR).length, no: texts(NO).length };
    // Tuesday 18:00 in Rome: a day before.
    w.clock.set(new Date("2027-03-23T17:00:30Z"));
    await w.settle();
    expect(texts(EN).length).toBe(before.en + 1);
    expect(lastText(EN)).toContain("Reminder: Task force on work");
    expect(texts(AR).length).toBe(before.ar);
    // Wednesday 17:00: an hour before.
    w.clock.set(new Date("2027-03-24T16:00:30Z"));
    await w.settle();
    expect(lastText(AR)).toContain("تذكير: فريق العمل حول التوظيف");
    expect(texts(EN).length).toBe(before.en + 1);
    expect(texts(NO).length).toBe(before.no);
    // Another round later: nobody is reminded twice.
    w.clock.advance(60_000);
    await w.settle();
    expect(texts(EN).length).toBe(before.en + 1);
    expect(texts(AR).length).toBe(before.ar + 1);
  });

  it("tells those coming that it moved, and reminds them again for the new time", async () => {
    const before = { en: texts(EN).length, no: texts(NO).length };
    w.clock.set(new Date("2027-03-24T16:10:00Z"));
    await updateMeeting(w.meetings, meetingId, { starts: "2027-03-31 18:00" });
    await w.settle();
    expect(lastText(EN)).toContain("Task force on work has moved.");
    expect(lastText(EN)).toContain("New time: Wed, Mar 31, 06:00 PM");
    expect(lastText(AR)).toContain("تم تغيير موعد فريق العمل حول التوظيف");
    expect(texts(NO).length).toBe(before.no);
    w.clock.set(new Date("2027-03-30T16:00:30Z"));
    await w.settle();
    expect(lastText(EN)).toContain("Reminder: Task force on work");
    expect(texts(EN).length).toBe(before.en + 2);
  });

  it("tells those coming that it is cancelled, and sends no more reminders", async () => {
    const before = { en: texts(EN).length, ar: texts(AR).length, no: texts(NO).length };
    await cancelMeeting(w.meetings, meetingId);
    await w.settle();
    expect(lastText(EN)).toContain("is cancelled");
    expect(lastText(AR)).toContain("تم إلغاء فريق العمل حول التوظيف");
    expect(texts(NO).length).toBe(before.no);
    w.clock.set(new Date("2027-03-31T16:00:30Z"));
    await w.settle();
    expect(texts(EN).length).toBe(before.en + 1);
    expect(texts(AR).length).toBe(before.ar + 1);
  });
});

describe("a full meeting's waiting list", () => {
  it("tells the person moved up that they have a place, in their language, once", async () => {
    w.clock.set(new Date("2027-04-01T09:00:00Z"));
    const m = await createMeeting(w.meetings, { territory: "valsusa", title: { en: "Housing clinic", ar: "عيادة السكن" }, starts: "2027-04-10 18:30", place: "Avigliana", capacity: 1 });
    const { broadcast } = await createBroadcast(w.broadcasts, { meeting: m.id, createdBy: "cli:test" });
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    await w.settle();
    await w.tap(EN, { data: "c:attend:yes" });
    await w.tap(EN, { data: "c:reminder:none" });
    await w.tap(AR, { data: "c:attend:yes" });
    await w.tap(AR, { data: "c:reminder:none" });
    const answers = async () => (await db.prisma.rsvp.findMany({ where: { eventId: m.id }, select: { answer: true } })).map((r) => r.answer).sort();
    expect(await answers()).toEqual(["waitlist", "yes"]);
    const before = texts(AR).length;
    // The one with the place can't come after all, and says so in "My meetings": it goes to the first waiting.
    await w.tap(EN, { data: "c:menu:mine" });
    await w.tap(EN, { data: "c:pick:m1" });
    await w.tap(EN, { data: "c:attend:no" });
    expect(await answers()).toEqual(["no", "yes"]);
    await w.settle();
    expect(texts(AR).length).toBe(before + 1);
    expect(lastText(AR)).toContain("أصبح هناك مكان متاح: أنت مسجَّل في عيادة السكن");
    w.clock.advance(60_000);
    await w.settle();
    expect(texts(AR).length).toBe(before + 1);
  });
});

describe("a place freed because its holder was erased", () => {
  it("goes to the first waiting, who is told", async () => {
    w.clock.set(new Date("2027-04-02T09:00:00Z"));
    const m = await createMeeting(w.meetings, { territory: "valsusa", title: { en: "Language café" }, starts: "2027-04-12 17:00", place: "Bussoleno", capacity: 1 });
    const { broadcast } = await createBroadcast(w.broadcasts, { meeting: m.id, createdBy: "cli:test" });
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    await w.settle();
    await w.tap(AR, { data: "c:attend:yes" });
    await w.tap(AR, { data: "c:reminder:none" });
    await w.tap(NO, { data: "c:attend:yes" });
    await w.tap(NO, { data: "c:reminder:none" });
    // Invited when nobody had answered; answering once the place was taken, they hear it is full.
    expect(texts(NO).slice(-3).join("\n")).toContain("This meeting is full: you are on the waiting list.");
    const before = texts(NO).length;
    await w.say(AR, "DELETE");
    await w.tap(AR, { label: "نعم، احذفوا كل شيء" });
    await w.settle();
    expect(texts(NO).length).toBe(before + 1);
    expect(lastText(NO)).toContain("A place has freed up: you are coming to Language café!");
  });
});

describe("an invitation that went out before the meeting filled up", () => {
  it("tells a later yes it is on the waiting list, and an earlier one it has a place", async () => {
    w.clock.set(new Date("2027-04-03T09:00:00Z"));
    const m = await createMeeting(w.meetings, { territory: "valsusa", title: { en: "Bike repair" }, starts: "2027-04-14 17:00", place: "Susa", capacity: 1 });
    const { broadcast } = await createBroadcast(w.broadcasts, { meeting: m.id, createdBy: "cli:test" });
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    await w.settle();
    await w.tap(EN, { data: "c:attend:yes" });
    await w.tap(EN, { data: "c:reminder:none" });
    expect(lastText(EN)).toBe("Thank you, see you there! 🙌");
    await w.tap(NO, { data: "c:attend:yes" });
    await w.tap(NO, { data: "c:reminder:none" });
    expect(texts(NO).slice(-3).join("\n")).toContain("This meeting is full: you are on the waiting list.");
    const answers = (await db.prisma.rsvp.findMany({ where: { eventId: m.id }, select: { answer: true } })).map((r) => r.answer).sort();
    expect(answers).toEqual(["waitlist", "yes"]);
  });
});

// A task force's digest from a seeded week on a real PostgreSQL: the exact numbers (needs and their
// change, priorities, participation, feedback by topic, meetings), what is hidden below the threshold,
// what never comes out (contact ids, names, phone numbers, e-mail addresses), and the working language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDigest, digestMessage, digestText, findTaskForce, TaskForceNotFoundError, AmbiguousTaskForceError, DigestPeriodError, feedbackItem, type Digest, type DigestsContext } from "../../src/digests/index.ts";
import { readDigestSettings } from "../../src/config/digests.ts";
import { ConfigError } from "../../src/config/env.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { shippedTexts } from "../support/engine.ts";
import { FROM, NAMED_TEXT, PREVIOUS_FROM, seedWeek, TO, type SeededWeek } from "./world.ts";

let db: TestDatabase;
let week: SeededWeek;
let ctx: DigestsContext;
let digest: Digest;

beforeAll(async () => {
  db = await createTestDatabase();
  week = await seedWeek(db);
  ctx = { sql: db.sql, texts: shippedTexts(), minCount: 5, now: () => TO };
  digest = await buildDigest(ctx, { taskForceId: week.taskForceId, from: FROM, to: TO });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const byId = <T extends { id: string }>(list: readonly T[]) => Object.fromEntries(list.map((x) => [x.id, x]));

describe("the numbers of a digest", () => {
  it("names the task force, its territory and the two periods", () => {
    expect(digest.taskForce).toMatchObject({ id: week.taskForceId, name: "Task force Val di Susa", territoryId: "valsusa", territoryName: "Val di Susa", timeZone: "Europe/Rome", language: "en", slackChannel: "C0VALSUSA" });
    expect(digest.period).toEqual({ from: FROM, to: TO, previousFrom: PREVIOUS_FROM });
    expect(digest.minCount).toBe(5);
  });

  it("counts each need among the needs surveys started in each period, in the territory only", () => {
    expect(digest.needs.runs).toEqual({ current: 15, previous: 14 });
    const needs = byId(digest.needs.categories);
    expect(Object.fromEntries(Object.entries(needs).map(([id, c]) => [id, [c.current, c.previous]]))).toEqual({
      housing: [8, 5],
      work: [6, 7],
      language: [3, 0],
      health: [3, 0],
      documents: [1, 0],
      education: [2, 0],
      social: [3, 0],
    });
    expect(digest.needs.categories.map((c) => c.id)).toEqual(["housing", "work", "language", "health", "documents", "education", "social"]);
    expect(needs.housing?.label).toBe("Housing");
  });

  it("counts the top priorities people named, most first", () => {
    expect(digest.priorities.slice(0, 4).map((p) => [p.id, p.current, p.previous])).toEqual([
      ["housing", 8, 5],
      ["language", 3, 0],
      ["social", 2, 0],
      ["documents", 1, 0],
    ]);
    expect(byId(digest.priorities).work).toMatchObject({ current: 0, previous: 7 });
  });

  it("counts people reached, new people, surveys started and completed, and languages", () => {
    expect(digest.participation).toEqual({
      reached: { current: 21, previous: 14 },
      newContacts: 6,
      surveysStarted: { current: 15, previous: 14 },
      surveysCompleted: { current: 12, previous: 14 },
      languages: [
        { code: "ar", label: "Arabic", count: 8 },
        { code: "uk", label: "Ukrainian", count: 6 },
        { code: "fa", label: "Persian", count: 4 },
        { code: "en", label: "English", count: 1 },
        { code: "it", label: "Italian", count: 1 },
        { code: "ti", label: "Tigrinya", count: 1 },
      ],
    });
  });

  it("counts feedback by topic, and carries the items with masked excerpts", () => {
    expect(digest.feedback.total).toEqual({ current: 9, previous: 6 });
    expect(digest.feedback.topics.map((t) => [t.id, t.label, t.current, t.previous])).toEqual([
      ["housing", "Housing", 6, 5],
      ["health", "Health", 2, 1],
      ["discrimination", "Unfair treatment or racism", 1, 0],
    ]);
    const items = byId(digest.feedback.items);
    // Three of each topic at most, the ones nobody acted on first.
    expect(digest.feedback.items.filter((i) => i.topic === "housing")).toHaveLength(3);
    expect(items[week.feedback.forwarded]).toBeUndefined();
    expect(items[week.feedback.voice]).toMatchObject({ topic: "health", excerpt: null, voice: true, contactBack: true, status: "new" });
    expect(items[week.feedback.erased]).toMatchObject({ topic: "discrimination", excerpt: null, voice: false, contactBack: false });
    const named = items[week.feedback.named];
    expect(named?.excerpt).toBe("My name is [name] and the landlord wants us out of the flat by Friday. Please call me on [number] or write to [address], we have two children and nowhere to go.");
    expect(named?.contactBack).toBe(true);
  });

  it("lists the coming meetings of the territory with their answers", () => {
    expect(digest.meetings).toHaveLength(1);
    expect(digest.meetings[0]).toMatchObject({ id: week.meetingId, title: "Winter plan", capacity: 30, rsvps: { yes: 6, maybe: 2, no: 1, waitlist: 0 } });
  });

  it("cuts an excerpt to 200 characters at a word", async () => {
    const long = await feedbackItem(ctx, week.feedback.named, "en");
    expect(long?.excerpt?.length).toBeLessThanOrEqual(201);
    expect(NAMED_TEXT.length).toBeGreaterThan(180);
    const item = digest.feedback.items.find((i) => i.excerpt?.startsWith("The rent"));
    expect(item?.excerpt).toMatch(/^The rent went up again, number \d of us can't pay it\.$/);
  });
});

describe("privacy", () => {
  const outputs = () => {
    const message = digestMessage(digest);
    return [digestText(digest), JSON.stringify(message.blocks), message.text];
  };

  it("never shows a contact id, a name, a phone number or an e-mail address", () => {
    for (const out of outputs()) {
      for (const id of week.contactIds) expect(out).not.toContain(id);
      for (const secret of ["Amira", "Haddad", "333 123", "123 4567", "example.org", "Zainab", "Okafor", "765 4321"]) expect(out).not.toContain(secret);
    }
  });

  it("shows counts under the threshold as \"< 5\", with no change, in text and blocks", () => {
    const text = digestText(digest);
    // Housing 8 against 5: both shown, +3. Work 6 against 7: −1. Language 3 against 0: hidden, no change.
    expect(text).toMatch(/^ {2}Housing +8 {2}\+3$/m);
    expect(text).toMatch(/^ {2}Work +6 {2}−1$/m);
    expect(text).toMatch(/^ {2}Language +< 5$/m);
    expect(text).toMatch(/^ {2}Documents +< 5$/m);
    // Completion: 12 of 15, both shown: 80%; its change against 14 is shown too (−2).
    expect(text).toMatch(/^ {2}Surveys completed +12 {2}−2 {2}\(80% completed\)$/m);
    // Languages below the threshold are not named: fa 4, en 1, it 1, ti 1 go together (7).
    expect(text).toMatch(/^ {4}Arabic +8$/m);
    expect(text).toMatch(/^ {4}Other languages +7$/m);
    expect(text).not.toMatch(/Persian|Tigrinya/);
    // Priorities under the threshold are not ranked.
    expect(text).toMatch(/^ {2}1\. Housing +8 {2}\+3$/m);
    expect(text).toContain("Under 5 each: Work, Language, Health, Documents, Education, School or childcare".replace(", Education", ""));
    // Meetings' answers too.
    expect(text).toContain("yes 6 · maybe < 5 · no < 5");
    const blocks = JSON.stringify(digestMessage(digest).blocks);
    expect(blocks).toContain("• Housing: *8* (+3)");
    expect(blocks).toContain("• Language: *< 5*\\n");
    expect(blocks).toContain("• Health: *< 5*");
    expect(blocks).not.toMatch(/Language: \*< 5\* \(/);
  });

  it("uses a higher threshold when configured so, and reads it from INLOCO_DIGEST_MIN_COUNT", async () => {
    expect(readDigestSettings({}).INLOCO_DIGEST_MIN_COUNT).toBe(5);
    expect(readDigestSettings({ INLOCO_DIGEST_MIN_COUNT: "10" }).INLOCO_DIGEST_MIN_COUNT).toBe(10);
    expect(() => readDigestSettings({ INLOCO_DIGEST_MIN_COUNT: "0" })).toThrow(ConfigError);
    expect(() => readDigestSettings({ INLOCO_DIGEST_MIN_COUNT: "five" })).toThrow(ConfigError);
    const strict = await buildDigest({ ...ctx, minCount: 10 }, { taskForceId: week.taskForceId, from: FROM, to: TO });
    const text = digestText(strict);
    expect(text).toMatch(/^ {2}Housing +< 10$/m);
    // 21 and 14 both shown: +7. The feedback's 9 is not, so no change against 6 either.
    expect(text).toMatch(/^ {2}People reached +21 {2}\+7$/m);
    expect(text).toMatch(/^ {2}New feedback +< 10$/m);
    // Arabic's 8 is under 10 now: no language is named, all go together.
    expect(text).toMatch(/^ {4}Other languages +21$/m);
    expect(text).not.toContain("Arabic");
  });
});

describe("the working language", () => {
  it("writes an Italian task force's digest in Italian, labels from the flows' Italian texts", async () => {
    await db.sql.query("UPDATE task_forces SET language = 'it' WHERE id = $1", [week.taskForceId]);
    try {
      const it = await buildDigest(ctx, { taskForceId: week.taskForceId, from: FROM, to: TO });
      const text = digestText(it);
      expect(text.split("\n")[0]).toBe("Task force Val di Susa: riepilogo");
      for (const heading of ["BISOGNI", "PRIORITÀ INDICATE", "PARTECIPAZIONE", "SEGNALAZIONI", "PROSSIMI INCONTRI"]) expect(text).toContain(heading);
      expect(text).toMatch(/^ {2}Casa +8 {2}\+3$/m);
      expect(text).toContain("Piano per l'inverno");
      expect(text).toMatch(/^ {4}arabo +8$/m);
      expect(text).toContain("1 mar – 7 mar 2027");
      const blocks = JSON.stringify(digestMessage(it).blocks);
      expect(blocks).toContain("Bisogni");
      expect(blocks).toContain("Inoltra");
    } finally {
      await db.sql.query("UPDATE task_forces SET language = 'en' WHERE id = $1", [week.taskForceId]);
    }
  });
});

describe("asking for a digest", () => {
  it("finds a task force by id or by name, and lists the known ones otherwise", async () => {
    expect((await findTaskForce(ctx, week.taskForceId)).name).toBe("Task force Val di Susa");
    expect((await findTaskForce(ctx, "task force val di susa")).id).toBe(week.taskForceId);
    const wrong = await findTaskForce(ctx, "Task force Atlantis").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TaskForceNotFoundError);
    expect((wrong as TaskForceNotFoundError).known.map((t) => t.name)).toEqual(["Task force Asti", "Task force Cuneo", "Task force Torino", "Task force Val di Susa"]);
    await expect(buildDigest(ctx, { taskForceId: "00000000-0000-4000-8000-000000000000", from: FROM, to: TO })).rejects.toBeInstanceOf(TaskForceNotFoundError);
  });

  it("refuses a name two task forces share", async () => {
    await db.sql.query("INSERT INTO task_forces (id, name, kind, territory_id) VALUES (gen_random_uuid(), 'Task force Torino', 'local', 'cuneo')");
    try {
      await expect(findTaskForce(ctx, "Task force Torino")).rejects.toBeInstanceOf(AmbiguousTaskForceError);
    } finally {
      await db.sql.query("DELETE FROM task_forces WHERE name = 'Task force Torino' AND territory_id = 'cuneo'");
    }
  });

  it("refuses a period that ends before it starts", async () => {
    await expect(buildDigest(ctx, { taskForceId: week.taskForceId, from: TO, to: FROM })).rejects.toBeInstanceOf(DigestPeriodError);
  });
});

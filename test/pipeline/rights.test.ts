// A person's rights in the chat, through the real pipeline on a real PostgreSQL (in-process queues):
// MY DATA reads what the database holds about them (and no one else) and answers before the question
// it interrupted; a consent note whose version rose is asked again before anything more is stored.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBroker } from "../../src/queue/index.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { pipelineHarness, type Harness } from "./harness.ts";

let db: TestDatabase;
let h: Harness;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  h = await pipelineHarness(db, new MemoryBroker());
});
afterAll(async () => {
  await h?.close();
  await db?.drop();
});

const chat = () => String(100_000_000 + Math.floor(Math.random() * 800_000_000));

async function say(address: string, ...texts: string[]): Promise<void> {
  for (const text of texts) {
    await h.say(address, text);
    await h.idle();
  }
}

/** Language English, consent, Val di Susa, messages yes: at the menu. */
const onboard = (address: string) => say(address, "/start", "1", "yes", "2", "yes");

async function contactIdOf(address: string): Promise<string | undefined> {
  const identity = await db.prisma.channelIdentity.findUnique({
    where: { channel_addressHash: { channel: "telegram", addressHash: h.vault.hashAddress("telegram", address) } },
  });
  return identity?.contactId;
}

/** A finished needs survey whose priority was `priority`, as the turns statement stores one. */
async function needsSurvey(contactId: string, priority: string): Promise<void> {
  const run = `run-${randomUUID()}`;
  await db.sql.query("INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status) VALUES ($1, $2, 'needs', '1', 'completed')", [run, contactId]);
  await db.sql.query(
    "INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_choices, language) VALUES (gen_random_uuid(), $1, $2, 'needs', '1', 'priority', 'priority', 'choice', ARRAY[$3], 'en')",
    [contactId, run, priority],
  );
}

describe("MY DATA", () => {
  it("tells the person what the database holds about them, not about anyone else, then asks the waiting question again", async () => {
    const [amira, other] = [chat(), chat()];
    await onboard(amira);
    await onboard(other);
    // Feedback through the menu, one each; a finished survey each, with different priorities; an RSVP for the other only.
    await say(amira, "2", "1", "The bus to Susa never comes on time", "skip", "yes");
    await say(other, "2", "1", "The language course is full", "skip", "yes");
    await needsSurvey((await contactIdOf(amira)) as string, "work");
    await needsSurvey((await contactIdOf(other)) as string, "housing");
    await db.sql.query("INSERT INTO rsvps (id, event_id, contact_id, answer, updated_at) VALUES (gen_random_uuid(), $1, $2, 'yes', now())", [DEMO_EVENT_ID, await contactIdOf(other)]);
    const consentAt = (await db.prisma.contact.findUniqueOrThrow({ where: { id: (await contactIdOf(amira)) as string } })).consentAt as Date;

    // Back to the menu, into the needs survey: its first question waits.
    await say(amira, "menu", "1");
    const before = h.channel.to(amira).length;
    await say(amira, "my data");
    const replies = h.channel.to(amira).slice(before);
    expect(replies).toEqual([
      [
        "Here is what we keep about you:",
        "1. Language: English",
        "2. Where you live: Val di Susa",
        `3. You agreed to our note on ${consentAt.toISOString().slice(0, 10)} (version 2026-11)`,
        "4. Surveys you answered: 1",
        "5. What you need most: Work",
        "6. Feedback you sent: 1",
        "7. Meetings you said you will come to: none",
      ].join("\n"),
      "To delete all of it, write DELETE. To get no more messages, write STOP.",
      expect.stringMatching(/^What is your housing situation now\?/),
    ]);
    // The other person's data shows for them alone (they wait at no question: nothing is asked after it).
    await say(other, "my data");
    const theirs = h.channel.to(other).at(-2) as string;
    expect(theirs).toContain("5. What you need most: Housing");
    expect(theirs).toMatch(/7\. Meetings you said you will come to: \S/);
    expect(theirs).not.toContain(": none\n7.");
  });
});

describe("after STOP", () => {
  it("MY DATA and DELETE are still answered (nothing else is), and DELETE erases", async () => {
    const amira = chat();
    await onboard(amira);
    const contactId = (await contactIdOf(amira)) as string;
    await say(amira, "stop");
    const stopped = h.channel.to(amira).length;
    await say(amira, "hello", "1");
    expect(h.channel.to(amira)).toHaveLength(stopped);
    await say(amira, "my data");
    expect(h.channel.to(amira).slice(stopped)).toEqual([expect.stringMatching(/^Here is what we keep about you:\n1\. Language: English/), expect.stringMatching(/write DELETE/)]);
    await say(amira, "delete", "yes");
    expect(h.channel.to(amira).at(-1)).toMatch(/^Your data has been deleted/);
    expect(await db.prisma.contact.findUnique({ where: { id: contactId } })).toBeNull();
  });
});

describe("a consent note whose version rose", () => {
  /** Someone at the needs survey's first question, whose stored consent is of an older note. */
  async function midSurveyOnOldNote(): Promise<{ address: string; contactId: string }> {
    const address = chat();
    await onboard(address);
    await say(address, "1");
    const contactId = (await contactIdOf(address)) as string;
    // The same as the note's version rising: what they accepted is no longer the current one.
    await db.sql.query("UPDATE sessions SET state = jsonb_set(state, '{contact,fields,consent}', '\"2025-01\"') WHERE contact_id = $1", [contactId]);
    await db.sql.query("UPDATE contacts SET consent_version = '2025-01' WHERE id = $1", [contactId]);
    return { address, contactId };
  }

  const needsAnswers = (contactId: string) => db.prisma.answer.count({ where: { contactId, flowId: "needs" } });

  it("asks it again before storing anything more; once accepted, the survey goes on and answers are stored", async () => {
    const { address, contactId } = await midSurveyOnOldNote();
    await say(address, "2");
    // Their language is known, so the note comes at once.
    expect(h.channel.to(address).at(-1)).toMatch(/^Before we start, please read this/);
    expect(await needsAnswers(contactId)).toBe(0);
    await say(address, "yes");
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: contactId } })).toMatchObject({ consentVersion: "2026-11" });
    // What onboarding still asks, then back where they were.
    for (let i = 0; i < 3 && !/^What is your housing situation now\?/.test(h.channel.to(address).at(-1) ?? ""); i++) await say(address, "1");
    expect(h.channel.to(address).at(-1)).toMatch(/^What is your housing situation now\?/);
    await say(address, "2");
    expect(await db.prisma.answer.findFirst({ where: { contactId, flowId: "needs", resultName: "housing" } })).toMatchObject({ valueChoices: ["reception"] });
  });

  it("a no erases the person, as the first-time no does", async () => {
    const { address, contactId } = await midSurveyOnOldNote();
    await say(address, "2", "no");
    expect(await db.prisma.contact.findUnique({ where: { id: contactId } })).toBeNull();
    expect(await db.prisma.answer.count({ where: { contactId } })).toBe(0);
    expect(h.channel.to(address).at(-1)).toMatch(/We have deleted everything we had about you/);
  });
});

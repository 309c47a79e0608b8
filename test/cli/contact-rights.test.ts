// A person's rights through the real `inloco` command: `contact export` (access) holds exactly that
// person's data, addresses decrypted, in their language; `contact find` finds them by a Telegram chat
// id or a WhatsApp number (typed as people type it) through the keyed hash. Both leave an audit row
// that says who asked and nothing of what.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import { DEMO_EVENT_ID, seedDemo } from "../../src/repos/seed.ts";
import { cliOnTestDatabase } from "../support/cli.ts";
import type { TestDatabase } from "../support/db.ts";

const hashKey = generateKey();
const encryptionKey = generateKey();
const vault = new IdentityVault({ hashKey: Buffer.from(hashKey, "base64"), encryptionKey: Buffer.from(encryptionKey, "base64") });

interface Person {
  id: string;
  channel: "telegram" | "whatsapp";
  address: string;
  language: string;
  feedback: string;
  housing: string;
}

const amira: Person = { id: randomUUID(), channel: "whatsapp", address: "393331234567@c.us", language: "ar", feedback: "الحافلة لا تأتي أبداً", housing: "reception" };
const luca: Person = { id: randomUUID(), channel: "telegram", address: "987654321", language: "it", feedback: "Il corso di italiano è pieno", housing: "own" };

/** A person as a conversation leaves them: identity, consent, a needs run with answers, feedback, an RSVP, a broadcast received. */
async function seedPerson(db: TestDatabase, p: Person): Promise<void> {
  const run = `run-${randomUUID()}`;
  await db.sql.query(
    "INSERT INTO contacts (id, language, territory_id, consent_version, consent_at) VALUES ($1, $2, 'valsusa', '2026-11', '2026-11-20T10:00:00Z')",
    [p.id, p.language],
  );
  await db.sql.query("INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted) VALUES (gen_random_uuid(), $1, $2, $3, $4)", [
    p.id,
    p.channel,
    vault.hashAddress(p.channel, p.address),
    Buffer.from(vault.encrypt(p.address)),
  ]);
  await db.sql.query("INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status) VALUES ($1, $2, 'needs', '1', 'completed')", [run, p.id]);
  await db.sql.query(
    `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_choices, language)
     VALUES (gen_random_uuid(), $1, $2, 'needs', '1', 'housing', 'housing', 'choice', ARRAY[$3], $4),
            (gen_random_uuid(), $1, $2, 'needs', '1', 'priority', 'priority', 'choice', ARRAY['work'], $4)`,
    [p.id, run, p.housing, p.language],
  );
  await db.sql.query(
    "INSERT INTO feedback (id, contact_id, text, category, language, territory_id, source_event_id) VALUES (gen_random_uuid(), $1, $2, 'transport', $3, 'valsusa', $4)",
    [p.id, p.feedback, p.language, `test:${randomUUID()}`],
  );
  await db.sql.query("INSERT INTO rsvps (id, event_id, contact_id, answer, updated_at) VALUES (gen_random_uuid(), $1, $2, 'yes', now())", [DEMO_EVENT_ID, p.id]);
  const broadcast = randomUUID();
  await db.sql.query(
    "INSERT INTO broadcasts (id, kind, messages, segment, status, created_by, updated_at) VALUES ($1, 'announcement', '{}', '{}', 'sent', 'test', now())",
    [broadcast],
  );
  await db.sql.query("INSERT INTO deliveries (id, broadcast_id, contact_id, channel, status, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, 'sent', now())", [
    broadcast,
    p.id,
    p.channel,
  ]);
}

const { inloco, db } = cliOnTestDatabase({
  env: { INLOCO_HASH_KEY: hashKey, INLOCO_ENCRYPTION_KEY: encryptionKey },
  prepare: async (db) => {
    await seedDemo(db.prisma);
    await seedPerson(db, amira);
    await seedPerson(db, luca);
  },
});

const auditOf = (action: string) => db().prisma.auditLog.findMany({ where: { action }, orderBy: { at: "asc" } });

describe("inloco contact export", () => {
  it("writes everything held about one person and nothing about anyone else, in their language", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "inloco-export-")), "amira");
    const r = await inloco(["contact", "export", amira.id, "--out", out, "--actor", "cli:dpo"]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("2 answers, 1 feedback, 1 RSVPs, 1 broadcasts received") });
    const json = readFileSync(`${out}.json`, "utf8");
    const text = readFileSync(`${out}.txt`, "utf8");
    for (const written of [json, text]) {
      expect(written).toContain(amira.id);
      expect(written).toContain(amira.address);
      expect(written).toContain(amira.feedback);
      for (const other of [luca.id, luca.address, luca.feedback]) expect(written).not.toContain(other);
    }
    const doc = JSON.parse(json) as {
      identities: Array<{ channel: string; address: string }>;
      answers: Array<{ result_name: string; value_choices: string[]; question_text: string | null; choice_labels: string[] }>;
      rsvps: Array<{ event_id: string; answer: string }>;
      deliveries: unknown[];
    };
    expect(doc.identities).toEqual([expect.objectContaining({ channel: "whatsapp", address: amira.address })]);
    // Answers carry their question's text and option labels in the person's language (Arabic here).
    const housing = doc.answers.find((a) => a.result_name === "housing");
    expect(housing).toMatchObject({ value_choices: ["reception"], question_text: expect.stringMatching(/[\u0600-\u06FF]/), choice_labels: [expect.stringMatching(/[\u0600-\u06FF]/)] });
    expect(doc.rsvps).toEqual([expect.objectContaining({ event_id: DEMO_EVENT_ID, answer: "yes" })]);
    expect(doc.deliveries).toHaveLength(1);
    // The readable document is in Arabic, with the same question text.
    expect(text).toContain(housing?.question_text);
    expect(text).toContain("كل ما يحتفظ به In Loco عنك");
    // Only its owner can read what holds an address in clear.
    expect(statSync(`${out}.json`).mode & 0o077).toBe(0);
    // Who asked and when, never what.
    const audit = (await auditOf("export")).filter((a) => a.subject === amira.id);
    expect(audit).toEqual([expect.objectContaining({ actor: "cli:dpo", details: {} })]);
  });

  it("refuses an unknown id and something that is not an id, with a message and exit code 1", async () => {
    const unknown = await inloco(["contact", "export", randomUUID()]);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("no contact") });
    const bad = await inloco(["contact", "export", "amira"]);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining("is not a contact id") });
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe("inloco contact find", () => {
  it("finds a person by their Telegram chat id", async () => {
    const r = await inloco(["contact", "find", "--telegram", ` ${luca.address} `]);
    expect(r).toMatchObject({ code: 0, stdout: `${luca.id}\n` });
  });

  it("finds a person by their WhatsApp number, written as people write it", async () => {
    for (const typed of ["+39 333 123 4567", "0039-333-1234567", "393331234567"]) {
      const r = await inloco(["contact", "find", "--whatsapp", typed]);
      expect(r, typed).toMatchObject({ code: 0, stdout: `${amira.id}\n` });
    }
  });

  it("says when no one has that address, and refuses what is no address", async () => {
    const missing = await inloco(["contact", "find", "--telegram", "5550001"]);
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("no contact with that telegram address") });
    // Amira's number is on WhatsApp, not Telegram.
    const otherChannel = await inloco(["contact", "find", "--telegram", "393331234567"]);
    expect(otherChannel.code).toBe(1);
    const bad = await inloco(["contact", "find", "--whatsapp", "call me"]);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining("not a whatsapp address") });
  });

  it("records who looked and whether someone was found, never the address", async () => {
    await inloco(["contact", "find", "--telegram", luca.address, "--actor", "cli:helpdesk"]);
    const rows = (await auditOf("find")).filter((a) => a.actor === "cli:helpdesk");
    expect(rows).toEqual([expect.objectContaining({ subject: luca.id, details: { channel: "telegram", found: true } })]);
    const all = JSON.stringify(await auditOf("find"));
    for (const address of [luca.address, "393331234567", "5550001"]) expect(all).not.toContain(address);
  });
});

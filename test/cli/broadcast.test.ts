// `inloco broadcast …` as a coordinator runs it: the real CLI as a process on a real PostgreSQL (the
// sending itself is the worker's: test/broadcasts).
import { describe, expect, it } from "vitest";
import { seedDemo } from "../../src/repos/seed.ts";
import { cliOnTestDatabase } from "../support/cli.ts";

const cli = cliOnTestDatabase({
  env: { INLOCO_LANGUAGES: "en,it,ar" },
  prepare: async (db) => {
    await seedDemo(db.prisma);
    // Three consented people of valsusa on Telegram (addresses aren't needed to preview or schedule).
    for (const [i, lang] of ["en", "ar", "ar"].entries()) {
      await db.sql.query(
        `WITH c AS (INSERT INTO contacts (id, language, territory_id, consent_version, consent_at) VALUES (gen_random_uuid(), $1, 'valsusa', '2026-11', now()) RETURNING id)
         INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted) SELECT gen_random_uuid(), c.id, 'telegram', $2, '\\x00' FROM c`,
        [lang, `hash${i}`],
      );
    }
  },
});
const { inloco } = cli;

describe("inloco broadcast", () => {
  it("previews, asks, and only a yes schedules it; list and status show it; pause, resume, cancel", { timeout: 240_000 }, async () => {
    const args = ["broadcast", "create", "--text", "en=The Italian course opens Monday", "--territory", "valsusa"];
    const declined = await inloco(args, { input: "n\n" });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("Recipients now: 3");
    expect(declined.stderr).toContain("by language: ar 2, en 1");
    expect(declined.stderr).toContain("No translation for ar (2): 2 people get the base language.");
    expect(declined.stderr).toContain("Not sent (the draft is cancelled).");
    expect(declined.stdout).toBe("");

    const confirmed = await inloco(args, { input: "y\n" });
    expect(confirmed.code).toBe(0);
    const id = confirmed.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const later = await inloco(["broadcast", "create", "--text", "en=Tomorrow", "--at", "2037-01-10 09:00", "--yes"]);
    expect(later.code).toBe(0);
    const laterId = later.stdout.trim();
    expect(later.stderr).toContain("Scheduled for 2037-01-10T08:00:00.000Z");

    const list = await inloco(["broadcast", "list"]);
    expect(list.stdout).toMatch(new RegExp(`${laterId}\\s+scheduled\\s+announcement\\s+not begun\\s+Tomorrow`));
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+scheduled\\s+announcement`));
    expect(list.stdout).toMatch(/cancelled\s+announcement/);

    const status = await inloco(["broadcast", "status", laterId]);
    expect(status.stdout).toContain(`${laterId} scheduled [..............................] 0/0`);
    expect((await inloco(["broadcast", "pause", laterId])).stdout.trim()).toBe(`${laterId}: paused`);
    const again = await inloco(["broadcast", "pause", laterId]);
    expect([again.code, again.stderr.trim()]).toEqual([1, `broadcast ${laterId} is paused: it can't be made paused`]);
    expect((await inloco(["broadcast", "resume", laterId])).stdout.trim()).toBe(`${laterId}: scheduled`);
    expect((await inloco(["broadcast", "cancel", laterId])).stdout.trim()).toBe(`${laterId}: cancelled`);
    const audit = await cli.db().sql.query<{ action: string }>("SELECT action FROM audit_log WHERE subject = $1 ORDER BY at", [laterId]);
    expect(audit.rows.map((r) => r.action)).toEqual(["broadcast_create", "broadcast_confirm", "broadcast_pause", "broadcast_resume", "broadcast_cancel"]);
  });

  it("bad input names the option and what it should look like, and writes nothing", { timeout: 120_000 }, async () => {
    const before = (await cli.db().sql.query<{ n: string }>("SELECT count(*) AS n FROM broadcasts")).rows[0]?.n;
    const r = await inloco(["broadcast", "create", "--text", "de=Hallo", "--territory", "atlantis", "--at", "next week", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "--territory: no territory \"atlantis\" (known: asti, cuneo, torino, valsusa)",
      "--text: \"de\" is not one of the languages offered (en, it, ar)",
      "--at: \"next week\": write it as \"YYYY-MM-DD HH:MM\" (times are on Europe/Rome's clocks)",
    ]);
    const both = await inloco(["broadcast", "create", "--text", "en=Hi", "--flow", "needs", "--yes"]);
    expect(both.stderr.trim()).toBe("--text / --event / --flow: say what to send: texts (one per language), a meeting, or a flow — exactly one");
    expect((await cli.db().sql.query<{ n: string }>("SELECT count(*) AS n FROM broadcasts")).rows[0]?.n).toBe(before);
    const unknown = await inloco(["broadcast", "status", "00000000-0000-4000-8000-000000000000"]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, "no broadcast 00000000-0000-4000-8000-000000000000 (`inloco broadcast list` shows their ids)"]);
  });
});

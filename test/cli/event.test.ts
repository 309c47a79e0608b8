// `inloco event …` as a coordinator runs it: the real CLI as a process on a real PostgreSQL.
import { describe, expect, it } from "vitest";
import { seedDemo } from "../../src/repos/seed.ts";
import { cliOnTestDatabase } from "../support/cli.ts";

const cli = cliOnTestDatabase({
  env: { INLOCO_LANGUAGES: "en,it,ar", TELEGRAM_BOT_USERNAME: "InLocoTestBot" },
  prepare: (db) => seedDemo(db.prisma),
});
const { inloco } = cli;

describe("inloco event", () => {
  it("creates, shows, updates, lists and cancels a meeting", { timeout: 240_000 }, async () => {
    const created = await inloco([
      "event", "create", "--territory", "valsusa",
      "--title", "it=Incontro sul lavoro", "--title", "en=Meeting about work",
      "--starts", "2037-03-29 10:00", "--ends", "2037-03-29 12:00",
      "--place", "Biblioteca civica, Bussoleno", "--capacity", "30",
    ]);
    expect(created.code).toBe(0);
    // Only the id on standard output, so a script can take it.
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.stderr).toContain('created meeting "Incontro sul lavoro" on 2037-03-29 10:00 (Europe/Rome)');

    const shown = await inloco(["event", "show", id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("starts:        2037-03-29 10:00 Europe/Rome");
    expect(shown.stdout).toContain("  it: Incontro sul lavoro\n  en: Meeting about work");
    expect(shown.stdout).toContain("base language: it");
    expect(shown.stdout).toContain("rsvps:         yes 0, maybe 0, no 0");

    const updated = await inloco(["event", "update", id, "--place", "Municipio, Susa", "--title", "ar=اجتماع حول العمل"]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain("place:         Municipio, Susa");
    expect(updated.stdout).toContain("starts:        2037-03-29 10:00 Europe/Rome");
    expect(updated.stdout).toContain("capacity:      30");
    expect(updated.stdout).toContain("  ar: اجتماع حول العمل");

    const listed = await inloco(["event", "list", "--territory", "valsusa"]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^WHEN\s+TITLE\s+PLACE\s+TERRITORY\s+YES\s+MAYBE\s+NO\s+STATUS\s+ID$/);
    // The demo meeting (next week) comes before ours, ten years ahead.
    expect(lines.at(-1)).toMatch(new RegExp(`^2037-03-29 10:00–12:00\\s+Incontro sul lavoro\\s+Municipio, Susa\\s+valsusa\\s+0\\s+0\\s+0\\s+scheduled\\s+${id}$`));

    const cancelled = await inloco(["event", "cancel", id]);
    expect([cancelled.code, cancelled.stdout.trim()]).toEqual([0, `cancelled: meeting ${id} "Incontro sul lavoro" on 2037-03-29 10:00 (Europe/Rome)`]);
    expect((await inloco(["event", "list"])).stdout).toMatch(new RegExp(`cancelled\\s+${id}`));
    const poster = await inloco(["poster", "--territory", "valsusa", "--event", id]);
    expect([poster.code, poster.stderr.trim()]).toEqual([1, `event "${id}" was cancelled`]);
    const refused = await inloco(["event", "update", id, "--place", "elsewhere"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`meeting ${id} was cancelled on`);
  });

  it("bad input names the option and what it should look like, exits 1 and writes nothing", { timeout: 120_000 }, async () => {
    const before = await cli.db().prisma.event.count();
    const r = await inloco([
      "event", "create", "--territory", "valsusa", "--title", "Meeting", "--title", "de=Treffen",
      "--starts", "29/03/2037 10:00", "--place", "Susa", "--capacity", "lots",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      `--title: "Meeting" should be <language>=<text>, e.g. --title en="Task force meeting"`,
      `--capacity: "lots" is not a number of people: a whole number above 0, e.g. 30, or none`,
    ]);
    const times = await inloco(["event", "create", "--territory", "valsusa", "--title", "de=Treffen", "--starts", "29/03/2037 10:00", "--place", "Susa", "--task-force", "x"]);
    expect(times.code).toBe(1);
    expect(times.stderr.trim().split("\n")).toEqual([
      `--title: "de" is not a language the project offers (en, it, ar)`,
      expect.stringMatching(/^--task-force: no task force "x" \(an id or a name; valsusa has "[^"]+" [0-9a-f-]{36}\)$/),
      `--starts: "29/03/2037 10:00" is not a date and time: write it as "YYYY-MM-DD HH:MM" on the territory's clocks (Europe/Rome), e.g. "2027-03-28 10:00"`,
    ]);
    const missing = await inloco(["event", "show", "00000000-0000-4000-8000-000000000000"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, "no meeting 00000000-0000-4000-8000-000000000000 (`inloco event list --all` shows every meeting's id)"]);
    expect(await cli.db().prisma.event.count()).toBe(before);
  });
});

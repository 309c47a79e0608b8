// `inloco db seed --people N` run as the real CLI on a real PostgreSQL: it adds N pretend people each
// time, says where and in which languages, draws the same people for the same --seed, and
// `--remove-people` takes them all away again.
import { describe, expect, it } from "vitest";
import { cliOnTestDatabase } from "../support/cli.ts";

const cli = cliOnTestDatabase();
const { inloco } = cli;

const count = async (sql: string) => Number((await cli.db().sql.query<{ n: string }>(sql)).rows[0]?.n);

describe("inloco db seed --people", () => {
  it("adds 50 pretend people, reports them by territory and language, and 50 more on the next run", async () => {
    const first = await inloco(["db", "seed", "--people", "50", "--seed", "3"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("territories: torino, valsusa, cuneo, asti\n");
    expect(first.stdout).toContain("seeded 50 pretend people (numbers 0–49, --seed 3)");
    expect(first.stdout).toMatch(/by territory: (\w+ \d+, ){3}\w+ \d+\n/);
    expect(first.stdout).toMatch(/by language: \w+ \d+, \w+ \d+/);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE consent_version IS NOT NULL")).toBe(50);
    expect(await count("SELECT count(*) AS n FROM channel_identities WHERE channel = 'telegram'")).toBe(50);
    expect(await count("SELECT count(*) AS n FROM answers")).toBeGreaterThan(100);

    const answers = async (from: string, to: string) =>
      (
        await cli.db().sql.query<{ q: string }>(
          "SELECT string_agg(question || '=' || array_to_string(value_choices, '+') || coalesce(value_number::text, ''), ',' ORDER BY contact_id, answered_at) AS q FROM answers WHERE contact_id BETWEEN $1::uuid AND $2::uuid",
          [from, to],
        )
      ).rows[0]?.q;
    const second = await inloco(["db", "seed", "--people", "50", "--seed", "3"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("seeded 50 pretend people (numbers 50–99, --seed 3)");
    expect(await count("SELECT count(*) AS n FROM contacts")).toBe(100);
    // The second fifty are new people, not the first fifty again.
    expect(await answers("5eed0000-0000-8000-8000-000000000032", "5eed0000-0000-8000-8000-000000000063")).not.toBe(
      await answers("5eed0000-0000-8000-8000-000000000000", "5eed0000-0000-8000-8000-000000000031"),
    );
  });

  it("without --seed, says which seed it drew; --remove-people removes every pretend person and their feedback", async () => {
    const r = await inloco(["db", "seed", "--people", "10"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/seeded 10 pretend people \(numbers 100–109, --seed \d+\)/);
    const gone = await inloco(["db", "seed", "--remove-people"]);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toMatch(/^removed 110 pretend people and \d+ feedback items of theirs\n$/);
    expect(await count("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM feedback) AS n")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM territories")).toBe(4);
  });

  it("refuses a count that is not a whole number, and --remove-people with a count", async () => {
    const r = await inloco(["db", "seed", "--people", "ten"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("a whole number of people, 1 or more");
    const both = await inloco(["db", "seed", "--remove-people", "--people", "5"]);
    expect([both.code, both.stderr.trim()]).toEqual([1, "error: --remove-people removes them all: it takes no --people or --seed"]);
  });
});

// Plain SQL on a PostgreSQL server runs as prepared statements: each text planned once per
// connection. Checked where it could go wrong: many texts at once on a shared pool, two Sql
// objects over one pool, a transaction that fails half-way.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlOver } from "../../src/db/sql.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** The prepared statements of every connection of the pool (as PostgreSQL lists them). */
async function preparedOn(p: pg.Pool): Promise<string[]> {
  const clients = await Promise.all(Array.from({ length: 4 }, () => p.connect()));
  try {
    const lists = await Promise.all(clients.map((c) => c.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements")));
    return lists.flatMap((l) => l.rows.map((r) => r.statement));
  } finally {
    for (const c of clients) c.release();
  }
}

describe("sqlOver on a PostgreSQL server", () => {
  it("prepares each statement once per connection and gives the same answers as unprepared", async () => {
    const sql = sqlOver(pool);
    const texts = ["SELECT $1::int + 1 AS n", "SELECT $1::int * 2 AS n", "SELECT length($1::text) AS n"];
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => sql.query<{ n: number }>(texts[i % 3] as string, [i % 3 === 2 ? "x".repeat(i) : i])));
    expect(results.map((r) => r.rows[0]?.n)).toEqual(Array.from({ length: 60 }, (_, i) => [i + 1, i * 2, i][i % 3]));
    const prepared = await preparedOn(pool);
    for (const text of texts) {
      const copies = prepared.filter((s) => s === text).length;
      expect(copies).toBeGreaterThan(0);
      expect(copies).toBeLessThanOrEqual(4); // at most one per connection
    }
  });

  it("lets two Sql objects over one pool prepare different texts without clashing names", async () => {
    const a = sqlOver(pool);
    const b = sqlOver(pool);
    for (let i = 0; i < 10; i++) {
      const [x, y] = await Promise.all([a.query<{ v: string }>("SELECT 'a' || $1::text AS v", [i]), b.query<{ v: string }>("SELECT 'b' || $1::text AS v", [i])]);
      expect([x.rows[0]?.v, y.rows[0]?.v]).toEqual([`a${i}`, `b${i}`]);
    }
  });

  it("rolls a transaction back when a prepared statement fails in it, and the connection goes on working", async () => {
    const sql = sqlOver(pool);
    await sql.query("CREATE TABLE IF NOT EXISTS sql_test (id int PRIMARY KEY)");
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("INSERT INTO sql_test (id) VALUES ($1)", [1]);
        await tx.query("INSERT INTO sql_test (id) VALUES ($1)", [1]);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    await sql.transaction(async (tx) => tx.query("INSERT INTO sql_test (id) VALUES ($1)", [2]));
    const { rows } = await sql.query<{ id: number }>("SELECT id FROM sql_test ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([2]);
  });
});

// Statements as values: built by one part of the store, sent (alone or joined with others into
// one round trip) by another.

/** One parameterised SQL statement. */
export interface Statement {
  text: string;
  values: unknown[];
}

// Where a write says "and only if…" when it runs as part of a larger statement (see `gated`).
// Writes that can be gated end their WHERE clause with it (inserts are written as INSERT … SELECT
// … WHERE true, so that they have one).
export const GATE = "/*and*/";

/** The statement with `condition` added where its GATE is, or with the GATE simply removed. */
export function gated(s: Statement, condition?: string): Statement {
  return { text: s.text.replace(GATE, condition ? `AND ${condition}` : ""), values: s.values };
}

/**
 * Several statements as one: each of `parts` becomes a named WITH query (data-modifying ones run
 * exactly once, all on the same snapshot), then `main` runs. `head`, when given, is WITH queries
 * already written ("a AS (…), b AS (…)"), placed first. Each statement keeps its own $1, $2…: they
 * are renumbered here.
 */
export function withQueries(parts: ReadonlyArray<readonly [name: string, s: Statement]>, main: Statement, head?: Statement): Statement {
  const values: unknown[] = [];
  const place = (s: Statement) => {
    const offset = values.length;
    values.push(...s.values);
    return offset === 0 ? s.text : s.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  };
  const ctes = head ? [place(head)] : [];
  for (const [name, s] of parts) ctes.push(`${name} AS (${place(s)})`);
  const last = place(main);
  return { text: ctes.length === 0 ? last : `WITH ${ctes.join(",\n")}\n${last}`, values };
}

// `inloco db seed --people N`: draw N pretend people after those already stored and store them in
// batches, saying how far it got. See pretend-people.ts for who they are.
import type { IdentityVault, Sql } from "../db/index.ts";
import type { Flow } from "../engine/index.ts";
import { insertPretendPeople, nextPretendIndex, territoryIds, type SeedContext } from "../repos/seed-people.ts";
import { pretendPerson, type PretendPerson } from "./pretend-people.ts";

/** People per transaction: big enough to make each statement worth it, small enough to show progress. */
const BATCH = 1000;

/** What seedPeople needs: the database, the keys, what the flows say, how many, and the seed. */
export interface SeedPeopleOptions {
  sql: Sql;
  vault: IdentityVault;
  count: number;
  seed: number;
  languages: readonly string[];
  /** The needs survey as loaded (its questions and option ids). */
  needs: Flow;
  context: SeedContext;
  now?: Date;
  /** Called after each batch with how many are stored so far. */
  progress?: (done: number, total: number) => void;
}

/** What one seeding added: the people's numbers, and counts by territory and language. */
export interface SeededPeople {
  seed: number;
  first: number;
  count: number;
  byTerritory: Record<string, number>;
  byLanguage: Record<string, number>;
  runs: { completed: number; abandoned: number };
  answers: number;
  feedback: number;
}

/** Add `count` pretend people, numbered after those already stored; the same seed draws the same person for a number. */
export async function seedPeople(o: SeedPeopleOptions): Promise<SeededPeople> {
  const territories = await territoryIds(o.sql);
  if (territories.length === 0) throw new Error("no territories to put people in: run `inloco db seed` first");
  const first = await nextPretendIndex(o.sql);
  const world = { seed: o.seed, languages: o.languages, territories, needs: o.needs, now: o.now ?? new Date() };
  const out: SeededPeople = { seed: o.seed, first, count: 0, byTerritory: {}, byLanguage: {}, runs: { completed: 0, abandoned: 0 }, answers: 0, feedback: 0 };
  for (let start = 0; start < o.count; start += BATCH) {
    const people: PretendPerson[] = [];
    for (let i = start; i < Math.min(o.count, start + BATCH); i++) people.push(pretendPerson(world, first + i));
    await insertPretendPeople(o.sql, o.vault, people, o.context);
    for (const p of people) {
      out.byTerritory[p.territory] = (out.byTerritory[p.territory] ?? 0) + 1;
      out.byLanguage[p.language] = (out.byLanguage[p.language] ?? 0) + 1;
      for (const r of p.runs) {
        out.runs[r.status]++;
        out.answers += r.answers.length;
      }
      out.feedback += p.feedback.length;
    }
    out.count += people.length;
    o.progress?.(out.count, o.count);
  }
  return out;
}

/** What `inloco db seed --people` prints at the end: how many, under which seed, where and in which languages. */
export function seededPeopleReport(s: SeededPeople): string {
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  return [
    `seeded ${s.count} pretend people (numbers ${s.first}–${s.first + s.count - 1}, --seed ${s.seed}): consented, on Telegram with chat ids no real chat has`,
    `by territory: ${list(s.byTerritory)}`,
    `by language: ${list(s.byLanguage)}`,
    `needs survey: ${s.runs.completed} completed, ${s.runs.abandoned} abandoned half-way, ${s.answers} answers; ${s.feedback} feedback items`,
  ].join("\n");
}

// Digest benchmark: the weekly digests of 50 task forces (50 territories) over a database holding
// BENCH_DIGEST_ANSWERS needs-survey answers (1,000,000 by default), on PostgreSQL. Each digest is built
// (its statements timed: the database's share) and its needs chart drawn (vega-lite → SVG → PNG), one
// after the other, for the time of each part; then all 50 again as a weekly run would make them, two
// task forces at a time (one's chart is drawn off the event loop while the next one's is queried).
// Goal: all 50 ready in under 10 s.
// The data is made by the database itself (generate_series), so seeding a million answers takes a
// minute, not an hour: ~15 answers a run (the needs survey's questions, options drawn at random with a
// fixed seed), one run a person, times spread over the 90 days before the run, feedback from one
// person in five, and a meeting with answers in each territory.
import { loadavg } from "node:os";
import { loadRuntime } from "../../src/app/runtime.ts";
import type { Sql } from "../../src/db/index.ts";
import { buildDigest, needsChart, type Digest, type DigestsContext } from "../../src/digests/index.ts";
import { fmt, heading, median, table, verdict } from "./measure.ts";
import { benchDatabase } from "./pipeline/services.ts";

/** Answers seeded (BENCH_DIGEST_ANSWERS). */
const ANSWERS = readCount("BENCH_DIGEST_ANSWERS", 1_000_000);
const TASK_FORCES = 50;
/** The goal, from the issue: every digest and chart of a weekly run ready within this. */
const GOAL_S = 10;

function readCount(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1000) throw new Error(`${variable} must be a whole number of answers, 1000 or more (got "${raw}")`);
  return n;
}

// The needs survey's questions as the bench answers them: result name, kind, options (a number: 1–5).
const QUESTIONS: ReadonlyArray<[string, "choice" | "number", string[]]> = [
  ["housing", "choice", ["stable", "reception", "friends", "none"]],
  ["housing_help", "choice", ["yes", "no"]],
  ["work", "choice", ["employed", "self_employed", "looking", "studying", "unable"]],
  ["skills", "choice", ["degree", "vocational", "trade", "licence", "none"]],
  ["language_level", "number", []],
  ["language_course", "choice", ["attending", "wants", "cannot", "no_need"]],
  ["health", "choice", ["yes", "no"]],
  ["health_needs", "choice", ["doctor", "mental", "pregnancy", "dental", "none"]],
  ["documents", "choice", ["valid", "renewing", "asylum", "none", "no_say"]],
  ["legal_help", "choice", ["yes", "no"]],
  ["childcare", "choice", ["school", "nursery", "after_school", "none"]],
  ["own_study", "choice", ["yes", "no"]],
  ["social", "number", []],
  ["social_wish", "choice", ["sport", "culture", "volunteering", "faith", "language_cafe"]],
  ["priority", "choice", ["housing", "work", "language", "health", "documents", "education", "social"]],
];

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const QUESTION_ROWS = QUESTIONS.map(([name, kind, options], i) => `(${i + 1}, ${quote(name)}, ${quote(kind)}, ARRAY[${options.map(quote).join(", ") || "''"}]::text[])`).join(",\n    ");

/** The statements that seed the bench's world, in order ($1: runs). */
const SEED: readonly string[] = [
  "SELECT setseed(0.42)",
  `INSERT INTO territories (id, name, region, kind, time_zone)
   SELECT 'bench-' || lpad(i::text, 2, '0'), 'Bench territory ' || i, 'Bench', 'urban', 'Europe/Rome' FROM generate_series(1, ${TASK_FORCES}) i`,
  `INSERT INTO task_forces (id, name, kind, territory_id, language, slack_channel)
   SELECT gen_random_uuid(), 'Bench task force ' || i, 'local', 'bench-' || lpad(i::text, 2, '0'), CASE WHEN i % 2 = 0 THEN 'it' ELSE 'en' END, 'CBENCH' || i
   FROM generate_series(1, ${TASK_FORCES}) i`,
  `CREATE TEMP TABLE bench_runs AS
   SELECT i, gen_random_uuid() AS contact_id, gen_random_uuid()::text AS run_id, 'bench-' || lpad((1 + i % ${TASK_FORCES})::text, 2, '0') AS territory,
     (ARRAY['ar', 'uk', 'fa', 'ti', 'en', 'fr', 'it'])[1 + (i % 7)] AS language, now() - random() * interval '90 days' AS started_at,
     random() < 0.8 AS completed
   FROM generate_series(1, $1::int) i`,
  `INSERT INTO contacts (id, language, territory_id, consent_version, consent_at, created_at, last_seen_at)
   SELECT contact_id, language, territory, '1', started_at - interval '1 hour', started_at - interval '1 hour', started_at + interval '10 minutes' FROM bench_runs`,
  `INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at)
   SELECT run_id, contact_id, 'needs', '1', CASE WHEN completed THEN 'completed' ELSE 'abandoned' END::survey_run_status, started_at,
     CASE WHEN completed THEN started_at + interval '8 minutes' END
   FROM bench_runs`,
  `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_number, value_choices, skipped, language, answered_at)
   SELECT gen_random_uuid(), r.contact_id, r.run_id, 'needs', '1', q.name, q.name, q.kind::answer_kind,
     CASE WHEN q.kind = 'number' THEN 1 + floor(random() * 5) END,
     CASE WHEN q.kind = 'choice' THEN ARRAY[q.options[1 + floor(random() * cardinality(q.options))::int]] ELSE '{}'::text[] END,
     random() < 0.05, r.language, r.started_at + q.n * interval '30 seconds'
   FROM bench_runs r CROSS JOIN (VALUES
    ${QUESTION_ROWS}) AS q(n, name, kind, options)`,
  `INSERT INTO feedback (id, contact_id, text, category, language, territory_id, task_force_id, contact_back, created_at, source_event_id)
   SELECT gen_random_uuid(), r.contact_id, 'The bus to the office is at 7 and the office opens at 9, call me on +39 333 123 4567',
     (ARRAY['housing', 'work', 'language', 'health', 'documents', 'education', 'discrimination', 'other'])[1 + floor(random() * 8)::int],
     r.language, r.territory, tf.id, random() < 0.5, r.started_at + interval '9 minutes', 'bench:' || r.run_id
   FROM bench_runs r JOIN task_forces tf ON tf.territory_id = r.territory WHERE (r.i / 50) % 5 = 0`,
  `INSERT INTO events (id, title, description, base_language, starts_at, time_zone, place, territory_id, capacity)
   SELECT gen_random_uuid(), jsonb_build_object('en', 'Task force meeting ' || t.id, 'it', 'Incontro ' || t.id), '{}', 'en', now() + interval '3 days', 'Europe/Rome', 'Town library', t.id, 40
   FROM territories t WHERE t.id LIKE 'bench-%'`,
  `INSERT INTO rsvps (id, event_id, contact_id, answer, updated_at)
   SELECT gen_random_uuid(), e.id, r.contact_id, (ARRAY['yes', 'maybe', 'no'])[1 + r.i % 3]::rsvp_answer, now()
   FROM bench_runs r JOIN events e ON e.territory_id = r.territory WHERE (r.i / 50) % 40 = 0`,
  "DROP TABLE bench_runs",
  "ANALYZE",
];

/** Seeds the bench's world: 50 territories and task forces, `runs` people with a needs survey each (~15 answers), feedback, meetings. */
export async function seedDigestBench(sql: Sql, runs: number): Promise<void> {
  for (const statement of SEED) await sql.query(statement, statement.includes("$1") ? [runs] : []);
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;

export async function digestBench(): Promise<void> {
  heading(`Digests: ${TASK_FORCES} task forces, ${fmt(ANSWERS, 0)} answers`);
  const runs = Math.ceil(ANSWERS / QUESTIONS.length);
  const bench = await benchDatabase();
  try {
    console.log(`database: ${bench.setup}`);
    let t = performance.now();
    await seedDigestBench(bench.db.sql, runs);
    const counts = await bench.db.sql.query<{ answers: string; runs: string; feedback: string }>(
      "SELECT (SELECT count(*) FROM answers) AS answers, (SELECT count(*) FROM survey_runs) AS runs, (SELECT count(*) FROM feedback) AS feedback",
    );
    const c = counts.rows[0] as { answers: string; runs: string; feedback: string };
    console.log(`seeded ${fmt(Number(c.answers), 0)} answers in ${fmt(Number(c.runs), 0)} needs surveys (as many people), ${fmt(Number(c.feedback), 0)} feedback, in ${fmt((performance.now() - t) / 1000)} s`);

    const { texts } = loadRuntime();
    const ctx: DigestsContext = { sql: bench.db.sql, texts, minCount: 5 };
    const { rows: forces } = await bench.db.sql.query<{ id: string }>("SELECT id::text AS id FROM task_forces WHERE territory_id LIKE 'bench-%' ORDER BY name");
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86_400_000);
    // Warm up: the first digest and chart load vega, resvg and the fonts, and prepare the statements.
    const warm = await buildDigest(ctx, { taskForceId: forces[0]?.id as string, from, to });
    await needsChart(warm);

    const database: number[] = [];
    const drawing: number[] = [];
    const digests: Digest[] = [];
    const load0 = loadavg()[0] ?? 0;
    t = performance.now();
    for (const tf of forces) {
      const t0 = performance.now();
      const d = await buildDigest(ctx, { taskForceId: tf.id, from, to });
      const t1 = performance.now();
      const chart = await needsChart(d);
      if (!chart) throw new Error(`no chart for task force ${tf.id}: its territory has no needs survey in the week`);
      drawing.push(performance.now() - t1);
      database.push(t1 - t0);
      digests.push(d);
    }
    const oneByOne = (performance.now() - t) / 1000;

    // The weekly run: two task forces in flight, each built then drawn.
    t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < forces.length) {
        const tf = forces[next++] as { id: string };
        const chart = await needsChart(await buildDigest(ctx, { taskForceId: tf.id, from, to }));
        if (!chart) throw new Error(`no chart for task force ${tf.id}`);
      }
    };
    await Promise.all([worker(), worker()]);
    const total = (performance.now() - t) / 1000;
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [db, draw] = [sorted(database), sorted(drawing)];
    const runsShown = median(digests.map((d) => d.needs.runs.current));
    console.log(`a week per digest: ${fmt(runsShown, 0)} needs surveys (median), ${fmt(median(digests.map((d) => d.feedback.total.current)), 0)} feedback; load average ${fmt(load0)} before`);
    console.log(
      table(
        ["per task force (ms)", "p50", "p90", "max", "sum"],
        [
          ["digest (database)", fmt(median(db)), fmt(percentile(db, 0.9)), fmt(db.at(-1) as number), fmt(db.reduce((a, b) => a + b, 0), 0)],
          ["chart (vega + resvg)", fmt(median(draw)), fmt(percentile(draw, 0.9)), fmt(draw.at(-1) as number), fmt(draw.reduce((a, b) => a + b, 0), 0)],
        ],
      ),
    );
    console.log(`one after the other: ${fmt(oneByOne)} s in all; load average ${fmt(loadavg()[0] ?? 0)} after`);
    console.log(`Goal: all ${TASK_FORCES} digests and charts ready in under ${GOAL_S} s (two at a time): ${fmt(total)} s ${verdict(total < GOAL_S, `${TASK_FORCES} digests in under ${GOAL_S} s`)}`);
  } finally {
    await bench.dispose();
  }
}

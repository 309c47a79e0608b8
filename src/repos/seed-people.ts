// Storing pretend people (`inloco db seed --people N`) as a real conversation would have left them:
// a consented contact, a Telegram identity hashed and sealed by the vault, a finished session, needs
// survey runs with their answers, and feedback. A few statements per batch of people, with arrays
// (`unnest`), so ten thousand people take seconds, not ten thousand round trips.
import type { IdentityVault, Sql, SqlTx } from "../db/index.ts";
import { SESSION_FORMAT, type AnswerValue, type Session } from "../engine/index.ts";
import { PRETEND_FEEDBACK_PREFIX, PRETEND_ID_PREFIX, PRETEND_ID_RANGE, pretendIndex, type PretendPerson } from "../seed/pretend-people.ts";
import { columns } from "./columns.ts";
import { insertFeedback } from "./feedback.ts";
import { answerColumns } from "../effects/answer-recorded.ts";

/** What the stored people's sessions and contacts say beyond the person: the consent and entry flow. */
export interface SeedContext {
  /** The current consent note's version (the onboarding flow's consent node). */
  consentVersion: string;
  /** The flow a finished session was last in (INLOCO_ENTRY_FLOW) and its version. */
  entryFlow: { id: string; version: number };
}

/** The number the next pretend person gets: one more than the highest stored (erased ones included). */
export async function nextPretendIndex(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ id: string | null }>("SELECT id::text AS id FROM contacts WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id DESC LIMIT 1", [...PRETEND_ID_RANGE]);
  const top = rows[0]?.id;
  return top ? (pretendIndex(top) as number) + 1 : 0;
}

/** The territory ids the database knows, in a stable order. */
export async function territoryIds(sql: Sql): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>("SELECT id FROM territories ORDER BY id");
  return rows.map((r) => r.id);
}

/** Store a batch of pretend people in one transaction: all of them, or none. */
export async function insertPretendPeople(sql: Sql, vault: IdentityVault, people: readonly PretendPerson[], ctx: SeedContext): Promise<void> {
  if (people.length === 0) return;
  await sql.transaction(async (tx) => {
    await insertContacts(tx, people, ctx);
    await insertIdentities(tx, vault, people);
    await insertSessions(tx, people, ctx);
    await insertRuns(tx, people);
  });
  // Feedback goes the way the ingest worker writes it (territory and task force from the contact);
  // after the commit, since that statement joins the contacts it needs to see.
  await insertFeedback(
    sql,
    people.flatMap((p) =>
      p.feedback.map((f) => ({ eventId: f.eventId, contactId: p.contactId, text: f.text, mediaRef: null, category: f.category, language: p.language, contactBack: f.contactBack, at: f.at })),
    ),
  );
}

async function insertContacts(tx: SqlTx, people: readonly PretendPerson[], ctx: SeedContext): Promise<void> {
  const rows = people.map((p) => ({
    id: p.contactId,
    language: p.language,
    territory: p.territory,
    // As contact-changed.ts maps the onboarding's yes/no.
    preference: p.contactPref === "yes" ? "all" : "none",
    consentAt: p.consentAt,
    // First seen a minute before consenting (the language question, the note).
    createdAt: new Date(p.consentAt.getTime() - 60_000),
    lastSeenAt: p.lastSeenAt,
  }));
  await tx.query(
    `INSERT INTO contacts (id, language, territory_id, status, consent_version, consent_at, contact_preference, created_at, last_seen_at)
     SELECT v.id, v.language, v.territory, 'active', $1, v.consent_at, v.preference, v.created_at, v.last_seen_at
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::contact_preference[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
       AS v(id, language, territory, preference, consent_at, created_at, last_seen_at)`,
    [ctx.consentVersion, ...columns(rows, ["id", "language", "territory", "preference", "consentAt", "createdAt", "lastSeenAt"])],
  );
}

async function insertIdentities(tx: SqlTx, vault: IdentityVault, people: readonly PretendPerson[]): Promise<void> {
  // Exactly as DatabaseConversationStore.open stores a first contact: keyed hash and sealed address.
  // The sealed bytes travel as hex, which every driver passes through as text.
  const rows = people.map((p) => ({
    contactId: p.contactId,
    hash: vault.hashAddress("telegram", p.address),
    sealed: Buffer.from(vault.encrypt(p.address)).toString("hex"),
    at: new Date(p.consentAt.getTime() - 60_000),
  }));
  await tx.query(
    `INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted, created_at)
     SELECT gen_random_uuid(), v.contact_id, 'telegram', v.hash, decode(v.sealed, 'hex'), v.at
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS v(contact_id, hash, sealed, at)`,
    columns(rows, ["contactId", "hash", "sealed", "at"]),
  );
}

async function insertSessions(tx: SqlTx, people: readonly PretendPerson[], ctx: SeedContext): Promise<void> {
  // A finished session holding what onboarding leaves in the contact's fields: the consent version
  // above all, so a pretend person who writes (a test, a benchmark) is not asked to consent again.
  const rows = people.map((p) => {
    const state: Session = {
      format: SESSION_FORMAT,
      turn: p.turns,
      status: "completed",
      contact: { language: p.language, fields: { consent: ctx.consentVersion, territory: p.territory, contact_pref: p.contactPref } },
      runs: [],
      wait: null,
      dialog: null,
    };
    return { contactId: p.contactId, state: JSON.stringify(state), turn: p.turns, at: p.lastSeenAt };
  });
  await tx.query(
    `INSERT INTO sessions (id, contact_id, state, turn, flow_id, flow_version, status, created_at, updated_at)
     SELECT gen_random_uuid(), v.contact_id, v.state::jsonb, v.turn, $1, $2, 'completed', v.at, v.at
     FROM unnest($3::uuid[], $4::text[], $5::int[], $6::timestamptz[]) AS v(contact_id, state, turn, at)`,
    [ctx.entryFlow.id, String(ctx.entryFlow.version), ...columns(rows, ["contactId", "state", "turn", "at"])],
  );
}

async function insertRuns(tx: SqlTx, people: readonly PretendPerson[]): Promise<void> {
  const runs = people.flatMap((p) => p.runs.map((r) => ({ ...r, contactId: p.contactId, flowVersion: String(r.flowVersion) })));
  if (runs.length === 0) return;
  await tx.query(
    `INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::survey_run_status[], $6::timestamptz[], $7::timestamptz[])`,
    columns(runs, ["runId", "contactId", "flowId", "flowVersion", "status", "startedAt", "completedAt"]),
  );
  // The answers' columns as answer-recorded.ts fills them, as arrays like the rest. A choice is itself
  // an array (value_choices), which unnest can't carry per row: it travels joined by commas (option
  // ids are lower_snake_case) and is split again.
  const answers = people.flatMap((p) =>
    p.runs.flatMap((r) =>
      r.answers.map((a) => {
        const v = valueColumns(a.value);
        return {
          contactId: p.contactId,
          runId: r.runId,
          flowId: r.flowId,
          flowVersion: String(r.flowVersion),
          question: a.question,
          result: a.result,
          ...v,
          choices: v.value_choices.join(","),
          skipped: a.skipped,
          language: p.language,
          at: a.at,
        };
      }),
    ),
  );
  await tx.query(
    `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number,
       value_choices, value_date, value_place, skipped, language, answered_at)
     SELECT gen_random_uuid(), a.contact_id, a.run_id, a.flow_id, a.flow_version, a.question, a.result_name, a.kind, a.value_text,
       a.value_number, CASE WHEN a.choices = '' THEN '{}'::text[] ELSE string_to_array(a.choices, ',') END, a.value_date, a.value_place,
       a.skipped, a.language, a.answered_at
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::answer_kind[], $8::text[], $9::float8[],
       $10::text[], $11::date[], $12::text[], $13::boolean[], $14::text[], $15::timestamptz[])
       AS a(contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number, choices, value_date,
         value_place, skipped, language, answered_at)`,
    columns(answers, [
      "contactId",
      "runId",
      "flowId",
      "flowVersion",
      "question",
      "result",
      "kind",
      "value_text",
      "value_number",
      "choices",
      "value_date",
      "value_place",
      "skipped",
      "language",
      "at",
    ]),
  );
}

// The columns a real turn writes for the value (src/effects/answer-recorded.ts).
function valueColumns(v: AnswerValue | null): { kind: string; value_text: string | null; value_number: number | null; value_choices: string[]; value_date: string | null; value_place: string | null } {
  const c = answerColumns(v);
  return { kind: c.kind, value_text: c.text, value_number: c.number, value_choices: c.choices, value_date: c.date, value_place: c.place };
}

/** How many pretend people there are now, by territory and by language (erased ones not counted). */
export async function pretendPeopleCounts(sql: Sql): Promise<{ total: number; byTerritory: Record<string, number>; byLanguage: Record<string, number> }> {
  const { rows } = await sql.query<{ territory: string | null; language: string; n: string }>(
    `SELECT territory_id AS territory, language, count(*) AS n FROM contacts
     WHERE id BETWEEN $1::uuid AND $2::uuid AND status <> 'erased' GROUP BY 1, 2`,
    [...PRETEND_ID_RANGE],
  );
  const byTerritory: Record<string, number> = {};
  const byLanguage: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    total += n;
    byTerritory[r.territory ?? "none"] = (byTerritory[r.territory ?? "none"] ?? 0) + n;
    byLanguage[r.language] = (byLanguage[r.language] ?? 0) + n;
  }
  return { total, byTerritory, byLanguage };
}

/**
 * Remove every pretend person: their contacts (identities, sessions, runs and answers go with them)
 * and their feedback, which an erasure would otherwise leave unlinked. Real people are untouched:
 * only ids of the pretend form (version 8, PRETEND_ID_PREFIX) and feedback whose event id starts
 * with PRETEND_FEEDBACK_PREFIX match.
 */
export async function removePretendPeople(sql: Sql): Promise<{ contacts: number; feedback: number }> {
  return sql.transaction(async (tx) => {
    const feedback = await tx.query("DELETE FROM feedback WHERE source_event_id LIKE $1", [`${PRETEND_FEEDBACK_PREFIX}${PRETEND_ID_PREFIX}%`]);
    const contacts = await tx.query("DELETE FROM contacts WHERE id BETWEEN $1::uuid AND $2::uuid", [...PRETEND_ID_RANGE]);
    return { contacts: contacts.rowCount ?? 0, feedback: feedback.rowCount ?? 0 };
  });
}

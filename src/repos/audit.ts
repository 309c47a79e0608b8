// The audit log: who did what to which broadcast, meeting or contact. Subjects are opaque ids and
// details never hold personal data.
import type { Sql } from "../db/index.ts";

/** Write one audit row. */
export async function writeAudit(sql: Sql, actor: string, action: string, subject: string | null, details: Record<string, unknown> = {}): Promise<void> {
  await sql.query("INSERT INTO audit_log (id, actor, action, subject, details) VALUES (gen_random_uuid(), $1, $2, $3, $4)", [actor, action, subject, JSON.stringify(details)]);
}

import type { Sql } from "../db/index.ts";

/** What became of one broadcast message to one person. */
export type DeliveryStatus = "queued" | "sent" | "failed" | "skipped_opted_out";

/** Record what became of one broadcast delivery (every try counts as an attempt). */
export async function recordDelivery(sql: Sql, id: string, status: DeliveryStatus, error: string | null = null, providerMessageId: string | null = null): Promise<void> {
  await sql.query(
    `UPDATE deliveries SET status = $2::delivery_status, attempts = attempts + 1, error = COALESCE($3, error),
       provider_message_id = COALESCE($4, provider_message_id), updated_at = now() WHERE id = $1`,
    [id, status, error, providerMessageId],
  );
}

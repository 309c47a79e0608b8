import type { OutboxItem } from "../jobs/outbox.ts";
import type { HandOverContext } from "./effect.ts";

/** An event handed to the ingest queue, with who and where it happened (derived data: counts, feedback, RSVPs). */
export function ingestItem(name: string, data: Record<string, unknown>, e: { run: string; flow: string }, ctx: HandOverContext): OutboxItem {
  const { session } = ctx;
  const territory = session.contact.fields.territory;
  const payload = {
    contactId: ctx.contactId,
    language: session.contact.language,
    ...(territory ? { territory } : {}),
    at: ctx.settings.now().toISOString(),
    name,
    data,
    flow: e.flow,
    run: e.run,
  };
  return { id: `${ctx.key}/e${ctx.index}`, kind: "ingest", payload };
}

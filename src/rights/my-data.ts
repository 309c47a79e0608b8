import type { Sql } from "../db/index.ts";
import { answerDataRequests, type TurnCompleter } from "../effects/data-requested.ts";
import type { FlowSource } from "../engine/index.ts";
import type { Texts } from "../i18n/texts.ts";
import { heldSummary } from "../repos/contact-data.ts";
import { SUMMARY_TOPICS, summaryMessages, summaryOfSession } from "./summary.ts";

/** MY DATA answered from the stakeholder database (`sql`), or, without one, from the session alone. */
export function myDataReplies(sql: Sql | undefined, texts: Texts, flows: FlowSource): TurnCompleter {
  return answerDataRequests(
    async (contactId) => (sql ? heldSummary(sql, contactId, SUMMARY_TOPICS) : undefined),
    (summary, session) => summaryMessages(summary, session.contact.language, texts, flows),
    summaryOfSession,
  );
}

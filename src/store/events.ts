import type { AnswerValue, Event, Session } from "../engine/index.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ContactPreference } from "../generated/prisma/enums.ts";

type Tx = Prisma.TransactionClient;

/** Apply a turn's events to the stakeholder tables, inside the turn's transaction. */
export async function applyEvents(tx: Tx, contactId: string, session: Session, events: readonly Event[], now: Date): Promise<void> {
  const contact: Prisma.ContactUpdateInput = { lastSeenAt: now };
  for (const e of events) {
    switch (e.type) {
      case "flow.started":
        await tx.surveyRun.create({
          data: { runId: e.run, contactId, flowId: e.flow, flowVersion: String(e.version), startedAt: now },
        });
        break;
      case "flow.completed":
        await tx.surveyRun.updateMany({ where: { runId: e.run }, data: { status: "completed", completedAt: now } });
        break;
      case "flow.exited":
        await tx.surveyRun.updateMany({ where: { runId: e.run, status: "in_progress" }, data: { status: "abandoned" } });
        break;
      case "answer.recorded": {
        const value = answerColumns(e.value);
        await tx.answer.upsert({
          where: { runId_question: { runId: e.run, question: e.question } },
          create: {
            contactId,
            runId: e.run,
            flowId: e.flow,
            flowVersion: String(e.version),
            question: e.question,
            resultName: e.result,
            skipped: e.skipped,
            language: e.lang,
            answeredAt: new Date(e.at),
            ...value,
          },
          update: { skipped: e.skipped, language: e.lang, answeredAt: new Date(e.at), ...value },
        });
        break;
      }
      case "answer.cleared":
        await tx.answer.deleteMany({ where: { runId: e.run, question: e.question } });
        break;
      case "consent.given":
        contact.consentVersion = e.version;
        contact.consentAt = new Date(e.at);
        break;
      case "consent.declined":
        // Nothing is kept without consent: the runs (and their answers) go.
        await tx.surveyRun.deleteMany({ where: { runId: { in: e.discard } } });
        contact.consentVersion = null;
        contact.consentAt = null;
        break;
      case "contact.changed":
        await contactField(tx, contact, e.field, e.value);
        break;
      case "contact.stopped":
        contact.status = "stopped";
        break;
      case "contact.resumed":
        contact.status = "active";
        break;
      default:
        break;
    }
  }
  // The language may also have come from the channel on first contact.
  contact.language = session.contact.language;
  await tx.contact.update({ where: { id: contactId }, data: contact });
}

const PREFERENCE: Record<string, ContactPreference> = { yes: "all", no: "none", all: "all", direct_only: "direct_only", none: "none" };

async function contactField(tx: Tx, contact: Prisma.ContactUpdateInput, field: string, value: string): Promise<void> {
  if (field === "territory") {
    // Only territories the project works in link the contact; "other" and free text leave it unset.
    const known = await tx.territory.findUnique({ where: { id: value }, select: { id: true } });
    contact.territory = known ? { connect: { id: value } } : { disconnect: true };
  } else if (field === "contact_pref" && PREFERENCE[value]) {
    contact.contactPreference = PREFERENCE[value];
  }
}

/** An answer's typed value as the answers table's columns. */
export function answerColumns(v: AnswerValue | null): Omit<Prisma.AnswerUncheckedCreateInput, "contactId" | "runId" | "flowId" | "flowVersion" | "question" | "resultName" | "language" | "answeredAt" | "skipped"> {
  const empty = { valueText: null, valueNumber: null, valueChoices: [], valueDate: null, valueLat: null, valueLon: null, valuePlace: null, mediaRef: null };
  if (!v) return { kind: "text", ...empty };
  switch (v.kind) {
    case "text":
      return { ...empty, kind: "text", valueText: v.text };
    case "number":
      return { ...empty, kind: "number", valueNumber: v.number };
    case "choice":
      return { ...empty, kind: "choice", valueChoices: v.choices };
    case "date":
      return { ...empty, kind: "date", valueDate: new Date(`${v.date}T00:00:00Z`) };
    case "location":
      return { ...empty, kind: "location", valueLat: v.lat ?? null, valueLon: v.lon ?? null, valuePlace: v.place ?? null };
    case "media":
      return { ...empty, kind: "media", mediaRef: v.ref };
  }
}

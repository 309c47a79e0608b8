import type { Prisma } from "../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/** What an erasure removed, in numbers only. */
export interface ErasureReport {
  answers: number;
  feedback: number;
  identities: number;
}

/**
 * Erase a contact: identities (addresses), answers, survey runs, sessions, RSVPs and pending outbox
 * go with the contact row; feedback stays for the task force but loses its text and every link to
 * the person. Counts per territory stay, pointing at no one. The audit log says who erased, and
 * how much, never what.
 */
export async function eraseContact(tx: Tx, contactId: string, actor: string): Promise<ErasureReport | undefined> {
  const exists = await tx.contact.findUnique({ where: { id: contactId }, select: { id: true } });
  if (!exists) return undefined;
  const [answers, identities] = await Promise.all([
    tx.answer.count({ where: { contactId } }),
    tx.channelIdentity.count({ where: { contactId } }),
  ]);
  const feedback = await tx.feedback.updateMany({ where: { contactId }, data: { text: null, mediaRef: null, contactId: null } });
  await tx.contact.delete({ where: { id: contactId } });
  const report = { answers, feedback: feedback.count, identities };
  await tx.auditLog.create({ data: { actor, action: "erase", subject: contactId, details: { ...report } } });
  return report;
}

import type { IdentityVault } from "../db/crypto.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import { newSession, Session } from "../engine/index.ts";
import {
  DuplicateDeliveryError,
  StaleTurnError,
  isKnownContact,
  type Address,
  type ConversationStore,
  type Who,
  type Delivery,
  type OutboxItem,
  type StoredSession,
  type TurnRecord,
  turnKey,
} from "../conversation/store.ts";
import { eraseContact } from "./erase.ts";
import { applyEvents } from "./events.ts";

/** Conversations in the stakeholder database: one transaction per turn. */
export class PrismaConversationStore implements ConversationStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vault: IdentityVault,
    private readonly now: () => Date = () => new Date(),
  ) {}

  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  async open(who: Who, language: string): Promise<StoredSession | undefined> {
    if (isKnownContact(who)) {
      const row = await this.prisma.contact.findUnique({ where: { id: who.contactId }, select: { language: true, session: { select: { state: true, turn: true } } } });
      if (!row) return undefined;
      return { contactId: who.contactId, session: readState(row.session?.state) ?? { ...newSession(row.language), turn: row.session?.turn ?? 0 } };
    }
    const address = who;
    const addressHash = this.vault.hashAddress(address.channel, address.id);
    const where = { channel_addressHash: { channel: address.channel, addressHash } };
    const found = await this.prisma.channelIdentity.findUnique({
      where,
      select: { contactId: true, contact: { select: { session: { select: { state: true, turn: true } } } } },
    });
    if (found) {
      const stored = found.contact.session;
      // An unreadable session (a format from another version) starts afresh, at the stored turn.
      const session = readState(stored?.state) ?? { ...newSession(language), turn: stored?.turn ?? 0 };
      return { contactId: found.contactId, session };
    }
    try {
      const contact = await this.prisma.contact.create({
        data: { language, identities: { create: { channel: address.channel, addressHash, addressEncrypted: this.vault.encrypt(address.id) } } },
        select: { id: true },
      });
      return { contactId: contact.id, session: newSession(language) };
    } catch (e) {
      // The same person's other message created the contact a moment ago: use it.
      if (isUniqueViolation(e)) {
        const again = await this.prisma.channelIdentity.findUniqueOrThrow({ where, select: { contactId: true } });
        return { contactId: again.contactId, session: newSession(language) };
      }
      throw e;
    }
  }

  async saveTurn(r: TurnRecord): Promise<void> {
    const { session, events } = r.turn;
    const now = this.now();
    await this.prisma.$transaction(async (tx) => {
      if (r.delivery) {
        const { count } = await tx.processedMessage.createMany({
          data: [{ channel: r.delivery.channel, providerMessageId: r.delivery.messageId }],
          skipDuplicates: true,
        });
        if (count === 0) throw new DuplicateDeliveryError(r.delivery);
      }
      if (events.some((e) => e.type === "erasure.requested")) {
        await eraseContact(tx, r.contactId, "contact");
        return;
      }
      await writeSession(tx, r.contactId, r.previousTurn, session);
      await applyEvents(tx, r.contactId, session, events, now);
      if (r.outbox.length > 0) {
        await tx.outboxItem.createMany({
          data: r.outbox.map((o) => ({
            id: o.id,
            turnKey: turnKey(r.contactId, session.turn, r.delivery),
            contactId: r.contactId,
            kind: o.kind,
            payload: o.payload as Prisma.InputJsonValue,
            dueAt: o.dueAt ? new Date(o.dueAt) : null,
          })),
        });
      }
    });
  }

  async replay(delivery: Delivery): Promise<OutboxItem[] | undefined> {
    const seen = await this.prisma.processedMessage.findUnique({
      where: { channel_providerMessageId: { channel: delivery.channel, providerMessageId: delivery.messageId } },
      select: { processedAt: true },
    });
    if (!seen) return undefined;
    const items = await this.prisma.outboxItem.findMany({ where: { turnKey: turnKey("", 0, delivery) }, orderBy: { id: "asc" } });
    return items.map((i) => ({
      id: i.id,
      kind: i.kind,
      payload: i.payload as Record<string, unknown>,
      ...(i.dueAt ? { dueAt: i.dueAt.toISOString() } : {}),
    }));
  }
}

async function writeSession(tx: Prisma.TransactionClient, contactId: string, previousTurn: number, session: Session): Promise<void> {
  const data = {
    state: session as unknown as Prisma.InputJsonValue,
    turn: session.turn,
    flowId: session.runs[0]?.flow ?? "",
    flowVersion: String(session.runs[0]?.version ?? ""),
    status: session.status === "stopped" ? ("ended" as const) : session.status === "completed" ? ("completed" as const) : session.wait ? ("waiting" as const) : ("active" as const),
  };
  const { count } = await tx.session.updateMany({ where: { contactId, turn: previousTurn }, data });
  if (count === 1) return;
  if (previousTurn === 0) {
    try {
      // Savepoint-free: a unique violation aborts the transaction, which is what a lost race should do.
      await tx.session.create({ data: { contactId, ...data } });
      return;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  throw new StaleTurnError(contactId, previousTurn);
}

/** The engine's session from the stored JSON; undefined when absent or unreadable (the person starts afresh). */
function readState(state: unknown): Session | undefined {
  if (state === undefined || state === null) return undefined;
  const parsed = Session.safeParse(state);
  return parsed.success ? parsed.data : undefined;
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";
}

import type { ChannelName } from "../channel/contract.ts";
import type { Session, Turn } from "../engine/index.ts";
import type { OutboxItem } from "../jobs/outbox.ts";

/** Who a conversation is with, as a channel knows them. Addresses never leave the store unprotected. */
export interface Address {
  channel: ChannelName;
  /** The channel's id for the person: chat id, phone number, terminal user name. */
  id: string;
}

/** A contact already known by id (timers): no address needed. */
export interface KnownContact {
  contactId: string;
  /** The channel to answer on. */
  channel: ChannelName;
}

/** Whom a turn is for: an address from a channel, or a known contact. */
export type Who = Address | KnownContact;

/** The receipt of an inbound message: written with its turn, so a repeat of the message is recognised. */
export interface Receipt {
  channel: ChannelName;
  /** Opaque: the provider's id hashed (`IdentityVault.hashMessageId`), as some ids contain addresses. */
  messageId: string;
}


/** A session as stored, with the contact it belongs to. */
export interface StoredSession {
  contactId: string;
  session: Session;
  /** When the latest timer queued for this contact fires (ISO 8601), if the store keeps track. */
  timerDueAt?: string;
}

/** Everything a turn writes, atomically. */
export interface TurnRecord {
  contactId: string;
  /** The turn the session was at when loaded: the write happens only if it still is. */
  previousTurn: number;
  turn: Turn<Session>;
  receipt?: Receipt;
  outbox: OutboxItem[];
}

/** Somebody else wrote the same conversation first: load again and redo the turn. */
export class StaleTurnError extends Error {
  override readonly name = "StaleTurnError";
  constructor(
    readonly contactId: string,
    readonly expectedTurn: number,
  ) {
    super(`session of contact ${contactId} moved past turn ${expectedTurn}`);
  }
}

/** The message was already processed (by another worker, a moment ago): its receipt exists. */
export class DuplicateReceiptError extends Error {
  override readonly name = "DuplicateReceiptError";
  constructor(readonly receipt: Receipt) {
    super(`${receipt.channel} message ${receipt.messageId} was already processed`);
  }
}

/**
 * Where conversations live between turns. `saveTurn` is atomic: the session, the answers, the
 * contact's changes, the message's receipt and the outbox are stored together or not at all, and
 * only if nobody saved a turn of this contact in between.
 */
export interface ConversationStore {
  /** The session of an address (creating the contact on first contact) or of a known contact (undefined once erased). */
  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  /** Store a turn; throws StaleTurnError or DuplicateReceiptError and then stores nothing. */
  saveTurn(record: TurnRecord): Promise<void>;
  /** The outbox of a message already processed (to hand over again), or undefined if it never was. */
  replay(receipt: Receipt): Promise<OutboxItem[] | undefined>;
}

/** The key of a turn in outbox ids and queue job ids (no ":"): its message, or the contact and turn number. */
export function turnKey(contactId: string, turn: number, receipt?: Receipt): string {
  return receipt ? `${receipt.channel}-${receipt.messageId}` : `${contactId}-${turn}`;
}

export function isKnownContact(who: Who): who is KnownContact {
  return "contactId" in who;
}

import type { ChannelName } from "../channel/contract.ts";
import type { Session, Turn } from "../engine/index.ts";

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

/** One delivery of an inbound message by a channel: a repeat of it is recognised. */
export interface Delivery {
  channel: ChannelName;
  /** Opaque: the provider's id hashed (`IdentityVault.hashDelivery`), as some ids contain addresses. */
  messageId: string;
}

/** Something a turn leaves for later, stored with the turn and handed to a queue after commit. */
export interface OutboxItem {
  /** Deterministic (`<turn key>/<what>`): the queue job id, so handing it over twice never duplicates it. */
  id: string;
  kind: "outbound" | "ingest" | "timer";
  payload: Record<string, unknown>;
  /** Timers: when to fire, ISO 8601. */
  dueAt?: string;
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
  delivery?: Delivery;
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

/** The delivery was already processed (by another worker, a moment ago). */
export class DuplicateDeliveryError extends Error {
  override readonly name = "DuplicateDeliveryError";
  constructor(readonly delivery: Delivery) {
    super(`${delivery.channel} message ${delivery.messageId} was already processed`);
  }
}

/**
 * Where conversations live between turns. `saveTurn` is atomic: the session, the answers, the
 * contact's changes, the delivery's receipt and the outbox are stored together or not at all, and
 * only if nobody saved a turn of this contact in between.
 */
export interface ConversationStore {
  /** The session of an address (creating the contact on first contact) or of a known contact (undefined once erased). */
  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  /** Store a turn; throws StaleTurnError or DuplicateDeliveryError and then stores nothing. */
  saveTurn(record: TurnRecord): Promise<void>;
  /** The outbox of a delivery already processed (to hand over again), or undefined if it never was. */
  replay(delivery: Delivery): Promise<OutboxItem[] | undefined>;
}

/** The key of a turn in outbox ids and queue job ids (no ":"): its delivery, or the contact and turn number. */
export function turnKey(contactId: string, turn: number, delivery?: Delivery): string {
  return delivery ? `${delivery.channel}-${delivery.messageId}` : `${contactId}-${turn}`;
}

export function isKnownContact(who: Who): who is KnownContact {
  return "contactId" in who;
}

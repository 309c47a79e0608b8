import type { Session, Turn } from "../engine/index.ts";

/** Who a conversation is with, as a channel knows them. Addresses never leave the store unprotected. */
export interface Address {
  channel: "terminal" | "telegram" | "whatsapp";
  /** The channel's id for the person: chat id, phone number, terminal user name. */
  id: string;
}

/** A session as stored, with the contact it belongs to. */
export interface StoredSession {
  contactId: string;
  session: Session;
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

/**
 * Where conversations live between turns. `saveTurn` is atomic: the session, the answers and the
 * events of a turn are stored together or not at all, and only if nobody saved a turn in between.
 */
export interface ConversationStore {
  /** The session of an address, creating the contact on first contact. */
  open(address: Address, language: string): Promise<StoredSession & { created: boolean }>;
  /** Store a turn if the stored session is still at `previousTurn`; else throw StaleTurnError. */
  saveTurn(contactId: string, previousTurn: number, turn: Turn<Session>): Promise<void>;
}

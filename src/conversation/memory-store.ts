import { erasesContact } from "../effects/erasure-requested.ts";
import { newSession, type Event, type Session } from "../engine/index.ts";
import {
  DuplicateReceiptError,
  StaleTurnError,
  isKnownContact,
  type Address,
  type ConversationStore,
  type Who,
  type Receipt,
  type StoredSession,
  type TurnRecord,
} from "./store.ts";
import type { OutboxItem } from "../jobs/outbox.ts";

/** Conversations in memory: for tests, benchmarks and a chat that needn't remember. */
export class MemoryStore implements ConversationStore {
  private readonly contacts = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private readonly receipts = new Map<string, OutboxItem[]>();
  /** Every event saved, in order, so tests can see what a host would have applied. */
  readonly events: Array<{ contactId: string; event: Event }> = [];
  private nextId = 1;

  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  async open(who: Who, language: string): Promise<StoredSession | undefined> {
    if (isKnownContact(who)) {
      const session = this.sessions.get(who.contactId);
      return session ? { contactId: who.contactId, session } : undefined;
    }
    const address = who;
    const key = `${address.channel}:${address.id}`;
    let contactId = this.contacts.get(key);
    if (contactId === undefined) {
      contactId = `contact-${this.nextId++}`;
      this.contacts.set(key, contactId);
    }
    return { contactId, session: this.sessions.get(contactId) ?? newSession(language) };
  }

  async saveTurn(r: TurnRecord): Promise<void> {
    const receiptKey = r.receipt && `${r.receipt.channel}:${r.receipt.messageId}`;
    if (receiptKey && this.receipts.has(receiptKey)) throw new DuplicateReceiptError(r.receipt as Receipt);
    if ((this.sessions.get(r.contactId)?.turn ?? 0) !== r.previousTurn) throw new StaleTurnError(r.contactId, r.previousTurn);
    if (erasesContact(r.turn.events)) {
      this.sessions.delete(r.contactId);
      for (const [k, v] of this.contacts) if (v === r.contactId) this.contacts.delete(k);
    } else this.sessions.set(r.contactId, r.turn.session);
    if (receiptKey) this.receipts.set(receiptKey, r.outbox);
    for (const event of r.turn.events) this.events.push({ contactId: r.contactId, event });
  }

  async replay(receipt: Receipt): Promise<OutboxItem[] | undefined> {
    return this.receipts.get(`${receipt.channel}:${receipt.messageId}`);
  }
}

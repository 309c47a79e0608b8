import { newSession, type Event, type Session, type Turn } from "../engine/index.ts";
import { StaleTurnError, type Address, type ConversationStore, type StoredSession } from "./store.ts";

/** Conversations in memory: for tests, benchmarks and a chat that needn't remember. */
export class MemoryStore implements ConversationStore {
  private readonly contacts = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  /** Every event saved, in order, so tests can see what a host would have applied. */
  readonly events: Array<{ contactId: string; event: Event }> = [];
  private nextId = 1;

  async open(address: Address, language: string): Promise<StoredSession & { created: boolean }> {
    const key = `${address.channel}:${address.id}`;
    let contactId = this.contacts.get(key);
    const created = contactId === undefined;
    if (contactId === undefined) {
      contactId = `contact-${this.nextId++}`;
      this.contacts.set(key, contactId);
    }
    return { contactId, session: this.sessions.get(contactId) ?? newSession(language), created };
  }

  async saveTurn(contactId: string, previousTurn: number, turn: Turn<Session>): Promise<void> {
    const stored = this.sessions.get(contactId);
    if ((stored?.turn ?? 0) !== previousTurn) throw new StaleTurnError(contactId, previousTurn);
    this.sessions.set(contactId, turn.session);
    for (const event of turn.events) this.events.push({ contactId, event });
  }
}

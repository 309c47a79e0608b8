import { resume, type EngineContext, type Input, type Session, type Turn } from "../engine/index.ts";
import { StaleTurnError, type Address, type ConversationStore } from "./store.ts";

/** What one input led to, for the caller to deliver. */
export interface Reply extends Turn<Session> {
  contactId: string;
  /** The turn was stored (false when the input changed nothing, e.g. after STOP). */
  saved: boolean;
}

// Two inputs of one person racing each other: the loser loads again and redoes its turn.
const MAX_ATTEMPTS = 5;

/** The host of the engine: load a person's session, move it on by one input, store the turn. */
export class Conversations {
  constructor(
    private readonly engine: EngineContext,
    private readonly store: ConversationStore,
  ) {}

  /** Take one input from a person; the language hint (from the channel) is used for new contacts only. */
  async receive(address: Address, input: Input, languageHint?: string): Promise<Reply> {
    const language = languageHint && this.engine.languages.includes(languageHint) ? languageHint : (this.engine.languages[0] ?? "en");
    for (let attempt = 1; ; attempt++) {
      const { contactId, session } = await this.store.open(address, language);
      const turn = resume(session, input, this.engine);
      if (turn.session === session) return { contactId, ...turn, saved: false };
      try {
        await this.store.saveTurn(contactId, session.turn, turn);
        return { contactId, ...turn, saved: true };
      } catch (e) {
        if (!(e instanceof StaleTurnError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }
}

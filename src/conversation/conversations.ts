import type { TurnCompleter } from "../effects/data-requested.ts";
import type { OutboxPlanner } from "../effects/registry.ts";
import { resume, type EngineContext, type Input, type Session, type Turn } from "../engine/index.ts";
import {
  DuplicateReceiptError,
  StaleTurnError,
  turnKey,
  type ConversationStore,
  type Who,
  type Receipt,
} from "./store.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { BroadcastDelivery } from "../jobs/jobs.ts";

/** What one input led to, for the caller to deliver. */
export interface Reply {
  /** Undefined for a repeated delivery (nothing was loaded). */
  contactId: string | undefined;
  /** The session after the turn; undefined for a repeated delivery. */
  session: Session | undefined;
  messages: Turn<Session>["messages"];
  events: Turn<Session>["events"];
  /** The turn was stored (false when the input changed nothing, e.g. after STOP, or was a repeat). */
  saved: boolean;
  /** The message had been processed before: nothing was done again; `outbox` is the first time's. */
  duplicate: boolean;
  /** What the turn left for later (messages to send, events to ingest, timers), already stored. */
  outbox: OutboxItem[];
}

export interface ReceiveOptions {
  /** The channel's guess of the language, used for new contacts only. */
  language?: string;
  /** The receipt of the message this input came in: a repeat of it is recognised and not applied twice. */
  receipt?: Receipt;
  /** The person's inbound shard, for the planner. */
  shard?: number;
  /** The input is a broadcast's start of a flow: the turn's messages are that broadcast's copy (bulk). */
  delivery?: BroadcastDelivery;
}

// Two inputs of one person racing each other: the loser loads again and redoes its turn.
const MAX_ATTEMPTS = 5;

/** Adds what the engine can't know to an input before the turn (an event's title from the database); `contactId` is whose turn it is. */
export type InputPreparer = (input: Input, session: Session, contactId?: string) => Promise<Input>;

/** The host of the engine: load a person's session, move it on by one input, store the turn and its outbox. */
export class Conversations {
  constructor(
    private readonly engine: EngineContext,
    private readonly store: ConversationStore,
    private readonly plan: OutboxPlanner = () => [],
    private readonly prepare: InputPreparer = async (input) => input,
    private readonly complete: TurnCompleter = async (turn) => turn,
  ) {}

  /** Take one input from a person (an address), or for a known contact (a timer); nothing happens for an erased contact. */
  async receive(who: Who, input: Input, options: ReceiveOptions = {}): Promise<Reply> {
    const { receipt } = options;
    const hint = options.language && this.engine.languages.includes(options.language) ? options.language : undefined;
    const language = hint ?? this.engine.languages[0] ?? "en";
    // A repeated delivery is caught when its receipt is written (the turn then rolls back and the
    // first time's outbox is handed back): no lookup before every turn for the rare repeat.
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.open(who, language);
      if (!stored) return { contactId: undefined, session: undefined, messages: [], events: [], saved: false, duplicate: false, outbox: [] };
      const { contactId, session, timerDueAt } = stored;
      const turn = await this.complete(resume(session, await this.prepare(input, session, contactId), this.engine), contactId);
      // Nothing changed (after STOP, a stale timer): nothing to store. A repeat of it changes nothing either.
      if (turn.session === session) return { contactId, ...turn, saved: false, duplicate: false, outbox: [] };
      const outbox = this.plan(turn, { contactId, channel: who.channel, key: turnKey(contactId, turn.session.turn, receipt), shard: options.shard ?? 0, ...(timerDueAt ? { timerDueAt } : {}), ...(options.delivery ? { delivery: options.delivery } : {}) });
      try {
        await this.store.saveTurn({ contactId, previousTurn: session.turn, turn, ...(receipt ? { receipt } : {}), outbox });
        return { contactId, ...turn, saved: true, duplicate: false, outbox };
      } catch (e) {
        if (e instanceof DuplicateReceiptError) return repeat((await this.store.replay(e.receipt)) ?? []);
        if (!(e instanceof StaleTurnError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }
}

function repeat(outbox: OutboxItem[]): Reply {
  return { contactId: undefined, session: undefined, messages: [], events: [], saved: false, duplicate: true, outbox };
}

import type { Session, Turn } from "../engine/index.ts";
import type { Message } from "../engine/index.ts";
import type { HeldSummary } from "../repos/contact-data.ts";
import type { EffectOf } from "./effect.ts";

/**
 * MY DATA: nothing written, nothing handed over by the event itself. The host read the person's
 * summary and put the reply among the turn's messages before the turn was stored (`answerDataRequests`,
 * through `Conversations`), so it is queued as every reply is: in the turn's outbox, in order, before
 * the question asked again.
 */
export const dataRequested: EffectOf<"data.requested"> = {};

/** Fills in, before a turn is stored, what its events asked the host to read; the turn as it was when none did. */
export type TurnCompleter = (turn: Turn<Session>, contactId: string) => Promise<Turn<Session>>;

/**
 * The completer of MY DATA: for each `data.requested` of a turn, the person's summary (`read`, through
 * src/repos; undefined for a person not stored yet) rendered by `render`, put where the engine asked.
 */
export function answerDataRequests(read: (contactId: string) => Promise<HeldSummary | undefined>, render: (summary: HeldSummary, session: Session) => Message[], fallback: (session: Session) => HeldSummary): TurnCompleter {
  return async (turn, contactId) => {
    if (!asksForData(turn)) return turn;
    const summary = (await read(contactId)) ?? fallback(turn.session);
    return withDataReplies(turn, render(summary, turn.session));
  };
}

/** Whether a turn asked for the person's data. */
export function asksForData(turn: Turn<Session>): boolean {
  return turn.events.some((e) => e.type === "data.requested");
}

/** The turn with `reply` put where each `data.requested` of it asked. */
export function withDataReplies(turn: Turn<Session>, reply: readonly Message[]): Turn<Session> {
  const at = turn.events.flatMap((e) => (e.type === "data.requested" ? [e.at] : []));
  if (at.length === 0) return turn;
  const messages = [...turn.messages];
  // From the last to the first, so the positions before each stay true.
  for (const i of at.sort((a, b) => b - a)) messages.splice(i, 0, ...reply);
  return { ...turn, messages };
}

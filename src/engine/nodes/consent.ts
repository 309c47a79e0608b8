import { readYesNo, type Said } from "../answers/index.ts";
import { qualifyKey, type ConsentNode, type Flow } from "../definition/flow.ts";
import { newSession } from "../session.ts";
import type { Sprint } from "../sprint.ts";
import { yesNoChoices } from "./question.ts";
import { startWait } from "./wait.ts";

/** Show the consent note and wait for yes or no. */
export function enterConsent(s: Sprint, flow: Flow, id: string, node: ConsentNode): undefined {
  askConsent(s, flow, id, node);
  return startWait(s, id);
}

export function askConsent(s: Sprint, flow: Flow, id: string, node: ConsentNode): void {
  s.say(qualifyKey(flow, node.text), s.params(node.params), { choices: yesNoChoices(), node: id, expects: "choice" });
}

/**
 * Yes: record consent and go on. No: end the conversation and forget the person: the runs in
 * progress are discarded and the host is asked to erase the contact (address, session, everything),
 * as DELETE does. Nothing of someone who said no is kept, not even that they said no.
 */
export function answerConsent(s: Sprint, flow: Flow, id: string, node: ConsentNode, said: Said): string | undefined {
  const run = s.run;
  if (!run) return undefined;
  const answer = readYesNo(said, s.answerEnv(flow));
  if (answer === "yes") {
    s.session.wait = null;
    s.setField("consent", node.version);
    s.emit({ type: "consent.given", run: run.id, flow: run.flow, version: node.version, at: s.now });
    return node.next;
  }
  if (answer === "no") {
    const runs = s.exitAll("declined");
    s.emit({ type: "consent.declined", run: run.id, flow: run.flow, version: node.version, discard: runs });
    s.emit({ type: "erasure.requested" });
    s.say(node.declined ? qualifyKey(flow, node.declined) : "session:consent_declined");
    // The session the host would keep, if it kept one: a stranger's, in the language just chosen.
    Object.assign(s.session, newSession(s.lang), { turn: s.session.turn });
    return undefined;
  }
  s.say("hints:yes_no");
  askConsent(s, flow, id, node);
  return undefined;
}

import { readYesNo, type Said } from "../answers/index.ts";
import { qualifyKey, type ConsentNode, type Flow } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";
import { yesNoChoices } from "./question.ts";
import { startWait } from "./walk.ts";

/** Show the consent note and wait for yes or no. */
export function enterConsent(s: Sprint, flow: Flow, id: string, node: ConsentNode): undefined {
  askConsent(s, flow, id, node);
  return startWait(s, id);
}

export function askConsent(s: Sprint, flow: Flow, id: string, node: ConsentNode): void {
  s.say(qualifyKey(flow, node.text), s.params(node.params), { choices: yesNoChoices(), node: id, expects: "choice" });
}

/**
 * Yes: record consent and go on. No: end the conversation and tell the host to discard every
 * answer of the runs in progress (nothing is stored without consent).
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
    s.say(node.declined ? qualifyKey(flow, node.declined) : "session:consent_declined");
    s.session.status = "completed";
    return undefined;
  }
  s.say("hints:yes_no");
  askConsent(s, flow, id, node);
  return undefined;
}

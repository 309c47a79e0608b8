// `consent`: show the consent note and wait for yes or no.
import { z } from "zod";
import { readYesNo, type Said } from "../answers/index.ts";
import { NodeId, qualifyKey, TextKey, TextParams } from "../definition/parts.ts";
import { valuesAnswers } from "../definition/refers.ts";
import { newSession } from "../session.ts";
import { nodeKind, type At, type NodeSprint } from "./kind.ts";
import { yesNoChoices } from "./question.ts";
import { startWait } from "./wait.ts";

export const ConsentNode = z
  .object({
    type: z.literal("consent"),
    text: TextKey,
    params: TextParams,
    version: z.string().min(1).describe("version of the consent note, stored with the consent"),
    next: NodeId,
    declined: TextKey.optional().describe("text sent when the person declines; the flow then ends"),
  })
  .strict();
export type ConsentNode = z.infer<typeof ConsentNode>;

export const consent = nodeKind(ConsentNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  answers: (node, out) => valuesAnswers(node.params, out),
  texts: (node) => [{ via: "text", key: node.text }, ...(node.declined ? [{ via: "declined", key: node.declined }] : [])],
  enter(s, at, node) {
    askConsent(s, at, node);
    return startWait(s, at.id);
  },
  ask: askConsent,
  answer: answerConsent,
});

/** Send the consent note (again), with Yes and No. */
function askConsent(s: NodeSprint, at: At, node: ConsentNode): void {
  s.say(qualifyKey(at.flow, node.text), s.params(node.params), { choices: yesNoChoices(), node: at.id, expects: "choice" });
}

/**
 * Yes: record consent and go on. No: end the conversation and forget the person: the runs in
 * progress are discarded and the host is asked to erase the contact (address, session, everything),
 * as DELETE does. Nothing of someone who said no is kept, not even that they said no.
 */
function answerConsent(s: NodeSprint, at: At, node: ConsentNode, said: Said): string | undefined {
  const run = s.run;
  if (!run) return undefined;
  const answer = readYesNo(said, s.answerEnv(at.flow));
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
    s.say(node.declined ? qualifyKey(at.flow, node.declined) : "session:consent_declined");
    // The session the host would keep, if it kept one: a stranger's, in the language just chosen.
    Object.assign(s.session, newSession(s.lang), { turn: s.session.turn });
    return undefined;
  }
  s.say("hints:yes_no");
  askConsent(s, at, node);
  return undefined;
}

// Consent before anything, whatever the way in: every flow a person starts (the entry flow, a deep
// link's flow, a menu's sub-flow, a broadcast's button, a question's timeout walking on) begins here.
import { startNode, type Flow } from "./definition/flow.ts";
import { EngineError } from "./errors.ts";
import type { Sprint } from "./sprint.ts";
import type { EngineContext } from "./context.ts";

const DEFAULT_CONSENT_FLOW = "onboarding";

/**
 * The flow that asks for consent and the version of its note (the current one). Without a consent
 * flow named in the context, `onboarding` is it when it is loaded and has a consent note; a named one
 * must be both (the app names it, so a missing or broken one stops the app instead of letting
 * people in unasked).
 */
export function consentGate(ctx: EngineContext): { flow: Flow; version: string } | undefined {
  const id = ctx.consentFlow ?? DEFAULT_CONSENT_FLOW;
  const flow = ctx.flows.get(id);
  if (!flow) {
    if (ctx.consentFlow === undefined) return undefined;
    throw new EngineError("unknown_consent_flow", `consent flow "${id}" is not loaded`, { flow: id });
  }
  for (const node of Object.values(flow.nodes)) if (node.type === "consent") return { flow, version: node.version };
  if (ctx.consentFlow === undefined) return undefined;
  throw new EngineError("unknown_consent_flow", `consent flow "${id}" has no consent node`, { flow: id });
}

/**
 * Begin a run of `flow` on top of the stack and return the node to walk from. A person who has not
 * accepted the current consent note gets the consent flow instead, with `flow` (and its params) put
 * off until that run completes (see `enterEnd`): nothing of `flow` runs, nor is started, before.
 */
export function beginFlow(s: Sprint, flow: Flow, params: Record<string, string>): string {
  const gate = consentGate(s.ctx);
  if (gate && flow.id !== gate.flow.id && s.session.contact.fields.consent !== gate.version) {
    const start = startNode(gate.flow);
    // The consent flow sees the link's params too (a `lang` chosen before, a territory).
    const run = s.pushRun(gate.flow, start, params);
    run.then = { flow: flow.id, params };
    return start;
  }
  const start = startNode(flow);
  s.pushRun(flow, start, params);
  return start;
}

// The moves on the run stack node kinds ask the walk for: entering a flow and completing a run.
// Here rather than in the kinds, because they need the flows loaded and the consent gate.
import { beginFlow } from "../consent-gate.ts";
import type { Flow, ValueRef } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";
import { fail } from "./fail.ts";
import type { At } from "./kind.ts";
import { kindOf } from "./registry.ts";

// A class: one is made for every node walked, and methods on a prototype cost nothing to make.
class Place implements At {
  constructor(
    private readonly s: Sprint,
    readonly flow: Flow,
    readonly id: string,
  ) {}

  enterFlow(flow: string, params?: Record<string, ValueRef>): string | undefined {
    return enterFlow(this.s, flow, params);
  }

  completeRun(): string | undefined {
    return completeRun(this.s);
  }
}

/** Where node `id` of `flow` runs, for its kind's handlers. */
export function placeOf(s: Sprint, flow: Flow, id: string): At {
  return new Place(s, flow, id);
}

/** Enter another flow on top of the stack (after the consent flow, if consent is missing); undefined if it can't be. */
function enterFlow(s: Sprint, id: string, given?: Record<string, ValueRef>): string | undefined {
  const flow = s.ctx.flows.get(id);
  if (!flow) return fail(s, "missing_flow", `flow "${id}" is not loaded`);
  if (s.session.runs.length >= s.maxDepth) return fail(s, "depth_limit", `more than ${s.maxDepth} flows deep entering "${id}"`);
  const params = { ...(s.run?.params ?? {}) };
  if (given) passOn(s, params, given);
  return beginFlow(s, flow, params);
}

/**
 * Set the params a `flow` node gives over those the sub-flow inherits. A param given replaces the
 * inherited one in every language (an `event_title@ar` left behind would win over the new title in
 * Arabic), and one given from a param takes that param's languages along (`mine_1_title@ar`).
 * A value that resolves to nothing is given as empty (not `answered`): a param is read through the
 * enclosing runs too, and another meeting's `event_full` there must not show through.
 */
function passOn(s: Sprint, params: Record<string, string>, given: Record<string, ValueRef>): void {
  for (const [name, ref] of Object.entries(given)) {
    for (const k of Object.keys(params)) if (k === name || k.startsWith(`${name}@`)) delete params[k];
    if (typeof ref === "object" && "param" in ref) {
      params[name] = "";
      const from = [...s.session.runs].reverse().find((r) => r.params[ref.param] !== undefined)?.params;
      if (!from) continue;
      for (const [k, v] of Object.entries(from)) {
        if (k === ref.param) params[name] = v;
        else if (k.startsWith(`${ref.param}@`)) params[`${name}${k.slice(ref.param.length)}`] = v;
      }
      continue;
    }
    const v = s.resolve(ref);
    params[name] = v === undefined ? "" : String(v);
  }
}

/**
 * Complete the innermost run; enter the flow it was put in front of (consent first), or go back to
 * the flow that entered it, or complete the session.
 */
function completeRun(s: Sprint): string | undefined {
  const run = s.session.runs.pop();
  if (run) s.emit({ type: "flow.completed", run: run.id, flow: run.flow, version: run.version });
  s.session.wait = null;
  const then = run?.then && s.ctx.flows.get(run.then.flow);
  // Where the person was going: it takes this run's place (and asks for consent again if it wasn't given).
  if (run?.then && then) return beginFlow(s, then, run.then.params);
  const parent = s.run;
  if (!parent) {
    s.session.status = "completed";
    return undefined;
  }
  const parentFlow = s.flowOf(parent);
  const at = parentFlow?.nodes[parent.node];
  // The parent stands at the `flow` node that entered this run, or at the question a link
  // interrupted: its kind says where to go on.
  if (!parentFlow || !at) return undefined;
  return kindOf(at).resume?.(s, placeOf(s, parentFlow, parent.node), at);
}

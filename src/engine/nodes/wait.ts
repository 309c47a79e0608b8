import type { NodeSprint } from "./kind.ts";

/** Start waiting at a question or consent node. */
export function startWait(s: NodeSprint, id: string, timeout?: number): undefined {
  s.session.wait = { node: id, attempts: 0, since: s.now, reminded: false };
  s.emit(timeout ? { type: "wait.started", node: id, turn: s.session.turn, timeout } : { type: "wait.started", node: id, turn: s.session.turn });
  return undefined;
}

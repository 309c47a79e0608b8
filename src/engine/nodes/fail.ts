import type { Sprint } from "../sprint.ts";

/** Mistakes inside flow content end the conversation politely and become an error event, never a crash. */
export function fail(s: Sprint, code: "step_limit" | "depth_limit" | "missing_flow" | "missing_node", detail: string): undefined {
  s.emit({ type: "error", code, detail });
  s.exitAll("error");
  s.session.status = "completed";
  s.session.dialog = null;
  s.say("session:error");
  return undefined;
}

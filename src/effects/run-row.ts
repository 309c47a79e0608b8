import type { RunRow, WriteContext } from "./effect.ts";

/** A survey run's row change. */
export function runRow(e: { run: string; flow: string; version?: number }, op: RunRow["op"], ctx: WriteContext): RunRow {
  return { contact_id: ctx.contactId, run_id: e.run, op, flow_id: e.flow, flow_version: String(e.version ?? ""), at: ctx.now };
}

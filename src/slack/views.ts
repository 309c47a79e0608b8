// Small builders for Block Kit, and the one way modals open here: at once (Slack's trigger_id lasts 3
// seconds), with a "loading" view, then filled once the database has answered.
import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { section } from "../digests/index.ts";

// The blocks a message is made of, one set for digests, notices and the app's views.
export { context, header, section } from "../digests/index.ts";

/** Plain text for a Block Kit field (Slack caps most at 75 or 150 characters). */
export const plain = (text: string, max = 150) => ({ type: "plain_text" as const, text: cut(text, max), emoji: true });
export const option = (text: string, value: string): PlainTextOption => ({ text: plain(text, 75), value });

/** Text cut to `max` characters with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A modal with a title, blocks and (optionally) a submit button. */
export function modal(o: { callbackId: string; title: string; blocks: KnownBlock[]; submit?: string; close?: string; metadata?: string; notifyOnClose?: boolean }): View {
  return {
    type: "modal",
    callback_id: o.callbackId,
    title: plain(o.title, 24),
    ...(o.submit ? { submit: plain(o.submit, 24) } : {}),
    close: plain(o.close ?? "Close", 24),
    blocks: o.blocks,
    ...(o.metadata ? { private_metadata: o.metadata } : {}),
    ...(o.notifyOnClose ? { notify_on_close: true } : {}),
  };
}

/** A modal saying only `text` (a refusal, an error). */
export const notice = (title: string, text: string): View => modal({ callbackId: "notice", title, blocks: [section(text)] });

/**
 * Open a modal now (within the trigger's 3 seconds) showing "Loading…", then replace it with what
 * `fill` makes (a form, or a refusal). An error in `fill` shows in the modal, not as silence.
 */
export async function openThenFill(client: WebClient, triggerId: string, title: string, fill: () => Promise<View>): Promise<void> {
  const opened = await client.views.open({ trigger_id: triggerId, view: modal({ callbackId: "loading", title, blocks: [section("_Loading…_")] }) });
  const id = opened.view?.id;
  if (!id) return;
  let view: View;
  try {
    view = await fill();
  } catch (e) {
    view = notice(title, `Something went wrong: ${(e as Error).message}`);
  }
  await client.views.update({ view_id: id, view });
}

/** The values of a submitted view, by block id then action id, as plain strings (or lists). */
export function formValues(state: { values: Record<string, Record<string, FormValue>> }): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [block, actions] of Object.entries(state.values)) {
    for (const v of Object.values(actions)) {
      out[block] =
        v.value ??
        v.selected_option?.value ??
        v.selected_options?.map((o) => o.value) ??
        v.selected_date ??
        v.selected_time ??
        (v.selected_date_time !== undefined && v.selected_date_time !== null ? new Date(v.selected_date_time * 1000).toISOString() : undefined) ??
        undefined;
      if (out[block] === null) out[block] = undefined;
    }
  }
  return out;
}

/** One input's state in a view submission. */
export interface FormValue {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  selected_date?: string | null;
  selected_time?: string | null;
  selected_date_time?: number | null;
}

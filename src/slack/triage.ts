// Feedback triage from Slack: the buttons under each feedback item (in a digest or a new-feedback
// notice) set its status and edit the message to say who did what and when; "Reply" opens a modal
// whose text reaches the person through the bot.
import type { App, BlockButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { excerptOf, slackEscaped, triageOutcomeBlock } from "../digests/index.ts";
import { FeedbackNotFoundError, FeedbackReplyError, REPLY_MAX, replyToFeedback, showFeedback, triageFeedback, type FeedbackContext } from "../feedback/index.ts";
import type { Log } from "../log/log.ts";
import { REFUSALS, type Permissions } from "./permissions.ts";
import { context, modal, notice, openThenFill, section } from "./views.ts";

const TRIAGE = /^triage_(forwarded|resolved|not_for_us)$/;
const LANGUAGE_NAMES: Record<string, string> = { en: "English", it: "Italian", ar: "Arabic", fa: "Farsi", uk: "Ukrainian", ti: "Tigrinya", fr: "French" };

/** Register the triage buttons and the reply modal on `app`. */
export function registerTriage(app: App, ctx: FeedbackContext, permissions: Permissions, log: Log): void {
  app.action<BlockButtonAction>(TRIAGE, async ({ ack, body, action, client, respond }) => {
    await ack();
    const id = action.value ?? "";
    const status = (TRIAGE.exec(action.action_id)?.[1] ?? "") as "forwarded" | "resolved" | "not_for_us";
    const user = body.user.id;
    try {
      const item = await showFeedback(ctx, id);
      if (!(await permissions.mayActIn(user, item.slack_channel))) {
        await respond({ response_type: "ephemeral", replace_original: false, text: REFUSALS.member });
        return;
      }
      const done = await triageFeedback(ctx, id, status, `slack:${user}`);
      const message = body.message;
      const channel = body.channel?.id;
      if (!message || !channel) return;
      const outcome = triageOutcomeBlock({ status, by: user, at: done.triaged_at ?? new Date(), timeZone: done.time_zone ?? "UTC", language: done.task_force_language ?? "en" });
      const blocks = (message.blocks as KnownBlock[]).map((b) => (b.block_id === `triage:${id}` ? outcome : b));
      await client.chat.update({ channel, ts: message.ts, blocks, text: String(message.text ?? "") });
    } catch (e) {
      log.warn(`slack: triage of feedback ${id} failed: ${(e as Error).message}`);
      await respond({ response_type: "ephemeral", replace_original: false, text: e instanceof FeedbackNotFoundError ? "This feedback no longer exists." : "Sorry, that didn't work; try again in a moment." });
    }
  });

  app.action<BlockButtonAction>("triage_reply", async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    await openThenFill(client, body.trigger_id, "Reply", async () => {
      const item = await showFeedback(ctx, id);
      if (!(await permissions.mayActIn(body.user.id, item.slack_channel))) return notice("Reply", REFUSALS.member);
      if (!item.can_reply) return notice("Reply", "This person can't be answered any more: they stopped, or deleted their data.");
      const language = LANGUAGE_NAMES[item.language] ?? item.language;
      return modal({
        callbackId: "feedback_reply",
        title: "Reply",
        submit: "Send",
        metadata: JSON.stringify({ id, channel: body.channel?.id, ts: body.message?.ts }),
        blocks: [
          // What the digest shows of it: addresses, numbers and a name given masked, escaped for Slack.
          section(`*Feedback* (${item.category}, ${language}):\n>${slackEscaped(excerptOf(item.text) ?? "")}`),
          {
            type: "input",
            block_id: "reply",
            label: { type: "plain_text", text: "Your reply" },
            element: { type: "plain_text_input", action_id: "text", multiline: true, max_length: REPLY_MAX },
          },
          context(
            `The bot sends it to the person in a message framed in ${language} ("A reply from ${item.task_force_name ?? "your task force"} to the feedback you sent us:"), ` +
              "but *your text itself goes exactly as you write it*: write in a language they read, simply. They never see your name.",
          ),
        ],
      });
    });
  });

  app.view<ViewSubmitAction>("feedback_reply", async ({ ack, view, body, client }) => {
    const meta = JSON.parse(view.private_metadata || "{}") as { id?: string; channel?: string; ts?: string };
    const text = view.state.values.reply?.text?.value ?? "";
    try {
      await replyToFeedback(ctx, meta.id ?? "", text, `slack:${body.user.id}`);
    } catch (e) {
      if (e instanceof FeedbackReplyError) return void (await ack({ response_action: "errors", errors: { reply: e.message } }));
      throw e;
    }
    await ack();
    if (meta.channel) {
      await client.chat.postEphemeral({ channel: meta.channel, user: body.user.id, text: "Your reply is on its way to the person (within a minute, or after quiet hours on their clock)." });
    }
  });
}

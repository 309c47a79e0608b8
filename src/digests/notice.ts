// A new-feedback notice: the feedback a task force has not been shown yet, gathered in one message,
// each piece with its triage buttons (the same blocks as in a digest).
import { feedbackItem, type DigestsContext } from "./build.ts";
import type { FeedbackItem } from "./digest.ts";
import { say } from "./format.ts";
import { context, feedbackItemBlocks, header, type KnownBlock } from "./slack.ts";

/** The notice for these pieces of feedback (ids), `more` still waiting after them. */
export async function feedbackNotice(
  ctx: Pick<DigestsContext, "sql" | "texts">,
  tf: { name: string; language: string },
  ids: readonly string[],
  more: number,
): Promise<{ text: string; blocks: KnownBlock[] }> {
  const items = (await Promise.all(ids.map((id) => feedbackItem(ctx, id, tf.language)))).filter((i): i is FeedbackItem & { taskForceId: string | null; territoryId: string | null } => i !== null);
  const title = say(tf.language, "notice.title", { taskForce: tf.name, n: items.length });
  const blocks: KnownBlock[] = [header(title), ...items.flatMap((i) => feedbackItemBlocks(i, tf.language))];
  if (more > 0) blocks.push(context(say(tf.language, "notice.more", { n: more })));
  return { text: title, blocks };
}

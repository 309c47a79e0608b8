// Task forces' digests: what a digest holds (built from the database), and how it is shown — as text
// for a terminal, as a Slack message with triage buttons, and as a chart. Import from here.
export { buildDigest, feedbackItem, findTaskForce, lastWeek, listTaskForces, previousStart, topicName, ITEMS_PER_TOPIC, MEETINGS_LISTED, type DigestRequest, type DigestsContext, type DigestTaskForce } from "./build.ts";
export { Digest, FeedbackItem, FeedbackStatus, FEEDBACK_STATUSES, type Compared } from "./digest.ts";
export { digestText, digestHeading } from "./text.ts";
export { context, digestMessage, feedbackItemBlocks, header, section, triageOutcomeBlock, triageBlockId, SLACK_LIMITS, TRIAGE_ACTIONS, type KnownBlock } from "./slack.ts";
export { needsChart, needsChartSpec, chartFonts, svgToPng, CHART_FONT_FILES, type Chart, type ChartFonts } from "./chart.ts";
export { NEED_CATEGORIES, NEED_SIGNS, NEEDS_FLOW, PRIORITY_RESULT, type NeedCategory, type NeedSign } from "./needs.ts";
export { countText, excerptOf, maskNames, mrkdwn as slackEscaped, staffTexts, EXCERPT_CHARS } from "./format.ts";
export { feedbackNotice } from "./notice.ts";
export { AmbiguousTaskForceError, DigestPeriodError, TaskForceNotFoundError, type KnownTaskForce } from "./errors.ts";

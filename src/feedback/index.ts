// The feedback service's public surface: import from here.
export { replyToFeedback, showFeedback, triageFeedback, Triage, REPLY_MAX, type FeedbackContext, type FeedbackItem } from "./feedback.ts";
export { FeedbackNotFoundError, FeedbackReplyError } from "./errors.ts";

// The conversation-flow engine: pure, channel-free, storage-free. One way in.
export { resume } from "./engine.ts";
export { newSession, Session, Run, Wait, AnswerValue, Answered, ContactState, SESSION_FORMAT } from "./session.ts";
export { Input } from "./io.ts";
export type { Choice, Event, EventType, Message, Params, Turn } from "./io.ts";
export type { EngineContext, FlowSource, Lexicon } from "./context.ts";
export { EngineError } from "./errors.ts";
export { consentGate } from "./consent-gate.ts";
export { holds, type Facts } from "./conditions.ts";
export * from "./definition/flow.ts";
export { GLOBAL_COMMANDS, QUESTION_COMMANDS, commandButton } from "./commands.ts";
export { parseAnswer, dateIn } from "./answers/index.ts";
export type { AnswerEnv, Parsed, Said, Hint } from "./answers/index.ts";
export { Reader, wordsOf } from "./text/reader.ts";
export { normalize, asciiDigits } from "./text/normalize.ts";

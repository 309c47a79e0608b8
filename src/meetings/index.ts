// The meetings service's public surface: import from here.
export { cancelMeeting, createMeeting, listMeetings, showMeeting, updateMeeting, MeetingChanges, MeetingFilter, NewMeeting, type Meeting, type MeetingsContext } from "./meetings.ts";
export { MeetingCancelledError, MeetingChangedError, MeetingInputError, MeetingNotFoundError, type MeetingProblem } from "./errors.ts";
export { LOCAL_TIME_FORMAT, localTimeOf } from "./local-time.ts";
export type { RsvpCounts } from "../repos/meetings.ts";

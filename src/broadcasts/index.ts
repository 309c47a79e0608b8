// The broadcasts service's public surface: import from here.
export {
  broadcastProgress,
  cancelBroadcast,
  confirmBroadcast,
  createBroadcast,
  listBroadcasts,
  pauseBroadcast,
  previewBroadcast,
  resumeBroadcast,
  showBroadcast,
  NewBroadcast,
  type Broadcast,
  type BroadcastsContext,
  type Preview,
  type Progress,
} from "./broadcasts.ts";
export { BroadcastInputError, BroadcastNotFoundError, BroadcastStateError, type BroadcastProblem } from "./errors.ts";
export { Segment } from "./segment.ts";

import { z } from "zod";
import { ChannelName, MAX_MEDIA_REF_BYTES, oversizedMediaRef } from "../channel/contract.ts";
import { Input, type Message } from "../engine/index.ts";

/** Which delivery of a broadcast, and which release of it (a pause hands it back; a later release is another job). */
export const BroadcastDelivery = z.object({ id: z.string(), release: z.number().int().min(1) });
export type BroadcastDelivery = z.infer<typeof BroadcastDelivery>;

/**
 * A message from a person, on its way to the engine. The address travels sealed (AES-GCM with the
 * identity key) and the provider's id hashed, so Redis holds no phone number or chat id in clear.
 */
export const InboundJob = z.object({
  channel: ChannelName,
  /** The sealed address (base64), or, for timers, the contact id instead. */
  sealedAddress: z.string().optional(),
  contactId: z.string().optional(),
  /** Hashed provider message id (`IdentityVault.hashMessageId`): the dedupe key, its receipt's id. */
  messageId: z.string().optional(),
  /** A media reference over MAX_MEDIA_REF_BYTES is refused (the job fails for good, unread). */
  input: Input.refine((input) => !oversizedMediaRef(input), `a media reference is at most ${MAX_MEDIA_REF_BYTES} bytes`),
  language: z.string().optional(),
  at: z.string(),
  /** A broadcast starting a flow for this person (`input` is its start): claimed before the turn. */
  delivery: BroadcastDelivery.optional(),
});
export type InboundJob = z.infer<typeof InboundJob>;

/** A message of the engine (`Message`) as an outbound job carries it: checked when the job is read back. */
const OutboundMessage = z.object({
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  lang: z.string(),
  choices: z.array(
    z.object({
      id: z.string(),
      key: z.string(),
      lang: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      n: z.number().optional(),
    }),
  ),
  node: z.string().optional(),
  expects: z.enum(["choice", "multiple_choice", "location", "text", "number", "date", "voice_or_text"]).optional(),
  optional: z.boolean().optional(),
});

/** Messages for one person, sent in order; `sent` records progress so a retry resumes after what went out. */
export const OutboundJob = z.object({
  channel: ChannelName,
  contactId: z.string().optional(),
  /** When the database can't be reached to find the address (a last "please try again"). */
  sealedAddress: z.string().optional(),
  messages: z.array(OutboundMessage).min(1),
  priority: z.enum(["reply", "bulk"]),
  sent: z.number().int().min(0).default(0),
  /** A broadcast's copy for this person: its ledger row is claimed before the send and settled after. */
  delivery: BroadcastDelivery.extend({
    /** queued: a text, sent as it is; started: the message of a flow's turn the broadcast began. */
    from: z.enum(["queued", "started"]),
  }).optional(),
});
export type OutboundJob = z.infer<typeof OutboundJob>;

/** Something that happened in a conversation, to process into the stakeholder tables. */
export const IngestJob = z.object({
  contactId: z.string(),
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  flow: z.string(),
  run: z.string(),
  language: z.string(),
  territory: z.string().optional(),
  at: z.string(),
});
export type IngestJob = z.infer<typeof IngestJob>;

/** A timer set by a turn: when it fires, the contact gets a timeout input in their own order. */
export const TimerJob = z.object({
  contactId: z.string(),
  channel: ChannelName,
  turn: z.number().int(),
  shard: z.number().int().min(0),
});
export type TimerJob = z.infer<typeof TimerJob>;

// The job's message schema and the engine's Message type are one shape: a change to either that the
// other doesn't follow fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof OutboundMessage>, Message> = true;
void sameShape;

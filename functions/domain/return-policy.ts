import * as z from "zod/mini";
import "./schema.js";
import { ValidationError } from "./errors.js";
import { toFieldIssues } from "./order-schema.js";

/** Why a customer sends something back (a fixed set, so reports can count them). */
export const RETURN_REASONS = ["size-too-small", "size-too-large", "defective", "damaged-in-transit", "wrong-item", "not-as-described", "unwanted", "not-received", "other"] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

const days = (max: number) => z.int().check(z.gte(1), z.lte(max));
const minor = z.int("must be an integer amount in minor units").check(z.gte(0, "must not be negative"));
const id = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

/** PUT /returns/policies/{channel} body: a channel's return policy (every field has a default). */
export const returnPolicySchema = z.strictObject({
  /** Days after delivery (or collection) within which a unit may be returned. */
  windowDays: z._default(z.int().check(z.gte(0), z.lte(365)), 30),
  /** Days the customer has to hand a ship-back return to the carrier (or bring it in); then it EXPIRES. */
  shipWithinDays: z._default(days(90), 14),
  /** Days a return in transit may take to arrive before an alert (and an operator may mark it lost). */
  receiveWithinDays: z._default(days(120), 21),
  /** Days an approval may wait; then the return is declined. */
  approvalTimeoutDays: z._default(days(30), 7),
  nonReturnableSkus: z._default(z.array(id).check(z.maxLength(1000)), []),
  /** Percent of each unit's paid amount kept when the customer is at fault (waived for merchant-fault reasons). */
  restockingFeePercent: z._default(z.int().check(z.gte(0), z.lte(100)), 0),
  /** Minor units kept per ship-back return when the customer is at fault (in the order's currency). */
  returnShippingFee: z._default(minor, 0),
  /** Returns above this refund (minor units), or for these reasons, wait for an operator's approval. */
  approval: z._default(z.strictObject({ above: z.optional(minor), reasons: z._default(z.array(z.enum(RETURN_REASONS)), []) }), { reasons: [] }),
  /** Refunds at or below this (minor units) may be returnless: refunded without the goods. Absent: no returnless refunds. */
  returnlessBelow: z.optional(minor),
  /** Locations that may receive this channel's returns (absent: any location that can receive returns). */
  receivingLocations: z.optional(z.array(id).check(z.minLength(1), z.maxLength(200))),
});
export type ReturnPolicyInput = z.infer<typeof returnPolicySchema>;

/** A channel's return policy as stored: versioned like routing rules. */
export type ReturnPolicy = ReturnPolicyInput & { channel: string; version: number; updatedAt?: string; updatedBy?: string };

/** A policy body, or ValidationError naming each bad field. */
export function parseReturnPolicy(body: unknown): ReturnPolicyInput {
  const parsed = returnPolicySchema.safeParse(body);
  if (!parsed.success) throw new ValidationError("Invalid return policy", toFieldIssues(parsed.error));
  return parsed.data;
}

/** The policy a channel has before anyone set one (version 0): 30 days, no fees, no approval, no returnless refunds. */
export const defaultReturnPolicy = (channel: string): ReturnPolicy => ({ channel, version: 0, ...returnPolicySchema.parse({}) });

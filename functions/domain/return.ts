import * as z from "zod/mini";
import "./schema.js";
import { ConflictError, DomainError, InvalidTransitionError } from "./errors.js";
import type { Customer } from "./order.js";
import { moneySchema, quantitySchema, skuSchema } from "./order-schema.js";
import { computeRefund, merchantFault, type RefundBreakdown } from "./refund.js";
import { RETURN_REASONS } from "./return-policy.js";

/**
 * Where a return is. REQUESTED: eligible and recorded; PENDING_APPROVAL: the policy wants an
 * operator's yes; AWAITING_GOODS: label booked (ship-back) or expected at the counter (in-store);
 * IN_TRANSIT: the carrier has it; RECEIVED: some units arrived, not all inspected; ACCEPTED:
 * every unit is accounted for (inspected, declared missing, returnless or lost), the money is
 * next; MANUAL_REFUND_REQUIRED: the provider kept failing, an operator must act; CLOSED: settled.
 * DECLINED, EXPIRED (nothing shipped in time) and CANCELLED end it without money.
 */
export const RETURN_STATUSES = ["REQUESTED", "PENDING_APPROVAL", "AWAITING_GOODS", "IN_TRANSIT", "RECEIVED", "ACCEPTED", "MANUAL_REFUND_REQUIRED", "CLOSED", "DECLINED", "EXPIRED", "CANCELLED"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

/** The allowed edges of a return; nothing moves along an edge missing here. */
export const RETURN_TRANSITIONS: Readonly<Record<ReturnStatus, readonly ReturnStatus[]>> = {
  REQUESTED: ["PENDING_APPROVAL", "AWAITING_GOODS", "ACCEPTED", "CANCELLED"],
  PENDING_APPROVAL: ["AWAITING_GOODS", "ACCEPTED", "DECLINED", "CANCELLED"],
  AWAITING_GOODS: ["IN_TRANSIT", "RECEIVED", "ACCEPTED", "EXPIRED", "CANCELLED"],
  // Lost in transit: an operator accepts the units unseen.
  IN_TRANSIT: ["RECEIVED", "ACCEPTED"],
  RECEIVED: ["ACCEPTED"],
  ACCEPTED: ["CLOSED", "MANUAL_REFUND_REQUIRED"],
  MANUAL_REFUND_REQUIRED: ["CLOSED"],
  CLOSED: [],
  DECLINED: [],
  EXPIRED: [],
  CANCELLED: [],
};
export const canReturnTransition = (from: ReturnStatus, to: ReturnStatus): boolean => RETURN_TRANSITIONS[from].includes(to);

/** Statuses in which a return ended without goods or money: its units are free again for another return. */
export const ENDED_WITHOUT_GOODS: readonly ReturnStatus[] = ["DECLINED", "EXPIRED", "CANCELLED"];

export const RETURN_METHODS = ["ship-back", "in-store", "returnless"] as const;
export type ReturnMethod = (typeof RETURN_METHODS)[number];
export const RESOLUTIONS = ["refund", "store-credit", "exchange"] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
/** `regular`: the replacement ships once the goods are back; `advanced`: it ships at once, and is charged if they never come. */
export const EXCHANGE_MODES = ["regular", "advanced"] as const;
export type ExchangeMode = (typeof EXCHANGE_MODES)[number];
/** What becomes of an inspected unit: only `restock` goes back on hand; the rest is unsellable; `missing` never arrived. */
export const DISPOSITIONS = ["restock", "damaged", "refurbish", "return-to-vendor", "dispose", "missing"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const lineId = z.string().check(z.regex(/^\d{3}$/, "must be a line id such as 001"));

/** POST /orders/{orderId}/returns body. */
export const returnRequestSchema = z
  .strictObject({
    method: z.enum(RETURN_METHODS),
    /** in-store: the store that takes it back (it must be able to receive returns). */
    locationId: z.optional(text(64)),
    note: z.optional(text(1000)),
    /** How exchange lines are fulfilled (default regular: after the goods are back). */
    exchange: z.optional(z.strictObject({ mode: z._default(z.enum(EXCHANGE_MODES), "regular") })),
    lines: z
      .array(
        z.strictObject({
          lineId,
          quantity: quantitySchema,
          reason: z.enum(RETURN_REASONS),
          note: z.optional(text(500)),
          resolution: z._default(z.enum(RESOLUTIONS), "refund"),
          /** An exchange line's replacement: the SKU, its quantity (default: the quantity returned) and its unit price before tax (default: the returned line's). */
          replacement: z.optional(z.strictObject({ sku: skuSchema, quantity: z.optional(quantitySchema), unitPrice: z.optional(moneySchema) })),
        }),
      )
      .check(z.minLength(1, "must name at least one line"), z.maxLength(98)),
  })
  .check(
    z.superRefine((r, ctx) => {
      r.lines.forEach((l, i) => {
        if (l.resolution === "exchange" && !l.replacement) ctx.addIssue({ code: "custom", path: ["lines", i, "replacement"], message: "is required for an exchange (the SKU to send instead)" });
        if (l.resolution !== "exchange" && l.replacement) ctx.addIssue({ code: "custom", path: ["lines", i, "replacement"], message: "is only for lines resolved as exchange" });
      });
      if (r.exchange && !r.lines.some((l) => l.resolution === "exchange")) ctx.addIssue({ code: "custom", path: ["exchange"], message: "needs at least one line resolved as exchange" });
    }),
  );
export type ReturnRequest = z.infer<typeof returnRequestSchema>;

const counts = z.partialRecord(z.enum(DISPOSITIONS), z.int().check(z.gte(0), z.lte(100_000)));
/** POST /returns/{returnId}/events body: the receiving location's (or the carrier desk's) report. */
export const returnEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("received"), lines: z.array(z.strictObject({ lineId, quantity: z.int().check(z.gte(0), z.lte(100_000)), wrongItem: z._default(z.int().check(z.gte(0), z.lte(100_000)), 0) })).check(z.minLength(1), z.maxLength(98)) }),
  z.strictObject({ type: z.literal("inspected"), lines: z.array(z.strictObject({ lineId, dispositions: counts })).check(z.minLength(1), z.maxLength(98)) }),
  /** An operator: the parcel is lost in transit; the units are accepted unseen. */
  z.strictObject({ type: z.literal("lost"), note: z.optional(text(500)) }),
]);
export type ReturnEvent = z.infer<typeof returnEventSchema>;

/** One line of a return: the units it takes back (with the amounts they were paid at) and what happened to them. */
export interface ReturnLine {
  lineId: string;
  sku: string;
  quantity: number;
  reason: (typeof RETURN_REASONS)[number];
  note?: string;
  resolution: Resolution;
  /** Unit indexes within the order line, and each unit's paid amount (functions/domain/refund.ts): stored, never recomputed. */
  units: number[];
  unitNet: number[];
  /** Shipments the units were delivered in: the refund goes against their captures first. */
  shipmentIds: string[];
  received: number;
  wrongItem: number;
  dispositions: Partial<Record<Disposition, number>>;
  /** Units accepted without the goods: a returnless refund, a not-received claim, a parcel lost in transit. */
  unseen?: number;
  /** An exchange line: what the replacement order sends instead (unit price before tax, minor units). */
  replacement?: { sku: string; quantity: number; unitPrice: number };
}

/**
 * A return's exchange: the replacement is a real order (`exchangeOf` links it back), placed when
 * the return awaits its goods, fulfilled by the order workflow. `value` is its grand total,
 * `expected` what the exchanged units are worth (their stored amounts), `credit` the part of the
 * value they pay for: min(expected, value) when placed; for a regular exchange, min(accepted,
 * value) once the goods are inspected. The rest of the value is charged on the original payment
 * method before the replacement is released; what the accepted units are worth beyond the credit
 * is refunded; an advanced exchange whose goods never come (or come short) is charged the credit
 * they do not cover.
 */
export interface ReturnExchange {
  mode: ExchangeMode;
  externalOrderId: string;
  orderId?: string;
  value: number;
  expected: number;
  credit: number;
  status: "PENDING" | "PLACED" | "RELEASED" | "CANCELLED" | "SETTLED";
  /** Charged on the original payment method because the goods never came (or came short), once (key `exchange:<returnId>`). */
  charged?: { amount: number; captureId?: string; at: string; reason: string; declined?: string };
}

export interface ReturnChange {
  status: ReturnStatus;
  at: string;
  reason?: string;
}

/** A fact about a return the stream announces (detail type, when, and its data). */
export interface ReturnFact {
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

/** Stock effects of an inspection, applied exactly once (journal ids derive from `id`). */
export interface StockEffect {
  id: string;
  locationId: string;
  items: { sku: string; restock: number; unsellable: number }[];
  applied?: boolean;
}

export interface ReturnSettlement {
  breakdown: RefundBreakdown;
  /** The payment record's refund key: `return:<returnId>`. */
  key: string;
  status: "PLANNED" | "REFUNDED" | "FAILED" | "MANUAL" | "OWED_BY_CHANNEL";
  refundId?: string;
  storeCredit?: number;
  /** The exchange's money: what its accepted units were worth, the credit the replacement used, the rest refunded or charged. */
  exchange?: { accepted: number; credit: number; refund: number; charge: number };
  failures?: number;
  lastError?: string;
}

/** A return (RMA): one per request, `<orderId>-R<n>`, with its own workflow execution of that name. */
export interface Return {
  returnId: string;
  orderId: string;
  channel: string;
  externalOrderId: string;
  customer: Customer;
  currency: string;
  method: ReturnMethod;
  /** Where the goods go back to (chosen by distance for ship-back, the store for in-store). */
  locationId?: string;
  status: ReturnStatus;
  lines: ReturnLine[];
  note?: string;
  createdAt: string;
  updatedAt: string;
  history: ReturnChange[];
  facts: ReturnFact[];
  /** The policy version it was decided under, and the terms it keeps. */
  policy: { version: number; restockingFeePercent: number; returnShippingFee: number; shipWithinDays: number; receiveWithinDays: number; approvalTimeoutDays: number };
  needsApproval: boolean;
  /** The order's shipping is refunded with this return (merchant fault, or it takes back the last units). */
  shippingRefund: number;
  label?: { carrier: string; service: string; trackingNumber: string; createdAt: string; voidedAt?: string };
  effects: StockEffect[];
  settlement?: ReturnSettlement;
  exchange?: ReturnExchange;
  overdueAlerts?: number;
  idempotencyKey: string;
  requestHash: string;
  actor: string;
  /** Idempotency-Keys of the location reports applied (a redelivered report changes nothing). */
  eventKeys?: string[];
  version: number;
}

/** A return that the policy or the order does not allow: 409 naming each line and why. */
export class ReturnNotAllowedError extends DomainError {
  readonly code = "RETURN_NOT_ALLOWED";
}

/** The return moved to `to` (with a fact for the stream), or InvalidTransitionError. */
export function moveReturn(r: Return, to: ReturnStatus, at: string, reason?: string, fact?: ReturnFact): Return {
  if (!canReturnTransition(r.status, to)) throw new InvalidTransitionError(r.status, to);
  const change: ReturnChange = reason === undefined ? { status: to, at } : { status: to, at, reason };
  return { ...r, status: to, updatedAt: at, history: [...r.history, change], facts: fact ? [...r.facts, fact] : r.facts, version: r.version + 1 };
}

/** Units of a line not yet accounted for (neither inspected nor declared missing). */
const unaccounted = (l: ReturnLine) => l.quantity - (l.unseen ?? 0) - Object.values(l.dispositions).reduce((a, b) => a + (b ?? 0), 0);
/** True when every unit of every line is inspected or declared missing. */
export const fullyInspected = (r: Pick<Return, "lines">): boolean => r.lines.every((l) => unaccounted(l) === 0);

/** Units accepted for money: inspected with any disposition but `missing` (wrong items are never inspected in). */
export const acceptedUnits = (l: ReturnLine): number => l.quantity - (l.dispositions.missing ?? 0) - unaccounted(l);

/**
 * A location's report applied to the return. Received units add up (partial receipts loop);
 * inspection assigns a disposition per received unit, `missing` for what never came; once every
 * unit is accounted for the return is ACCEPTED. Returns the stock effect to apply once, if any.
 * A report that would count more units than the return holds is a conflict.
 */
export function applyReturnEvent(r: Return, event: ReturnEvent, at: string, key?: string): { next: Return; effect?: StockEffect } {
  if (key && r.eventKeys?.includes(key)) return { next: r };
  const out = applyNewEvent(r, event, at);
  return key ? { ...out, next: { ...out.next, eventKeys: [...(r.eventKeys ?? []), key].slice(-50) } } : out;
}

/** Accepts every unit unseen (returnless refunds, not-received claims): the return is ACCEPTED without goods. */
export function acceptUnseen(r: Return, at: string, reason: string): Return {
  return moveReturn({ ...r, lines: r.lines.map((l) => ({ ...l, unseen: l.quantity })) }, "ACCEPTED", at, reason);
}

function applyNewEvent(r: Return, event: ReturnEvent, at: string): { next: Return; effect?: StockEffect } {
  const byId = new Map(r.lines.map((l) => [l.lineId, l]));
  const unknown = event.type === "lost" ? [] : event.lines.filter((l) => !byId.has(l.lineId));
  if (unknown.length) throw new ConflictError(`Return ${r.returnId} has no line ${unknown.map((l) => l.lineId).join(", ")}`, { lines: unknown.map((l) => l.lineId) });
  if (event.type === "lost") {
    if (r.status !== "IN_TRANSIT") throw new ConflictError(`Return ${r.returnId} is ${r.status}: only a return in transit can be lost`, { status: r.status });
    // Lost by the carrier: what was not inspected is accepted unseen, nothing to restock.
    const next = { ...r, lines: r.lines.map((l) => ({ ...l, unseen: (l.unseen ?? 0) + unaccounted(l) })) };
    return { next: moveReturn(next, "ACCEPTED", at, event.note ?? "lost in transit", { type: "ReturnLost", at }) };
  }
  if (!["AWAITING_GOODS", "IN_TRANSIT", "RECEIVED"].includes(r.status)) throw new ConflictError(`Return ${r.returnId} is ${r.status}: it takes no ${event.type} report now`, { status: r.status });
  if (event.type === "received") {
    const lines = r.lines.map((l) => {
      const got = event.lines.find((e) => e.lineId === l.lineId);
      return got ? { ...l, received: l.received + got.quantity, wrongItem: l.wrongItem + got.wrongItem } : l;
    });
    const over = lines.filter((l) => l.received > l.quantity);
    if (over.length) throw new ConflictError(`More units received than the return holds on line ${over.map((l) => l.lineId).join(", ")}`, { lines: over.map((l) => ({ lineId: l.lineId, quantity: l.quantity, received: l.received })) });
    const received = { ...r, lines, updatedAt: at, version: r.version + 1, facts: [...r.facts, { type: "ReturnReceived", at, data: { lines: event.lines } }] };
    return { next: r.status === "RECEIVED" ? received : moveReturn({ ...received, version: r.version }, "RECEIVED", at) };
  }
  const lines = r.lines.map((l) => {
    const got = event.lines.find((e) => e.lineId === l.lineId);
    if (!got) return l;
    const dispositions = { ...l.dispositions };
    for (const [k, n] of Object.entries(got.dispositions)) dispositions[k as Disposition] = (dispositions[k as Disposition] ?? 0) + (n ?? 0);
    return { ...l, dispositions };
  });
  const over = lines.filter((l) => unaccounted(l) < 0 || acceptedUnits(l) > l.received - l.wrongItem);
  if (over.length) throw new ConflictError(`Inspection counts more units than were received on line ${over.map((l) => l.lineId).join(", ")}`, { lines: over.map((l) => ({ lineId: l.lineId, quantity: l.quantity, received: l.received, wrongItem: l.wrongItem, dispositions: l.dispositions })) });
  const items = event.lines.flatMap((e) => {
    const l = byId.get(e.lineId)!;
    const restock = e.dispositions.restock ?? 0;
    const unsellable = (e.dispositions.damaged ?? 0) + (e.dispositions.refurbish ?? 0) + (e.dispositions["return-to-vendor"] ?? 0);
    return restock + unsellable > 0 ? [{ sku: l.sku, restock, unsellable }] : [];
  });
  const effect = items.length && r.locationId ? { id: `${r.returnId}.i${r.effects.length + 1}`, locationId: r.locationId, items } : undefined;
  let next: Return = { ...r, lines, effects: effect ? [...r.effects, effect] : r.effects, updatedAt: at, version: r.version + 1, facts: [...r.facts, { type: "ReturnInspected", at, data: { lines: event.lines } }] };
  if (effect && effect.items.some((i) => i.restock > 0)) next = { ...next, facts: [...next.facts, { type: "ReturnRestocked", at, data: { locationId: effect.locationId, items: effect.items.filter((i) => i.restock > 0).map((i) => ({ sku: i.sku, quantity: i.restock })) } }] };
  if (fullyInspected(next)) next = moveReturn(next.status === "RECEIVED" ? next : moveReturn({ ...next, version: r.version }, "RECEIVED", at), "ACCEPTED", at);
  else if (next.status !== "RECEIVED") next = moveReturn({ ...next, version: r.version }, "RECEIVED", at);
  return { next, ...(effect ? { effect } : {}) };
}

/**
 * What a return is settled with, from the amounts stored on its units: the refund (lines to be
 * refunded) and the store credit (lines resolved as credit). Fees and the order's shipping go with
 * the refund when there is one, else with the credit; the return shipping fee only when the
 * customer is at fault.
 */
export function settlementOf(r: Pick<Return, "currency" | "lines" | "policy" | "shippingRefund">): { refund: RefundBreakdown; credit: RefundBreakdown } {
  const part = (lines: ReturnLine[]) => lines.map((l) => ({ lineId: l.lineId, reason: l.reason, accepted: l.unitNet.slice(0, acceptedUnits(l)) }));
  const refundLines = r.lines.filter((l) => l.resolution === "refund");
  const creditLines = r.lines.filter((l) => l.resolution === "store-credit");
  const fee = merchantFault(r.lines) ? 0 : r.policy.returnShippingFee;
  const terms = { restockingFeePercent: r.policy.restockingFeePercent, returnShippingFee: fee, shippingRefund: r.shippingRefund };
  const none = { restockingFeePercent: r.policy.restockingFeePercent, returnShippingFee: 0, shippingRefund: 0 };
  const first = refundLines.length > 0;
  return { refund: computeRefund(r.currency, part(refundLines), first ? terms : none), credit: computeRefund(r.currency, part(creditLines), first ? none : terms) };
}

/** What the accepted units of the exchange lines are worth (their stored amounts; exchanges pay no restocking or return shipping fee). */
export const exchangeAccepted = (r: Pick<Return, "lines">): number => r.lines.filter((l) => l.resolution === "exchange").reduce((n, l) => n + l.unitNet.slice(0, acceptedUnits(l)).reduce((a, b) => a + b, 0), 0);

/** `<orderId>-R<n>`: a return id names its order. */
export const orderIdOfReturn = (returnId: string): string | undefined => /^([0-9A-HJKMNP-TV-Z]{26})-R\d{1,3}$/.exec(returnId)?.[1];
export const returnIdFor = (orderId: string, n: number): string => `${orderId}-R${n}`;

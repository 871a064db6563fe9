// Suppliers and purchase orders: what a supplier sells each SKU at, and the life of an order to it
// from the planner's draft to the last unit received. Pure.
import * as z from "zod/mini";
import "./schema.js";
import { ConflictError, DomainError, ValidationError, type FieldIssue } from "./errors.js";
import { currencyCode, toFieldIssues } from "./order-schema.js";

const id = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, . _ -"));
const count = (min: number) => z.int("must be a whole number").check(z.gte(min, `must be at least ${min}`));
export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;

/** PUT /suppliers/{id} body. */
export const supplierSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  contact: z
    .strictObject({
      email: z.optional(z.email()),
      webhookUrl: z.optional(z.url({ protocol: /^https?$/ })),
      /** Signs the purchase orders sent to the webhook (x-oms-signature); never read back. */
      webhookSecret: z.optional(z.string().check(z.minLength(16), z.maxLength(200))),
    })
    .check(z.refine((c) => c.email !== undefined || c.webhookUrl !== undefined, "needs an email or a webhookUrl to send purchase orders to")),
  currency: currencyCode,
  leadTime: z.strictObject({ meanDays: z.number().check(z.gte(0), z.lte(365)), sdDays: z._default(z.number().check(z.gte(0), z.lte(365)), 0) }),
  /** The weekdays the supplier takes orders (its order calendar); every day when absent. */
  orderDays: z._default(z.array(z.enum(WEEKDAYS)).check(z.minLength(1), z.maxLength(7)), [...WEEKDAYS]),
  /** Cost of placing one order, minor units (EOQ's K). */
  orderCost: z.optional(count(0)),
  /** Purchase orders below this total (minor units) are approved as the planner drafts them. */
  autoApproveBelow: z._default(count(0), 0),
  /** Over- and under-receipts within this share of a line's quantity count as the line received. */
  receiptTolerance: z._default(z.number().check(z.gte(0), z.lte(1)), 0.05),
  skus: z
    .array(
      z.strictObject({
        sku: id,
        supplierSku: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        /** Unit price in minor units of the supplier's currency. */
        price: count(0),
        moq: z._default(count(1), 1),
        pack: z._default(count(1), 1),
        /** 1 = the preferred source of the SKU; a higher number is a fallback. */
        preference: z._default(count(1), 1),
        /** The locations this supplier delivers the SKU to; the first also takes the SKU's backorders. Every location when absent. */
        locations: z.optional(z.array(id).check(z.minLength(1), z.maxLength(100))),
      }),
    )
    .check(
      z.maxLength(5000),
      z.refine((l) => new Set(l.map((s) => s.sku)).size === l.length, "lists a SKU twice"),
    ),
});

export type SupplierInput = z.infer<typeof supplierSchema>;
export interface Supplier extends SupplierInput {
  supplierId: string;
  updatedAt: string;
  version: number;
}
export type SupplierSku = Supplier["skus"][number];

/** A supplier as the API shows it: the webhook secret is write-only. */
export const supplierView = ({ contact, ...s }: Supplier) => ({ ...s, contact: { ...(contact.email ? { email: contact.email } : {}), ...(contact.webhookUrl ? { webhookUrl: contact.webhookUrl } : {}), webhookSigned: contact.webhookSecret !== undefined } });

function parse<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new ValidationError(`Invalid ${what}`, toFieldIssues(r.error));
  return r.data;
}
export const parseSupplier = (body: unknown): SupplierInput => parse(supplierSchema, body, "supplier");

/** A supplier's terms for one SKU, kept in the SKU's partition for the planner. */
export interface SupplyTerms {
  sku: string;
  supplierId: string;
  currency: string;
  price: number;
  moq: number;
  pack: number;
  preference: number;
  supplierSku?: string;
  locations?: string[];
  leadTimeDays: number;
  leadTimeSdDays: number;
  orderCost?: number;
}

export const supplyOf = (s: Supplier): SupplyTerms[] =>
  s.skus.map((k) => ({ sku: k.sku, supplierId: s.supplierId, currency: s.currency, price: k.price, moq: k.moq, pack: k.pack, preference: k.preference, leadTimeDays: s.leadTime.meanDays, leadTimeSdDays: s.leadTime.sdDays, ...(k.supplierSku ? { supplierSku: k.supplierSku } : {}), ...(k.locations ? { locations: k.locations } : {}), ...(s.orderCost !== undefined ? { orderCost: s.orderCost } : {}) }));

/** The source a location replenishes a SKU from: the most preferred supplier that delivers there. */
export function sourceFor(terms: SupplyTerms[], locationId: string): SupplyTerms | undefined {
  return [...terms].filter((t) => !t.locations || t.locations.includes(locationId)).sort((a, b) => a.preference - b.preference || a.supplierId.localeCompare(b.supplierId))[0];
}

/** The location that takes a SKU's unplaced demand and backorders: its preferred source's first delivery location. */
export function homeOf(terms: SupplyTerms[]): string | undefined {
  return [...terms].sort((a, b) => a.preference - b.preference || a.supplierId.localeCompare(b.supplierId))[0]?.locations?.[0];
}

export const PO_STATUSES = ["DRAFT", "APPROVED", "SENT", "ACKNOWLEDGED", "PARTIALLY_RECEIVED", "RECEIVED", "CLOSED", "CANCELLED"] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

/** The edges a purchase order may move along. */
const EDGES: Record<PoStatus, PoStatus[]> = {
  DRAFT: ["APPROVED", "CANCELLED"],
  APPROVED: ["SENT", "CANCELLED", "PARTIALLY_RECEIVED", "RECEIVED"],
  SENT: ["ACKNOWLEDGED", "PARTIALLY_RECEIVED", "RECEIVED", "CANCELLED"],
  ACKNOWLEDGED: ["PARTIALLY_RECEIVED", "RECEIVED", "CANCELLED"],
  PARTIALLY_RECEIVED: ["PARTIALLY_RECEIVED", "RECEIVED", "CLOSED"],
  RECEIVED: ["CLOSED"],
  CLOSED: [],
  CANCELLED: [],
};
/** Statuses whose lines are stock on its way (incoming): approved and not yet closed. */
export const INCOMING_STATUSES: readonly PoStatus[] = ["APPROVED", "SENT", "ACKNOWLEDGED", "PARTIALLY_RECEIVED"];

export interface PoLine {
  sku: string;
  supplierSku?: string;
  quantity: number;
  unitPrice: number;
  received: number;
  damaged: number;
  /** Why the planner asked for it (forecast, reorder point, position), when it did. */
  planned?: { reorderPoint: number; orderUpTo: number; position: number; runId: string };
}

export interface PurchaseOrder {
  poId: string;
  supplierId: string;
  locationId: string;
  status: PoStatus;
  currency: string;
  lines: PoLine[];
  /** Σ quantity × unit price, minor units. */
  total: number;
  expectedAt: string;
  createdAt: string;
  updatedAt: string;
  history: { status: PoStatus; at: string; actor: string; reason?: string }[];
  version: number;
}

/** A move along an edge the purchase order lifecycle does not have. */
export class PurchaseOrderTransitionError extends DomainError {
  readonly code = "INVALID_TRANSITION";
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`A purchase order cannot move from ${from} to ${to}`, { from, to });
  }
}

export const totalOf = (lines: Pick<PoLine, "quantity" | "unitPrice">[]) => lines.reduce((t, l) => t + l.quantity * l.unitPrice, 0);

/** The purchase order moved to `to`, or PurchaseOrderTransitionError. */
export function moveTo(po: PurchaseOrder, to: PoStatus, at: string, actor: string, reason?: string): PurchaseOrder {
  if (!EDGES[po.status].includes(to)) throw new PurchaseOrderTransitionError(po.status, to);
  return { ...po, status: to, updatedAt: at, history: [...po.history, { status: to, at, actor, ...(reason ? { reason } : {}) }] };
}

/** The day `days` after `at` on which a supplier with these order days is ordered from and delivers (lead time in calendar days). */
export function expectedArrival(at: string, leadTimeDays: number): string {
  return new Date(Date.parse(at) + Math.ceil(leadTimeDays) * 86_400_000).toISOString();
}

/** Whether the supplier takes orders on the weekday of `at` (UTC). */
export const ordersOn = (s: Pick<Supplier, "orderDays">, at: string): boolean => s.orderDays.includes(WEEKDAYS[(new Date(at).getUTCDay() + 6) % 7]!);

/** A planner's line put on a draft: the SKU's line is set (not added to), so planning again never orders twice. */
export function setDraftLine(po: PurchaseOrder, line: PoLine, at: string): PurchaseOrder {
  if (po.status !== "DRAFT") throw new ConflictError(`Purchase order ${po.poId} is ${po.status}: only a draft takes planned lines`);
  const lines = po.lines.some((l) => l.sku === line.sku) ? po.lines.map((l) => (l.sku === line.sku ? line : l)) : [...po.lines, line];
  return { ...po, lines, total: totalOf(lines), updatedAt: at };
}

/** PATCH /purchase-orders/{id} body: a draft's lines (quantity 0 removes one), its expected date. */
export const poPatchSchema = z.strictObject({
  lines: z.optional(z.array(z.strictObject({ sku: id, quantity: count(0), unitPrice: z.optional(count(0)) })).check(z.minLength(1), z.maxLength(99))),
  expectedAt: z.optional(z.iso.datetime({ offset: true })),
});
export const parsePoPatch = (body: unknown) => parse(poPatchSchema, body, "purchase order change");

/** A draft (or approved order not yet sent) changed by an operator. */
export function patchPurchaseOrder(po: PurchaseOrder, patch: z.infer<typeof poPatchSchema>, at: string): PurchaseOrder {
  if (po.status !== "DRAFT") throw new ConflictError(`Purchase order ${po.poId} is ${po.status}: only a draft can be changed`);
  let lines = po.lines;
  for (const p of patch.lines ?? []) {
    const known = lines.find((l) => l.sku === p.sku);
    if (p.quantity === 0) lines = lines.filter((l) => l.sku !== p.sku);
    else if (known) lines = lines.map((l) => (l.sku === p.sku ? { ...l, quantity: p.quantity, ...(p.unitPrice !== undefined ? { unitPrice: p.unitPrice } : {}) } : l));
    else if (p.unitPrice === undefined) throw new ValidationError("Invalid purchase order change", [{ path: `lines.${patch.lines!.indexOf(p)}.unitPrice`, message: "is required for a SKU not on the order" }]);
    else lines = [...lines, { sku: p.sku, quantity: p.quantity, unitPrice: p.unitPrice, received: 0, damaged: 0 }];
  }
  if (lines.length === 0) throw new ValidationError("Invalid purchase order change", [{ path: "lines", message: "would leave the order without lines; cancel it instead" }]);
  return { ...po, lines, total: totalOf(lines), ...(patch.expectedAt ? { expectedAt: new Date(patch.expectedAt).toISOString() } : {}), updatedAt: at };
}

/** POST /purchase-orders/{id}/receipts body. */
export const receiptSchema = z.strictObject({
  locationId: id,
  lines: z.array(z.strictObject({ sku: id, quantity: count(0), damaged: z._default(count(0), 0) })).check(z.minLength(1), z.maxLength(49)),
  note: z.optional(z.string().check(z.maxLength(500))),
});
export type ReceiptInput = z.infer<typeof receiptSchema>;
export const parseReceipt = (body: unknown): ReceiptInput => parse(receiptSchema, body, "receipt");

export const RECEIVABLE: readonly PoStatus[] = ["APPROVED", "SENT", "ACKNOWLEDGED", "PARTIALLY_RECEIVED"];

/** A line counts as received once what came (good and damaged) is within the tolerance of what was ordered. */
export const lineComplete = (l: PoLine, tolerance: number) => l.received + l.damaged >= Math.floor(l.quantity * (1 - tolerance) + 1e-9);

/**
 * The purchase order after a receipt: each line's received and damaged units grow; over-receipts
 * past the tolerance, unknown SKUs and another location are refused, naming the field. RECEIVED
 * when every line is complete, PARTIALLY_RECEIVED before that.
 */
export function receive(po: PurchaseOrder, receipt: ReceiptInput, tolerance: number, at: string, actor: string): PurchaseOrder {
  if (!RECEIVABLE.includes(po.status)) throw new PurchaseOrderTransitionError(po.status, "PARTIALLY_RECEIVED");
  const issues: FieldIssue[] = [];
  if (receipt.locationId !== po.locationId) issues.push({ path: "locationId", message: `this purchase order is delivered to ${po.locationId}` });
  const seen = new Set<string>();
  receipt.lines.forEach((r, i) => {
    const line = po.lines.find((l) => l.sku === r.sku);
    if (seen.has(r.sku)) issues.push({ path: `lines.${i}.sku`, message: `lists ${r.sku} twice` });
    seen.add(r.sku);
    if (!line) return issues.push({ path: `lines.${i}.sku`, message: `${r.sku} is not on purchase order ${po.poId}` });
    if (r.quantity + r.damaged === 0) issues.push({ path: `lines.${i}.quantity`, message: "receives nothing" });
    const max = Math.floor(line.quantity * (1 + tolerance) + 1e-9);
    if (line.received + line.damaged + r.quantity + r.damaged > max) issues.push({ path: `lines.${i}.quantity`, message: `would receive ${line.received + line.damaged + r.quantity + r.damaged} of ${line.quantity} ordered, over the ${Math.round(tolerance * 100)}% tolerance (at most ${max})` });
  });
  if (issues.length) throw new ValidationError("Invalid receipt", issues);
  const lines = po.lines.map((l) => {
    const r = receipt.lines.find((x) => x.sku === l.sku);
    return r ? { ...l, received: l.received + r.quantity, damaged: l.damaged + r.damaged } : l;
  });
  const next = { ...po, lines };
  return moveTo(next, lines.every((l) => lineComplete(l, tolerance)) ? "RECEIVED" : "PARTIALLY_RECEIVED", at, actor);
}

/** Units still expected under a line: none once it is complete or the order no longer brings stock. */
export const stillExpected = (po: PurchaseOrder, l: PoLine, tolerance: number): number => (INCOMING_STATUSES.includes(po.status) && !lineComplete(l, tolerance) ? Math.max(0, l.quantity - l.received - l.damaged) : 0);

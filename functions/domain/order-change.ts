import { ConflictError, ValidationError, type FieldIssue } from "./errors.js";
import { add, multiply, subtract, sum, type Money } from "./money.js";
import { lineIdFor, type Address, type Order, type OrderChange, type OrderLine, type OrderStatus, type OrderTotals } from "./order.js";

export type { OrderChange } from "./order.js";
import { LEFT_LOCATION, moveShipment, type Shipment, type ShipmentLine } from "./shipment.js";


/** The order's current revision: 1 as captured, one more per change. */
export const revisionOf = (order: Pick<Order, "revision">): number => order.revision ?? 1;

/** Statuses in which an order may still be edited (nothing routed to a location yet). */
export const EDITABLE_STATUSES: readonly OrderStatus[] = ["RECEIVED", "ON_HOLD", "CONFIRMED", "BACKORDERED"];

const unitsOf = (lines: { quantity: number }[]) => lines.reduce((n, l) => n + l.quantity, 0);
const live = (s: Pick<Shipment, "status">) => s.status !== "REJECTED" && s.status !== "CANCELLED" && s.status !== "NOT_COLLECTED";
/** A shipment whose units can no longer be taken back: handed to a carrier, or in the customer's hands. */
const gone = (s: Pick<Shipment, "status" | "handover">) => !!s.handover || LEFT_LOCATION.includes(s.status);

/** Per line id: the units that may still be cancelled (ordered, less what left or was handed over). */
export function cancellableUnits(order: Pick<Order, "lines">, shipments: Pick<Shipment, "status" | "handover" | "lines">[]): Map<string, number> {
  const out = new Map(order.lines.map((l) => [l.lineId, l.quantity]));
  for (const s of shipments.filter((x) => live(x) && gone(x))) for (const l of s.lines) out.set(l.lineId, (out.get(l.lineId) ?? 0) - l.quantity);
  return out;
}

/**
 * New totals for changed lines: the subtotal from the lines, tax and discount scaled with the
 * subtotal (they were the channel's for the lines it sent), shipping kept (a parcel still goes),
 * unless the caller gives any of them.
 */
export function retotal(before: OrderTotals, lines: Pick<OrderLine, "lineTotal">[], given: { shipping?: Money; tax?: Money; discount?: Money } = {}): OrderTotals {
  const currency = before.grandTotal.currency;
  const subtotal = sum(lines.map((l) => l.lineTotal), currency);
  const scale = (m: Money): Money => (before.subtotal.amount > 0 ? { amount: Math.round((m.amount * subtotal.amount) / before.subtotal.amount), currency } : m);
  const shipping = given.shipping ?? before.shipping;
  const tax = given.tax ?? scale(before.tax);
  const discount = given.discount ?? scale(before.discount);
  return { subtotal, shipping, tax, discount, grandTotal: subtract(add(add(subtotal, shipping), tax), discount) };
}

/** What a caller asks to cancel: units of lines (quantity absent: all that can still be cancelled). */
export interface CancelLinesRequest {
  lines: { lineId: string; quantity?: number }[];
  /** Take the units from this shipment only (the workflow closing an awaiting rest short). */
  fromShipment?: string;
}

/** What a change is made of before it is committed: the order after it, and the shipments it cut. */
export interface PreparedChange {
  order: Order;
  change: OrderChange;
  /** Shipments after the cut (lines reduced; CANCELLED when nothing is left), with the version they were read at. */
  shipments: { shipment: Shipment; expectedVersion: number }[];
}

interface ChangeMeta {
  at: string;
  actor: string;
  reason: string;
  idempotencyKey: string;
}

/**
 * Cancels units of some lines. Units not in a shipment yet (backordered, or waiting for the next
 * round) go first, then units in shipments still at their location, the newest shipment first.
 * Units that left a location (or were handed over) cannot be cancelled: that is a 409 pointing to
 * returns. Unknown lines or a quantity over what the line has are 400s.
 */
export function cancelLines(order: Order, shipments: Shipment[], request: CancelLinesRequest, meta: ChangeMeta, kind: "cancel-lines" | "close-short" = "cancel-lines"): PreparedChange {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  request.lines.forEach((r, i) => {
    const line = order.lines.find((l) => l.lineId === r.lineId);
    if (!line) issues.push({ path: `lines.${i}.lineId`, message: `order ${order.orderId} has no line ${r.lineId}` });
    else if (seen.has(r.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `line ${r.lineId} is named twice` });
    else if (line.quantity === 0) issues.push({ path: `lines.${i}.lineId`, message: `line ${r.lineId} is already cancelled` });
    else if (r.quantity !== undefined && r.quantity > line.quantity) issues.push({ path: `lines.${i}.quantity`, message: `line ${r.lineId} has ${line.quantity} unit(s) left` });
    seen.add(r.lineId);
  });
  if (issues.length) throw new ValidationError("Invalid cancellation", issues);
  const cancellable = cancellableUnits(order, shipments);
  const wanted = new Map(request.lines.map((r) => [r.lineId, r.quantity ?? cancellable.get(r.lineId) ?? 0]));
  const tooMany = [...wanted].filter(([lineId, q]) => q > (cancellable.get(lineId) ?? 0) || q === 0);
  if (tooMany.length)
    throw new ConflictError(`Some units have left their location and can no longer be cancelled; start a return for them instead`, {
      lines: tooMany.map(([lineId, q]) => ({ lineId, requested: q, cancellable: Math.max(0, cancellable.get(lineId) ?? 0) })),
      returns: `/orders/${order.orderId}/returns`,
    });

  const lines = order.lines.map((l) => {
    const q = wanted.get(l.lineId);
    if (!q) return l;
    const quantity = l.quantity - q;
    return { ...l, quantity, cancelledQuantity: (l.cancelledQuantity ?? 0) + q, lineTotal: multiply(l.unitPrice, quantity) };
  });
  const cut = cutShipments(order, request.fromShipment ? shipments.filter((s) => s.shipmentId === request.fromShipment) : shipments, wanted, meta, !!request.fromShipment);
  const totalsAfter = retotal(order.totals, lines);
  const change: OrderChange = {
    revision: revisionOf(order) + 1,
    kind,
    ...meta,
    lines: order.lines.filter((l) => wanted.has(l.lineId)).map((l) => ({ lineId: l.lineId, sku: l.sku, from: l.quantity, to: l.quantity - wanted.get(l.lineId)! })),
    shipments: cut.map((c) => ({ shipmentId: c.shipment.shipmentId, locationId: c.shipment.locationId, round: c.shipment.round, removed: c.removed })),
    totalsBefore: order.totals,
    totalsAfter,
  };
  return { order: withChange(order, lines, totalsAfter, change), change, shipments: cut.map(({ shipment, expectedVersion }) => ({ shipment, expectedVersion })) };
}

/** The order with its lines, totals and revision after a change, the change appended to its history. */
function withChange(order: Order, lines: OrderLine[], totals: OrderTotals, change: OrderChange, address?: Address): Order {
  return { ...order, lines, totals, ...(address ? { shippingAddress: address } : {}), revision: change.revision, changes: [...(order.changes ?? []), change], updatedAt: change.at, version: order.version + 1 };
}

/** Takes the cancelled units out of the shipments still at their locations, after the units no shipment holds. */
function cutShipments(order: Order, shipments: Shipment[], wanted: Map<string, number>, meta: ChangeMeta, onlyThese = false) {
  const inShipments = new Map<string, number>();
  for (const s of shipments.filter(live)) for (const l of s.lines) inShipments.set(l.lineId, (inShipments.get(l.lineId) ?? 0) + l.quantity);
  // Units of a line no live shipment holds (backordered, waiting to be routed again) are cancelled first.
  const fromShipments = onlyThese ? new Map(wanted) : new Map([...wanted].map(([lineId, q]) => [lineId, Math.max(0, q - ((order.lines.find((l) => l.lineId === lineId)?.quantity ?? 0) - (inShipments.get(lineId) ?? 0)))]));
  const out: { shipment: Shipment; expectedVersion: number; removed: ShipmentLine[] }[] = [];
  const open = shipments.filter((s) => live(s) && !gone(s)).sort((a, b) => shipmentNumber(b.shipmentId) - shipmentNumber(a.shipmentId));
  for (const s of open) {
    const removed: ShipmentLine[] = [];
    const kept: ShipmentLine[] = [];
    for (const l of s.lines) {
      const take = Math.min(l.quantity, fromShipments.get(l.lineId) ?? 0);
      if (take > 0) {
        fromShipments.set(l.lineId, (fromShipments.get(l.lineId) ?? 0) - take);
        removed.push({ lineId: l.lineId, sku: l.sku, quantity: take });
      }
      if (l.quantity > take) kept.push({ ...l, quantity: l.quantity - take });
    }
    if (removed.length === 0) continue;
    if (kept.length === 0 && s.status === "READY_FOR_PICKUP") throw new ConflictError(`Shipment ${s.shipmentId} waits at the store for its customer; cancel the whole order instead of all its lines`, { shipmentId: s.shipmentId });
    out.push({ shipment: amendShipment(s, kept, removed, meta.at, meta.reason), expectedVersion: s.version, removed });
  }
  return out;
}

const shipmentNumber = (shipmentId: string) => Number(/-S(\d+)$/.exec(shipmentId)?.[1] ?? 0);

/** A shipment with lines taken out: the rest stays at the location; nothing left, and it is CANCELLED. */
export function amendShipment(s: Shipment, kept: ShipmentLine[], removed: ShipmentLine[], at: string, reason: string): Shipment {
  const amendments = [...(s.amendments ?? []), { at, reason, removed }];
  if (kept.length > 0) return { ...s, lines: kept, amendments, updatedAt: at, version: s.version + 1 };
  return moveShipment({ ...s, amendments }, "CANCELLED", at, `lines cancelled: ${reason}`);
}

/** An edit before release: a new shipping address, new quantities for lines (0 removes one), new lines. */
export interface EditRequest {
  shippingAddress?: Address;
  lines?: { lineId: string; quantity: number }[];
  addLines?: { sku: string; quantity: number; unitPrice: Money; channelLineId?: string }[];
  shippingPrice?: Money;
  taxTotal?: Money;
  discountTotal?: Money;
}

/**
 * Edits an order that was not released to a location yet. The lines it ends with are routed
 * (and later authorized) as if the order had come in that way; the change is kept with the totals
 * before and after. Past release (a shipment exists) it is a 409: cancel lines instead.
 */
export function editOrder(order: Order, shipments: Pick<Shipment, "shipmentId">[], request: EditRequest, meta: ChangeMeta): PreparedChange {
  if (!EDITABLE_STATUSES.includes(order.status) || shipments.length > 0)
    throw new ConflictError(`Order ${order.orderId} is ${order.status}${shipments.length ? " and was released to its locations" : ""}; it can no longer be edited${["CANCELLED", "REJECTED", "FAILED"].includes(order.status) ? "" : " (cancel lines instead)"}`, { status: order.status });
  const issues: FieldIssue[] = [];
  const currency = order.currency;
  const money = (path: string, m: Money | undefined) => {
    if (m && m.currency !== currency) issues.push({ path: `${path}.currency`, message: `must be the order currency ${currency}` });
  };
  money("shippingPrice", request.shippingPrice);
  money("taxTotal", request.taxTotal);
  money("discountTotal", request.discountTotal);
  request.addLines?.forEach((l, i) => money(`addLines.${i}.unitPrice`, l.unitPrice));
  if (request.shippingAddress && order.pickup) issues.push({ path: "shippingAddress", message: "a pickup order is collected at its store; it has no shipping address to change" });
  const seen = new Set<string>();
  request.lines?.forEach((r, i) => {
    if (!order.lines.some((l) => l.lineId === r.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `order ${order.orderId} has no line ${r.lineId}` });
    else if (seen.has(r.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `line ${r.lineId} is named twice` });
    seen.add(r.lineId);
  });
  if (issues.length) throw new ValidationError("Invalid order change", issues);

  const quantity = new Map(request.lines?.map((r) => [r.lineId, r.quantity]));
  const changed = order.lines.map((l) => (quantity.has(l.lineId) && quantity.get(l.lineId) !== l.quantity ? { ...l, quantity: quantity.get(l.lineId)!, lineTotal: multiply(l.unitPrice, quantity.get(l.lineId)!) } : l));
  const added: OrderLine[] = (request.addLines ?? []).map((l, i) => ({ lineId: lineIdFor(order.lines.length + i), sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, lineTotal: multiply(l.unitPrice, l.quantity), ...(l.channelLineId ? { channelLineId: l.channelLineId } : {}) }));
  const lines = [...changed, ...added];
  if (lines.length > 98) issues.push({ path: "addLines", message: `an order holds at most 98 lines (it would have ${lines.length})` });
  if (unitsOf(lines) === 0) issues.push({ path: "lines", message: "an edit cannot remove every unit; cancel the order instead" });
  const totalsAfter = retotal(order.totals, lines, { ...(request.shippingPrice ? { shipping: request.shippingPrice } : {}), ...(request.taxTotal ? { tax: request.taxTotal } : {}), ...(request.discountTotal ? { discount: request.discountTotal } : {}) });
  if (totalsAfter.grandTotal.amount < 0) issues.push({ path: "discountTotal", message: "must not exceed subtotal + shipping + tax" });
  if (issues.length) throw new ValidationError("Invalid order change", issues);

  const lineChanges = [
    ...order.lines.flatMap((l, i) => (changed[i]!.quantity !== l.quantity ? [{ lineId: l.lineId, sku: l.sku, from: l.quantity, to: changed[i]!.quantity }] : [])),
    ...added.map((l) => ({ lineId: l.lineId, sku: l.sku, from: 0, to: l.quantity })),
  ];
  const totalsChanged = JSON.stringify(totalsAfter) !== JSON.stringify(order.totals);
  const addressChanged = request.shippingAddress && JSON.stringify(request.shippingAddress) !== JSON.stringify(order.shippingAddress);
  if (lineChanges.length === 0 && !addressChanged && !totalsChanged) throw new ValidationError("Invalid order change", [{ path: "", message: "changes nothing" }]);
  const change: OrderChange = {
    revision: revisionOf(order) + 1,
    kind: "edit",
    ...meta,
    lines: lineChanges,
    ...(addressChanged ? { address: { ...(order.shippingAddress ? { from: order.shippingAddress } : {}), to: request.shippingAddress! } } : {}),
    shipments: [],
    totalsBefore: order.totals,
    totalsAfter,
  };
  return { order: withChange(order, lines, totalsAfter, change, addressChanged ? request.shippingAddress : undefined), change, shipments: [] };
}

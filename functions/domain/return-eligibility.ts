import type { FieldIssue } from "./errors.js";
import type { Order } from "./order.js";
import { computeRefund, merchantFault, unitAmounts, type RefundBreakdown } from "./refund.js";
import { ReturnNotAllowedError, type ReturnLine, type ReturnRequest } from "./return.js";
import type { ReturnPolicy } from "./return-policy.js";
import type { Shipment } from "./shipment.js";

const DAY_MS = 86_400_000;

/** Which units of each order line are held by other returns (active or finished), and whether one took the shipping refund. */
export interface ReturnLedger {
  /** Unit indexes by line id. */
  units: Record<string, number[]>;
  /** The return that refunds the order's shipping, if any. */
  shippingBy?: string;
  /** How many returns were opened (the next id is `-R<count + 1>`). */
  count: number;
}

export const emptyLedger = (): ReturnLedger => ({ units: {}, count: 0 });

/** Shipment facts eligibility needs: its lines, its status, when it left and arrived, and whether the carrier flagged it. */
export type ShipmentFacts = Pick<Shipment, "shipmentId" | "status" | "lines" | "history" | "lateAlerts"> & { tracking?: { status: string }[] };

export interface Eligibility {
  lines: ReturnLine[];
  needsApproval: boolean;
  shippingRefund: number;
  /** The refund if every unit comes back as it should (what approval and returnless limits compare against). */
  estimate: RefundBreakdown;
}

const at = (s: ShipmentFacts, statuses: string[]) => s.history.find((h) => statuses.includes(h.status))?.at;

/**
 * Whether a return may take these units, under the channel's policy: only delivered or
 * collected units (or, for a not-received claim, units the carrier flagged), within the window,
 * not non-returnable, not already in another return. Throws ReturnNotAllowedError naming each
 * line and why; otherwise the return's lines with the units they take and their stored amounts.
 */
export function checkEligibility(input: { order: Order; shipments: ShipmentFacts[]; ledger: ReturnLedger; policy: ReturnPolicy; request: ReturnRequest; now: string; notReturnable?: ReadonlySet<string> }): Eligibility {
  const { order, shipments, ledger, policy, request, now } = input;
  const problems: FieldIssue[] = [];
  if (!["SHIPPED", "DELIVERED"].includes(order.status)) throw new ReturnNotAllowedError(`Order ${order.orderId} is ${order.status}: returns open once every unit has left its location`, { status: order.status });
  const amounts = unitAmounts(order);
  const nowMs = Date.parse(now);
  const seen = new Set<string>();
  const lines: ReturnLine[] = [];
  request.lines.forEach((req, i) => {
    const path = `lines.${i}`;
    const line = order.lines.find((l) => l.lineId === req.lineId);
    if (!line) return problems.push({ path: `${path}.lineId`, message: `order ${order.orderId} has no line ${req.lineId}` });
    if (seen.has(req.lineId)) return problems.push({ path: `${path}.lineId`, message: `line ${req.lineId} is named twice` });
    seen.add(req.lineId);
    if (policy.nonReturnableSkus.includes(line.sku)) return problems.push({ path: `${path}.lineId`, message: `${line.sku} is not returnable under the ${order.channel} return policy` });
    if (input.notReturnable?.has(line.sku)) return problems.push({ path: `${path}.lineId`, message: `${line.sku} is not returnable (the product catalog says so)` });
    const claim = req.reason === "not-received";
    const flagged = (s: ShipmentFacts) => s.status === "SHIPPED" && ((s.lateAlerts ?? 0) > 0 || (s.tracking ?? []).some((t) => t.status === "exception"));
    const from = shipments.filter((s) => s.status === "DELIVERED" || s.status === "PICKED_UP" || (claim && flagged(s))).filter((s) => s.lines.some((l) => l.lineId === req.lineId));
    const eligible = from.reduce((n, s) => n + s.lines.filter((l) => l.lineId === req.lineId).reduce((a, l) => a + l.quantity, 0), 0);
    const taken = ledger.units[req.lineId] ?? [];
    const free = Array.from({ length: line.quantity }, (_, u) => u).filter((u) => !taken.includes(u));
    const returnable = Math.min(eligible - taken.length, free.length);
    if (req.quantity > returnable)
      return problems.push({ path: `${path}.quantity`, message: `${req.quantity} requested, ${Math.max(0, returnable)} returnable (${eligible} ${claim ? "delivered or flagged by the carrier" : "delivered"}, ${taken.length} already in returns)` });
    const since = Math.max(...from.map((s) => Date.parse(at(s, claim ? ["SHIPPED", "DELIVERED", "PICKED_UP"] : ["DELIVERED", "PICKED_UP"]) ?? now)));
    if (nowMs > since + policy.windowDays * DAY_MS) return problems.push({ path: `${path}.lineId`, message: `the ${policy.windowDays}-day return window closed on ${new Date(since + policy.windowDays * DAY_MS).toISOString()}` });
    if (req.replacement?.unitPrice && req.replacement.unitPrice.currency !== order.currency) return problems.push({ path: `${path}.replacement.unitPrice.currency`, message: `must be ${order.currency}, the order currency` });
    const units = free.slice(0, req.quantity);
    lines.push({
      lineId: req.lineId,
      sku: line.sku,
      quantity: req.quantity,
      reason: req.reason,
      ...(req.note ? { note: req.note } : {}),
      resolution: req.resolution,
      ...(req.replacement ? { replacement: { sku: req.replacement.sku, quantity: req.replacement.quantity ?? req.quantity, unitPrice: req.replacement.unitPrice?.amount ?? line.unitPrice.amount } } : {}),
      units,
      unitNet: units.map((u) => amounts.lines[req.lineId]![u]!.net),
      shipmentIds: from.map((s) => s.shipmentId),
      received: 0,
      wrongItem: 0,
      dispositions: {},
    });
  });
  if (request.method === "returnless" || lines.some((l) => l.reason === "not-received")) {
    const claims = lines.filter((l) => l.reason === "not-received").length;
    if (claims > 0 && claims < lines.length) problems.push({ path: "lines", message: "a not-received claim cannot be mixed with returned goods: make two returns" });
    if (claims > 0 && request.method !== "returnless") problems.push({ path: "method", message: "a not-received claim has no goods to send back: use returnless" });
  }
  if (problems.length) throw new ReturnNotAllowedError("The return is not allowed", { issues: problems });
  const allUnits = order.lines.reduce((n, l) => n + l.quantity, 0);
  const takenAfter = Object.values(ledger.units).reduce((n, u) => n + u.length, 0) + lines.reduce((n, l) => n + l.quantity, 0);
  // An exchange-only return refunds no shipping (the replacement ships free instead); the order's shipping stays for a later refund.
  const shippingRefund = ledger.shippingBy === undefined && lines.some((l) => l.resolution !== "exchange") && (merchantFault(lines) || takenAfter >= allUnits) ? amounts.shipping : 0;
  const customerShips = request.method === "ship-back" && !merchantFault(lines);
  const estimate = computeRefund(order.currency, lines.map((l) => ({ lineId: l.lineId, reason: l.reason, accepted: l.unitNet })), { restockingFeePercent: policy.restockingFeePercent, returnShippingFee: customerShips ? policy.returnShippingFee : 0, shippingRefund });
  if (request.method === "returnless" && !lines.every((l) => l.reason === "not-received") && (policy.returnlessBelow === undefined || estimate.total > policy.returnlessBelow))
    throw new ReturnNotAllowedError("The return is not allowed", { issues: [{ path: "method", message: policy.returnlessBelow === undefined ? `the ${order.channel} return policy allows no returnless refunds` : `returnless refunds are allowed up to ${policy.returnlessBelow} minor units; this one is ${estimate.total}` }] });
  const needsApproval = lines.some((l) => policy.approval.reasons.includes(l.reason)) || (policy.approval.above !== undefined && estimate.total > policy.approval.above);
  return { lines, needsApproval, shippingRefund, estimate };
}

/** The ledger with a new return's units (and its claim on the shipping refund) added. */
export function takeUnits(ledger: ReturnLedger, returnId: string, lines: Pick<ReturnLine, "lineId" | "units">[], shipping: boolean): ReturnLedger {
  const units = { ...ledger.units };
  for (const l of lines) units[l.lineId] = [...(units[l.lineId] ?? []), ...l.units].sort((a, b) => a - b);
  return { units, count: ledger.count + 1, ...(shipping ? { shippingBy: returnId } : ledger.shippingBy ? { shippingBy: ledger.shippingBy } : {}) };
}

/** The ledger with a return's units given back (cancelled, declined or expired before any goods came). */
export function giveBackUnits(ledger: ReturnLedger, returnId: string, lines: Pick<ReturnLine, "lineId" | "units">[]): ReturnLedger {
  const units = { ...ledger.units };
  for (const l of lines) units[l.lineId] = (units[l.lineId] ?? []).filter((u) => !l.units.includes(u));
  return { units, count: ledger.count, ...(ledger.shippingBy && ledger.shippingBy !== returnId ? { shippingBy: ledger.shippingBy } : {}) };
}

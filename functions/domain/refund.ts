import type { Order } from "./order.js";
import type { PaymentRecord, RefundEntry } from "./payment.js";

// The money of returns. Every unit of an order carries the amount it was paid at: its price,
// its share of the order's discount and of the tax, split down with the largest-remainder rule so
// units add up exactly to lines and lines (with shipping) to the order's grand total. A refund is
// computed from those stored unit amounts, never from current prices, and a ledger over the
// order's captures keeps every refund within what was taken.

/**
 * `total` split in proportion to `weights` (largest remainder): integer parts that sum exactly to
 * `total`; ties go to the earlier weight. All-zero weights split evenly.
 */
export function allocate(total: number, weights: number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`Cannot allocate ${total}: not a non-negative integer`);
  if (weights.length === 0) {
    if (total !== 0) throw new RangeError(`Cannot allocate ${total} over nothing`);
    return [];
  }
  const w = weights.some((x) => x > 0) ? weights.map((x) => BigInt(Math.max(0, Math.round(x)))) : weights.map(() => 1n);
  const sum = w.reduce((a, b) => a + b, 0n);
  const t = BigInt(total);
  const floors = w.map((x) => (t * x) / sum);
  const remainders = w.map((x, i) => ({ i, r: (t * x) % sum }));
  let left = Number(t - floors.reduce((a, b) => a + b, 0n));
  const parts = floors.map(Number);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left <= 0) break;
    parts[i]! += 1;
    left--;
  }
  return parts;
}

/** What one unit of a line was paid: price − discount share + tax share = net. */
export interface UnitAmount {
  price: number;
  discount: number;
  tax: number;
  net: number;
}

/** Every unit's amounts, by line id (unit index = position), and the order's shipping. */
export interface UnitAmounts {
  currency: string;
  lines: Record<string, UnitAmount[]>;
  shipping: number;
}

/**
 * The order's money allocated down to units: the discount by merchandise value, the tax by the
 * value after discount (so a discount is never taxed), each line's share over its units. The
 * units' net amounts plus shipping equal the grand total exactly.
 */
export function unitAmounts(order: Pick<Order, "lines" | "totals" | "currency">): UnitAmounts {
  const merch = order.lines.map((l) => l.unitPrice.amount * l.quantity);
  const lineDiscount = allocate(Math.min(order.totals.discount.amount, merch.reduce((a, b) => a + b, 0)), merch);
  const lineTax = allocate(order.totals.tax.amount, merch.map((m, i) => m - lineDiscount[i]!));
  const lines: Record<string, UnitAmount[]> = {};
  order.lines.forEach((l, i) => {
    const ones = Array.from({ length: l.quantity }, () => 1);
    const d = allocate(lineDiscount[i]!, ones);
    const t = allocate(lineTax[i]!, ones);
    lines[l.lineId] = ones.map((_, u) => ({ price: l.unitPrice.amount, discount: d[u]!, tax: t[u]!, net: l.unitPrice.amount - d[u]! + t[u]! }));
  });
  return { currency: order.currency, lines, shipping: order.totals.shipping.amount };
}

/** Reasons where the merchant is at fault: no restocking fee, no return shipping fee, shipping refunded. */
export const MERCHANT_FAULT_REASONS = ["defective", "damaged-in-transit", "wrong-item", "not-as-described", "not-received"] as const;

/** One returned line as the refund sees it: the accepted units' stored amounts and the line's reason. */
export interface RefundLine {
  lineId: string;
  reason: string;
  /** Net amounts of the accepted units. */
  accepted: number[];
}

export interface RefundTerms {
  restockingFeePercent: number;
  /** Charged once per return when the customer is at fault and ships it back. */
  returnShippingFee: number;
  /** The order's shipping, refunded with this return (0 when it is not due or was refunded before). */
  shippingRefund: number;
}

/** How a refund was reached: each part in minor units, so an operator can check it by hand. */
export interface RefundBreakdown {
  currency: string;
  merchandise: number;
  restockingFee: number;
  returnShippingFee: number;
  shipping: number;
  total: number;
}

/** True when any line's reason puts the fault on the merchant. */
export const merchantFault = (lines: Pick<RefundLine, "reason">[]): boolean => lines.some((l) => (MERCHANT_FAULT_REASONS as readonly string[]).includes(l.reason));

/** Refund = accepted units' amounts − restocking fee (per unit, rounded half up; waived for merchant-fault lines) − return shipping fee + shipping due; never below zero. */
export function computeRefund(currency: string, lines: RefundLine[], terms: RefundTerms): RefundBreakdown {
  const merchandise = lines.reduce((n, l) => n + l.accepted.reduce((a, b) => a + b, 0), 0);
  const restockingFee = lines.reduce((n, l) => (merchantFault([l]) ? n : n + l.accepted.reduce((a, net) => a + Math.floor((net * terms.restockingFeePercent + 50) / 100), 0)), 0);
  const anyAccepted = lines.some((l) => l.accepted.length > 0);
  const returnShippingFee = anyAccepted ? Math.min(terms.returnShippingFee, merchandise - restockingFee) : 0;
  const shipping = anyAccepted ? terms.shippingRefund : 0;
  const total = Math.max(0, merchandise - restockingFee - returnShippingFee + shipping);
  return { currency, merchandise, restockingFee, returnShippingFee, shipping, total };
}

/** What can still be refunded: per capture (after what was refunded against it) and in all. */
export function refundable(record: Pick<PaymentRecord, "captures" | "refunds">): { total: number; byCapture: Record<string, number> } {
  const refunds: RefundEntry[] = Object.values(record.refunds ?? {});
  const byCapture: Record<string, number> = {};
  for (const [id, c] of Object.entries(record.captures ?? {})) if (c.captureId) byCapture[id] = c.amount.amount;
  let unattributed = 0;
  for (const r of refunds) {
    if (!r.against) unattributed += r.amount.amount;
    else for (const [id, n] of Object.entries(r.against)) byCapture[id] = (byCapture[id] ?? 0) - n;
  }
  const total = Object.values(byCapture).reduce((a, b) => a + b, 0) - unattributed;
  return { total: Math.max(0, total), byCapture };
}

/**
 * Which captures a refund of `amount` goes against: the returned units' shipments first, then the
 * others, each at most what it has left; the amount is lowered to what is refundable in all.
 */
export function planRefund(record: Pick<PaymentRecord, "captures" | "refunds">, amount: number, preferred: string[]): { amount: number; against: Record<string, number> } {
  const left = refundable(record);
  let rest = Math.min(amount, left.total);
  const granted = rest;
  const against: Record<string, number> = {};
  const order = [...preferred.filter((id) => id in left.byCapture), ...Object.keys(left.byCapture).filter((id) => !preferred.includes(id)).sort()];
  for (const id of order) {
    if (rest <= 0) break;
    const take = Math.min(rest, Math.max(0, left.byCapture[id]!));
    if (take > 0) against[id] = take;
    rest -= take;
  }
  return { amount: granted - rest, against };
}

import type { ChannelOrder, Order } from "./order.js";
import { unitAmounts } from "./refund.js";
import type { ExchangeMode, Return, ReturnExchange } from "./return.js";

// Exchanges. The replacement is a real order, priced from the original order's stored amounts:
// a like-for-like line (same unit price, same quantity: another size or colour, or the same SKU
// again) costs exactly what the returned units were paid, discount and tax included, so the
// difference is zero to the cent. A line at another price or quantity costs its new price, taxed
// at the rate the returned line was taxed at (same customer, same destination), without the old
// order's discount.

/** Rounds n / d half up, for non-negative integers (BigInt, so large amounts stay exact). */
const divideHalfUp = (n: bigint, d: bigint): number => Number((2n * n + d) / (2n * d));

/** The replacement order for a return's exchange lines, what it costs (its grand total) and what the exchanged units are worth. */
export function replacementFor(order: Order, r: Pick<Return, "returnId" | "lines" | "method" | "locationId" | "createdAt">, mode: ExchangeMode): { input: ChannelOrder; value: number; expected: number } {
  const amounts = unitAmounts(order);
  const exchanged = r.lines.filter((l) => l.resolution === "exchange" && l.replacement);
  let discount = 0;
  let tax = 0;
  const lines = exchanged.map((l) => {
    const rep = l.replacement!;
    const original = order.lines.find((o) => o.lineId === l.lineId)!;
    const units = l.units.map((u) => amounts.lines[l.lineId]![u]!);
    if (rep.unitPrice === original.unitPrice.amount && rep.quantity === l.quantity) {
      discount += units.reduce((n, u) => n + u.discount, 0);
      tax += units.reduce((n, u) => n + u.tax, 0);
    } else {
      const all = amounts.lines[l.lineId]!;
      const base = BigInt(all.reduce((n, u) => n + u.price - u.discount, 0));
      const lineTax = BigInt(all.reduce((n, u) => n + u.tax, 0));
      tax += base > 0n ? divideHalfUp(BigInt(rep.unitPrice * rep.quantity) * lineTax, base) : 0;
    }
    return { sku: rep.sku, quantity: rep.quantity, unitPrice: { amount: rep.unitPrice, currency: order.currency } };
  });
  const subtotal = lines.reduce((n, l) => n + l.unitPrice.amount * l.quantity, 0);
  const value = subtotal - discount + tax;
  const expected = exchanged.reduce((n, l) => n + l.unitNet.reduce((a, b) => a + b, 0), 0);
  const credit = Math.min(expected, value);
  const money = (amount: number) => ({ amount, currency: order.currency });
  const input: ChannelOrder = {
    channel: order.channel,
    externalOrderId: exchangeExternalId(order.externalOrderId, r.returnId),
    placedAt: r.createdAt,
    currency: order.currency,
    customer: order.customer,
    // Exchanged in a store: the replacement is handed over at its counter (a pickup order there).
    ...(r.method === "in-store" && r.locationId ? { pickup: { locationId: r.locationId } } : order.shippingAddress ? { shippingAddress: order.shippingAddress } : {}),
    lines,
    shippingPrice: money(0),
    taxTotal: money(tax),
    discountTotal: money(discount),
    payment: order.payment,
    exchangeOf: { orderId: order.orderId, returnId: r.returnId, mode, credit: money(credit), awaitingReturn: mode === "regular" },
  };
  return { input, value, expected };
}

/** The replacement's id on the channel: the original's, with the return it belongs to (`<ext>/exchange-R<n>`). */
export const exchangeExternalId = (externalOrderId: string, returnId: string): string => `${externalOrderId}/exchange-${returnId.slice(returnId.lastIndexOf("-") + 1)}`;

/** The exchange a new return starts with (its replacement not yet placed). */
export function newExchange(order: Order, r: Parameters<typeof replacementFor>[1], mode: ExchangeMode): ReturnExchange | undefined {
  if (!r.lines.some((l) => l.resolution === "exchange")) return undefined;
  const { input, value, expected } = replacementFor(order, r, mode);
  return { mode, externalOrderId: input.externalOrderId, value, expected, credit: Math.min(expected, value), status: "PENDING" };
}

/**
 * The exchange's money once its goods are settled: what the accepted units are worth beyond the
 * credit the replacement used is refunded; what the credit exceeds them by (an advanced exchange
 * whose goods came short) is charged.
 */
export function exchangeMoney(accepted: number, credit: number): { accepted: number; credit: number; refund: number; charge: number } {
  return { accepted, credit, refund: Math.max(0, accepted - credit), charge: Math.max(0, credit - accepted) };
}

import type { FieldIssue } from "../domain/errors.js";
import { NotFoundError } from "../domain/errors.js";
import { multiply } from "../domain/money.js";
import { computeTotals, transition, type Order } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import { holdReasons, type FraudScorer } from "../domain/holds.js";
import { placeAddress } from "./place-address.js";
import type { Catalog, Clock, Geocoder, OrderRepository } from "./ports.js";

export interface ValidateOrderDeps {
  orders: OrderRepository;
  catalog: Catalog;
  clock: Clock;
  fraud: FraudScorer;
  /** The channel's hold rules. */
  holdRules(channel: string): Promise<{ amountAtLeast: number; fraudScoreAtLeast: number }>;
  /** Places an address without coordinates (absent: such an order is routed to its country's centre). */
  geocoder?: Geocoder;
}

export interface ValidationOutcome {
  orderId: string;
  valid: boolean;
  /** Valid, but an operator must release it first. */
  onHold: boolean;
  problems: FieldIssue[];
  checkedAt: string;
}

/** Problems with the order's own arithmetic and address, independent of the catalog. */
export function orderProblems(order: Order): FieldIssue[] {
  const problems: FieldIssue[] = [];
  order.lines.forEach((line, i) => {
    if (multiply(line.unitPrice, line.quantity).amount !== line.lineTotal.amount)
      problems.push({ path: `lines.${i}.lineTotal`, message: "does not equal quantity × unit price" });
  });
  const expected = computeTotals({
    ...order,
    lines: order.lines,
    shippingPrice: order.totals.shipping,
    taxTotal: order.totals.tax,
    discountTotal: order.totals.discount,
  });
  for (const key of ["subtotal", "grandTotal"] as const)
    if (expected[key].amount !== order.totals[key].amount || expected[key].currency !== order.totals[key].currency)
      problems.push({ path: `totals.${key}`, message: `is ${order.totals[key].amount}, lines add up to ${expected[key].amount}` });
  const a = order.shippingAddress;
  if (!a) {
    if (!order.pickup) problems.push({ path: "shippingAddress", message: "is required to ship" });
  } else
    for (const field of ["name", "line1", "city", "postalCode", "country"] as const)
      if (!a[field]?.trim()) problems.push({ path: `shippingAddress.${field}`, message: "is required to ship" });
  return problems;
}

/** A pickup order names a store that exists, is open for business and hands orders over. */
async function pickupProblems(catalog: Catalog, locationId: string): Promise<FieldIssue[]> {
  const store = await catalog.getLocation(locationId);
  const message = !store ? `${locationId} is not a known location` : !store.active ? `${locationId} is not active` : !store.capabilities.includes("pickup") ? `${locationId} does not offer pickup` : undefined;
  return message ? [{ path: "pickup.locationId", message }] : [];
}

/** The order with its shipping address placed on the map (functions/app/place-address.ts). */
async function located(geocoder: Geocoder | undefined, order: Order): Promise<Order> {
  const placed = await placeAddress(geocoder, order.shippingAddress);
  return placed ? { ...order, shippingAddress: placed.address, geocode: placed.geocode } : order;
}

/** Everything that stops the order from going on: its arithmetic and address, SKUs the catalog does not sell, a pickup store that cannot hand it over. */
export async function problemsOf(catalog: Catalog, order: Order): Promise<FieldIssue[]> {
  const skuProblems = await catalog.unsellable([...new Set(order.lines.map((l) => l.sku))]);
  const byLine = skuProblems.flatMap((p) =>
    order.lines.flatMap((l, i) => (l.sku === p.path ? [{ path: `lines.${i}.sku`, message: `${l.sku} ${p.message}` }] : [])),
  );
  return [...orderProblems(order), ...byLine, ...(order.pickup ? await pickupProblems(catalog, order.pickup.locationId) : [])];
}

/**
 * The workflow's first step: the order adds up, can be shipped and sells only known, sellable
 * SKUs. It moves the order to CONFIRMED, or to REJECTED with the problems kept on the order (the
 * stream announces either). Run again after it decided, it returns the same decision.
 */
export async function validateOrder(deps: ValidateOrderDeps, orderId: string): Promise<ValidationOutcome> {
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const stored = await deps.orders.get(orderId);
    if (!stored) throw new NotFoundError(`Order ${orderId} does not exist`);
    let order = stored;
    if (order.status !== "RECEIVED") {
      const valid = !["REJECTED", "CANCELLED", "FAILED"].includes(order.status);
      const problems = order.status === "REJECTED" ? (order.problems ?? []) : valid ? [] : [{ path: "status", message: `the order is ${order.status}` }];
      return { orderId, valid, onHold: order.status === "ON_HOLD", problems, checkedAt: order.statusHistory[1]?.at ?? order.updatedAt };
    }
    const problems = await problemsOf(deps.catalog, order);
    const now = deps.clock.now();
    order = await located(deps.geocoder, order);
    // A payload the channel adapter could not take as it came waits for an operator, problems and all: it is fixed (PATCH) and released, never rejected.
    const intake = order.intakeHolds ?? [];
    if (intake.length > 0) {
      const reasons = [...intake.map((r) => `from the channel: ${r}`), ...problems.map((p) => `${p.path}: ${p.message}`)];
      const held = { ...transition(order, "ON_HOLD", now, reasons.join("; ")), ...(problems.length ? { problems } : {}) };
      return (await deps.orders.saveHeader(held, stored.version)) ? { orderId, valid: true, onHold: true, problems, checkedAt: now } : AGAIN;
    }
    const holds = problems.length === 0 ? holdReasons(order, await deps.holdRules(order.channel), await deps.fraud.score(order)) : [];
    const next: Order =
      problems.length > 0
        ? { ...transition(order, "REJECTED", now, problems.map((p) => `${p.path}: ${p.message}`).join("; ")), problems }
        : holds.length > 0
          ? transition(order, "ON_HOLD", now, holds.join("; "))
          : transition(order, "CONFIRMED", now);
    if (await deps.orders.saveHeader(next, stored.version)) return { orderId, valid: problems.length === 0, onHold: holds.length > 0, problems, checkedAt: now };
    return AGAIN;
  });
}

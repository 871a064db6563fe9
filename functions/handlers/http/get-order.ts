import { getOrder, returnsSummary } from "../../app/read-orders.js";
import { ValidationError } from "../../domain/errors.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const orders = root.orders();
const allocations = root.allocations();
const payments = root.payments();
const shipmentStore = root.shipments();
const returnStore = root.returns();
const syncLog = root.channelSyncLog();

/** Order ids are ULIDs (Crockford base32, 26 characters). */
export const ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** GET /orders/{orderId}: the order, its lines, its status history, its allocation rounds (planned shipments, backorders), its shipments, its payment and what its marketplace was told. */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId))
    throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const [order, rounds, payment, shipments, returns, channelSync] = await Promise.all([getOrder(orders, orderId), allocations.all(orderId), payments.get(orderId), shipmentStore.ofOrder(orderId), returnStore.ofOrder(orderId), syncLog.ofOrder(orderId)]);
  const allocation = rounds.at(-1);
  // The provider token stays inside: the view shows how the order pays, not with what.
  const { payment: method, ...rest } = order;
  const view: Record<string, unknown> = { ...rest, ...(method ? { payment: { method: method.method } } : {}) };
  if (allocation) {
    const { outcome, round, shipments: planned, backordered, cost, algorithm, rulesVersion, shortagePolicy, approximateDestination, excludedLocations, replaces, createdAt } = allocation;
    view.allocation = { outcome, round, rounds: rounds.length, shipments: planned, backordered, cost, algorithm, rulesVersion, shortagePolicy, approximateDestination, ...(excludedLocations ? { excludedLocations } : {}), ...(replaces ? { replaces } : {}), at: createdAt };
  }
  // Task tokens belong to the workflow; the customer copy is on the order already.
  view.shipments = shipments.map(({ tokens: _t, customer: _c, externalOrderId: _e, ...s }) => ({ ...s, ...(s.carrierShipment ? { label: `/shipments/${s.shipmentId}/label` } : {}) }));
  if (payment) {
    const { orderId: _o, ...record } = payment;
    view.payment = record;
  }
  if (returns.length) view.returns = returnsSummary(returns, order.currency, payment?.refunded?.amount ?? 0);
  // What the order's marketplace was told (fulfillments), with attempts and errors.
  if (channelSync.length) view.channelSync = channelSync;
  return json(200, view);
});

import { DynamoAllocationStore } from "../../adapters/dynamodb/allocation-store.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { getOrder } from "../../app/read-orders.js";
import { ValidationError } from "../../domain/errors.js";
import { requireEnv } from "../../shared/env.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";

const db = documentClient();
const orders = new DynamoOrderRepository(db, requireEnv("TABLE_NAME"));
const allocations = new DynamoAllocationStore(db, requireEnv("TABLE_NAME"));

/** Order ids are ULIDs (Crockford base32, 26 characters). */
export const ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** GET /orders/{orderId}: the order, its lines, its status history and, once routed, its allocation (shipments and backorders). */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId))
    throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const [order, allocation] = await Promise.all([getOrder(orders, orderId), allocations.get(orderId)]);
  if (!allocation) return json(200, order);
  const { outcome, shipments, backordered, cost, algorithm, rulesVersion, shortagePolicy, approximateDestination, createdAt } = allocation;
  return json(200, { ...order, allocation: { outcome, shipments, backordered, cost, algorithm, rulesVersion, shortagePolicy, approximateDestination, at: createdAt } });
});

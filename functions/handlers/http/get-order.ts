import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { getOrder } from "../../app/read-orders.js";
import { ValidationError } from "../../domain/errors.js";
import { requireEnv } from "../../shared/env.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";

const orders = new DynamoOrderRepository(documentClient(), requireEnv("TABLE_NAME"));

/** Order ids are ULIDs (Crockford base32, 26 characters). */
export const ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** GET /orders/{orderId}: the order, its lines and its status history. */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId))
    throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  return json(200, await getOrder(orders, orderId));
});

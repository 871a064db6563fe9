import { SFNClient } from "@aws-sdk/client-sfn";
import { z } from "zod";
import { DynamoBackorderStore } from "../../adapters/dynamodb/backorder-store.js";
import { DynamoHoldStore } from "../../adapters/dynamodb/hold-store.js";
import { DynamoShipmentStore } from "../../adapters/dynamodb/shipment-store.js";
import { StepFunctionsTaskResponder } from "../../adapters/stepfunctions/task-responder.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoInventory } from "../../adapters/dynamodb/inventory-repository.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { DynamoPaymentStore } from "../../adapters/dynamodb/payment-store.js";
import { LocalPaymentProvider } from "../../adapters/payments/local-provider.js";
import { cancelOrder } from "../../app/cancel-order.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { requireEnv } from "../../shared/env.js";
import { actorOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";
import { ORDER_ID_PATTERN } from "./get-order.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const deps = {
  orders: new DynamoOrderRepository(db, table),
  payments: new DynamoPaymentStore(db, table),
  provider: new LocalPaymentProvider(db, table, systemClock, ulidIds),
  inventory: new DynamoInventory(db, table, systemClock, ulidIds),
  clock: systemClock,
  hold: { holds: new DynamoHoldStore(db, table), tasks: new StepFunctionsTaskResponder(new SFNClient({})) },
  fulfilment: { shipments: new DynamoShipmentStore(db, table), backorders: new DynamoBackorderStore(db, table), tasks: new StepFunctionsTaskResponder(new SFNClient({})) },
};
const bodySchema = z.strictObject({ reason: z.string().trim().min(1).max(500).default("cancelled by an operator") });

/** POST /orders/{orderId}/cancel: before shipment, cancels and undoes what was done (stock, payment); after, 409. */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  // The body is optional: an empty cancel uses the default reason.
  const parsed = bodySchema.safeParse(event.body ? jsonBody(event) : {});
  if (!parsed.success) throw new ValidationError("Invalid cancellation", toFieldIssues(parsed.error));
  return json(200, await cancelOrder(deps, orderId, `${parsed.data.reason} (${actorOf(event)})`));
});

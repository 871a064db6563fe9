import { SFNClient } from "@aws-sdk/client-sfn";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoHoldStore } from "../../adapters/dynamodb/hold-store.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { StepFunctionsTaskResponder } from "../../adapters/stepfunctions/task-responder.js";
import { decideHold } from "../../app/decide-hold.js";
import { ValidationError } from "../../domain/errors.js";
import { requireEnv } from "../../shared/env.js";
import { actorOf, json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import { ORDER_ID_PATTERN } from "./get-order.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const deps = { orders: new DynamoOrderRepository(db, table), holds: new DynamoHoldStore(db, table), tasks: new StepFunctionsTaskResponder(new SFNClient({})), clock: systemClock };

/** POST /orders/{orderId}/hold/release and /hold/cancel: an operator's decision on a held order. */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const decision = event.rawPath.endsWith("/release") ? "release" : "cancel";
  return json(200, await decideHold(deps, orderId, decision, actorOf(event)));
});

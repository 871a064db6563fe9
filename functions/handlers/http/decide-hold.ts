import { decideHold } from "../../app/decide-hold.js";
import { ValidationError } from "../../domain/errors.js";
import { actorOf, json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { ORDER_ID_PATTERN } from "./get-order.js";
import * as root from "../composition-root.js";

const deps = root.holdDeps();

/** POST /orders/{orderId}/hold/release and /hold/cancel: an operator's decision on a held order. */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const decision = event.rawPath.endsWith("/release") ? "release" : "cancel";
  return json(200, await decideHold(deps, orderId, decision, actorOf(event)));
});

import { recordFulfillmentEvent } from "../../app/location-events.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { fulfillmentEventSchema, orderIdOfShipment } from "../../domain/shipment.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/**
 * POST /fulfillments/{fulfillmentId}/events: a location's progress on a shipment it was asked to
 * fulfill (accepted, rejected with a reason, picked, packed, shipped with carrier, tracking number
 * and weight). Out-of-order or late callbacks are 409s; repeating one is harmless.
 */
export const handler = httpHandler(async (event) => {
  const fulfillmentId = event.pathParameters?.fulfillmentId ?? "";
  if (!orderIdOfShipment(fulfillmentId)) throw new ValidationError("Invalid fulfillment id", [{ path: "fulfillmentId", message: "must be <orderId>-S<n>" }]);
  const parsed = fulfillmentEventSchema.safeParse(jsonBody(event));
  if (!parsed.success) throw new ValidationError("Invalid fulfillment event", toFieldIssues(parsed.error));
  return json(200, await recordFulfillmentEvent(shipDeps, fulfillmentId, parsed.data));
});

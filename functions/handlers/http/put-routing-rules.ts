import { ValidationError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { parseRoutingRules } from "../../domain/routing-rules.js";
import { actorOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const routingRules = root.routingRules();

/** PUT /routing/rules/{channel}: a new version of the channel's rules; If-Match: <version> guards against lost updates. */
export const handler = httpHandler(async (event) => {
  const channel = pathId("channel", event.pathParameters?.channel);
  const ifMatch = event.headers["if-match"]?.replace(/"/g, "").trim();
  if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) throw new ValidationError("Invalid If-Match", [{ path: "headers.if-match", message: "must be a rules version number" }]);
  const input = parseRoutingRules(jsonBody(event));
  const { rules, changed } = await routingRules.put(channel, input, actorOf(event), systemClock.now(), ifMatch === undefined ? undefined : Number(ifMatch));
  return json(200, { ...rules, changed });
});

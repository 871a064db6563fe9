import { ValidationError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { parseReturnPolicy } from "../../domain/return-policy.js";
import { actorOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const policies = root.returnPolicies();

/** GET and PUT /returns/policies/{channel}: the channel's return policy; a PUT stores the next version (If-Match: <version> guards against lost updates). */
export const handler = httpHandler(async (event) => {
  const channel = pathId("channel", event.pathParameters?.channel);
  if (event.requestContext.http.method === "GET") return json(200, await policies.current(channel));
  const ifMatch = event.headers["if-match"]?.replace(/"/g, "").trim();
  if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) throw new ValidationError("Invalid If-Match", [{ path: "headers.if-match", message: "must be a policy version number" }]);
  const { policy, changed } = await policies.put(channel, parseReturnPolicy(jsonBody(event)), actorOf(event), systemClock.now(), ifMatch === undefined ? undefined : Number(ifMatch));
  return json(200, { ...policy, changed });
});

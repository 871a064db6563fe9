import { NotFoundError, ValidationError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const routingRules = root.routingRules();

/** GET /routing/rules/{channel}[?version=N]: the current (or a past) version, and the list of versions. */
export const handler = httpHandler(async (event) => {
  const channel = pathId("channel", event.pathParameters?.channel);
  const v = event.queryStringParameters?.version;
  if (v !== undefined && !/^\d+$/.test(v)) throw new ValidationError("Invalid version", [{ path: "version", message: "must be a whole number" }]);
  const rules = await routingRules.get(channel, v === undefined ? undefined : Number(v));
  if (!rules) throw new NotFoundError(`Routing rules of ${channel} have no version ${v ?? ""}`);
  const versions = (await routingRules.versions(channel)).map((r) => ({ version: r.version, updatedAt: r.updatedAt, updatedBy: r.updatedBy }));
  return json(200, { ...rules, versions });
});

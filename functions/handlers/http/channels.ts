import { channelView, parseChannelInput } from "../../domain/channel.js";
import { NotFoundError, ValidationError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { actorOf, json, jsonBody } from "../../shared/http.js";
import { requireEnv } from "../../shared/env.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const channels = root.channels();
const credentialsPrefix = requireEnv("CHANNEL_CREDENTIALS_PREFIX");

/**
 * GET /channels, GET and PUT /channels/{channelId}: the sales channels. A PUT stores the next
 * version (If-Match: <version> guards against lost updates); the credentials' secret is never returned.
 */
export const handler = httpHandler(async (event) => {
  const raw = event.pathParameters?.channelId;
  if (raw === undefined) return json(200, { items: (await channels.list()).map(channelView) });
  const channelId = pathId("channelId", raw);
  if (event.requestContext.http.method === "GET") {
    const channel = await channels.get(channelId);
    if (!channel) throw new NotFoundError(`Channel ${channelId} is not registered`);
    return json(200, channelView(channel));
  }
  const ifMatch = event.headers["if-match"]?.replace(/"/g, "").trim();
  if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) throw new ValidationError("Invalid If-Match", [{ path: "headers.if-match", message: "must be a channel version number" }]);
  const { channel, changed } = await channels.put(channelId, parseChannelInput(jsonBody(event), credentialsPrefix), actorOf(event), systemClock.now(), ifMatch === undefined ? undefined : Number(ifMatch));
  return json(200, { ...channelView(channel), changed });
});

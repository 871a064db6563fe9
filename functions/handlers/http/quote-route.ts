import { quoteRoute, routingDataFrom } from "../../app/quote-route.js";
import { parseQuote } from "../../domain/routing-rules.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const catalog = root.catalog();
const inventory = root.stock();
const routingRules = root.routingRules();

const data = routingDataFrom(catalog, inventory, routingRules, systemClock);

/** POST /routing/quote: the plan and its explanation for a hypothetical order; nothing is reserved. */
export const handler = httpHandler(async (event) => json(200, await quoteRoute(data, parseQuote(jsonBody(event)))));

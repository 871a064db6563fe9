import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { catalog } from "./deps.js";

/** GET /locations: every location, by id. */
export const handler = httpHandler(async () => json(200, { items: await catalog.listLocations() }));

import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const catalog = root.catalog();

/** GET /locations: every location, by id. */
export const handler = httpHandler(async () => json(200, { items: await catalog.listLocations() }));

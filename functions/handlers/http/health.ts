import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";

/** GET /health: liveness of the API, no auth, no dependencies. */
export const handler = httpHandler(() => Promise.resolve(json(200, { status: "ok", time: new Date().toISOString() })));

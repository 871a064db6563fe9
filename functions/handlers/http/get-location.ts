import { NotFoundError } from "../../domain/errors.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { catalog } from "./deps.js";

/** GET /locations/{locationId}. */
export const handler = httpHandler(async (event) => {
  const id = event.pathParameters?.locationId ?? "";
  const location = await catalog.getLocation(id);
  if (!location) throw new NotFoundError(`Location ${id} does not exist`);
  return json(200, location);
});

import { NotFoundError } from "../../domain/errors.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const catalog = root.catalog();

/** GET /locations/{locationId}. */
export const handler = httpHandler(async (event) => {
  const id = event.pathParameters?.locationId ?? "";
  const location = await catalog.getLocation(id);
  if (!location) throw new NotFoundError(`Location ${id} does not exist`);
  return json(200, location);
});

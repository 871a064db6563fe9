import { monotonicFactory } from "ulid";
import type { Clock, IdGenerator } from "../app/ports.js";

/** Wall-clock time in ISO-8601 UTC. */
export const systemClock: Clock = { now: () => new Date().toISOString() };

const nextUlid = monotonicFactory();
/** ULIDs: sortable by creation time, unique without coordination. */
export const ulidIds: IdGenerator = { next: () => nextUlid() };

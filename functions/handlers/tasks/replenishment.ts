import * as z from "zod/mini";
import "../../domain/schema.js";
import { transition } from "../../app/purchasing.js";
import { finishRun, listWork, planSegment } from "../../app/replenishment.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.planningDeps();
const purchasingDeps = root.purchasingDeps();

const input = z.discriminatedUnion("step", [
  z.object({ step: z.literal("list"), runId: z.string(), asOf: z.string() }),
  z.object({ step: z.literal("plan"), runId: z.string(), asOf: z.string(), unit: z.object({ locationId: z.string(), from: z.string(), to: z.optional(z.string()) }) }),
  z.object({ step: z.literal("finish"), runId: z.string(), asOf: z.string() }),
]);

/** The replenishment-planning workflow's steps: list the work, plan a unit of SKU-locations, finish the run. */
export const handler = taskHandler(async (event: unknown) => {
  const e = input.parse(event);
  if (e.step === "list") {
    const units = await listWork(deps);
    logger.info("Planning work listed", { runId: e.runId, units: units.length });
    return { runId: e.runId, asOf: e.asOf, units };
  }
  if (e.step === "plan") {
    const out = await planSegment(deps, e.unit, e.runId, e.asOf);
    logger.info("Segment planned", { runId: e.runId, ...e.unit, ...out });
    return out;
  }
  const out = await finishRun(deps, e.runId, e.asOf, (poId, actor) => transition(purchasingDeps, poId, "APPROVED", actor));
  logger.info("Planning run finished", { runId: e.runId, ...out });
  return out;
});

// Runs one Lambda function instance: loads the bundled handler once (the cold start) and
// serves one invocation at a time, like a Lambda execution environment.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { performance } from "node:perf_hooks";

const { codeDir, handler, functionName, functionArn, memorySize, logGroupName } = workerData;
const [file, exportName] = handler.split(".");
let modulePromise;
/** How long the module took to load (the cold start's init), reported with the first invocation. */
let initMs;
async function loadHandler() {
  const started = modulePromise ? undefined : performance.now();
  modulePromise ??= (async () => {
    for (const ext of [".mjs", ".js", ".cjs"]) {
      try {
        return await import(pathToFileURL(path.join(codeDir, file + ext)).href);
      } catch (e) {
        if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes(file + ext)) throw e;
      }
    }
    throw new Error(`Cannot find handler file ${file} in ${codeDir}`);
  })();
  const mod = await modulePromise;
  if (started !== undefined) initMs = performance.now() - started;
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== "function") throw Object.assign(new Error(`Handler '${handler}' is missing on module '${file}'`), { name: "Runtime.HandlerNotFound" });
  return fn;
}

parentPort.on("message", async ({ id, event, requestId, deadline }) => {
  try {
    const fn = await loadHandler();
    const context = {
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: functionArn,
      memoryLimitInMB: String(memorySize),
      awsRequestId: requestId,
      logGroupName,
      logStreamName: `local/${workerData.instance}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done() {},
      succeed() {},
      fail() {},
    };
    const began = performance.now();
    try {
      const result = await fn(event, context);
      parentPort.postMessage({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)), ...timing(began) });
    } catch (error) {
      parentPort.postMessage({ id, ...failure(error), ...timing(began) });
    }
  } catch (error) {
    parentPort.postMessage({ id, ...failure(error), ...timing(undefined) });
  }
});

/** The handler's own time (not the queue before it, nor the messaging around it), and the init time once. */
function timing(began) {
  const out = { durationMs: began === undefined ? 0 : performance.now() - began, ...(initMs === undefined ? {} : { initMs }) };
  initMs = undefined;
  return out;
}

function failure(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { ok: false, errorType: e.name && e.name !== "Error" ? e.name : "Error", errorMessage: e.message, trace: String(e.stack ?? "").split("\n") };
}

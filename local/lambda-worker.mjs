// Runs one Lambda function instance: loads the bundled handler once (the cold start) and
// serves one invocation at a time, like a Lambda execution environment.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import path from "node:path";

const { codeDir, handler, functionName, functionArn, memorySize, logGroupName } = workerData;
const [file, exportName] = handler.split(".");
let modulePromise;
async function loadHandler() {
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
    const result = await fn(event, context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({
      id,
      ok: false,
      errorType: e.name && e.name !== "Error" ? e.name : "Error",
      errorMessage: e.message,
      trace: String(e.stack ?? "").split("\n"),
    });
  }
});

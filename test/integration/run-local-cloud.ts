// Runs a local cloud in its own process, for the test that kills it: node --import tsx run-local-cloud.ts <assembly> <data dir>
import { startLocalCloud } from "../../local/cloud.js";

const [assemblyDir, dataDir] = process.argv.slice(2) as [string, string];
const cloud = await startLocalCloud({ assemblyDir, dataDir });
console.log(`AWS_ENDPOINT=${cloud.awsEndpoint}`);
setInterval(() => undefined, 60_000);

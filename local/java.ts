import { spawnSync } from "node:child_process";

const javaVersion = (): number | undefined => {
  const out = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (out.error) return undefined;
  const m = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`);
  return m ? Number(m[1]) : undefined;
};

/**
 * DynamoDB Local needs Java 17+. On a Debian machine where we are root, install it; anywhere
 * else say exactly what is missing.
 */
export function ensureJava(log: (line: string) => void = console.log): void {
  const version = javaVersion();
  if (version !== undefined && version >= 17) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
  if (!root || !apt)
    throw new Error(`DynamoDB Local needs Java 17 or newer (found ${version ?? "none"}). Install a JRE, e.g. "sudo apt-get install openjdk-17-jre-headless".`);
  log("Installing Java 17 for DynamoDB Local (apt-get install openjdk-17-jre-headless)...");
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "openjdk-17-jre-headless"]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed; install Java 17+ and run again`);
  }
}

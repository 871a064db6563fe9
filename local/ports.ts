import { createServer } from "node:net";

/** `count` distinct free TCP ports, chosen by the OS while all are held (so none is handed out twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "0.0.0.0", () => resolve(server));
    })),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (typeof a !== "object" || !a) throw new Error("no port");
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Throws a clear error when the port is taken (instead of a late EADDRINUSE stack trace). */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `Port ${port} (${what}) is already in use. Stop whatever holds it or pick another port (see npm start -- --help).`
            : `Cannot listen on port ${port} (${what}): ${e.message}`,
        ),
      ),
    );
    server.listen(port, "0.0.0.0", () => server.close(() => resolve()));
  });
}

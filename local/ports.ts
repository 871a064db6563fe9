import { createServer } from "node:net";

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
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

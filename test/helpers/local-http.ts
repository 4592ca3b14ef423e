import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free loopback port; returns the base URL. */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, dropping keep-alive connections that would otherwise hold it open. */
export async function closeLocal(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  const url = await listenLocal(s);
  await closeLocal(s);
  return Number(new URL(url).port);
}

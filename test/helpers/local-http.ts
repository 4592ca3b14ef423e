import type { Server } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
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

/** An SDK logger that says nothing. */
export const silentLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/**
 * An app's webhook receiver built the way the SDK documents it (EventDispatcher behind adaptDefault) on
 * a loopback port: `received` collects each event of `types` as the SDK hands it over.
 */
export async function sdkEventReceiver(path: string, verificationToken: string, types: readonly string[]): Promise<{ server: Server; url: string; received: Record<string, any>[] }> {
  const received: Record<string, any>[] = [];
  const dispatcher = new lark.EventDispatcher({ verificationToken, logger: silentLogger }).register(
    Object.fromEntries(types.map((t) => [t, (data: Record<string, any>) => void received.push(JSON.parse(JSON.stringify(data)) as Record<string, any>)])) as never,
  );
  const handle = lark.adaptDefault(path, dispatcher);
  const server = createServer((req, res) => void handle(req, res));
  return { server, url: `${await listenLocal(server)}${path}`, received };
}

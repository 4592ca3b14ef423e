import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes a connection as it arrives when its address already holds `max` open ones, before a byte of it
 * is read: a client cannot pin the server's sockets (or file descriptors) by opening connections it never
 * uses. Addresses are the peer's own (a reverse proxy is one address; docs/operations.md).
 */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

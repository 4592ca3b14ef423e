import { createSocket, type Socket } from 'node:dgram';
import type { Page } from 'playwright-core';
import { turnCredential } from '../../src/media/ice-servers.js';
import type { Coturn } from './coturn.js';

/**
 * A UDP link between the page and its TURN server that can go down: packets are dropped while it is
 * down (not queued, as a frozen process's socket would queue them, to be delivered stale later).
 */
class UdpLink {
  down = false;
  private readonly upstream = new Map<string, Socket>();

  private constructor(
    private readonly front: Socket,
    private readonly targetPort: number,
  ) {
    front.on('message', (msg, from) => {
      if (this.down) return;
      const key = `${from.address}:${from.port}`;
      let up = this.upstream.get(key);
      if (!up) {
        up = createSocket('udp4');
        up.on('message', (back) => {
          if (!this.down) front.send(back, from.port, from.address);
        });
        this.upstream.set(key, up);
      }
      up.send(msg, this.targetPort, '127.0.0.1');
    });
  }

  static start(targetPort: number): Promise<UdpLink> {
    const front = createSocket('udp4');
    return new Promise((resolve) => front.bind(0, '127.0.0.1', () => resolve(new UdpLink(front, targetPort))));
  }

  get port(): number {
    return this.front.address().port;
  }

  close(): void {
    for (const up of this.upstream.values()) up.close();
    this.front.close();
  }
}

/**
 * Everything one meeting page sends and receives, made cuttable: its media goes relay-only through the
 * test's coturn over a UDP link of its own (dropping every packet during a cut: the page's access link is
 * down, the TURN server and the media server stay up), its signalling socket passes through the test (held
 * during a cut, the way TCP holds a stalled connection; new sockets fail), and its HTTP calls fail (the
 * browser context is offline). The other pages and the server notice only what a real outage shows them.
 */
export class NetworkCut {
  private cut = false;
  private held: (() => void)[] = [];

  private constructor(
    private readonly page: Page,
    private readonly link: UdpLink,
  ) {}

  /** Routes `page`'s media signalling through the cut; call before the page joins. */
  static async install(page: Page, turn: Coturn): Promise<NetworkCut> {
    const link = await UdpLink.start(turn.port);
    const cut = new NetworkCut(page, link);
    await page.routeWebSocket(/\/rtc$/, (ws) => {
      if (cut.cut) {
        ws.close({ code: 4000, reason: 'network down' });
        return;
      }
      const server = ws.connectToServer();
      const pass = (deliver: () => void) => (cut.cut ? cut.held.push(deliver) : deliver());
      ws.onMessage((m) => pass(() => server.send(m)));
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { type: string; session_id?: string; ice_servers?: unknown; ice_transport_policy?: string };
        if (msg.type === 'ready') {
          // This page alone relays through the test's coturn, with a credential signed by its secret.
          msg.ice_servers = [{ urls: [`turn:127.0.0.1:${link.port}?transport=udp`], ...turnCredential(turn.secret, msg.session_id!, Math.floor(Date.now() / 1000) + 600) }];
          msg.ice_transport_policy = 'relay';
        }
        pass(() => ws.send(JSON.stringify(msg)));
      });
      // Codes a close frame may carry (1005 and 1006 only say that there was none).
      const sendable = (code: number | undefined) => (code === 1000 || (code !== undefined && code >= 3000 && code <= 4999) ? code : 1000);
      ws.onClose((code, reason) => pass(() => server.close({ code: sendable(code), reason })));
      server.onClose((code, reason) => pass(() => ws.close({ code: sendable(code), reason })));
    });
    return cut;
  }

  async start(): Promise<void> {
    this.cut = true;
    this.link.down = true;
    await this.page.context().setOffline(true);
  }

  async end(): Promise<void> {
    this.link.down = false;
    await this.page.context().setOffline(false);
    this.cut = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  /** Closes the UDP link (the page's media through it stops for good). */
  close(): void {
    this.link.close();
  }
}

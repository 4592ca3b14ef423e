import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Rate limits count in fixed windows of the clock's minutes. A test that fills a window call by call waits
 * until the current minute has at least `needMs` left, so its calls all fall in one window even on a busy
 * machine.
 */
export async function awayFromMinuteBoundary(needMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await sleep(left + 100);
}

import { apiError } from '../contract/errors.js';
import type { AppRepository } from '../store/repositories/app.repository.js';
import { requestUrlProblem, type SelfAddress } from './request-url.js';
import { EVENT_TYPES } from '../contract/events.js';
import { challengeRequest, isChallengeAnswer, postWebhook } from './webhook-request.js';

/** An app's event subscription as the admin API and the CLI show it (secrets included: admins set them). */
export interface EventSubscription {
  app_id: string;
  request_url: string | null;
  verification_token: string | null;
  encrypt_key: string | null;
  event_types: string[];
}

export type SubscriptionChange = Partial<Omit<EventSubscription, 'app_id'>>;

/** Feishu gives a request URL 1 s to answer the challenge (event-delivery.md §2). */
const CHALLENGE_TIMEOUT_MS = 1000;

/**
 * Reads and changes an app's event subscription. Saving a request URL, or the token or key it is
 * checked with, runs the `url_verification` handshake first, and nothing is saved unless it passes.
 */
export class SubscriptionService {
  constructor(
    private readonly apps: AppRepository,
    private readonly self: () => SelfAddress,
  ) {}

  async get(appId: string): Promise<EventSubscription> {
    await this.app(appId);
    const row = await this.apps.eventSettings(appId);
    return {
      app_id: appId,
      request_url: row?.request_url ?? null,
      verification_token: row?.verification_token ?? null,
      encrypt_key: row?.encrypt_key ?? null,
      event_types: row ? (JSON.parse(row.event_types) as string[]) : [],
    };
  }

  /** Applies the change; returns the saved subscription and how long the handshake took, if one ran. */
  async set(appId: string, change: SubscriptionChange): Promise<{ subscription: EventSubscription; challengeMs?: number }> {
    const app = await this.app(appId);
    const current = await this.get(appId);
    const next: EventSubscription = {
      app_id: appId,
      request_url: change.request_url === undefined ? current.request_url : change.request_url || null,
      verification_token: change.verification_token === undefined ? current.verification_token : change.verification_token || null,
      encrypt_key: change.encrypt_key === undefined ? current.encrypt_key : change.encrypt_key || null,
      event_types: change.event_types === undefined ? current.event_types : [...new Set(change.event_types)],
    };
    const unknown = next.event_types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length > 0) throw apiError('fieldValidation', { msg: `unknown event types: ${unknown.join(', ')}`, fieldViolations: [{ field: 'event_types', description: `known types: ${EVENT_TYPES.join(', ')}` }] });
    let challengeMs: number | undefined;
    const receiverChanged = next.request_url !== current.request_url || next.verification_token !== current.verification_token || next.encrypt_key !== current.encrypt_key;
    if (next.request_url && receiverChanged) challengeMs = await this.verify(next.request_url, next);
    await this.apps.saveEventSettings({
      app_id: appId,
      tenant_key: app.tenantKey,
      request_url: next.request_url,
      verification_token: next.verification_token,
      encrypt_key: next.encrypt_key,
      event_types: JSON.stringify(next.event_types),
    });
    return { subscription: next, ...(challengeMs === undefined ? {} : { challengeMs }) };
  }

  private async verify(url: string, target: EventSubscription): Promise<number> {
    const problem = requestUrlProblem(url, this.self());
    if (problem) throw apiError('requestUrlRejected', problem);
    const { challenge, request } = challengeRequest({ verificationToken: target.verification_token, encryptKey: target.encrypt_key });
    const result = await postWebhook(url, request, CHALLENGE_TIMEOUT_MS);
    if (!isChallengeAnswer(challenge, result)) {
      const why = result.error ?? (result.status !== 200 ? `it answered HTTP ${result.status}` : 'its answer did not echo the challenge');
      throw apiError('requestUrlRejected', `request_url failed the url_verification challenge: ${why} (expected HTTP 200 {"challenge":"…"} within ${CHALLENGE_TIMEOUT_MS} ms)`);
    }
    return result.latencyMs;
  }

  private async app(appId: string) {
    const app = await this.apps.find(appId);
    if (!app) throw apiError('dataNotExist', `app ${appId} does not exist`);
    return app;
  }
}

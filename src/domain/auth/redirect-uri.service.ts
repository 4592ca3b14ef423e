import { apiError } from '../../contract/errors.js';
import type { App, AppRepository } from '../../store/repositories/app.repository.js';
import { REDIRECT_URIS_PER_APP, redirectUriProblem } from './redirect-uris.js';

export interface RedirectUriChange {
  add?: readonly string[];
  remove?: readonly string[];
}

/** Lists and changes an app's registered redirect URIs (CLI and admin API); nothing is saved unless all are valid. */
export class RedirectUriService {
  constructor(private readonly apps: AppRepository) {}

  async list(appId: string): Promise<string[]> {
    return (await this.app(appId)).redirectUris;
  }

  /** Removes, then adds what is not there yet. Returns the new list. */
  async change(appId: string, change: RedirectUriChange): Promise<string[]> {
    const current = (await this.app(appId)).redirectUris;
    const remove = new Set(change.remove ?? []);
    const kept = current.filter((u) => !remove.has(u));
    return this.save(appId, [...kept, ...(change.add ?? []).filter((u) => !kept.includes(u))]);
  }

  /** Replaces the whole list. */
  async replace(appId: string, uris: readonly string[]): Promise<string[]> {
    await this.app(appId);
    return this.save(appId, uris);
  }

  private async save(appId: string, uris: readonly string[]): Promise<string[]> {
    const next = [...new Set(uris)];
    const problems = next.map(redirectUriProblem).filter((p): p is string => p !== undefined);
    if (next.length > REDIRECT_URIS_PER_APP) problems.push(`an app registers at most ${REDIRECT_URIS_PER_APP} redirect URIs, not ${next.length}`);
    if (problems.length > 0) {
      throw apiError('fieldValidation', { msg: `field validation failed: ${problems.join('; ')}`, fieldViolations: problems.map((description) => ({ field: 'redirect_uris', description })) });
    }
    await this.apps.saveRedirectUris(appId, next);
    return next;
  }

  private async app(appId: string): Promise<App> {
    const app = await this.apps.find(appId);
    if (!app) throw apiError('dataNotExist', `app ${appId} does not exist`);
    return app;
  }
}

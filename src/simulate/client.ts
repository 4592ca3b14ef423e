/** A participant-protocol client (docs/client-api.md) for one user: what a meeting client sends. */

export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${message} (code ${code})`);
    this.name = 'ProtocolError';
  }
}

export const PROTOCOL_CODE = {
  /** the session is over: left, kicked out, meeting ended, or dropped for missed heartbeats */
  sessionOver: 122009,
  /** the token is unknown or malformed */
  invalidToken: [99991663, 99991668] as readonly number[],
};

export interface Joined {
  session_id: string;
  meeting: { id: string; meeting_no: string; topic: string; status: number; host_user_id: string | null; is_host: boolean };
}

export class ParticipantClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  start(topic: string, device: object): Promise<Joined> {
    return this.call('POST', '/client/v1/meetings', { topic, device }) as Promise<Joined>;
  }

  join(meetingNo: string, device: object, password?: string): Promise<Joined> {
    return this.call('POST', '/client/v1/meetings/join', { meeting_no: meetingNo, device, ...(password ? { password } : {}) }) as Promise<Joined>;
  }

  async heartbeat(sessionId: string): Promise<void> {
    await this.call('POST', `/client/v1/sessions/${sessionId}/heartbeat`);
  }

  async media(sessionId: string, media: { audio?: boolean; video?: boolean }): Promise<void> {
    await this.call('POST', `/client/v1/sessions/${sessionId}/media`, media);
  }

  async share(sessionId: string, on: boolean): Promise<void> {
    await this.call('POST', `/client/v1/sessions/${sessionId}/share/${on ? 'start' : 'stop'}`);
  }

  async stats(sessionId: string, samples: object[]): Promise<void> {
    await this.call('POST', `/client/v1/sessions/${sessionId}/stats`, { samples });
  }

  async leave(sessionId: string): Promise<void> {
    await this.call('POST', `/client/v1/sessions/${sessionId}/leave`);
  }

  /** `data` of the envelope; a non-zero code is a ProtocolError, no answer or no envelope an Error. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }).catch((e: unknown) => {
      throw new Error(`cannot reach ${this.url}: ${(e as Error).message}`);
    });
    const envelope = (await res.json().catch(() => {
      throw new Error(`${this.url}${path} answered HTTP ${res.status} without the JSON envelope: is it an openvc server?`);
    })) as { code: number; msg: string; data?: unknown };
    if (envelope.code !== 0) throw new ProtocolError(envelope.code, envelope.msg);
    return envelope.data ?? {};
  }
}

import { describe, expect, it } from 'vitest';
import { parseClientMessage, Refusal } from '../src/media/signalling.js';
import { answerProblem } from '../src/media/peer.js';

const refusal = (text: string) => {
  try {
    parseClientMessage(text);
  } catch (e) {
    if (e instanceof Refusal) return [e.code, e.message];
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('media signalling messages', () => {
  it('accepts the four client messages', () => {
    expect(parseClientMessage('{"type":"hello","access_token":"u-abc"}')).toEqual({ type: 'hello', access_token: 'u-abc' });
    expect(parseClientMessage('{"type":"answer","sdp":"v=0\\r\\n"}').type).toBe('answer');
    expect(parseClientMessage('{"type":"candidate","candidate":null}')).toEqual({ type: 'candidate', candidate: null });
    expect(parseClientMessage('{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":null}}').type).toBe('candidate');
    expect(parseClientMessage('{"type":"state","audio":true,"video":false,"screen":false}')).toEqual({ type: 'state', audio: true, video: false, screen: false });
  });

  it('refuses what is not JSON, not an object, of an unknown type or of the wrong shape, without echoing it', () => {
    expect(refusal('{hello')).toEqual(['malformed', 'the message is not JSON']);
    expect(refusal('[1,2]')[0]).toBe('malformed');
    expect(refusal('null')[0]).toBe('malformed');
    expect(refusal('{"type":"offer","sdp":"v=0"}')[0]).toBe('unknown_type');
    expect(refusal('{"kind":"hello"}')[0]).toBe('unknown_type');
    expect(refusal('{"type":"state","audio":"yes","video":true,"screen":false}')).toEqual(['malformed', 'state: /audio Expected boolean']);
    expect(refusal('{"type":"hello","access_token":"u-secret","extra":1}')[0]).toBe('malformed');
    const [, message] = refusal('{"type":"hello","access_token":""}');
    expect(message).not.toContain('u-secret');
    expect(refusal(JSON.stringify({ type: 'x'.repeat(500) }))[1]!.length).toBeLessThan(80);
  });

  it('checks an answer against the offer it answers', () => {
    const offer = ['v=0', 'o=- 1 1 IN IP4 0.0.0.0', 'm=audio 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 97', 'a=mid:1', ''].join('\r\n');
    const answer = (mids: string[], extra = ['a=ice-ufrag:abcd', 'a=fingerprint:sha-256 AA']) => ['v=0', ...extra, ...mids.flatMap((m) => [`m=${m === '0' ? 'audio' : 'video'} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${m}`]), ''].join('\r\n');
    expect(answerProblem(offer, answer(['0', '1']))).toBeUndefined();
    expect(answerProblem(offer, 'hello')).toBe('not SDP');
    expect(answerProblem(offer, answer(['0']))).toBe('1 media sections for 2 offered');
    expect(answerProblem(offer, answer(['1', '0']))).toBe('media sections out of order');
    expect(answerProblem(offer, answer(['0', '1'], []))).toBe('no DTLS fingerprint or ICE credentials');
  });
});

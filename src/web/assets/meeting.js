// The openvc meeting page: sign-in (OAuth code flow with PKCE) or joining as a guest, device check, and
// the meeting itself over the participant protocol (docs/client-api.md) with media through the server's SFU.
// Plain browser JavaScript, no build step. `window.openvc` exposes the state for tests and debugging.

const NO = document.body.dataset.meetingNo;
const params = new URLSearchParams(location.search);
// `stats_interval` (seconds between quality samples, for tests) survives the sign-in round trip.
if (params.has('stats_interval')) sessionStorage.setItem('openvc.stats_interval', params.get('stats_interval'));
const STATS_INTERVAL_S = Math.max(1, Number(sessionStorage.getItem('openvc.stats_interval')) || 60);
const TOKEN_KEY = 'openvc.token';
const PKCE_KEY = 'openvc.pkce';
/** The name a guest gave, kept for the tab so that "Join again" needs no retyping. */
const GUEST_KEY = 'openvc.guest_name';
/** Whether the number's meeting admits guests (the server says so in the page). */
const GUESTS = document.body.dataset.guests === 'true';
/** Whether joining asks for a password (its organiser and invitees are not asked). */
const NEEDS_PASSWORD = document.body.dataset.password === 'true';
/** The password a join link carried (`/j/<no>?pwd=…`) or that was typed, kept for the tab across sign-in. */
const PWD_KEY = `openvc.pwd.${NO}`;
if (params.get('pwd')) sessionStorage.setItem(PWD_KEY, params.get('pwd'));
const ICONS = JSON.parse(document.getElementById('icons').textContent);
const REACTION_SHOW_MS = 4000;
/** How often the audio levels and the connection quality are read (getStats is not free with many tracks). */
const LEVELS_MS = 1000;
// A guest's token (`g-…`) is good for one meeting only.
const isGuestToken = (t) => typeof t === 'string' && t.startsWith('g-');
const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** set when joining as a guest: the name others see */
  guestName: sessionStorage.getItem(GUEST_KEY),
  sessionId: null,
  meeting: null,
  me: null,
  hostKey: null,
  roster: [],
  tracks: [],
  slots: null,
  maxVideoStreams: null,
  events: [],
  errors: [],
  statsPosted: [],
  recording: false,
  mic: true,
  cam: true,
  screen: false,
  local: null,
  screenStream: null,
  pc: null,
  ws: null,
  over: null,
  /** performance.now() of the steps of joining, for timing joins */
  marks: {},
  /** media connections replaced by new ones (failed, or their socket closed) */
  reconnects: 0,
  /** the meeting chat as read so far: {seq, kind, content, sender_key, sender_name, created_at} */
  chat: [],
  /** participant keys with a raised hand */
  hands: new Set(),
  /** 'grid' or 'speaker' */
  layout: 'grid',
  /** the participant heard loudest lately (audio levels from getStats) */
  speaker: null,
  /** participant key → audio level 0..1 */
  levels: {},
  /** 'good' | 'fair' | 'poor' | 'unknown', from getStats() */
  quality: 'unknown',
  /** participant key → quality of what this page receives from them */
  peerQuality: {},
  /** TURN credentials refused so far (each makes the next reconnect wait longer) */
  turnRefusals: 0,
};
window.openvc = state;
const mark = (name) => {
  state.marks[name] ??= performance.now();
};

/** An SVG mark (no font glyphs: they draw as boxes where the font lacks them). */
function svgIcon(name, cls = name) {
  const t = document.createElement('template');
  t.innerHTML = `<svg class="icon ${cls}" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[name]}</svg>`;
  return t.content.firstChild;
}

function setLabel(id, text) {
  const el = $(id);
  el.querySelector('.label').textContent = text;
  el.title = text;
  el.setAttribute('aria-label', text);
}

function show(view) {
  document.body.dataset.view = view;
}

function toast(text) {
  const el = document.createElement('div');
  el.className = 'toast';
  el.textContent = text;
  $('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

class ApiError extends Error {
  constructor(code, msg) {
    super(`${msg} (${code})`);
    this.code = code;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { ...(state.token ? { authorization: `Bearer ${state.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, `HTTP ${res.status}`);
  }
  if (json.code !== 0) throw new ApiError(json.code, json.msg);
  return json.data;
}

// Sign-in --------------------------------------------------------------------------------------

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function startSignIn() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const st = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: st }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  location.assign(`/j/${NO}/signin?state=${st}&code_challenge=${challenge}`);
}

async function finishSignIn() {
  const code = params.get('code');
  const pkce = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
  history.replaceState(null, '', `/j/${NO}`);
  sessionStorage.removeItem(PKCE_KEY);
  if (params.get('error')) throw new Error('sign-in was denied');
  if (!pkce || pkce.state !== params.get('state')) throw new Error('sign-in answer does not match this page (state)');
  const res = await fetch(`/j/${NO}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, code_verifier: pkce.verifier }) });
  const json = await res.json();
  if (json.code !== 0) throw new Error(json.msg ?? json.error_description);
  state.token = json.access_token;
  sessionStorage.setItem(TOKEN_KEY, state.token);
}

function startAsGuest() {
  const name = $('guest-name').value.trim();
  if (!name || [...name].length > 64) {
    $('guest-error').textContent = 'Type the name others will see (at most 64 characters).';
    return;
  }
  state.guestName = name;
  sessionStorage.setItem(GUEST_KEY, name);
  prejoin();
}

/** A new guest joins without a token and gets one for this meeting; a returning guest rejoins with theirs. */
async function joinRequest(device) {
  const typed = $('password').value.trim();
  const password = typed || sessionStorage.getItem(PWD_KEY) || undefined;
  const pw = password ? { password } : {};
  if (state.token || !state.guestName) return api('POST', '/client/v1/meetings/join', { meeting_no: NO, device, ...pw });
  const joined = await api('POST', '/client/v1/meetings/guest_join', { meeting_no: NO, name: state.guestName, device, ...pw });
  state.token = joined.guest.access_token;
  sessionStorage.setItem(TOKEN_KEY, state.token);
  return joined;
}

// Pre-join device check ------------------------------------------------------------------------

async function prejoin() {
  $('password-row').hidden = !(NEEDS_PASSWORD && !sessionStorage.getItem(PWD_KEY));
  show('prejoin');
  try {
    state.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  } catch (e) {
    $('device-error').textContent = `No camera or microphone: ${e.message}. You can still join and watch.`;
    state.local = new MediaStream();
    state.mic = false;
    state.cam = false;
  }
  $('preview').srcObject = state.local;
  meterOn(state.local);
  const label = () => {
    $('pre-mic').textContent = state.mic ? 'Microphone on' : 'Microphone off';
    $('pre-mic').className = state.mic ? '' : 'off';
    $('pre-mic').setAttribute('aria-pressed', String(state.mic));
    $('pre-cam').textContent = state.cam ? 'Camera on' : 'Camera off';
    $('pre-cam').className = state.cam ? '' : 'off';
    $('pre-cam').setAttribute('aria-pressed', String(state.cam));
    for (const t of state.local.getVideoTracks()) t.enabled = state.cam;
  };
  $('pre-mic').onclick = () => {
    state.mic = !state.mic && state.local.getAudioTracks().length > 0;
    label();
  };
  $('pre-cam').onclick = () => {
    state.cam = !state.cam && state.local.getVideoTracks().length > 0;
    label();
  };
  label();
  $('join-button').disabled = false;
}

function meterOn(stream) {
  if (stream.getAudioTracks().length === 0) return;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const tick = () => {
    if (document.body.dataset.view !== 'prejoin') return ctx.close();
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    $('mic-level').style.width = `${Math.min(100, (peak / 128) * 100 * (state.mic ? 1 : 0))}%`;
    requestAnimationFrame(tick);
  };
  tick();
}

// Joining and the participant protocol ---------------------------------------------------------

async function join() {
  state.marks = {};
  mark('join');
  const [mic] = state.local.getAudioTracks();
  const [cam] = state.local.getVideoTracks();
  const device = { type: 'web', os: navigator.userAgentData?.platform || navigator.platform, client_version: 'openvc-web/0.1', protocol: 'udp', ...(mic ? { microphone: mic.label } : {}), ...(cam ? { camera: cam.label } : {}) };
  let joined;
  const gave = Boolean($('password').value.trim() || sessionStorage.getItem(PWD_KEY));
  try {
    joined = await joinRequest(device);
    if ($('password').value.trim()) sessionStorage.setItem(PWD_KEY, $('password').value.trim());
  } catch (e) {
    if (NEEDS_PASSWORD && e.code === 121005 && /password/.test(e.message)) {
      // Wrong or missing: ask for it, and forget a wrong one so that the next try uses what is typed.
      sessionStorage.removeItem(PWD_KEY);
      $('password-row').hidden = false;
      $('password').value = '';
      $('password').focus();
      throw new Error(gave ? 'That password is wrong. Check it and try again.' : 'This meeting needs a password: type the one you were given.', { cause: e });
    }
    if (e.code === 99991400) throw new Error('Too many wrong passwords from your network: wait a few minutes, then try again.', { cause: e });
    // A guest's pass ended with its meeting (or expired): the next try joins as a new guest.
    if (isGuestToken(state.token) && [99991668, 121005, 122001].includes(e.code)) {
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    throw e;
  }
  mark('joined');
  state.sessionId = joined.session_id;
  state.meeting = joined.meeting;
  state.hostKey = null;
  state.over = null;
  state.chat = [];
  state.hands = new Set();
  $('messages').replaceChildren();
  if (matchMedia('(min-width: 761px)').matches && document.body.dataset.panel === 'none') openPanel('people');
  $('topic').textContent = joined.meeting.topic;
  show('meeting');
  renderControls();
  connectMedia();
  heartbeat();
  sessionFeed(state.sessionId);
  chatFeed(state.sessionId);
  statsLoop(state.sessionId);
  levelsLoop(state.sessionId);
  reportMedia();
}

function heartbeat() {
  const sid = state.sessionId;
  const beat = async () => {
    if (state.sessionId !== sid || state.over) return;
    try {
      await api('POST', `/client/v1/sessions/${sid}/heartbeat`);
    } catch (e) {
      if (e.code === 122009 || e.code === 121004) return finish('You are no longer in the meeting', 'The server ended your session.', true);
      // The network is down: beat again as soon as it is back, before heartbeatTimeout runs out.
      if (!(e instanceof ApiError)) return setTimeout(beat, 1000);
    }
    setTimeout(beat, 10_000);
  };
  setTimeout(beat, 10_000);
}

async function sessionFeed(sid) {
  let after = 0;
  // After a generic end, read on briefly for the event that says why.
  while (state.sessionId === sid && (!state.over || (state.overGeneric && Date.now() - state.overAt < 30_000))) {
    try {
      const page = await api('GET', `/client/v1/sessions/${sid}/events?after=${after}&wait=25`);
      after = page.next;
      for (const e of page.events) onSessionEvent(e);
    } catch {
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function onSessionEvent(e) {
  state.events.push({ type: e.type, payload: e.payload, seq: e.seq });
  if (e.type === 'kicked_out') finish('You were removed from the meeting', 'The host removed you.');
  else if (e.type === 'meeting_ended') finish('The meeting has ended', '');
  else if (e.type === 'replaced') finish('You joined from another device', 'This page left the meeting.');
  else if (e.type === 'host_changed') {
    const host = e.payload.host;
    toast(host ? `${nameOfUser(host.user_id)} is now the host` : 'The meeting has no host');
  }
}

const nameOfUser = (userId) => state.roster.find((p) => p.user_id === userId)?.name ?? userId ?? 'someone';

async function userFeed() {
  let after = 0;
  for (;;) {
    try {
      const page = await api('GET', `/client/v1/events?after=${after}&wait=25`);
      after = page.next;
      for (const e of page.events) {
        state.events.push({ type: e.type, payload: e.payload, seq: e.seq, feed: 'user' });
        if (e.type === 'ringing' && Date.now() - Number(e.created_at) < 60_000) ring(e.payload);
      }
    } catch (err) {
      if (err.code === 99991668 || err.code === 99991663) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function ring(p) {
  const box = document.createElement('div');
  box.className = 'toast';
  box.dataset.meetingId = p.meeting_id;
  const text = document.createElement('p');
  text.textContent = `${p.inviter ?? 'Someone'} invites you to "${p.topic}" (${p.meeting_no})`;
  const accept = document.createElement('button');
  accept.textContent = 'Join';
  accept.onclick = () => location.assign(`/j/${p.meeting_no}`);
  const decline = document.createElement('button');
  decline.textContent = 'Decline';
  decline.className = 'plain';
  decline.onclick = () => {
    box.remove();
    api('POST', `/client/v1/meetings/${p.meeting_id}/decline`).catch(() => {});
  };
  box.append(text, accept, decline);
  $('ringing').append(box);
  setTimeout(() => box.remove(), 60_000);
}

// A heartbeat refused because the session is over may come before the event that says why (kicked
// out, meeting ended): that event's own words replace the generic ones, but nothing else does.
function finish(title, text, generic = false) {
  if (state.over && !(state.overGeneric && !generic)) return;
  const first = !state.over;
  if (first) state.overAt = Date.now();
  state.over = title;
  state.overGeneric = generic;
  $('over-title').textContent = title;
  $('over-text').textContent = text;
  if (!first) return;
  show('over');
  state.ws?.close();
  state.pc?.close();
  state.pc = null;
  stopScreen(false);
}

// Media ----------------------------------------------------------------------------------------

function connectMedia() {
  const sid = state.sessionId;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/client/v1/sessions/${sid}/rtc`);
  const pc = new RTCPeerConnection({ iceServers: [] });
  state.ws = ws;
  state.pc = pc;
  const pending = [];
  let bound = false;
  let bye = null;
  const send = (m) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  pc.onicecandidate = (e) => send({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null });
  pc.ontrack = () => renderTiles();
  // A TURN server answers 401 to a credential past its time or not signed with its secret: say so.
  let turnRefused = '';
  const mediaLine = () => ($('media-line').textContent = pc.connectionState === 'connected' ? '' : `media: ${pc.connectionState}${turnRefused}`);
  pc.onicecandidateerror = (e) => {
    if (e.errorCode !== 401 || turnRefused) return;
    turnRefused = ' (the relay server refused this connection\'s credential)';
    state.errors.push({ code: 'turn_refused', message: `${e.url}: ${e.errorCode} ${e.errorText}` });
    mediaLine();
    // A new connection brings a newly minted credential; waits grow in case it is refused again.
    const wait = Math.min(30_000, 2000 * 2 ** state.turnRefusals++);
    setTimeout(() => pc.connectionState !== 'connected' && reconnect(0), wait);
  };
  // After a short outage both ICE agents resume on their own (they give a silent pair 30 s); a connection
  // that failed or a socket that closed is replaced by a new one of the same session.
  let again = false;
  const reconnect = (delayMs) => {
    if (again || state.ws !== ws || state.over || state.sessionId !== sid) return;
    again = true;
    state.reconnects += 1;
    ws.close();
    pc.close();
    $('media-line').textContent = 'media: reconnecting…';
    setTimeout(() => {
      if (state.ws === ws && !state.over && state.sessionId === sid) connectMedia();
    }, delayMs);
  };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'connected') mark('connected');
    if (pc.connectionState === 'failed') reconnect(0);
    mediaLine();
  };
  state.reconnectMedia = () => pc.connectionState !== 'connected' && reconnect(0);
  ws.onopen = () => {
    mark('socket_open');
    send({ type: 'hello', access_token: state.token });
    send({ type: 'state', audio: state.mic, video: state.cam, screen: state.screen });
  };
  ws.onmessage = async (ev) => {
    const m = JSON.parse(ev.data);
    switch (m.type) {
      case 'ready':
        mark('ready');
        state.slots = m.slots;
        state.me = m.participant_key;
        state.maxVideoStreams = m.max_video_streams;
        // STUN/TURN servers with a TURN credential minted for this connection; set before the first
        // answer starts gathering candidates.
        pc.setConfiguration({ iceServers: m.ice_servers ?? [], iceTransportPolicy: m.ice_transport_policy ?? 'all' });
        // A roster that came first was drawn without knowing who "you" are.
        renderPeople();
        renderControls();
        break;
      case 'offer': {
        mark('offer');
        await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
        if (!bound) {
          bound = true;
          await bindUpstream(pc);
        }
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'answer', sdp: pc.localDescription.sdp });
        mark('answered');
        for (const c of pending.splice(0)) await pc.addIceCandidate(c).catch(() => {});
        renderTiles();
        break;
      }
      case 'candidate':
        if (pc.remoteDescription) await pc.addIceCandidate(m.candidate).catch(() => {});
        else pending.push(m.candidate);
        break;
      case 'tracks':
        state.tracks = m.tracks;
        renderTiles();
        break;
      case 'roster':
        state.roster = m.participants;
        state.hostKey = m.host_key;
        state.recording = m.recording;
        renderPeople();
        renderTiles();
        renderControls();
        break;
      case 'error':
        state.errors.push(m);
        console.warn('media signalling refused a message:', m.code, m.message);
        break;
      case 'bye':
        state.bye = m.reason;
        bye = m.reason;
        break;
    }
  };
  ws.onclose = (e) => {
    if (state.ws !== ws || state.over || state.sessionId !== sid) return;
    // The session is over (left, removed, the meeting ended, timed out) or no longer this page's: no
    // reconnecting. The session's events, read on briefly, say why.
    if (e.code === 4401 || e.code === 4403 || ['left', 'kicked_out', 'meeting_ended', 'replaced', 'heartbeat_timeout'].includes(bye)) return finish('You are no longer in the meeting', 'The server ended your session.', true);
    if (e.code === 4409) return;
    reconnect(1000);
  };
}

const transceiverOf = (pc, mid) => pc.getTransceivers().find((t) => t.mid === mid);

/** Puts the microphone, camera and screen on the three upstream transceivers the server offered. */
async function bindUpstream(pc) {
  const { audio, video, screen } = state.slots;
  const [mic] = state.local.getAudioTracks();
  const [cam] = state.local.getVideoTracks();
  for (const [mid, track] of [
    [audio, mic],
    [video, state.cam ? cam : null],
    [screen, state.screenStream?.getVideoTracks()[0] ?? null],
  ]) {
    const t = transceiverOf(pc, mid);
    if (!t) continue;
    t.direction = 'sendonly';
    await t.sender.replaceTrack(track ?? null);
  }
  if (mic) mic.enabled = state.mic;
}

function sendState() {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: 'state', audio: state.mic, video: state.cam, screen: state.screen }));
}

function reportMedia() {
  if (state.sessionId) api('POST', `/client/v1/sessions/${state.sessionId}/media`, { audio: state.mic, video: state.cam }).catch(() => {});
}

async function toggleMic() {
  const [mic] = state.local.getAudioTracks();
  if (!mic) return;
  state.mic = !state.mic;
  mic.enabled = state.mic;
  sendState();
  reportMedia();
  renderControls();
  renderTiles();
}

async function toggleCam() {
  let [cam] = state.local.getVideoTracks();
  if (!cam) return;
  state.cam = !state.cam;
  if (state.cam && cam.readyState === 'ended') {
    const fresh = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    state.local.removeTrack(cam);
    [cam] = fresh.getVideoTracks();
    state.local.addTrack(cam);
  }
  cam.enabled = state.cam;
  const t = state.pc && state.slots && transceiverOf(state.pc, state.slots.video);
  if (t) await t.sender.replaceTrack(state.cam ? cam : null);
  sendState();
  reportMedia();
  renderControls();
  renderTiles();
}

async function toggleScreen() {
  if (state.screen) return stopScreen(true);
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const [track] = stream.getVideoTracks();
  state.screenStream = stream;
  state.screen = true;
  track.onended = () => stopScreen(true);
  const t = state.pc && state.slots && transceiverOf(state.pc, state.slots.screen);
  if (t) await t.sender.replaceTrack(track);
  sendState();
  await api('POST', `/client/v1/sessions/${state.sessionId}/share/start`).catch((e) => toast(`Could not share: ${e.message}`));
  renderControls();
  renderTiles();
}

function stopScreen(tell) {
  if (!state.screen) return;
  state.screen = false;
  for (const t of state.screenStream?.getTracks() ?? []) t.stop();
  state.screenStream = null;
  const t = state.pc && state.slots && transceiverOf(state.pc, state.slots.screen);
  if (t) t.sender.replaceTrack(null).catch(() => {});
  if (!tell) return;
  sendState();
  api('POST', `/client/v1/sessions/${state.sessionId}/share/stop`).catch(() => {});
  renderControls();
  renderTiles();
}

// Host controls --------------------------------------------------------------------------------

const isHost = () => state.me !== null && state.hostKey === state.me;

async function hostAction(path, body, done) {
  try {
    await api('POST', `/client/v1/sessions/${state.sessionId}/${path}`, body);
    if (done) toast(done);
  } catch (e) {
    toast(`Refused: ${e.message}`);
  }
}

async function toggleRecording() {
  const action = state.recording ? 'stop' : 'start';
  try {
    await api('POST', `/client/v1/sessions/${state.sessionId}/recording/${action}`);
    // Set, not toggled: the roster may already have said so while the call was on its way back.
    state.recording = action === 'start';
    toast(state.recording ? 'Recording started' : 'Recording stopped');
  } catch (e) {
    toast(`Recording ${action} refused: ${e.message}`);
  }
  renderControls();
}

// Rendering ------------------------------------------------------------------------------------

function renderControls() {
  setLabel('mic', state.mic ? 'Mute' : 'Unmute');
  $('mic').className = `tool ${state.mic ? '' : 'off'}`;
  $('mic').querySelector('svg').replaceWith(svgIcon(state.mic ? 'mic' : 'micOff'));
  setLabel('cam', state.cam ? 'Stop video' : 'Start video');
  $('cam').className = `tool ${state.cam ? '' : 'off'}`;
  $('cam').querySelector('svg').replaceWith(svgIcon(state.cam ? 'cam' : 'camOff'));
  setLabel('share', state.screen ? 'Stop sharing' : 'Share screen');
  $('share').className = `tool ${state.screen ? 'on' : ''}`;
  $('record').hidden = !isHost();
  setLabel('record', state.recording ? 'Stop recording' : 'Record');
  $('end').hidden = !isHost();
  $('rec-line').textContent = state.recording ? '● recording' : '';
  const host = state.roster.find((p) => p.is_host);
  $('host-line').textContent = host ? `host: ${host.name}` : '';
  const raised = state.me !== null && state.hands.has(state.me);
  setLabel('hand-button', raised ? 'Lower hand' : 'Raise hand');
  $('hand-button').className = `tool ${raised ? 'on' : ''}`;
  setLabel('view-button', state.layout === 'grid' ? 'Speaker view' : 'Grid view');
  $('view-button').querySelector('svg').replaceWith(svgIcon(state.layout === 'grid' ? 'speaker' : 'grid'));
  $('people-button').className = `tool ${document.body.dataset.panel === 'people' ? 'on' : ''}`;
  $('chat-button').className = `tool ${document.body.dataset.panel === 'chat' ? 'on' : ''}`;
}

const peopleRows = new Map();

/**
 * Rows are kept per participant and updated in place: a roster update (they come often) must not replace
 * a button under the pointer of someone about to click it.
 */
function peopleRow(key) {
  let row = peopleRows.get(key);
  if (!row) {
    const li = document.createElement('li');
    li.dataset.participant = key;
    const label = document.createElement('span');
    label.className = 'who';
    const marks = document.createElement('span');
    marks.className = 'marks';
    const nameOf = () => state.roster.find((r) => r.participant_key === key)?.name ?? 'someone';
    const mk = document.createElement('button');
    mk.textContent = 'Make host';
    mk.className = 'make-host';
    mk.onclick = () => hostAction('set_host', { participant_key: key }, `${nameOf()} is now the host`);
    const kick = document.createElement('button');
    kick.textContent = 'Remove';
    kick.className = 'kick danger';
    kick.onclick = () => hostAction('kickout', { participant_key: key }, `${nameOf()} was removed`);
    li.append(label, marks);
    row = { li, label, marks, mk, kick, sig: '' };
    peopleRows.set(key, row);
  }
  return row;
}

/** The marks of one participant: hand, microphone, camera, drawn as SVG. */
function marksOf(p, self) {
  const audio = self ? state.mic : p.audio;
  const video = self ? state.cam : p.video;
  return [state.hands.has(p.participant_key) ? 'hand' : '', audio ? '' : 'micOff', video ? '' : 'camOff'].filter(Boolean);
}

function renderPeople() {
  const list = $('people');
  $('count').textContent = `(${state.roster.length})`;
  const present = new Set(state.roster.map((p) => p.participant_key));
  for (const [key, row] of peopleRows) {
    if (!present.has(key)) {
      row.li.remove();
      peopleRows.delete(key);
    }
  }
  state.roster.forEach((p, i) => {
    const row = peopleRow(p.participant_key);
    const self = p.participant_key === state.me;
    const flags = [p.is_host ? 'host' : '', p.audio ? '' : 'muted', p.video ? '' : 'camera off', p.screen ? 'sharing' : '', p.media ? '' : 'no media', state.hands.has(p.participant_key) ? 'hand raised' : ''].filter(Boolean);
    const text = `${p.name}${self ? ' (you)' : ''}${flags.length ? ` · ${flags.join(', ')}` : ''}`;
    if (row.label.textContent !== text) row.label.textContent = text;
    const marks = marksOf(p, self);
    const sig = marks.join(',');
    if (row.sig !== sig) {
      row.sig = sig;
      row.marks.replaceChildren(...marks.map((m) => svgIcon(m)));
    }
    const controls = isHost() && !self;
    // Buttons are there only for a host (a guest's page has none), and stay the same buttons while they are.
    if (controls && !row.mk.isConnected) row.li.append(row.mk, row.kick);
    if (!controls && row.mk.isConnected) {
      row.mk.remove();
      row.kick.remove();
    }
    if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] ?? null);
  });
}

const tiles = new Map();

function tile(id, cls) {
  let el = tiles.get(id);
  if (!el) {
    el = document.createElement('div');
    el.className = `tile ${cls}`;
    el.dataset.tile = id;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;
    const badge = document.createElement('div');
    badge.className = 'badge';
    const marks = document.createElement('span');
    marks.className = 'marks';
    const name = document.createElement('span');
    name.className = 'name';
    badge.append(marks, name);
    const note = document.createElement('div');
    note.className = 'note';
    el.append(video, badge, note);
    el.sig = {};
    tiles.set(id, el);
  }
  return el;
}

/** Updates a part of a tile only when what it shows changed (renders come often). */
function setOnce(el, part, sig, apply) {
  if (el.sig[part] === sig) return;
  el.sig[part] = sig;
  apply();
}

function setNote(el, text, iconName) {
  setOnce(el, 'note', `${iconName}|${text}`, () => {
    const note = el.querySelector('.note');
    note.replaceChildren(...(text ? [...(iconName ? [svgIcon(iconName)] : []), document.createTextNode(text)] : []));
  });
}

function setVideo(el, track) {
  const video = el.querySelector('video');
  if (!track) {
    if (video.srcObject) video.srcObject = null;
    return;
  }
  if (video.srcObject?.getVideoTracks()[0] !== track) video.srcObject = new MediaStream([track]);
}

const audios = new Map();

function renderTiles() {
  const pc = state.pc;
  const wanted = new Set();
  const trackFor = (key, source) => {
    const info = state.tracks.find((t) => t.participant_key === key && t.source === source);
    if (!info) return { info: null, track: null };
    const t = info.mid && pc ? transceiverOf(pc, info.mid) : null;
    return { info, track: t ? t.receiver.track : null };
  };
  const people = state.roster.length ? state.roster : state.me ? [{ participant_key: state.me, name: 'You', video: state.cam, audio: state.mic, screen: state.screen }] : [];
  let screenTile = null;
  const cameras = [];
  for (const p of people) {
    const self = p.participant_key === state.me;
    if (p.screen || (self && state.screen)) {
      const id = `${p.participant_key}/screen`;
      const el = tile(id, 'screen');
      wanted.add(id);
      screenTile ??= el;
      setOnce(el, 'name', p.name, () => (el.querySelector('.name').textContent = `${p.name}'s screen`));
      const got = self ? { info: null, track: state.screenStream?.getVideoTracks()[0] ?? null } : trackFor(p.participant_key, 'screen');
      setVideo(el, got.info?.paused ? null : got.track);
      setNote(el, got.info?.paused ? 'video paused: meeting too large' : '', got.info?.paused ? 'screen' : '');
    }
    const id = `${p.participant_key}/video`;
    const el = tile(id, 'camera');
    wanted.add(id);
    cameras.push(el);
    el.dataset.participant = p.participant_key;
    const name = `${p.name}${self ? ' (you)' : ''}`;
    setOnce(el, 'name', name, () => (el.querySelector('.name').textContent = name));
    const marks = marksOf(p, self).filter((m) => m !== 'camOff');
    setOnce(el, 'marks', marks.join(','), () => {
      el.querySelector('.marks').replaceChildren(...marks.filter((m) => m !== 'hand').map((m) => svgIcon(m)));
      el.querySelector(':scope > .raised')?.remove();
      if (marks.includes('hand')) {
        const h = document.createElement('span');
        h.className = 'raised';
        h.title = 'hand raised';
        h.append(svgIcon('hand'));
        el.append(h);
      }
    });
    const camOn = self ? state.cam : p.video;
    const got = self ? { info: null, track: state.local?.getVideoTracks()[0] ?? null } : trackFor(p.participant_key, 'video');
    const paused = got.info?.paused;
    setVideo(el, camOn && !paused ? got.track : null);
    if (paused) setNote(el, 'video paused: meeting too large', 'camOff');
    else if (!camOn) setNote(el, 'camera off', 'camOff');
    else setNote(el, !self && !p.media ? 'no media connection' : '', '');
    el.dataset.paused = paused ? 'true' : 'false';
    el.classList.toggle('speaking', state.speaker === p.participant_key && (state.levels[p.participant_key] ?? 0) > 0);
    const q = self ? state.quality : (state.peerQuality[p.participant_key] ?? 'unknown');
    setOnce(el, 'quality', q, () => {
      el.querySelector(':scope > .bars')?.remove();
      if (q === 'unknown') return;
      const bars = document.createElement('span');
      bars.className = 'bars';
      bars.dataset.level = q;
      bars.title = `connection: ${q}`;
      bars.append(document.createElement('i'), document.createElement('i'), document.createElement('i'));
      el.append(bars);
    });
    if (!self) {
      const a = trackFor(p.participant_key, 'audio').track;
      let audio = audios.get(p.participant_key);
      if (a && !audio) {
        audio = document.createElement('audio');
        audio.autoplay = true;
        audios.set(p.participant_key, audio);
        document.body.append(audio);
      }
      if (audio && a && audio.srcObject?.getAudioTracks()[0] !== a) audio.srcObject = new MediaStream([a]);
    }
  }
  for (const [id, el] of tiles) {
    if (wanted.has(id)) continue;
    el.remove();
    tiles.delete(id);
  }
  for (const [key, audio] of audios) {
    if (people.some((p) => p.participant_key === key)) continue;
    audio.remove();
    audios.delete(key);
  }
  layoutStage(screenTile, cameras);
}

/**
 * A shared screen is the focus, with every camera in a strip below it; in speaker view without a share the
 * active speaker (or the first other person) is; otherwise all cameras share a grid sized to fit.
 */
function layoutStage(screenTile, cameras) {
  const stage = $('stage');
  let focus = screenTile;
  if (!focus && state.layout === 'speaker' && cameras.length > 1) {
    const key = state.speaker && state.speaker !== state.me ? state.speaker : state.lastOther;
    focus = cameras.find((el) => el.dataset.participant === key) ?? cameras.find((el) => el.dataset.participant !== state.me) ?? null;
  }
  if (focus?.dataset.participant) state.lastOther = focus.dataset.participant;
  const strip = cameras.filter((el) => el !== focus);
  stage.classList.toggle('focused', Boolean(focus));
  stage.dataset.layout = focus ? (screenTile ? 'screen' : 'speaker') : 'grid';
  place($('focus'), focus ? [focus] : []);
  place($('tiles'), strip);
  fitGrid();
}

function place(container, els) {
  if (els.length === container.children.length && els.every((el, i) => container.children[i] === el)) return;
  container.replaceChildren(...els);
  // A video taken out of the page pauses; put back, it plays on.
  for (const el of els) {
    const v = el.querySelector('video');
    if (v.srcObject && v.paused) v.play().catch(() => {});
  }
}

/** The grid's columns and rows: the count that gives each 16:9 tile the most room. */
function fitGrid() {
  const box = $('tiles');
  const stage = $('stage');
  if (stage.classList.contains('focused')) {
    box.style.gridTemplateColumns = '';
    box.style.gridTemplateRows = '';
    // As tall as a fifth of the stage, at most 140 px, and low enough for every camera to fit across
    // when that leaves them 64 px (a phone); the rest scroll.
    const n = Math.max(1, box.children.length);
    const gap = parseFloat(getComputedStyle(box).columnGap) || 0;
    const across = (((stage.clientWidth - 16 - gap * (n - 1)) / n) * 9) / 16;
    stage.style.setProperty('--strip', `${Math.round(Math.max(64, Math.min(140, stage.clientHeight * 0.2, across)))}px`);
    return;
  }
  const n = Math.max(1, box.children.length);
  const W = box.clientWidth;
  const H = box.clientHeight;
  const gap = parseFloat(getComputedStyle(box).columnGap) || 0;
  let best = { cols: 1, size: -1 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = (W - gap * (cols - 1)) / cols;
    const h = (H - gap * (rows - 1)) / rows;
    const size = Math.min(w, (h * 16) / 9);
    if (size > best.size) best = { cols, size };
  }
  const rows = Math.ceil(n / best.cols);
  const tileW = Math.floor(best.size);
  const tileH = Math.floor((best.size * 9) / 16);
  box.style.gridTemplateColumns = `repeat(${best.cols}, ${tileW}px)`;
  box.style.gridTemplateRows = `repeat(${rows}, ${tileH}px)`;
  box.style.justifyContent = 'center';
  box.style.alignContent = 'center';
}

new ResizeObserver(() => fitGrid()).observe(document.getElementById('stage'));

// Side panel, chat, reactions -------------------------------------------------------------------

function openPanel(which) {
  document.body.dataset.panel = which;
  $('tab-people').setAttribute('aria-selected', String(which === 'people'));
  $('tab-chat').setAttribute('aria-selected', String(which === 'chat'));
  if (which === 'chat') {
    state.unread = 0;
    renderUnread();
    const list = $('messages');
    list.scrollTop = list.scrollHeight;
  }
  renderControls();
  fitGrid();
}

function togglePanel(which) {
  openPanel(document.body.dataset.panel === which ? 'none' : which);
}

function renderUnread() {
  let badge = $('chat-button').querySelector('.unread');
  if (!badge) {
    badge = document.createElement('span');
    badge.className = 'unread';
    $('chat-button').append(badge);
  }
  badge.textContent = state.unread ? String(Math.min(99, state.unread)) : '';
}

/** The meeting chat from its first message (a late joiner reads what was said), then as it comes. */
async function chatFeed(sid) {
  let after = 0;
  let first = true;
  while (state.sessionId === sid && !state.over) {
    try {
      const page = await api('GET', `/client/v1/sessions/${sid}/chat?after=${after}&wait=${first ? 0 : 25}`);
      after = page.next;
      for (const m of page.messages) onChat(m, first);
      if (page.messages.length < 200) first = false;
      if (page.messages.length) {
        renderPeople();
        renderTiles();
        renderControls();
      }
    } catch (e) {
      if (e.code === 121004) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function onChat(m, history) {
  if (state.chat.some((c) => c.seq === m.seq)) return;
  state.chat.push(m);
  if (m.kind === 'hand') {
    if (m.content === 'up') state.hands.add(m.sender_key);
    else state.hands.delete(m.sender_key);
    if (!history && m.content === 'up' && m.sender_key !== state.me) toast(`${m.sender_name} raised their hand`);
  } else if (m.kind === 'reaction') {
    if (Date.now() - m.created_at < REACTION_SHOW_MS) showReaction(m);
  } else if (m.kind === 'text') {
    const li = document.createElement('li');
    li.dataset.seq = m.seq;
    if (m.sender_key === state.me) li.className = 'mine';
    const from = document.createElement('div');
    from.className = 'from';
    from.textContent = `${m.sender_name} · ${new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    const text = document.createElement('div');
    text.className = 'text';
    // Plain text, never markup: whatever it holds is shown as typed.
    text.textContent = m.content;
    li.append(from, text);
    const list = $('messages');
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    if (atEnd || m.sender_key === state.me) list.scrollTop = list.scrollHeight;
    state.received = (state.received ?? 0) + 1;
    if (document.body.dataset.panel !== 'chat' && !history && m.sender_key !== state.me) {
      state.unread = (state.unread ?? 0) + 1;
      renderUnread();
    }
  }
}

function showReaction(m) {
  const el = tiles.get(`${m.sender_key}/video`);
  if (!el) return;
  const r = document.createElement('span');
  r.className = 'react';
  r.dataset.reaction = m.content;
  r.append(svgIcon(m.content));
  el.append(r);
  setTimeout(() => r.remove(), REACTION_SHOW_MS);
}

async function sendChat(body) {
  $('chat-error').textContent = '';
  try {
    const m = await api('POST', `/client/v1/sessions/${state.sessionId}/chat`, body);
    onChat(m, false);
    return true;
  } catch (e) {
    const why = e.code === 99991400 ? 'You are sending too fast: wait a moment.' : e.code === 99992402 ? e.message.replace(/^field validation failed: \w+: /, '').replace(/ \(\d+\)$/, '') : e.message;
    $('chat-error').textContent = `Not sent: ${why}`;
    return false;
  }
}

async function submitChat() {
  const input = $('chat-input');
  const text = input.value.trim();
  if (!text) return;
  if ([...text].length > Number(input.maxLength)) {
    $('chat-error').textContent = `Not sent: a message has at most ${input.maxLength} characters.`;
    return;
  }
  if (await sendChat({ text })) input.value = '';
}

// Quality telemetry ----------------------------------------------------------------------------

/** Per-minute quality samples from getStats(), in the shape docs/client-api.md describes. */
function statsLoop(sid) {
  let before = new Map();
  let beforeAt = performance.now();
  const sample = async () => {
    if (state.sessionId !== sid || state.over) return;
    setTimeout(sample, STATS_INTERVAL_S * 1000);
    const pc = state.pc;
    if (!pc) return;
    const report = await pc.getStats();
    const now = performance.now();
    const seconds = Math.max(0.001, (now - beforeAt) / 1000);
    const current = new Map();
    report.forEach((s) => current.set(s.id, s));
    const sourceOfMid = (mid, outbound) => {
      if (outbound) return mid === state.slots?.audio ? 'audio' : mid === state.slots?.screen ? 'screen' : mid === state.slots?.video ? 'video' : null;
      return state.tracks.find((t) => t.mid === mid)?.source ?? null;
    };
    const acc = {};
    const add = (source, dir, fields) => {
      const s = ((acc[source] ??= {})[dir] ??= { bitrate: 0, jitter: [], loss: [], res: 0, fps: [], rtt: [] });
      s.bitrate += fields.bitrate ?? 0;
      if (fields.jitter !== undefined) s.jitter.push(fields.jitter);
      if (fields.loss !== undefined) s.loss.push(fields.loss);
      if (fields.rtt !== undefined) s.rtt.push(fields.rtt);
      if (fields.res) s.res = Math.max(s.res, fields.res);
      if (fields.fps !== undefined) s.fps.push(fields.fps);
    };
    let rtt;
    for (const s of current.values()) {
      const prev = before.get(s.id);
      if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime * 1000;
      if (s.type === 'inbound-rtp') {
        const source = sourceOfMid(s.mid, false);
        if (!source) continue;
        const lost = (s.packetsLost ?? 0) - (prev?.packetsLost ?? 0);
        const got = (s.packetsReceived ?? 0) - (prev?.packetsReceived ?? 0);
        add(source, 'received', {
          bitrate: (((s.bytesReceived ?? 0) - (prev?.bytesReceived ?? 0)) * 8) / 1000 / seconds,
          jitter: s.jitter !== undefined ? s.jitter * 1000 : undefined,
          loss: got + lost > 0 ? Math.max(0, lost) / (got + lost) : undefined,
          res: s.frameHeight,
          fps: s.framesPerSecond,
        });
      }
      if (s.type === 'outbound-rtp') {
        const source = sourceOfMid(s.mid, true);
        if (!source) continue;
        const remote = [...current.values()].find((r) => r.type === 'remote-inbound-rtp' && r.localId === s.id);
        add(source, 'sent', {
          bitrate: (((s.bytesSent ?? 0) - (prev?.bytesSent ?? 0)) * 8) / 1000 / seconds,
          jitter: remote?.jitter !== undefined ? remote.jitter * 1000 : undefined,
          loss: remote?.fractionLost,
          rtt: remote?.roundTripTime !== undefined ? remote.roundTripTime * 1000 : undefined,
          res: s.frameHeight,
          fps: s.framesPerSecond,
        });
      }
    }
    before = current;
    beforeAt = now;
    const avg = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
    const round = (x) => (x === undefined ? undefined : Math.round(x * 1000) / 1000);
    const out = { minute: Math.floor(Date.now() / 60_000) * 60 };
    let total = 0;
    const losses = [];
    for (const [source, dirs] of Object.entries(acc)) {
      for (const [dir, s] of Object.entries(dirs)) {
        const stream = { bitrate_kbps: round(s.bitrate), jitter_ms: round(avg(s.jitter)), packet_loss: round(avg(s.loss)), latency_ms: round(avg(s.rtt)), ...(source !== 'audio' && s.res ? { resolution: s.res } : {}), framerate: source !== 'audio' ? round(avg(s.fps)) : undefined };
        for (const k of Object.keys(stream)) if (stream[k] === undefined || Number.isNaN(stream[k])) delete stream[k];
        if (stream.packet_loss !== undefined) stream.packet_loss = Math.min(1, Math.max(0, stream.packet_loss));
        (out[source] ??= {})[dir] = stream;
        total += s.bitrate;
        if (stream.packet_loss !== undefined) losses.push(stream.packet_loss);
      }
    }
    out.bitrate_kbps = round(total);
    if (losses.length) out.packet_loss = round(avg(losses));
    if (rtt !== undefined) out.rtt_ms = round(rtt);
    try {
      await api('POST', `/client/v1/sessions/${sid}/stats`, { samples: [out] });
      state.statsPosted.push(out);
    } catch (e) {
      state.errors.push({ code: 'stats', message: e.message });
    }
  };
  setTimeout(sample, STATS_INTERVAL_S * 1000);
}

/**
 * Once a second from getStats(): who speaks (inbound audio levels, the microphone's own), and how good
 * the connection is — this page's (round trip, loss of what it receives) and, per person, the loss and
 * jitter of what it receives from them.
 */
function levelsLoop(sid) {
  let before = new Map();
  let quiet = 0;
  let drawn = '';
  const tick = async () => {
    if (state.sessionId !== sid || state.over) return;
    setTimeout(tick, LEVELS_MS);
    const pc = state.pc;
    if (!pc) return;
    let report;
    try {
      report = await pc.getStats();
    } catch {
      return;
    }
    const levels = {};
    const lossBy = {};
    let rtt;
    const now = new Map();
    report.forEach((s) => now.set(s.id, s));
    for (const s of now.values()) {
      if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime * 1000;
      if (s.type === 'media-source' && s.kind === 'audio' && state.me) levels[state.me] = state.mic ? (s.audioLevel ?? 0) : 0;
      if (s.type !== 'inbound-rtp') continue;
      const info = state.tracks.find((t) => t.mid === s.mid);
      if (!info) continue;
      const key = info.participant_key;
      if (s.kind === 'audio') levels[key] = Math.max(levels[key] ?? 0, s.audioLevel ?? 0);
      const prev = before.get(s.id);
      const lost = (s.packetsLost ?? 0) - (prev?.packetsLost ?? 0);
      const got = (s.packetsReceived ?? 0) - (prev?.packetsReceived ?? 0);
      const q = lossBy[key] ?? { lost: 0, got: 0, jitter: 0 };
      q.lost += Math.max(0, lost);
      q.got += Math.max(0, got);
      q.jitter = Math.max(q.jitter, (s.jitter ?? 0) * 1000);
      lossBy[key] = q;
    }
    before = now;
    const grade = (loss, ms) => (loss > 0.08 || ms > 400 ? 'poor' : loss > 0.02 || ms > 150 ? 'fair' : 'good');
    const peerQuality = {};
    let lost = 0;
    let got = 0;
    for (const [key, q] of Object.entries(lossBy)) {
      if (q.got + q.lost === 0) continue;
      peerQuality[key] = grade(q.lost / (q.got + q.lost), q.jitter * 4);
      lost += q.lost;
      got += q.got;
    }
    const connected = pc.connectionState === 'connected';
    state.quality = !connected ? (pc.connectionState === 'failed' || pc.connectionState === 'disconnected' ? 'poor' : 'unknown') : grade(got + lost ? lost / (got + lost) : 0, rtt ?? 0);
    state.peerQuality = peerQuality;
    state.rtt = rtt;
    // The loudest above a floor speaks; a short silence keeps the last speaker in view.
    const [loudest, level] = Object.entries(levels).sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
    state.levels = levels;
    if (loudest && level > 0.02) {
      quiet = 0;
      state.speaker = loudest;
    } else if (++quiet > 3) {
      state.speaker = null;
    }
    const bars = $('quality').querySelector('.bars');
    bars.dataset.level = state.quality;
    $('quality-text').textContent = state.quality === 'unknown' ? '' : `connection ${state.quality}${rtt !== undefined ? ` · ${Math.round(rtt)} ms` : ''}`;
    $('quality').title = `connection quality: ${state.quality}`;
    // Redraw only for what the tiles show of this: who speaks, and the quality marks.
    const sig = JSON.stringify([state.speaker, state.speaker ? (levels[state.speaker] ?? 0) > 0 : false, state.quality, peerQuality]);
    if (sig !== drawn) {
      drawn = sig;
      renderTiles();
    }
  };
  setTimeout(tick, LEVELS_MS);
}

// Start ----------------------------------------------------------------------------------------

$('join-button').onclick = () => {
  $('join-error').textContent = '';
  join().catch((e) => ($('join-error').textContent = e.message));
};
$('signin-button').onclick = () => startSignIn().catch((e) => ($('signin-error').textContent = e.message));
if (GUESTS) {
  $('guest-name').value = state.guestName ?? '';
  $('guest-form').onsubmit = (e) => {
    e.preventDefault();
    startAsGuest();
  };
}
$('mic').onclick = () => toggleMic();
$('people-button').onclick = () => togglePanel('people');
$('chat-button').onclick = () => togglePanel('chat');
$('tab-people').onclick = () => openPanel('people');
$('tab-chat').onclick = () => openPanel('chat');
$('panel-close').onclick = () => openPanel('none');
$('view-button').onclick = () => {
  state.layout = state.layout === 'grid' ? 'speaker' : 'grid';
  renderControls();
  renderTiles();
};
$('hand-button').onclick = () => sendChat({ hand: !(state.me !== null && state.hands.has(state.me)) }).then(() => {
  renderControls();
  renderPeople();
  renderTiles();
});
$('react-button').onclick = () => ($('reactions').hidden = !$('reactions').hidden);
for (const b of document.querySelectorAll('#reactions button')) {
  b.onclick = () => {
    $('reactions').hidden = true;
    sendChat({ reaction: b.dataset.reaction });
  };
}
$('chat-form').onsubmit = (e) => {
  e.preventDefault();
  submitChat();
};
$('chat-input').onkeydown = (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    submitChat();
  }
};
$('cam').onclick = () => toggleCam();
$('share').onclick = () => toggleScreen().catch((e) => toast(`Could not share the screen: ${e.message}`));
$('record').onclick = () => toggleRecording();
$('end').onclick = () => hostAction('end', undefined, 'Meeting ended');
$('leave').onclick = async () => {
  await api('POST', `/client/v1/sessions/${state.sessionId}/leave`).catch(() => {});
  finish('You left the meeting', '');
};
$('rejoin').onclick = () => location.assign(`/j/${NO}`);
// Back online: a media connection that has not resumed on its own shortly after (a network change, say) is replaced.
window.addEventListener('online', () => setTimeout(() => state.reconnectMedia?.(), 2000));

(async () => {
  try {
    if (params.has('code') || params.has('error')) await finishSignIn();
  } catch (e) {
    $('signin-error').textContent = e.message;
  }
  if (isGuestToken(state.token)) return prejoin();
  if (!state.token) return show('signin');
  try {
    await api('GET', '/client/v1/events?after=0&wait=0');
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    $('signin-error').textContent = 'Your sign-in has expired.';
    return show('signin');
  }
  userFeed();
  await prejoin();
})();

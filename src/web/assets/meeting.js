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
};
window.openvc = state;
const mark = (name) => {
  state.marks[name] ??= performance.now();
};

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
  if (state.token || !state.guestName) return api('POST', '/client/v1/meetings/join', { meeting_no: NO, device });
  const joined = await api('POST', '/client/v1/meetings/guest_join', { meeting_no: NO, name: state.guestName, device });
  state.token = joined.guest.access_token;
  sessionStorage.setItem(TOKEN_KEY, state.token);
  return joined;
}

// Pre-join device check ------------------------------------------------------------------------

async function prejoin() {
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
    $('pre-cam').textContent = state.cam ? 'Camera on' : 'Camera off';
    $('pre-cam').className = state.cam ? '' : 'off';
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
  try {
    joined = await joinRequest(device);
  } catch (e) {
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
  $('topic').textContent = joined.meeting.topic;
  show('meeting');
  renderControls();
  connectMedia();
  heartbeat();
  sessionFeed(state.sessionId);
  statsLoop(state.sessionId);
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
  const send = (m) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  pc.onicecandidate = (e) => send({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null });
  pc.ontrack = () => renderTiles();
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'connected') mark('connected');
    $('media-line').textContent = pc.connectionState === 'connected' ? '' : `media: ${pc.connectionState}`;
  };
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
        break;
    }
  };
  ws.onclose = () => {
    if (state.ws !== ws || state.over || state.sessionId !== sid) return;
    pc.close();
    $('media-line').textContent = 'media: reconnecting…';
    setTimeout(() => {
      if (state.ws === ws && !state.over && state.sessionId === sid) connectMedia();
    }, 1000);
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
  $('mic').textContent = state.mic ? 'Mute' : 'Unmute';
  $('mic').className = state.mic ? '' : 'off';
  $('cam').textContent = state.cam ? 'Stop video' : 'Start video';
  $('cam').className = state.cam ? '' : 'off';
  $('share').textContent = state.screen ? 'Stop sharing' : 'Share screen';
  $('record').hidden = !isHost();
  $('record').textContent = state.recording ? 'Stop recording' : 'Record';
  $('end').hidden = !isHost();
  $('rec-line').textContent = state.recording ? '● recording' : '';
  const host = state.roster.find((p) => p.is_host);
  $('host-line').textContent = host ? `host: ${host.name}` : '';
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
    const nameOf = () => state.roster.find((r) => r.participant_key === key)?.name ?? 'someone';
    const mk = document.createElement('button');
    mk.textContent = 'Make host';
    mk.className = 'make-host';
    mk.onclick = () => hostAction('set_host', { participant_key: key }, `${nameOf()} is now the host`);
    const kick = document.createElement('button');
    kick.textContent = 'Remove';
    kick.className = 'kick danger';
    kick.onclick = () => hostAction('kickout', { participant_key: key }, `${nameOf()} was removed`);
    li.append(label);
    row = { li, label, mk, kick };
    peopleRows.set(key, row);
  }
  return row;
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
    const flags = [p.is_host ? 'host' : '', p.audio ? '' : 'muted', p.video ? '' : 'camera off', p.screen ? 'sharing' : '', p.media ? '' : 'no media'].filter(Boolean);
    const text = `${p.name}${p.participant_key === state.me ? ' (you)' : ''}${flags.length ? ` · ${flags.join(', ')}` : ''}`;
    if (row.label.textContent !== text) row.label.textContent = text;
    const controls = isHost() && p.participant_key !== state.me;
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
    const name = document.createElement('span');
    name.className = 'name';
    const note = document.createElement('div');
    note.className = 'note';
    el.append(video, name, note);
    tiles.set(id, el);
  }
  return el;
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
  const container = $('tiles');
  const trackFor = (key, source) => {
    const info = state.tracks.find((t) => t.participant_key === key && t.source === source);
    if (!info) return { info: null, track: null };
    const t = info.mid && pc ? transceiverOf(pc, info.mid) : null;
    return { info, track: t ? t.receiver.track : null };
  };
  const people = state.roster.length ? state.roster : state.me ? [{ participant_key: state.me, name: 'You', video: state.cam, audio: state.mic, screen: state.screen }] : [];
  for (const p of people) {
    const self = p.participant_key === state.me;
    if (p.screen || (self && state.screen)) {
      const id = `${p.participant_key}/screen`;
      const el = tile(id, 'screen');
      wanted.add(id);
      el.querySelector('.name').textContent = `${p.name}'s screen`;
      const got = self ? { info: null, track: state.screenStream?.getVideoTracks()[0] ?? null } : trackFor(p.participant_key, 'screen');
      setVideo(el, got.info?.paused ? null : got.track);
      el.querySelector('.note').textContent = got.info?.paused ? 'video paused: meeting too large' : '';
    }
    const id = `${p.participant_key}/video`;
    const el = tile(id, 'camera');
    wanted.add(id);
    el.dataset.participant = p.participant_key;
    el.querySelector('.name').textContent = `${p.name}${self ? ' (you)' : ''}${(self ? state.mic : p.audio) ? '' : ' 🔇'}`;
    const camOn = self ? state.cam : p.video;
    const got = self ? { info: null, track: state.local?.getVideoTracks()[0] ?? null } : trackFor(p.participant_key, 'video');
    const paused = got.info?.paused;
    setVideo(el, camOn && !paused ? got.track : null);
    el.querySelector('.note').textContent = paused ? 'video paused: meeting too large' : !camOn ? 'camera off' : !self && !p.media ? 'no media connection' : '';
    el.dataset.paused = paused ? 'true' : 'false';
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
  const order = [...wanted].map((id) => tiles.get(id));
  if (order.some((el, i) => container.children[i] !== el)) container.replaceChildren(...order);
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

// Start ----------------------------------------------------------------------------------------

$('join-button').onclick = () => join().catch((e) => ($('join-error').textContent = e.message));
$('signin-button').onclick = () => startSignIn().catch((e) => ($('signin-error').textContent = e.message));
if (GUESTS) {
  $('guest-name').value = state.guestName ?? '';
  $('guest-form').onsubmit = (e) => {
    e.preventDefault();
    startAsGuest();
  };
}
$('mic').onclick = () => toggleMic();
$('cam').onclick = () => toggleCam();
$('share').onclick = () => toggleScreen().catch((e) => toast(`Could not share the screen: ${e.message}`));
$('record').onclick = () => toggleRecording();
$('end').onclick = () => hostAction('end', undefined, 'Meeting ended');
$('leave').onclick = async () => {
  await api('POST', `/client/v1/sessions/${state.sessionId}/leave`).catch(() => {});
  finish('You left the meeting', '');
};
$('rejoin').onclick = () => location.assign(`/j/${NO}`);

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

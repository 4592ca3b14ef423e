import { esc } from './html.js';

/**
 * The in-browser meeting: a static shell; /static/meeting.js does the rest (sign-in or joining as a
 * guest, device check, the participant protocol, WebRTC). Every view is in the page from the start and
 * shown by `data-view`. `guests`: whether the number's meeting admits guests now (docs/decisions.md "Guests").
 */
export function meetingPage(meetingNo: string, guests: boolean): string {
  const pretty = `${meetingNo.slice(0, 3)} ${meetingNo.slice(3, 6)} ${meetingNo.slice(6)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Meeting ${esc(pretty)} · openvc</title>
<style>
*{box-sizing:border-box} body{font-family:system-ui,sans-serif;margin:0;background:#1f2329;color:#eee}
body:not([data-view=meeting]) #meeting, body:not([data-view=prejoin]) #prejoin, body:not([data-view=signin]) #signin,
body:not([data-view=over]) #over, body:not([data-view=loading]) #loading{display:none}
.card{background:#fff;color:#222;margin:48px auto;padding:28px 32px;border-radius:10px;max-width:520px}
h1{font-size:20px;margin:0 0 10px} button{padding:8px 14px;border-radius:6px;border:1px solid #3370ff;background:#3370ff;color:#fff;font-size:14px;cursor:pointer}
button.off{background:#646a73;border-color:#646a73} button.danger{background:#d83931;border-color:#d83931} button.plain{background:#fff;color:#3370ff}
#preview{width:100%;aspect-ratio:16/9;background:#000;border-radius:6px} .meter{height:8px;background:#eee;border-radius:4px;margin:8px 0}
.meter i{display:block;height:100%;width:0;background:#34c724;border-radius:4px} .row{display:flex;gap:8px;align-items:center;margin-top:12px;flex-wrap:wrap}
#meeting{display:grid;grid-template-columns:1fr 260px;grid-template-rows:auto 1fr auto;height:100vh}
header{grid-column:1/3;padding:8px 14px;background:#2b2f36;display:flex;gap:12px;align-items:center}
#tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px;padding:8px;align-content:start;overflow:auto}
.tile{position:relative;background:#000;border-radius:8px;aspect-ratio:16/9;overflow:hidden}
.tile.screen{grid-column:1/-1} .tile video{width:100%;height:100%;object-fit:contain}
.tile .name{position:absolute;left:6px;bottom:6px;background:#0009;padding:2px 6px;border-radius:4px;font-size:13px}
.tile .note{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:#ccc;font-size:14px;text-align:center;padding:10px}
aside{background:#2b2f36;padding:10px;overflow:auto} aside li{list-style:none;padding:6px 0;border-bottom:1px solid #3a3f47;font-size:14px}
aside ul{padding:0;margin:0} aside li button{padding:2px 6px;font-size:12px;margin-left:4px}
footer{grid-column:1/3;padding:10px;background:#2b2f36;display:flex;gap:8px;justify-content:center}
#toasts{position:fixed;top:50px;left:50%;transform:translateX(-50%);display:flex;flex-direction:column;gap:6px;z-index:9}
.toast{background:#fff;color:#222;padding:8px 14px;border-radius:6px;box-shadow:0 2px 8px #0006;font-size:14px}
#ringing{position:fixed;right:16px;bottom:70px;z-index:9} .err{color:#d83931}
input{padding:8px 10px;border-radius:6px;border:1px solid #bbbfc4;font-size:14px;flex:1;min-width:160px} .or{color:#646a73;margin:16px 0 0}
</style></head>
<body data-view="loading" data-meeting-no="${esc(meetingNo)}" data-guests="${guests}">
<div id="loading" class="card"><h1>Meeting ${esc(pretty)}</h1><p>Loading…</p></div>
<div id="signin" class="card"><h1>Meeting ${esc(pretty)}</h1><p>${guests ? 'Sign in, or join as a guest under your name.' : 'Sign in to join this meeting.'}</p>
  <p id="signin-error" class="err"></p><div class="row"><button id="signin-button">Sign in</button></div>
  ${
    guests
      ? `<p class="or">No account? Join as a guest:</p><form id="guest-form" class="row"><input id="guest-name" maxlength="64" placeholder="Your name" autocomplete="name" aria-label="Your name"><button id="guest-button" class="plain">Join as guest</button></form><p id="guest-error" class="err"></p>`
      : '<p id="no-guests" class="or">This meeting does not admit guests: only people signed in with an account of its organisation can join.</p>'
  }</div>
<div id="prejoin" class="card"><h1>Meeting ${esc(pretty)}</h1><p>Check your camera and microphone.</p>
  <video id="preview" autoplay playsinline muted></video><div class="meter" title="microphone level"><i id="mic-level"></i></div>
  <p id="device-error" class="err"></p>
  <div class="row"><button id="pre-mic">Microphone on</button><button id="pre-cam">Camera on</button><button id="join-button" disabled>Join</button></div>
  <p id="join-error" class="err"></p></div>
<div id="meeting">
  <header><b id="topic"></b><span id="meeting-no">${esc(pretty)}</span><span id="host-line"></span><span id="rec-line"></span><span id="media-line"></span></header>
  <section id="tiles"></section>
  <aside><h3 style="margin:4px 0 8px">Participants <span id="count"></span></h3><ul id="people"></ul></aside>
  <footer><button id="mic">Mute</button><button id="cam">Stop video</button><button id="share">Share screen</button>
    <button id="record" hidden>Record</button><button id="end" class="danger" hidden>End meeting</button><button id="leave" class="danger">Leave</button></footer>
</div>
<div id="over" class="card"><h1 id="over-title">You left the meeting</h1><p id="over-text"></p><div class="row"><button id="rejoin">Join again</button></div></div>
<div id="toasts"></div><div id="ringing"></div>
<script type="module" src="/static/meeting.js"></script>
</body></html>`;
}

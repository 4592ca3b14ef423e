import { esc } from './html.js';
import { ICON_PATHS, icon, type IconName } from './icons.js';
import { CHAT_TEXT_MAX, REACTIONS } from '../domain/meeting/chat.js';

/** `123456789` → `123 456 789`, as people read meeting numbers out. */
export const prettyNo = (no: string): string => `${no.slice(0, 3)} ${no.slice(3, 6)} ${no.slice(6)}`;

const REACTION_LABELS: Record<(typeof REACTIONS)[number], string> = { thumbs_up: 'Thumbs up', clap: 'Clap', heart: 'Heart', laugh: 'Laugh', surprised: 'Surprised', celebrate: 'Celebrate' };

const button = (id: string, name: IconName, label: string, cls = '', hidden = false) =>
  `<button id="${id}" class="tool ${cls}" title="${esc(label)}" aria-label="${esc(label)}"${hidden ? ' hidden' : ''}>${icon(name)}<span class="label">${esc(label)}</span></button>`;

/**
 * The in-browser meeting: a static shell; /static/meeting.js does the rest (sign-in or joining as a
 * guest, device check, the participant protocol, WebRTC, chat). Every view is in the page from the start
 * and shown by `data-view`. `guests`: whether the number's meeting admits guests now (docs/decisions.md
 * "Guests"); `password`: whether joining asks for a password (its owner and invitees are not asked).
 *
 * Layout: a stage and a side panel (participants, chat). The stage is either a grid sized by the script
 * to fit every camera, or a focus (a shared screen, or the active speaker in speaker view) above a strip
 * of cameras; the two never overlap because the strip and the focus share the stage's height by flex.
 */
export function meetingPage(meetingNo: string, facts: { guests: boolean; password: boolean }): string {
  const pretty = prettyNo(meetingNo);
  const { guests, password } = facts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Meeting ${esc(pretty)} · openvc</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
*{box-sizing:border-box} [hidden]{display:none !important} html,body{height:100%} body{font-family:system-ui,sans-serif;margin:0;background:#1f2329;color:#eee}
body:not([data-view=meeting]) #meeting, body:not([data-view=prejoin]) #prejoin, body:not([data-view=signin]) #signin,
body:not([data-view=over]) #over, body:not([data-view=loading]) #loading{display:none}
.card{background:#fff;color:#222;margin:48px auto;padding:28px 32px;border-radius:10px;max-width:520px}
@media (max-width:560px){.card{margin:12px;padding:20px}}
h1{font-size:20px;margin:0 0 10px} button{padding:8px 14px;border-radius:6px;border:1px solid #3370ff;background:#3370ff;color:#fff;font-size:14px;cursor:pointer}
button.off{background:#646a73;border-color:#646a73} button.danger{background:#d83931;border-color:#d83931} button.plain{background:#fff;color:#3370ff}
#preview{width:100%;aspect-ratio:16/9;background:#000;border-radius:6px} .meter{height:8px;background:#eee;border-radius:4px;margin:8px 0}
.meter i{display:block;height:100%;width:0;background:#34c724;border-radius:4px} .row{display:flex;gap:8px;align-items:center;margin-top:12px;flex-wrap:wrap}
input,textarea{padding:8px 10px;border-radius:6px;border:1px solid #bbbfc4;font-size:14px;font-family:inherit} .row input{flex:1;min-width:160px} .or{color:#646a73;margin:16px 0 0}
.err{color:#d83931} label.pwd{font-size:14px;color:#444;display:block;margin-top:14px} label.pwd input{display:block;width:100%;margin-top:4px}
.icon{flex:none;vertical-align:middle}
#meeting{display:flex;flex-direction:column;height:100vh;height:100dvh}
header{display:flex;gap:12px;align-items:center;padding:6px 12px;background:#2b2f36;min-height:40px;white-space:nowrap;overflow:hidden}
header #topic{overflow:hidden;text-overflow:ellipsis;min-width:0} header .dim{color:#a6abb3;font-size:13px}
#quality{display:flex;align-items:center;gap:4px;font-size:12px;color:#a6abb3;margin-left:auto}
.bars{display:inline-flex;align-items:flex-end;gap:2px;height:14px} .bars i{width:3px;background:#5f656d;border-radius:1px}
.bars i:nth-child(1){height:5px} .bars i:nth-child(2){height:9px} .bars i:nth-child(3){height:14px}
.bars[data-level=good] i{background:#34c724} .bars[data-level=fair] i:nth-child(-n+2){background:#ffc60a} .bars[data-level=poor] i:nth-child(1){background:#f54a45}
#main{flex:1;min-height:0;display:flex}
#stage{flex:1;min-width:0;min-height:0;display:flex;flex-direction:column;gap:8px;padding:8px}
#focus{flex:1;min-height:0;display:none} #stage.focused #focus{display:flex} #focus .tile{flex:1;height:100%}
#tiles{flex:1;min-height:0;display:grid;gap:8px}
#stage.focused #tiles{flex:0 0 var(--strip,120px);display:flex;overflow-x:auto;overflow-y:hidden} #stage.focused #tiles>:first-child{margin-left:auto} #stage.focused #tiles>:last-child{margin-right:auto}
#stage.focused #tiles .tile{flex:0 0 auto;height:100%;aspect-ratio:16/9}
.tile{position:relative;background:#111;border-radius:8px;overflow:hidden;min-width:0;min-height:0}
.tile video{position:absolute;inset:0;width:100%;height:100%;object-fit:contain}
.tile.speaking{box-shadow:inset 0 0 0 3px #34c724}
.tile .badge{position:absolute;left:6px;bottom:6px;display:flex;gap:4px;align-items:center;background:#000b;padding:2px 6px;border-radius:4px;font-size:13px;max-width:calc(100% - 12px)}
.tile .badge .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap} .tile .badge .icon{width:16px;height:16px}
.tile .note{position:absolute;inset:0;display:flex;flex-direction:column;gap:6px;align-items:center;justify-content:center;color:#ccc;font-size:14px;text-align:center;padding:10px}
.tile .note:empty{display:none} .tile .note .icon{width:32px;height:32px;color:#a6abb3}
#stage.focused #tiles .note{font-size:11px} #stage.focused #tiles .note .icon{width:20px;height:20px}
.tile .bars{position:absolute;right:6px;top:6px;background:#000a;padding:2px 3px;border-radius:3px;box-sizing:content-box}
.tile .raised{position:absolute;left:6px;top:6px;color:#ffc60a;background:#000a;border-radius:4px;padding:2px;display:flex} .marks:empty{display:none} .marks{display:inline-flex;gap:2px}
.tile .react{position:absolute;right:8px;bottom:8px;display:flex;gap:2px;animation:rise 4s ease-out forwards} .tile .react .icon{width:36px;height:36px}
@keyframes rise{0%{opacity:0;transform:translateY(10px)}10%{opacity:1;transform:none}80%{opacity:1}100%{opacity:0;transform:translateY(-30px)}}
aside{width:300px;flex:none;background:#2b2f36;display:flex;flex-direction:column;border-left:1px solid #3a3f47;min-height:0}
body[data-panel=none] aside{display:none}
.tabs{display:flex;align-items:center;border-bottom:1px solid #3a3f47} .tabs button{flex:1;background:none;border:0;border-radius:0;padding:10px;color:#a6abb3}
.tabs button[aria-selected=true]{color:#fff;box-shadow:inset 0 -2px #3370ff} .tabs button.x{flex:none;padding:8px}
body:not([data-panel=people]) #people-panel, body:not([data-panel=chat]) #chat-panel{display:none}
#people-panel{overflow:auto;padding:6px 10px} #people li{list-style:none;padding:6px 0;border-bottom:1px solid #3a3f47;font-size:14px;display:flex;align-items:center;gap:4px;flex-wrap:wrap}
#people{padding:0;margin:0} #people li .who{flex:1;min-width:0} #people li .icon{width:16px;height:16px} #people li .hand{color:#ffc60a}
#people li button{padding:2px 6px;font-size:12px}
#chat-panel{flex:1;min-height:0;display:flex;flex-direction:column}
#messages{flex:1;overflow:auto;padding:8px 10px;margin:0;list-style:none} #messages li{margin:0 0 10px;font-size:14px;line-height:1.35}
#messages .from{font-size:12px;color:#a6abb3} #messages .text{white-space:pre-wrap;overflow-wrap:anywhere} #messages li.mine .from{color:#7fa6ff}
#chat-form{display:flex;gap:6px;padding:8px;border-top:1px solid #3a3f47} #chat-input{flex:1;min-width:0;resize:none;height:38px;background:#1f2329;color:#eee;border-color:#4a4f57}
#chat-form button{padding:6px 10px} #chat-error{margin:0 10px 6px;font-size:13px} #chat-error:empty{display:none}
footer{padding:8px;background:#2b2f36;display:flex;gap:6px;justify-content:center;flex-wrap:wrap}
button.tool{display:inline-flex;flex-direction:column;align-items:center;gap:2px;min-width:72px;padding:6px 8px;font-size:12px;background:#3a3f47;border-color:#3a3f47;position:relative}
button.tool.off{background:#646a73} button.tool.danger{background:#d83931;border-color:#d83931} button.tool.on{background:#3370ff;border-color:#3370ff}
.unread{position:absolute;top:-4px;right:-4px;background:#f54a45;color:#fff;border-radius:9px;font-size:11px;min-width:18px;height:18px;line-height:18px;text-align:center;padding:0 4px}
.unread:empty{display:none}
#reactions{position:fixed;bottom:64px;left:50%;transform:translateX(-50%);background:#2b2f36;border:1px solid #3a3f47;border-radius:10px;padding:6px;display:flex;gap:4px;z-index:10}
#reactions[hidden]{display:none} #reactions button{background:none;border:0;padding:6px} #reactions .icon{width:28px;height:28px}
#toasts{position:fixed;top:50px;left:50%;transform:translateX(-50%);display:flex;flex-direction:column;gap:6px;z-index:30}
.toast{background:#fff;color:#222;padding:8px 14px;border-radius:6px;box-shadow:0 2px 8px #0006;font-size:14px}
#ringing{position:fixed;right:16px;bottom:70px;z-index:9}
@media (max-width:760px){
  aside{position:fixed;inset:0;width:auto;z-index:20;border:0}
  header .wide{display:none} footer{gap:4px;padding:6px} button.tool{min-width:0;padding:8px 9px} button.tool .label{display:none}
  #stage{padding:4px;gap:4px} #tiles{gap:4px} #stage.focused #tiles .note{font-size:0;padding:0 0 22px}
}
</style></head>
<body data-view="loading" data-panel="none" data-meeting-no="${esc(meetingNo)}" data-guests="${guests}" data-password="${password}">
<script type="application/json" id="icons">${JSON.stringify(ICON_PATHS).replace(/</g, '\\u003c')}</script>
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
  <label class="pwd" id="password-row" hidden>Meeting password<input id="password" inputmode="numeric" autocomplete="off" maxlength="16" placeholder="not needed by its organiser or invitees"></label>
  <div class="row"><button id="pre-mic">Microphone on</button><button id="pre-cam">Camera on</button><button id="join-button" disabled>Join</button></div>
  <p id="join-error" class="err"></p></div>
<div id="meeting">
  <header><b id="topic"></b><span id="meeting-no" class="dim">${esc(pretty)}</span><span id="host-line" class="dim wide"></span><span id="rec-line"></span><span id="media-line" class="dim"></span>
    <span id="quality" title="connection quality"><span class="bars" data-level="unknown"><i></i><i></i><i></i></span><span id="quality-text" class="wide"></span></span></header>
  <div id="main">
    <section id="stage"><div id="focus"></div><div id="tiles"></div></section>
    <aside aria-label="side panel"><div class="tabs" role="tablist"><button id="tab-people" role="tab">Participants <span id="count"></span></button><button id="tab-chat" role="tab">Chat</button><button id="panel-close" class="x" title="Close" aria-label="Close">${icon('close')}</button></div>
      <div id="people-panel"><ul id="people"></ul></div>
      <div id="chat-panel"><ul id="messages" aria-live="polite"></ul><p id="chat-error" class="err"></p>
        <form id="chat-form"><textarea id="chat-input" maxlength="${CHAT_TEXT_MAX}" placeholder="Message everyone" aria-label="Message everyone"></textarea><button id="chat-send" title="Send" aria-label="Send">${icon('send')}</button></form></div></aside>
  </div>
  <footer>${button('mic', 'mic', 'Mute')}${button('cam', 'cam', 'Stop video')}${button('share', 'screen', 'Share screen')}${button('people-button', 'people', 'Participants')}${button('chat-button', 'chat', 'Chat')}<!--
  -->${button('react-button', 'smile', 'React')}${button('hand-button', 'hand', 'Raise hand')}${button('view-button', 'speaker', 'Speaker view')}${button('record', 'record', 'Record', '', true)}${button('end', 'end', 'End meeting', 'danger', true)}${button('leave', 'leave', 'Leave', 'danger')}</footer>
  <div id="reactions" hidden>${REACTIONS.map((r) => `<button data-reaction="${r}" title="${REACTION_LABELS[r]}" aria-label="${REACTION_LABELS[r]}">${icon(r)}</button>`).join('')}</div>
</div>
<div id="over" class="card"><h1 id="over-title">You left the meeting</h1><p id="over-text"></p><div class="row"><button id="rejoin">Join again</button></div></div>
<div id="toasts"></div><div id="ringing"></div>
<script type="module" src="/static/meeting.js"></script>
</body></html>`;
}

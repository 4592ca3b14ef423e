import type { UserRow } from '../store/repositories/directory.repository.js';
import { esc, page } from './html.js';

/** The console's pages: path, and the English and Chinese name of each (the script translates the rest). */
export const CONSOLE_PAGES = {
  dashboard: { path: '/admin', en: 'Dashboard', zh: '仪表盘' },
  live: { path: '/admin/live', en: 'Live meetings', zh: '进行中的会议' },
  rooms: { path: '/admin/rooms', en: 'Rooms', zh: '会议室' },
  recordings: { path: '/admin/recordings', en: 'Recordings', zh: '录制' },
  users: { path: '/admin/users', en: 'Users', zh: '用户' },
  apps: { path: '/admin/apps', en: 'Apps and events', zh: '应用和事件' },
  exports: { path: '/admin/exports', en: 'Exports', zh: '导出' },
} as const;
export type ConsolePageId = keyof typeof CONSOLE_PAGES;

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f5f7;color:#1f2329}
header{background:#1f2329;color:#fff;display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;padding:8px 16px}
header .brand{font-weight:600;margin-right:8px}
header nav{display:flex;flex-wrap:wrap;gap:4px;flex:1}
header nav a{color:#dfe1e5;text-decoration:none;padding:6px 10px;border-radius:6px}
header nav a[aria-current=page]{background:#3370ff;color:#fff}
header nav a:focus-visible,button:focus-visible,select:focus-visible,input:focus-within,textarea:focus-visible,summary:focus-visible,a:focus-visible{outline:3px solid #ffb400;outline-offset:1px}
header .me{display:flex;gap:8px;align-items:center;font-size:14px}
header button{background:none;border:1px solid #8f959e;color:#fff;border-radius:6px;padding:4px 8px;cursor:pointer}
main{padding:16px;max-width:1400px;margin:0 auto}
h1{font-size:20px;margin:4px 0 12px}
h2{font-size:16px;margin:0 0 8px}
.bar{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}
.bar label{display:flex;flex-direction:column;font-size:13px;gap:2px}
input,select{font:inherit;padding:6px;border:1px solid #c9cdd4;border-radius:6px;background:#fff}
button{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #3370ff;background:#3370ff;color:#fff;cursor:pointer}
button.quiet{background:#fff;color:#3370ff}
button.danger{background:#fff;color:#d83931;border-color:#d83931}
button[disabled]{opacity:.5;cursor:default}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));gap:12px}
.grid.split{grid-template-columns:minmax(200px,1fr) 2.5fr}
@media (max-width:800px){.grid.split{grid-template-columns:1fr}}
.card{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 3px #0002;min-width:0}
.card .head{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}
.card a.download{font-size:13px}
.chart{width:100%;min-height:220px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eee;vertical-align:top}
.scroll{overflow-x:auto}
.msg{padding:8px 12px;border-radius:6px;margin:8px 0}
.msg.error{background:#fde2e2;color:#8f1d18}
.msg.ok{background:#e3f7e8;color:#1a5e2c}
.muted{color:#646a73;font-size:13px}
.tag{display:inline-block;font-size:12px;padding:1px 6px;border-radius:10px;background:#eef3ff;color:#245bdb;margin-right:4px}
.tag.rec{background:#fde2e2;color:#d83931}
.actions{display:flex;flex-wrap:wrap;gap:4px}
.tree{list-style:none;padding-left:0;margin:0}
.tree ul{list-style:none;padding-left:16px}
.tree button.level{background:none;border:0;color:#1f2329;padding:2px 4px;text-align:left}
.tree button.level[aria-pressed=true]{background:#eef3ff;color:#245bdb}
.cal{display:grid;gap:4px}
.cal .day{background:#fafbfc;border:1px solid #eee;border-radius:6px;padding:6px;min-height:60px}
.cal .booking{overflow-wrap:anywhere;font-size:12px;background:#eef3ff;border-left:3px solid #3370ff;padding:2px 4px;margin:2px 0;border-radius:3px}
.cal .booking.released,.cal .booking.cancelled{opacity:.5;text-decoration:line-through}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.skip{position:absolute;left:8px;top:-60px;background:#fff;color:#1f2329;padding:6px 10px;border-radius:6px;z-index:10}
.skip:focus{top:8px}
@media (max-width:640px){main{padding:8px} th,td{padding:4px} header{padding:6px 8px} header nav{order:3;flex:1 1 100%} header nav a{white-space:nowrap;padding:4px 8px} .cal{grid-template-columns:1fr!important} .cal .day{min-height:0}
  table.cards thead{display:none} table.cards tr{display:block;padding:8px 0;border-bottom:1px solid #eee} table.cards td{display:block;border:0;padding:2px 0}
  table.cards td[data-label]::before{content:attr(data-label);display:inline-block;min-width:92px;color:#646a73;font-size:12px}}
`;

/** A console page: the bar with every page, who is signed in, the language switch; the script fills `main`. */
export function consolePage(id: ConsolePageId, me: UserRow): string {
  const nav = Object.entries(CONSOLE_PAGES)
    .map(([k, p]) => `<a href="${p.path}" data-i18n="nav.${k}"${k === id ? ' aria-current="page"' : ''}>${esc(p.en)}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(CONSOLE_PAGES[id].en)} · openvc admin</title>
<link rel="stylesheet" href="/admin/assets/uplot.css"><style>${STYLE}</style></head>
<body data-page="${id}">
<a class="skip" href="#main" data-i18n="skip">Skip to content</a>
<header><span class="brand">openvc</span><nav aria-label="Console">${nav}</nav>
<div class="me"><span>${esc(me.name || me.user_id)}</span>
<button type="button" id="lang" aria-label="中文 / English">中文</button>
<form method="post" action="/signout"><input type="hidden" name="next" value="/signin"><button type="submit" data-i18n="signout">Sign out</button></form></div></header>
<main id="main" tabindex="-1"><h1 data-i18n="nav.${id}">${esc(CONSOLE_PAGES[id].en)}</h1><div id="status" role="status" aria-live="polite"></div><div id="view"></div></main>
<script src="/admin/assets/uplot.js"></script>
<script src="/admin/assets/console.js"></script>
</body></html>`;
}

/** What a signed-in user who is no administrator sees instead of any console page. */
export function consoleRefusal(userId: string): string {
  return page(
    'Administrators only',
    `<h1>Administrators only · 仅限管理员</h1><p class="err" id="refused">The admin console is for administrators of the tenant; you are signed in as ${esc(userId)}. An administrator can give you the role (openvc user admin ${esc(userId)}).</p><p>管理后台仅对租户管理员开放。</p><form method="post" action="/signout"><input type="hidden" name="next" value="/signin"><button class="link" type="submit">Sign out · 退出登录</button></form>`,
  );
}

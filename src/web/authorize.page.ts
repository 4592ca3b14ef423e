import { esc, page } from './html.js';

export interface AuthorizeView {
  appName: string;
  users: { user_id: string; name: string; email: string | null }[];
  scopes: string[];
  /** hidden form fields carried to the POST */
  hidden: Record<string, string>;
}

/** The consent page where a seeded user signs in and authorizes an app (OAuth code flow). */
export function authorizePage(v: AuthorizeView): string {
  const hidden = Object.entries(v.hidden)
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  const users = v.users
    .map(
      (u, i) =>
        `<label class="user"><input type="radio" name="user_id" value="${esc(u.user_id)}"${i === 0 ? ' checked' : ''}>` +
        `<span><b>${esc(u.name)}</b><br><small>${esc(u.email ?? u.user_id)}</small></span></label>`,
    )
    .join('');
  const scopes = v.scopes.map((s) => `<li>${esc(s)}</li>`).join('');
  return page(
    'Authorize',
    `<h1>Sign in to ${esc(v.appName)}</h1>
<p>Choose who you are. <b>${esc(v.appName)}</b> will act on your behalf with these permissions:</p>
<ul class="scopes">${scopes || '<li>(no scopes)</li>'}</ul>
<form method="post" action="/open-apis/authen/v1/authorize">${hidden}${users || '<p class="err">This tenant has no active users.</p>'}
<div class="row"><button class="deny" name="action" value="deny">Deny</button><button class="allow" name="action" value="allow">Authorize</button></div>
</form>`,
  );
}

export function authorizeErrorPage(message: string): string {
  return page('Authorization failed', `<h1>Authorization failed</h1><p class="err">${esc(message)}</p>`);
}

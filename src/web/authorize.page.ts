import { esc, page } from './html.js';

type UserView = { user_id: string; name: string; email: string | null };

export interface AuthorizeView {
  appName: string;
  scopes: string[];
  /** hidden form fields carried to the POST */
  hidden: Record<string, string>;
  /** who the consent is given as: the signed-in user, or (development flag only) a list to pick from */
  as: { signedIn: UserView; signOutNext: string } | { pickFrom: UserView[] };
}

/** The consent page: who is signed in, what the app asks, allow or deny (OAuth code flow). */
export function authorizePage(v: AuthorizeView): string {
  const hidden = Object.entries(v.hidden)
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  const scopes = v.scopes.map((s) => `<li>${esc(s)}</li>`).join('');
  const asks = `<p><b>${esc(v.appName)}</b> asks to act on your behalf with these permissions:</p>
<ul class="scopes">${scopes || '<li>(no scopes)</li>'}</ul>`;
  const buttons = '<div class="row"><button class="deny" name="action" value="deny">Deny</button><button class="allow" name="action" value="allow">Allow</button></div>';
  if ('signedIn' in v.as) {
    const u = v.as.signedIn;
    return page(
      'Authorize',
      `<h1>Authorize ${esc(v.appName)}</h1>
<p class="who">Signed in as <b class="name">${esc(u.name)}</b> <small class="email">${esc(u.email ?? u.user_id)}</small></p>
${asks}
<form method="post" action="/open-apis/authen/v1/authorize">${hidden}${buttons}</form>
<form method="post" action="/signout" class="signout"><input type="hidden" name="next" value="${esc(v.as.signOutNext)}"><small>Not you? <button class="link" id="signout">Sign out</button></small></form>`,
    );
  }
  const users = v.as.pickFrom
    .map(
      (u, i) =>
        `<label class="user"><input type="radio" name="user_id" value="${esc(u.user_id)}"${i === 0 ? ' checked' : ''}>` +
        `<span><b>${esc(u.name)}</b><br><small>${esc(u.email ?? u.user_id)}</small></span></label>`,
    )
    .join('');
  return page(
    'Authorize',
    `<h1>Sign in to ${esc(v.appName)}</h1>
<p class="err">Development mode (devPickUser): anyone may pick any user here. Never run a reachable server like this.</p>
${asks}
<form method="post" action="/open-apis/authen/v1/authorize">${hidden}${users || '<p class="err">This tenant has no active users.</p>'}${buttons}</form>`,
  );
}

export function authorizeErrorPage(message: string): string {
  return page('Authorization failed', `<h1>Authorization failed</h1><p class="err">${esc(message)}</p>`);
}

import { esc, page } from './html.js';

export interface SignInView {
  /** the tenant signed in to; absent asks for it */
  tenant?: string;
  next: string;
  login?: string;
  error?: string;
  /** a link to sign in through the upstream OpenID Connect provider, when one is configured */
  oidcHref?: string;
}

export function signInPage(v: SignInView): string {
  const tenant = v.tenant !== undefined ? `<input type="hidden" name="tenant" value="${esc(v.tenant)}">` : '<label>Organisation (tenant key)<input name="tenant" required autocomplete="organization"></label>';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
${v.error ? `<p class="err" id="signin-error">${esc(v.error)}</p>` : ''}
<form method="post" action="/signin" class="fields">${tenant}<input type="hidden" name="next" value="${esc(v.next)}">
<label>User ID or email<input name="login" value="${esc(v.login ?? '')}" required autocomplete="username"></label>
<label>Password<input name="password" type="password" required autocomplete="current-password"></label>
<div class="row"><button class="allow" id="signin-submit">Sign in</button></div></form>
${v.oidcHref ? `<p><a id="signin-oidc" href="${esc(v.oidcHref)}">Sign in with your organisation's account</a></p>` : ''}`,
  );
}

export function signedInPage(who: { name: string; email: string | null; user_id: string }, next: string): string {
  return page(
    'Signed in',
    `<h1>Signed in</h1><p class="who">You are signed in as <b class="name">${esc(who.name)}</b> <small class="email">${esc(who.email ?? who.user_id)}</small>.</p>
<form method="post" action="/signout"><input type="hidden" name="next" value="${esc(next)}"><div class="row"><button class="deny" id="signout">Sign out</button></div></form>`,
  );
}

export function invitationPage(v: { name: string; email: string | null; user_id: string; error?: string }): string {
  return page(
    'Choose a password',
    `<h1>Choose a password</h1><p>For <b class="name">${esc(v.name)}</b> <small class="email">${esc(v.email ?? v.user_id)}</small>. This link works once.</p>
${v.error ? `<p class="err" id="invite-error">${esc(v.error)}</p>` : ''}
<form method="post" class="fields"><label>New password<input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
<label>Repeat it<input name="confirm" type="password" required minlength="8" autocomplete="new-password"></label>
<div class="row"><button class="allow" id="invite-submit">Set password</button></div></form>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return page(title, `<h1>${esc(title)}</h1><p class="msg">${esc(message)}</p>${link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : ''}`);
}

import { methods } from './methods.js';
import { EVENT_TYPES, scopesFor } from './events.js';

/**
 * Every scope openvc knows: those its methods and field-level checks ask for, those that let an app receive
 * events, and the contact field scopes (email, phone) that widen a user's presented fields. A seed or an
 * admin call that grants anything else is refused: a misspelt scope would otherwise grant nothing, silently.
 */
export function knownScopes(): string[] {
  const set = new Set<string>(['contact:user.email:readonly', 'contact:user.phone:readonly', 'contact:user.id:readonly']);
  for (const m of methods) for (const s of [...m.scopes, ...m.fieldScopes]) set.add(s);
  for (const t of EVENT_TYPES) for (const s of scopesFor(t)) set.add(s);
  return [...set].sort();
}

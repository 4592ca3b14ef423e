/**
 * How settings flow down the room tree (scope_config.md §4; docs/decisions.md "Scope config"). Shared by
 * scope_config's room_config and by the booking rules of reserve_configs.
 *
 * A node is a level or a room. It holds its own value for some sections (`room_background`,
 * `digital_signage`, `time_config` …) and none for the rest. What applies at a node is, section by
 * section, the value of the nearest node on its chain that sets it: the node itself, then (for a room)
 * its level, then each level above up to the tenant root. A section comes whole from one node; fields
 * inside it are never mixed across nodes, so what a node shows is always something one admin saved.
 *
 * `if_cover_child_scope: true` on a section a level saves clears that section from every level and room
 * below it at that moment, so the whole subtree inherits the new value. It is an action of that save, not
 * a lasting lock: a node below may set its own value again later, and a subtree moved under the level
 * afterwards keeps its own values.
 */
import { idsOf, type TreePath } from './tree.js';

export const SCOPE_LEVEL = 1;
export const SCOPE_ROOM = 2;
export type ScopeType = typeof SCOPE_LEVEL | typeof SCOPE_ROOM;

export interface ScopeRef {
  scope_type: ScopeType;
  scope_id: string;
}

/** A node's own sections, as stored; a section the node has not set is absent. */
export type Sections = Record<string, unknown>;

export interface NodeSections extends ScopeRef {
  own: Sections;
}

/** One section of a save: `value` undefined clears the node's own value (it inherits again). */
export interface SectionChange {
  section: string;
  value: unknown;
  /** if_cover_child_scope was true: clear this section below the node */
  cover: boolean;
}

export type ChainStart = { scope_type: typeof SCOPE_LEVEL; path: TreePath } | { scope_type: typeof SCOPE_ROOM; roomId: string; levelPath: TreePath };

/** The nodes a level or room inherits from, itself first, then each level above it up to the tenant root. */
export function chainOf(start: ChainStart): ScopeRef[] {
  const levels = idsOf(start.scope_type === SCOPE_LEVEL ? start.path : start.levelPath)
    .reverse()
    .map((id): ScopeRef => ({ scope_type: SCOPE_LEVEL, scope_id: id }));
  return start.scope_type === SCOPE_LEVEL ? levels : [{ scope_type: SCOPE_ROOM, scope_id: start.roomId }, ...levels];
}

/** The chain with each node's own sections, from stored rows (rows of nodes off the chain are ignored). */
export function withSections(chain: readonly ScopeRef[], rows: readonly { scope_id: string; section: string; value: unknown }[]): NodeSections[] {
  const byNode = new Map<string, Sections>(chain.map((n) => [n.scope_id, {}]));
  for (const r of rows) {
    const own = byNode.get(r.scope_id);
    if (own) own[r.section] = r.value;
  }
  return chain.map((n) => ({ ...n, own: byNode.get(n.scope_id)! }));
}

/** Per section, the value of the nearest node on the chain (itself first) that sets it. */
export function resolve(chain: readonly NodeSections[]): Sections {
  const out: Sections = {};
  for (const node of chain) for (const [section, value] of Object.entries(node.own)) if (!(section in out)) out[section] = value;
  return out;
}

/** Whether a section as sent asks to cover the levels and rooms below. */
export const coversChildren = (input: unknown): boolean =>
  typeof input === 'object' && input !== null && (input as { if_cover_child_scope?: unknown }).if_cover_child_scope === true;

/** The sections a save clears below its node: a room has nothing below it. */
export const coveredSections = (node: ScopeRef, changes: readonly SectionChange[]): string[] =>
  node.scope_type === SCOPE_LEVEL ? changes.filter((c) => c.cover).map((c) => c.section) : [];

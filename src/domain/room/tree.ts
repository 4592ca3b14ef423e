/**
 * Path math of the room-level tree. A level's path is materialised as the IDs from the tenant root down
 * to the level itself, each followed by '/': '/<root>/<campus>/<building>/'. IDs never contain '/'.
 * A room carries the path of its level.
 */
export type TreePath = string;

/** How deep levels may nest below the root: the paths stay short and a subtree stays cheap to move. */
export const MAX_DEPTH = 20;

export const rootPath = (rootId: string): TreePath => `/${rootId}/`;

export const childPath = (parent: TreePath, id: string): TreePath => `${parent}${id}/`;

/** The IDs of a path, root first. */
export const idsOf = (path: TreePath): string[] => path.split('/').filter((s) => s !== '');

/** A level's `path` in the API: its ancestors, root first (the level itself left out). */
export const ancestorsOf = (path: TreePath): string[] => idsOf(path).slice(0, -1);

/** 0 for the root. */
export const depthOf = (path: TreePath): number => idsOf(path).length - 1;

/**
 * Every path in the subtree of `path` (itself included) sorts into [lo, hi) in byte order, and no other
 * path does: they all start with `path`, which ends in '/', and '0' is the character after '/'. One index
 * range thus finds a subtree, on SQLite (BINARY) and on PostgreSQL (collate "C") alike.
 */
export function subtreeRange(path: TreePath): { lo: TreePath; hi: string } {
  return { lo: path, hi: `${path.slice(0, -1)}0` };
}

/** True when `path` is `ancestor` or lies below it. */
export const isWithin = (path: TreePath, ancestor: TreePath): boolean => path.startsWith(ancestor);

/**
 * Whether a level may move under `newParent`: never under itself or one of its descendants (that would
 * make a cycle), and never so deep that its deepest descendant passes MAX_DEPTH.
 */
export function moveProblem(level: TreePath, newParent: TreePath, subtreeHeight: number): 'cycle' | 'too_deep' | undefined {
  if (isWithin(newParent, level)) return 'cycle';
  if (depthOf(newParent) + 1 + subtreeHeight > MAX_DEPTH) return 'too_deep';
  return undefined;
}


/** The paths not below another path of the list: "under one of these levels" needs only those. */
export function topmost(paths: readonly TreePath[]): TreePath[] {
  const out: TreePath[] = [];
  // In sorted order a path's ancestors come before it, so checking the last path kept is enough.
  for (const p of [...paths].sort()) if (out.length === 0 || !isWithin(p, out[out.length - 1]!)) out.push(p);
  return out;
}

/** The smaller of two subtrees when one holds the other; undefined when they are apart. */
export function narrower(a: TreePath, b: TreePath): TreePath | undefined {
  if (isWithin(a, b)) return a;
  if (isWithin(b, a)) return b;
  return undefined;
}

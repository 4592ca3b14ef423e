/**
 * scope_config's `room_config` (scope_config.md §2): the value rules of each section, what a node stores
 * and how it is shown. Types were checked by the route schema; a value out of range is 121003 naming it.
 *
 * Sections are saved whole: a section sent replaces the node's own, one left out keeps it. `null`, `""`
 * (a background) or a signage object with nothing but `if_cover_child_scope` clears the node's own value,
 * so it inherits again.
 */
import { randomInt } from 'node:crypto';
import type { RoomStatusInput, CheckedStatus } from './room-status.js';
import { paramError } from './rules.js';
import type { SectionChange, Sections } from './scope-config.js';
import { coversChildren } from './scope-config.js';
import { statusView, type RoomStatusView } from './views.js';

export const BACKGROUNDS = ['room_background', 'display_background'] as const;
export const SIGNAGES = ['digital_signage', 'room_box_digital_signage'] as const;
/** Every section of a room_config; a room's room_status lives on the room itself. */
export const ROOM_CONFIG_SECTIONS = [...BACKGROUNDS, ...SIGNAGES, 'room_status'] as const;

/** URLs, names, hashes: unpublished, keeps rows bounded. */
export const MAX_TEXT_LENGTH = 2048;
export const MAX_MATERIALS = 100;
/** start_display / stop_display, in minutes (scope_config.md §2.3) */
export const DISPLAY_MINUTES = { min: 1, max: 720 };
/** a material's play duration, in seconds (§2.4) */
export const MATERIAL_SECONDS = { min: 1, max: 43_200 };
/** 1 image, 2 video, 3 GIF; the docs' own examples send 0 */
export const MATERIAL_TYPES = [0, 1, 2, 3];
export const MAX_MATERIAL_ID_LENGTH = 64;

export interface Material {
  id: string;
  name?: string;
  material_type?: number;
  url?: string;
  duration?: number;
  cover?: string;
  md5?: string;
  vid?: string;
  size?: string;
}

export type MaterialInput = Partial<Material>;

export interface Signage {
  if_cover_child_scope?: boolean;
  enable?: boolean;
  mute?: boolean;
  start_display?: number;
  stop_display?: number;
  materials?: Material[];
}

export type SignageInput = Omit<Signage, 'materials'> & { materials?: MaterialInput[] };

export interface RoomConfigInput {
  room_background?: string | null;
  display_background?: string | null;
  digital_signage?: SignageInput | null;
  room_box_digital_signage?: SignageInput | null;
  room_status?: RoomStatusInput | null;
}

export interface RoomConfigView<U> {
  room_background?: string;
  display_background?: string;
  digital_signage?: Signage;
  room_box_digital_signage?: Signage;
  room_status?: RoomStatusView<U>;
}

/** Like Feishu's `7847784676276`: 13 digits. */
export const newMaterialId = (): string => String(randomInt(1_000_000_000_000, 10_000_000_000_000));

function checkRange(value: number, range: { min: number; max: number }, field: string): number {
  if (value < range.min || value > range.max) throw paramError(`${field} must be from ${range.min} to ${range.max}`);
  return value;
}

function checkText(value: string, field: string): string {
  if (value.length > MAX_TEXT_LENGTH) throw paramError(`${field} must be at most ${MAX_TEXT_LENGTH} characters`);
  return value;
}

const TEXT_FIELDS = ['name', 'url', 'cover', 'md5', 'vid'] as const;

/** Sent IDs are kept (a get → edit → set round trip keeps them); missing ones are drawn. */
function checkMaterials(list: readonly MaterialInput[], field: string, newId: () => string): Material[] {
  if (list.length > MAX_MATERIALS) throw paramError(`${field} holds at most ${MAX_MATERIALS} materials`);
  const taken = new Set<string>();
  for (const [i, m] of list.entries()) {
    if (!m.id) continue;
    if (m.id.length > MAX_MATERIAL_ID_LENGTH) throw paramError(`${field}[${i}].id must be at most ${MAX_MATERIAL_ID_LENGTH} characters`);
    if (taken.has(m.id)) throw paramError(`${field}[${i}].id ${m.id} appears twice`);
    taken.add(m.id);
  }
  return list.map((m, i) => {
    const f = `${field}[${i}]`;
    let id = m.id;
    if (!id) {
      do id = newId();
      while (taken.has(id));
      taken.add(id);
    }
    const out: Material = { id };
    for (const k of TEXT_FIELDS) if (m[k] !== undefined) out[k] = checkText(m[k], `${f}.${k}`);
    if (m.material_type !== undefined) {
      if (!MATERIAL_TYPES.includes(m.material_type)) throw paramError(`${f}.material_type must be 1 (image), 2 (video) or 3 (GIF)`);
      out.material_type = m.material_type;
    }
    if (m.duration !== undefined) out.duration = checkRange(m.duration, MATERIAL_SECONDS, `${f}.duration`);
    if (m.size !== undefined) {
      if (!/^\d{1,20}$/.test(m.size)) throw paramError(`${f}.size must be the file size in bytes, as a string of digits`);
      out.size = m.size;
    }
    return out;
  });
}

/** A signage object as stored (only its known fields), or undefined when it sets nothing. */
export function checkSignage(s: SignageInput, field: string, newId: () => string = newMaterialId): Signage | undefined {
  const out: Signage = {};
  if (s.if_cover_child_scope !== undefined) out.if_cover_child_scope = s.if_cover_child_scope;
  if (s.enable !== undefined) out.enable = s.enable;
  if (s.mute !== undefined) out.mute = s.mute;
  if (s.start_display !== undefined) out.start_display = checkRange(s.start_display, DISPLAY_MINUTES, `${field}.start_display`);
  if (s.stop_display !== undefined) out.stop_display = checkRange(s.stop_display, DISPLAY_MINUTES, `${field}.stop_display`);
  if (s.materials !== undefined) out.materials = checkMaterials(s.materials, `${field}.materials`, newId);
  return Object.keys(out).some((k) => k !== 'if_cover_child_scope') ? out : undefined;
}

/**
 * The section changes of a room_config, checked: backgrounds and signage. room_status is checked apart,
 * since its contacts need the directory and a room keeps it on itself.
 */
export function roomConfigChanges(input: RoomConfigInput, newId: () => string = newMaterialId): SectionChange[] {
  const changes: SectionChange[] = [];
  for (const section of BACKGROUNDS) {
    const v = input[section];
    if (v !== undefined) changes.push({ section, value: v ? checkText(v, section) : undefined, cover: false });
  }
  for (const section of SIGNAGES) {
    const v = input[section];
    if (v !== undefined) changes.push({ section, value: v === null ? undefined : checkSignage(v, section, newId), cover: coversChildren(v) });
  }
  return changes;
}

/** A node's sections (own or resolved) in the API's shape; room_status as of `now`. */
export function roomConfigView<U>(sections: Sections, now: number, user: (userId: string) => U): RoomConfigView<U> {
  const view: RoomConfigView<U> = {};
  for (const section of BACKGROUNDS) if (typeof sections[section] === 'string') view[section] = sections[section];
  for (const section of SIGNAGES) if (sections[section] !== undefined) view[section] = sections[section] as Signage;
  if (sections.room_status !== undefined) view.room_status = statusView(sections.room_status as CheckedStatus, now, user);
  return view;
}

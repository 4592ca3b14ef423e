import type { Static } from '@sinclair/typebox';
import type { UserIdMapper } from '../../domain/identity/user-ids.js';
import { storedSettings } from '../../domain/reserve/reserve.service.js';
import { expireStatus } from '../../domain/reserve/expiry.js';
import { liveCode } from '../../domain/reserve/numbers.js';
import { MEETING_TYPE } from '../../domain/reserve/settings.js';
import { presentedSettings } from '../../domain/reserve/settings-ids.js';
import type { ReserveRow } from '../../store/repositories/reserve.repository.js';
import type { ApplyData, GetData, UpdateData } from './reserve.schemas.js';

type Applied = Static<typeof ApplyData>['reserve'];
type Updated = Static<typeof UpdateData>['reserve'];
type Full = Static<typeof GetData>['reserve'];

/**
 * Feishu's links with our public URL: the join page `/j/<meeting_no>`, carrying the password as Zoom's and
 * Feishu's share links do (`?pwd=`), so that whoever is sent the link joins without typing it; the AppLink
 * is that same link (no `{?}` placeholders: no app fills them in here); and a live link named by the reserve
 * id in base 36 (docs/decisions.md "Meeting passwords").
 */
function links(publicUrl: string, r: ReserveRow) {
  const join = `${publicUrl}/j/${r.meeting_no}${r.password ? `?pwd=${encodeURIComponent(r.password)}` : ''}`;
  return {
    url: join,
    app_link: join,
    live_link: `${publicUrl}/s/${liveCode(r.id)}`,
  };
}

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

export function presentApplied(publicUrl: string, r: ReserveRow): Applied {
  const l = links(publicUrl, r);
  return { id: r.id, meeting_no: r.meeting_no, password: r.password, url: l.url, app_link: l.app_link, live_link: l.live_link, end_time: seconds(r.end_time) };
}

export function presentUpdated(publicUrl: string, r: ReserveRow, now: number): Updated {
  const l = links(publicUrl, r);
  return { id: r.id, meeting_no: r.meeting_no, password: r.password, url: l.url, live_link: l.live_link, end_time: seconds(r.end_time), expire_status: expireStatus(r, now) };
}

/** The whole reserve; settings never sent are shown with their defaults (decisions.md). */
export function presentReserve(publicUrl: string, r: ReserveRow, ids: UserIdMapper, now: number): Full {
  const s = presentedSettings(ids, storedSettings(r));
  return {
    ...presentApplied(publicUrl, r),
    expire_status: expireStatus(r, now),
    reserve_user_id: ids.present(r.owner_user_id),
    meeting_settings: {
      topic: s.topic ?? '',
      action_permissions: s.action_permissions ?? [],
      meeting_initial_type: s.meeting_initial_type ?? MEETING_TYPE.multiParty,
      meeting_connect: s.meeting_connect ?? false,
      ...(s.call_setting ? { call_setting: s.call_setting } : {}),
      auto_record: s.auto_record ?? false,
      assign_host_list: s.assign_host_list ?? [],
    },
  };
}

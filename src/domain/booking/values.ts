/**
 * The value sets a room booking carries. The API and the store use the codes; the room-reservation
 * export (export.md §9.4) prints the labels next to them, which are exactly that section's values.
 */

/** Column 10 (会议室预定状态) of a booking that holds its room. */
export const HOLDING_STATUSES = { pending: '审批中', confirmed: '预定成功' } as const;

/**
 * Every status. A `released` booking let its room go early (its reason gives the label); `cancelled`
 * (withdrawn before it began) and `rejected` ones never held the room when it mattered, so the export's
 * list has no label for them.
 */
export const BOOKING_STATUSES = [...(Object.keys(HOLDING_STATUSES) as (keyof typeof HOLDING_STATUSES)[]), 'released', 'cancelled', 'rejected'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Why a released booking let its room go: column 10 (会议室预定状态) of released bookings. */
export const RELEASE_REASONS = {
  manual: '已释放（手动释放）',
  meeting_ended: '已释放（会议结束后自动释放）',
  no_check_in: '已释放（未签到被释放）',
  sensor: '已释放（传感器自动释放）',
} as const;
export type ReleaseReason = keyof typeof RELEASE_REASONS;

/** Where a booking was checked in: column 11 (签到设备). */
export const CHECK_IN_METHODS = {
  sign_in_board: '签到板',
  qr_code: '签到二维码',
  controller: '控制器',
  touch_panel: '触屏板',
  offline_auto: '设备离线，自动签到',
} as const;
export type CheckInMethod = keyof typeof CHECK_IN_METHODS;

/**
 * Column 12 (会议室签到状态): every value the export lists. openvc does not know which rooms have a
 * check-in device installed, so `noDevice` is never shown; the rest follow from the booking (see
 * src/domain/export/reservation.ts).
 */
export const CHECK_IN_STATUSES = {
  instant: '无需签到（即时预定）',
  off: '无需签到（未开启签到设置）',
  notNeeded: '无需签到',
  missed: '超时未签到',
  open: '签到时间未结束',
  noDevice: '无需签到（未安装签到设备）',
  checkedIn: '已签到',
  waiting: '待签到',
  roomDisabled: '不可签到（会议室被禁用）',
} as const;

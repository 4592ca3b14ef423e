/** Every event type an app can subscribe to (event-delivery.md §7). */
export const EVENT_TYPES = [
  'vc.meeting.meeting_started_v1',
  'vc.meeting.meeting_ended_v1',
  'vc.meeting.join_meeting_v1',
  'vc.meeting.leave_meeting_v1',
  'vc.meeting.recording_started_v1',
  'vc.meeting.recording_ended_v1',
  'vc.meeting.recording_ready_v1',
  'vc.meeting.share_started_v1',
  'vc.meeting.share_ended_v1',
  'vc.meeting.all_meeting_started_v1',
  'vc.meeting.all_meeting_ended_v1',
  'vc.meeting.send_meeting_im_v1',
  'vc.meeting.participant_meeting_started_v1',
  'vc.meeting.participant_meeting_joined_v1',
  'vc.meeting.participant_meeting_ended_v1',
  'vc.room.created_v1',
  'vc.room.updated_v1',
  'vc.room.deleted_v1',
  'vc.room_level.created_v1',
  'vc.room_level.updated_v1',
  'vc.room_level.deleted_v1',
  'vc.reserve_config.updated_v1',
] as const;

/** Which scope lets an app receive an event type (event-delivery.md §7; events.md summary). */
export function scopesFor(eventType: string): string[] {
  if (eventType.startsWith('vc.meeting.all_meeting_')) return ['vc:meeting.all_meeting:readonly'];
  if (eventType.startsWith('vc.meeting.')) return ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'];
  // events.md: the level deletion event also goes to apps holding the finer room-level scopes
  if (eventType === 'vc.room_level.deleted_v1') return ['vc:room:readonly', 'vc:room', 'vc:rooms.roomlevel:delete', 'vc:rooms.roomlevel:read'];
  if (eventType.startsWith('vc.room') || eventType.startsWith('vc.reserve_config.')) return ['vc:room:readonly', 'vc:room'];
  return [];
}

/** An app gets an event when it subscribed to its type and holds one of the scopes for it. */
export function wants(app: { scopes: readonly string[]; eventTypes: readonly string[] }, eventType: string): boolean {
  const scopes = scopesFor(eventType);
  return app.eventTypes.includes(eventType) && (scopes.length === 0 || scopes.some((s) => app.scopes.includes(s)));
}

/**
 * What `client.vc.meeting.subscription` and `client.vc.recording.subscription` accept (the SDK's declared event
 * types of each resource). openvc sends the meeting ones; it makes no standalone audio recordings, so the
 * `vc.recording.*` types are accepted and never sent (docs/decisions.md "User event subscriptions").
 */
export const USER_SUBSCRIBABLE = {
  meeting: EVENT_TYPES.filter((t) => t.startsWith('vc.meeting.')) as string[],
  recording: ['vc.recording.recording_started_v1', 'vc.recording.recording_ended_v1', 'vc.recording.recording_transcript_generated_v1'],
};

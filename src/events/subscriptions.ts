/** Which scope lets an app receive an event type (event-delivery.md §7; events.md summary). */
export function scopesFor(eventType: string): string[] {
  if (eventType.startsWith('vc.meeting.all_meeting_')) return ['vc:meeting.all_meeting:readonly'];
  if (eventType.startsWith('vc.meeting.')) return ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'];
  if (eventType.startsWith('vc.room') || eventType.startsWith('vc.reserve_config.')) return ['vc:room:readonly', 'vc:room'];
  return [];
}

/** An app gets an event when it subscribed to its type and holds one of the scopes for it. */
export function wants(app: { scopes: readonly string[]; eventTypes: readonly string[] }, eventType: string): boolean {
  const scopes = scopesFor(eventType);
  return app.eventTypes.includes(eventType) && (scopes.length === 0 || scopes.some((s) => app.scopes.includes(s)));
}

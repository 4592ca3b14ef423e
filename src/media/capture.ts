/**
 * The seam between a meeting's media (the SFU that carries it) and its recordings (the Open API, the
 * processing job). The recording service calls `start` after the transaction that starts a recording
 * segment commits, and `stop` after the one that ends it; the media side writes raw tracks while it runs.
 *
 * Raw directory layout (the processing job's input):
 * - one file per track, in a container ffmpeg reads (webm/mkv/ogg), named by the capture;
 * - `manifest.jsonl`, a line appended when a track starts and when it ends:
 *   `{"event":"track_started","file":"…","kind":"audio"|"video"|"screen","participant_key":"…","user_id":"…","at":<ms epoch>,"opened_at":<ms epoch>}`
 *   `{"event":"track_ended","file":"…","at":<ms epoch>,"media_at":<ms epoch>}`
 *   `at` of a start: when its first frame came; `opened_at`: when the span began (the wait for a
 *   keyframe lies between); `at` of an end: when the span ended; `media_at`: when the file's first
 *   frame was captured, as the capture worked it out by the end (a busy process reads late).
 *   `opened_at` and `media_at` are optional: a reader falls back to `at`.
 * - `closed`, an empty file written once every track file is complete on disk (after `stop`).
 * A track without `track_ended` (the process died) runs to its file's own end.
 */
export interface MeetingCapture {
  /**
   * Starts writing the meeting's current and future tracks into `dir` (created if missing). `since`: the
   * segment's start. The capture starts a little after it (seconds on a busy machine): into a directory
   * with no tracks yet, the tracks already carrying media are opened as of `since`; a capture resumed or
   * taken over (the manifest names tracks) opens them when it starts.
   */
  start(meetingId: string, dir: string, since?: number): Promise<void>;
  /** Stops writing, completes the files and writes `closed`. A no-op when this process does not capture the meeting. */
  stop(meetingId: string): Promise<void>;
}

/** For processes that carry no media: recordings of their meetings are made from no tracks at all. */
export const noCapture: MeetingCapture = {
  start: async () => {},
  stop: async () => {},
};

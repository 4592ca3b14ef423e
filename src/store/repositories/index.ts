import type { Store } from '../database.js';
import { pgMeetingVersion, pgReadCache, sqliteMeetingVersion, sqliteReadCache, type ReadCache } from '../read-cache.js';
import { AppRepository } from './app.repository.js';
import { ChatRepository } from './chat.repository.js';
import { BookingRepository } from './booking.repository.js';
import { ConsoleRepository } from './console.repository.js';
import { ConsoleRollupRepository } from './console-rollup.repository.js';
import { CredentialRepository } from './credential.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { JobRepository } from './job.repository.js';
import { MeetingRepository } from './meeting.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { DeliveryRepository } from './delivery.repository.js';
import { ExportRepository } from './export.repository.js';
import { MeetingDataRepository } from './meeting-data.repository.js';
import { RateWindowRepository } from './rate-window.repository.js';
import { MediaNodeRepository } from './media-node.repository.js';
import { MetricsRepository } from './metrics.repository.js';
import { RecordingRepository } from './recording.repository.js';
import { ReportRepository } from './report.repository.js';
import { ReservationDataRepository } from './reservation-data.repository.js';
import { ReserveRepository } from './reserve.repository.js';
import { RoomLevelRepository } from './room-level.repository.js';
import { RoomRepository } from './room.repository.js';
import { ScopeConfigRepository } from './scope-config.repository.js';
import { SessionRepository } from './session.repository.js';
import { SettingRepository } from './setting.repository.js';
import { ThrottleRepository } from './throttle.repository.js';
import { TokenRepository } from './token.repository.js';

export interface Repositories {
  /** reads of the directory and rooms answered from memory while their tenant's area is unchanged */
  reads: ReadCache;
  apps: AppRepository;
  bookings: BookingRepository;
  /** the meeting chat */
  chat: ChatRepository;
  /** the admin console's reads */
  console: ConsoleRepository;
  /** the admin dashboard's daily rollups (mix, quality) */
  consoleRollups: ConsoleRollupRepository;
  /** passwords, sign-in sessions, invitations */
  credentials: CredentialRepository;
  directory: DirectoryRepository;
  jobs: JobRepository;
  meetings: MeetingRepository;
  outbox: OutboxRepository;
  deliveries: DeliveryRepository;
  exports: ExportRepository;
  /** the reads behind meeting-data exports and queries */
  meetingData: MeetingDataRepository;
  recordings: RecordingRepository;
  /** cluster-wide rate-limit windows */
  rateWindows: RateWindowRepository;
  /** media nodes of a cluster and the meetings placed on them */
  mediaNodes: MediaNodeRepository;
  /** aggregate reads for /metrics */
  metrics: MetricsRepository;
  /** the reads behind the room reservation export and query */
  reservationData: ReservationDataRepository;
  reports: ReportRepository;
  reserves: ReserveRepository;
  roomLevels: RoomLevelRepository;
  rooms: RoomRepository;
  scopeConfigs: ScopeConfigRepository;
  sessions: SessionRepository;
  settings: SettingRepository;
  /** failed credential guesses (the guess throttle's counters) */
  throttle: ThrottleRepository;
  tokens: TokenRepository;
}

export function repositories(store: Store): Repositories {
  const apps = new AppRepository(store.db, store.dialect, store.changes);
  const deliveries = new DeliveryRepository(store.db, store.dialect, apps);
  const reads = store.sqlite ? sqliteReadCache(store.sqlite) : pgReadCache(store.pgPool!);
  return {
    reads,
    apps,
    bookings: new BookingRepository(store.db, store.dialect),
    chat: new ChatRepository(store.db, store.dialect, store.wake),
    console: new ConsoleRepository(store.db),
    consoleRollups: new ConsoleRollupRepository(store.db, store.dialect),
    credentials: new CredentialRepository(store.db),
    directory: new DirectoryRepository(store.db, store.dialect, reads, () => apps.forget()),
    jobs: new JobRepository(store.db),
    meetings: new MeetingRepository(store.db, store.dialect, store.sqlite ? sqliteMeetingVersion(store.sqlite) : pgMeetingVersion(store.pgPool!)),
    outbox: new OutboxRepository(store.db, deliveries),
    deliveries,
    exports: new ExportRepository(store.db),
    meetingData: new MeetingDataRepository(store.db, store.sqlite),
    recordings: new RecordingRepository(store.db),
    rateWindows: new RateWindowRepository(store.db),
    mediaNodes: new MediaNodeRepository(store.db),
    metrics: new MetricsRepository(store.db),
    reservationData: new ReservationDataRepository(store.db),
    reports: new ReportRepository(store.db, store.dialect),
    reserves: new ReserveRepository(store.db, store.dialect),
    roomLevels: new RoomLevelRepository(store.db, store.dialect),
    rooms: new RoomRepository(store.db, store.dialect),
    scopeConfigs: new ScopeConfigRepository(store.db),
    sessions: new SessionRepository(store.db, store.wake, store.dialect),
    settings: new SettingRepository(store.db),
    throttle: new ThrottleRepository(store.db),
    tokens: new TokenRepository(store.db),
  };
}

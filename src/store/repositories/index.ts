import type { Store } from '../database.js';
import { AppRepository } from './app.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { JobRepository } from './job.repository.js';
import { MeetingRepository } from './meeting.repository.js';
import { OutboxRepository } from './outbox.repository.js';
import { DeliveryRepository } from './delivery.repository.js';
import { ReportRepository } from './report.repository.js';
import { ReserveRepository } from './reserve.repository.js';
import { SessionRepository } from './session.repository.js';
import { SettingRepository } from './setting.repository.js';
import { TokenRepository } from './token.repository.js';

export interface Repositories {
  apps: AppRepository;
  directory: DirectoryRepository;
  jobs: JobRepository;
  meetings: MeetingRepository;
  outbox: OutboxRepository;
  deliveries: DeliveryRepository;
  reports: ReportRepository;
  reserves: ReserveRepository;
  sessions: SessionRepository;
  settings: SettingRepository;
  tokens: TokenRepository;
}

export function repositories(store: Store): Repositories {
  const deliveries = new DeliveryRepository(store.db, store.dialect);
  return {
    apps: new AppRepository(store.db),
    directory: new DirectoryRepository(store.db, store.dialect, store.changes),
    jobs: new JobRepository(store.db),
    meetings: new MeetingRepository(store.db, store.dialect),
    outbox: new OutboxRepository(store.db, deliveries),
    deliveries,
    reports: new ReportRepository(store.db, store.dialect),
    reserves: new ReserveRepository(store.db, store.dialect),
    sessions: new SessionRepository(store.db),
    settings: new SettingRepository(store.db),
    tokens: new TokenRepository(store.db),
  };
}

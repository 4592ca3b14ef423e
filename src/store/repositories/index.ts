import type { Store } from '../database.js';
import { AppRepository } from './app.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { JobRepository } from './job.repository.js';
import { SettingRepository } from './setting.repository.js';
import { TokenRepository } from './token.repository.js';

export interface Repositories {
  apps: AppRepository;
  directory: DirectoryRepository;
  jobs: JobRepository;
  settings: SettingRepository;
  tokens: TokenRepository;
}

export function repositories(store: Store): Repositories {
  return {
    apps: new AppRepository(store.db),
    directory: new DirectoryRepository(store.db, store.dialect, store.changes),
    jobs: new JobRepository(store.db),
    settings: new SettingRepository(store.db),
    tokens: new TokenRepository(store.db),
  };
}

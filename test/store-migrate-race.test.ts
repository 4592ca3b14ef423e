import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrateToLatest, openStore } from '../src/store/database.js';
import { PG_URL, TestStore } from './helpers/server.js';

/**
 * Kysely's migrator introspects every schema of the database; another client dropping its schema meanwhile
 * (another deployment, another test file) made a server's start fail with "schema … does not exist" for a
 * schema not its own, and a table or column dropped meanwhile with "relation/column … does not exist".
 * Starts must ride that out.
 */
describe.skipIf(!PG_URL)('migrations beside schemas that come and go', () => {
  it('a store migrates while other clients create and drop their schemas', { timeout: 120_000 }, async () => {
    const t = new TestStore();
    await t.prepare();
    const store = openStore({ databaseUrl: t.databaseUrl, dataDir: t.dir });
    const churn = new pg.Client({ connectionString: PG_URL });
    await churn.connect();
    let stop = false;
    let churned = 0;
    // a neighbour whose schema stays while its tables and columns come and go
    const steady = `churn_${process.pid}_steady`;
    await churn.query(`create schema ${steady}; create table ${steady}.kept (id serial primary key, a int, b text)`);
    const churner = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `churn_${process.pid}_${i}`;
        await churn.query(`create schema ${name}; create table ${name}.t (id serial primary key, a int, b text, c int, d text)`);
        await churn.query(`drop schema ${name} cascade`);
        await churn.query(`create table ${steady}.t${i} (id serial primary key, a int, b text); alter table ${steady}.kept drop column b`);
        await churn.query(`drop table ${steady}.t${i}; alter table ${steady}.kept add column b text`);
        churned++;
        // a drop every 20 ms or so: far more than any real neighbour, few enough to leave gaps
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      await migrateToLatest(store);
      for (let i = 0; i < 40; i++) await migrateToLatest(store);
      expect(churned).toBeGreaterThan(0);
    } finally {
      stop = true;
      await churner;
      await churn.query(`drop schema ${steady} cascade`);
      await churn.end();
      await store.close();
      await t.dispose();
    }
  });
});

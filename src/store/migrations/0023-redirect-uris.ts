import type { Kysely } from 'kysely';

/**
 * The redirect URIs an app registered (issue 14): the authorize page sends a code only to one of them,
 * matched exactly. A JSON array on the app row: apps are read whole and cached, and the list is short.
 * Apps from before this migration start with none, so they can sign users in only through the server's
 * own pages until an admin registers their URIs (docs/decisions.md "Redirect URIs").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('apps').addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('apps').dropColumn('redirect_uris').execute();
}

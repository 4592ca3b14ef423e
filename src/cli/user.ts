import { Command, Option } from 'commander';
import { publicUrlOf } from '../config/config.js';
import { hashPassword, passwordProblem } from '../domain/auth/passwords.js';
import type { Runtime } from '../app/runtime.js';
import { storeOptions, withRuntime } from './options.js';

/**
 * The password: everything piped on stdin (one trailing newline dropped), or typed at a prompt that does
 * not echo. Never an argument, so that it stays out of shell history and process lists.
 */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (s: string) => {
      for (const c of s) {
        if (c === '\r' || c === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(typed);
        }
        if (c === '\u0003') return reject(new Error('cancelled'));
        typed = c === '\u007f' ? typed.slice(0, -1) : typed + c;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The tenant named, or the store's only tenant. */
async function tenantOf(rt: Runtime, given: unknown): Promise<string> {
  if (typeof given === 'string') return given;
  const keys = await rt.repos.directory.tenantKeys(2);
  if (keys.length === 1) return keys[0]!;
  throw new Error(keys.length === 0 ? 'the store has no tenants; apply a seed first' : 'the store has several tenants: name one with --tenant <tenant_key>');
}

const tenantOption = () => new Option('--tenant <tenant_key>', "the user's tenant (may be left out when the store has one tenant)");

export function userCommand(): Command {
  const user = new Command('user').description("users' sign-in and role: passwords, invitation links, administrators");
  user.addCommand(
    storeOptions(new Command('set-password').description('set a user\'s password, read from stdin (e.g. `printf %s "$PW" | openvc user set-password alice`) or typed at a prompt'))
      .argument('<user_id>', 'user id (as in the seed)')
      .addOption(tenantOption())
      .action(async (userId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const tenant = await tenantOf(rt, opts.tenant);
          await rt.signIn.setPassword(tenant, userId, await readPassword(`password for ${userId} (${tenant}): `));
          console.error(`password set for ${userId} in tenant ${tenant}`);
        }),
      ),
  );
  user.addCommand(
    storeOptions(new Command('invite').description('print a one-time link with which the user chooses a password (it expires)'))
      .argument('<user_id>', 'user id (as in the seed)')
      .addOption(tenantOption())
      .addOption(new Option('--expires-in <hours>', 'hours the link stays usable').default('72').argParser((v) => {
        const h = Number(v);
        if (!Number.isFinite(h) || h <= 0 || h > 24 * 90) throw new Error('--expires-in: hours between 0 and 2160');
        return String(h);
      }))
      .addOption(new Option('--public-url <url>', 'base URL users reach the server on, for the link [OPENVC_PUBLIC_URL]'))
      .action(async (userId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const tenant = await tenantOf(rt, opts.tenant);
          const { token, expiresAt } = await rt.signIn.invite(tenant, userId, Math.round(Number(opts.expiresIn) * 3600));
          const base = typeof opts.publicUrl === 'string' ? opts.publicUrl.replace(/\/$/, '') : publicUrlOf(rt.config);
          console.log(`${base}/invite/${token}`);
          console.error(`one-time link for ${userId} (${tenant}), valid until ${new Date(expiresAt).toISOString()}`);
        }),
      ),
  );
  user.addCommand(
    storeOptions(new Command('admin').description("make a user an administrator of the tenant (troubleshooter pages, admin console), or with --revoke take the role away"))
      .argument('<user_id>', 'user id (as in the seed)')
      .addOption(tenantOption())
      .option('--revoke', 'take the administrator role away')
      .action(async (userId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const tenant = await tenantOf(rt, opts.tenant);
          const admin = opts.revoke !== true;
          if (!(await rt.repos.directory.setAdmin(tenant, userId, admin))) throw new Error(`user ${userId} does not exist in tenant ${tenant}`);
          console.error(admin ? `${userId} is now an administrator of tenant ${tenant}` : `${userId} is no longer an administrator of tenant ${tenant}`);
        }),
      ),
  );
  user.addCommand(
    new Command('hash-password')
      .description("print the scrypt hash of a password read from stdin or a prompt, for a seed user's password_hash")
      .action(async () => {
        const password = await readPassword('password: ');
        const problem = passwordProblem(password);
        if (problem) throw new Error(problem);
        console.log(await hashPassword(password));
      }),
  );
  return user;
}

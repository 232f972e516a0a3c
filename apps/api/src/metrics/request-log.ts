export interface RequestLogLine {
  readonly operation: string;
  readonly type: string;
  readonly durationMs: number;
  /** OK, or the extensions.code of the first error. */
  readonly code: string;
  readonly errors: number;
  readonly status: number;
}

/**
 * One JSON object per line on stdout for each GraphQL request (LOG_FORMAT=json), for log
 * shippers that parse lines; each line is one write, so lines never interleave.
 */
export class RequestLog {
  constructor(private readonly write: (line: string) => void = defaultWrite) {}

  request(fields: RequestLogLine): void {
    const level =
      fields.code === 'OK' ? 'info' : fields.code === 'INTERNAL_SERVER_ERROR' ? 'error' : 'warn';
    this.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, msg: 'graphql request', ...fields })}\n`,
    );
  }
}

function defaultWrite(line: string): void {
  process.stdout.write(line);
}

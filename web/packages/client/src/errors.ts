/** An answer of the log server other than success: the status and, for a 400, the parameter it names. */
export class LogApiError extends Error {
  readonly status: number;
  readonly parameter: string | undefined;

  constructor(status: number, message: string, parameter?: string) {
    super(message);
    this.name = 'LogApiError';
    this.status = status;
    this.parameter = parameter;
  }

  /** Whether asking again later may succeed (the server or the database is unavailable, or too busy). */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  static async from(response: Response): Promise<LogApiError> {
    let message = `HTTP ${response.status}`;
    let parameter: string | undefined;
    try {
      const body = (await response.json()) as { error?: unknown; parameter?: unknown };
      if (typeof body.error === 'string') {
        message = body.error;
      }
      if (typeof body.parameter === 'string') {
        parameter = body.parameter;
      }
    } catch {
      // not JSON: the status says enough
    }
    return new LogApiError(response.status, message, parameter);
  }
}

import { ERROR_CATALOG, type ErrorCode, type ErrorSpec } from './catalog.js';

/** Context that helps an operator find the failing message; never secrets or message bodies. */
export interface ErrorContext {
  messageId?: string;
  queueId?: string;
  recipient?: string;
  stage?: string;
  path?: string;
  [key: string]: string | number | boolean | undefined;
}

export class SealpostError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, detail?: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    const spec = ERROR_CATALOG[code];
    super(detail ? `${spec.message}: ${detail}` : spec.message, options);
    this.name = 'SealpostError';
    this.code = code;
    this.context = context;
  }

  get spec(): ErrorSpec {
    return ERROR_CATALOG[this.code];
  }

  get transient(): boolean {
    return this.spec.transient;
  }

  toJSON(): { code: ErrorCode; message: string; path?: string } {
    return this.context.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.context.path };
  }
}

export function isSealpostError(err: unknown): err is SealpostError {
  return err instanceof SealpostError;
}

/** Wraps anything thrown into a SealpostError so callers handle one shape. */
export function asSealpostError(err: unknown, fallback: ErrorCode = 'SP_ERR_INTERNAL', context: ErrorContext = {}): SealpostError {
  if (err instanceof SealpostError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new SealpostError(fallback, detail, context, { cause: err });
}

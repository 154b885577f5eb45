export { ERROR_CATALOG, type ErrorCode, type ErrorSpec } from './catalog.js';
export { SealpostError, isSealpostError, asSealpostError, type ErrorContext } from './sealpost-error.js';

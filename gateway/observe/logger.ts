import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout (pino), one object per line. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'microversion-gateway' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs (pino), one object per line, on stdout unless a destination is given
 * (tests pass a stream to capture the lines). Every line has `level` as a word ("info"),
 * `time` (ISO 8601), `service` and `msg`; see README "Operating it" for the access line.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'microversion-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

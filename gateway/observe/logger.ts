import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs (pino), one object per line, on stdout unless a destination is given
 * (tests pass a stream to capture the lines). Every line has `level` as a word ("info"),
 * `time` (ISO 8601), `service` and `msg`; see README "Operating it" for the access line.
 *
 * On stdout, lines are buffered (4 KiB) and flushed every 100 ms and at exit, instead of one
 * write system call per request line.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'microversion-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? bufferedStdout(),
  );
}

const FLUSH_INTERVAL_MS = 100;

function bufferedStdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, minLength: 4096, sync: false });
  const timer = setInterval(() => flushQuietly(stream), FLUSH_INTERVAL_MS);
  timer.unref();
  process.once('exit', () => {
    clearInterval(timer);
    try {
      stream.flushSync();
    } catch {
      // stdout already closed: nothing more can be written
    }
  });
  return stream;
}

function flushQuietly(stream: ReturnType<typeof pino.destination>): void {
  try {
    stream.flush();
  } catch {
    // a flush racing a previous one retries on the next tick
  }
}

/** Process entry: config from the environment, then serve until SIGINT/SIGTERM. */
import { startBff } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const bff = await startBff(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Stop accepting, let requests in flight finish (SHUTDOWN_GRACE_MS), let the reconciler finish its
    // pass, close the pool: a rolling deploy then loses no notification.
    bff.services.logger.info({ signal }, 'shutting down');
    bff.close().then(
      () => {
        bff.services.logger.info({ signal }, 'shut down');
        process.exit(0);
      },
      (err: unknown) => {
        bff.services.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('bff failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});

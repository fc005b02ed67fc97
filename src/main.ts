#!/usr/bin/env node
/**
 * The `atelier` command: serve (default), migrate, keys create|list|revoke, config check.
 * It is the only module that reads process.env and argv; everything else gets the frozen configuration.
 */
import { parseArgs } from 'node:util';
import { createApplication } from './application.js';
import { ConfigurationError, loadConfiguration } from './config/index.js';
import { openDatabase } from './storage/index.js';
import { startIdleMemoryRelease } from './observability/idle-memory.js';

const usage = `usage: atelier [serve|migrate|keys|config] [--config PATH]
  serve                       run the gateway (default), with job workers unless [jobs] workers = false
  worker                      run job workers only (scaled out: needs REDIS_URL)
  migrate                     apply database migrations and exit
  keys create NAME [--role admin|user]
  keys list
  keys revoke ID
  config check                validate the configuration and exit`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      role: { type: 'string', default: 'user' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [command = 'serve', subcommand, argument] = positionals;
  const configuration = loadConfiguration({
    path: values.config,
    environment: process.env,
    workingDirectory: process.cwd(),
  });

  switch (command) {
    case 'serve':
      return serve(configuration);
    case 'worker':
      return worker(configuration);
    case 'migrate': {
      const database = await openDatabase({
        url: configuration.database_url,
        dataDir: configuration.data_dir,
      });
      await database.close();
      console.log(`migrations applied (${database.dialect})`);
      return;
    }
    case 'config':
      if (subcommand !== 'check') break;
      console.log(
        `configuration is valid: ${configuration.providers.length} providers, ${configuration.models.length} aliases`,
      );
      return;
    case 'keys':
      return keys(configuration, subcommand, argument, values.role);
  }
  console.error(usage);
  process.exitCode = 2;
}

async function serve(configuration: ReturnType<typeof loadConfiguration>): Promise<void> {
  const application = await createApplication(configuration);
  const { host, port } = configuration.server;
  if (configuration.jobs.workers) await application.startWorkers();
  const address = await application.server.listen({ host, port });
  application.logger.info(
    { providers: application.registry.list().length, database: application.database.dialect },
    `Atelier listening on ${address}`,
  );
  startIdleMemoryRelease({ logger: application.logger });
  stopOnSignals(application);
}

async function worker(configuration: ReturnType<typeof loadConfiguration>): Promise<void> {
  if (!configuration.redis_url) {
    throw new ConfigurationError(
      '`atelier worker` needs REDIS_URL (BullMQ); embedded mode runs workers inside `atelier serve`.',
    );
  }
  const application = await createApplication(configuration);
  await application.startWorkers();
  application.logger.info({ types: application.jobs.handlers.types() }, 'Atelier worker running');
  stopOnSignals(application);
}

function stopOnSignals(application: Awaited<ReturnType<typeof createApplication>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    application.logger.info({ signal }, 'shutting down');
    await application.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function keys(
  configuration: ReturnType<typeof loadConfiguration>,
  action: string | undefined,
  argument: string | undefined,
  role: string | undefined,
): Promise<void> {
  const application = await createApplication(configuration);
  try {
    if (action === 'create' && argument) {
      if (role !== 'admin' && role !== 'user') throw new ConfigurationError('--role must be admin or user');
      const { key, record } = await application.keys.create({ name: argument, role });
      console.log(`created ${record.id} (${record.role}); the key is shown once:\n${key}`);
    } else if (action === 'list') {
      for (const record of await application.keys.list()) {
        const state = record.revoked_at ? 'revoked' : 'active';
        console.log(`${record.id}\t${record.prefix}…\t${record.role}\t${state}\t${record.name}`);
      }
    } else if (action === 'revoke' && argument) {
      console.log(
        (await application.keys.revoke(argument)) ? `revoked ${argument}` : `no active key ${argument}`,
      );
    } else {
      console.error(usage);
      process.exitCode = 2;
    }
  } finally {
    await application.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(`atelier: ${error.message}`);
  } else {
    console.error('atelier: fatal error', error);
  }
  process.exit(1);
});

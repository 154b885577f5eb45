/**
 * The `sealpost` command line (DESIGN §3). Every command takes --config (default ./sealpost.yaml
 * or $SEALPOST_CONFIG) and --json; exit 0 success, 1 user error, 2 internal error.
 */
import { Command, CommanderError } from 'commander';
import { defaultConfigPath, loadConfigFile } from './config/load.js';
import { openDatabase } from './db/open.js';
import { createStores } from './db/stores.js';
import { registerCaCommands } from './cli/ca.js';
import { registerCertsCommands } from './cli/certs.js';
import { registerPgpCommands } from './cli/pgp.js';
import { registerPortalCommands } from './cli/portal.js';
import { registerQuarantineCommands } from './cli/quarantine.js';
import { runInit } from './cli/init.js';
import { EXIT_OK, EXIT_USER, makeOutput, reportError } from './cli/output.js';
import { queueDelete, queueList, queueRetry, queueShow } from './cli/queue.js';
import { runStart } from './cli/start.js';
import { policyExplain } from './cli/policy.js';
import { createPki } from './pki/index.js';
import { engineFromConfig } from './notify/from-config.js';
import { previewNotice } from './notify/preview.js';

interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export async function run(argv: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('sealpost')
    .description('Sealpost email encryption gateway')
    .option('-c, --config <file>', 'configuration file (default ./sealpost.yaml or $SEALPOST_CONFIG)')
    .option('--json', 'print JSON instead of text')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const globals = () => program.opts<GlobalOptions>();
  const output = () => makeOutput(Boolean(globals().json));
  const configFile = () => defaultConfigPath(globals().config);

  const withStores = async (fn: (stores: Awaited<ReturnType<typeof createStores>>) => Promise<void>) => {
    const { config, baseDir } = loadConfigFile(configFile());
    // A CLI command needs one or two connections, but the operator's timeouts still apply.
    const postgres = { poolSize: 2, connectTimeoutMs: config.storage.connectTimeout, queryTimeoutMs: config.storage.queryTimeout, applicationName: 'sealpost cli' };
    const stores = await createStores(await openDatabase(config.storage.url, { baseDir, postgres }));
    try {
      await fn(stores);
    } finally {
      await stores.close();
    }
  };

  program
    .command('init')
    .description('write a commented sealpost.yaml and generate the gateway secrets')
    .option('--dir <dir>', 'where to write sealpost.yaml and data/', '.')
    .option('--domain <domain>', 'the internal domain', 'example.com')
    .option('--hostname <name>', 'this gateway\'s host name (default: the machine\'s)')
    .option('--force', 'overwrite an existing sealpost.yaml')
    .action((opts: { dir: string; domain: string; hostname?: string; force?: boolean }) => {
      const result = runInit({ dir: opts.dir, domain: opts.domain, force: Boolean(opts.force), ...(opts.hostname ? { hostname: opts.hostname } : {}) });
      output().print(`wrote ${result.created.join(', ')}\nnext: npx sealpost start`, { file: result.file, created: result.created });
    });

  program
    .command('start')
    .description('run the gateway: listeners, pipeline, delivery')
    .option('--pretty', 'human-readable logs')
    .option('--init', 'run init first when the config file does not exist')
    .action(async (opts: { pretty?: boolean; init?: boolean }) => {
      exitCode = await runStart({ configFile: configFile(), pretty: Boolean(opts.pretty), init: Boolean(opts.init) });
    });

  program
    .command('check')
    .description('validate the configuration')
    .action(() => {
      const file = configFile();
      const { config, baseDir } = loadConfigFile(file);
      engineFromConfig(config, baseDir); // notification template overrides: a broken one names its file
      output().print(`${file}: OK (${config.smtp.listeners.length} listener(s), ${config.policies?.length ?? 'default'} polic${config.policies?.length === 1 ? 'y' : 'ies'})`, { file, valid: true });
    });

  program
    .command('notify')
    .description('notices the gateway sends (docs/notifications.md)')
    .command('preview <type>')
    .description('render a notice with sample values through the configured templates, branding and overrides; nothing is sent')
    .option('--locale <tag>', 'language (else the profile\'s, else notifications.locale)')
    .option('--profile <name>', 'profile whose branding and locale apply')
    .option('--to <address>', 'the notice\'s recipient (decides the hop and the "to the sender?" wording)')
    .option('--html', 'print the HTML part instead of subject and text')
    .option('--eml', 'print the whole message as it would be queued')
    .action((type: string, opts: { locale?: string; profile?: string; to?: string; html?: boolean; eml?: boolean }) => {
      const { config, baseDir } = loadConfigFile(configFile());
      const { rendered: r, eml } = previewNotice(config, baseDir, type, opts);
      const human = opts.eml && eml ? eml : opts.html ? r.html : `Subject: ${r.subject}\nLanguage: ${r.locale}\n\n${r.text}`;
      output().print(human.trimEnd(), { type: r.type, locale: r.locale, subject: r.subject, text: r.text, html: r.html, ...(eml ? { eml } : {}) });
    });

  const queue = program.command('queue').description('messages in the spool and the delivery queue');
  queue.command('list').option('--all', 'include delivered, bounced and deleted items').action(async (opts: { all?: boolean }) => withStores((s) => queueList(s, output(), Boolean(opts.all))));
  queue.command('show <id>').action(async (id: string) => withStores((s) => queueShow(s, output(), id)));
  queue.command('retry <id>').action(async (id: string) => withStores((s) => queueRetry(s, output(), id)));
  queue.command('delete <id>').action(async (id: string) => withStores((s) => queueDelete(s, output(), id)));

  registerCertsCommands(program, { output, configFile });
  registerCaCommands(program, { output, configFile });
  registerPgpCommands(program, { output, configFile });
  registerQuarantineCommands(program, { output, withStores });
  registerPortalCommands(program, { output, withStores });

  const policy = program.command('policy').description('the policy engine');
  policy
    .command('explain <file>')
    .description('dry-run the pipeline for a message file: per recipient action, method, matched rules, trace')
    .requiredOption('--from <address>', 'envelope sender')
    .option('--to <address>', 'envelope recipient (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (file: string, opts: { from: string; to: string[] }) => {
      const loaded = loadConfigFile(configFile());
      await withStores((stores) => policyExplain(loaded, output(), file, opts.from, opts.to, { pki: createPki(stores.pki, loaded.config.pki, { wrapper: null }), pgp: stores.pgp }));
    });

  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USER;
    return reportError(err, Boolean(globals().json));
  }
}

// `kubectl herald`: the plugin's entry point. kubectl runs any executable named kubectl-herald on PATH for
// `kubectl herald …` (cli/kubectl-herald from a checkout; the bundle dist/cli/kubectl-herald.mjs elsewhere), passing
// the words after `herald` and its environment, KUBECONFIG included. Each subcommand lives in cli/commands/.
import { Command } from 'commander';
import { explainCommand } from './commands/explain.js';
import { migrateCommand } from './commands/migrate.js';
import { poolsCommand } from './commands/pools.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { versionCommand } from './commands/version.js';

export function pluginProgram(): Command {
  return new Command('kubectl herald')
    .description("Herald's view of a cluster: which node answers for which LoadBalancer IP, and why not")
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config, as kubectl)')
    .option('--context <name>', 'the kubeconfig context to use (default: its current-context)')
    .showHelpAfterError()
    .addCommand(versionCommand())
    .addCommand(statusCommand())
    .addCommand(poolsCommand())
    .addCommand(explainCommand())
    .addCommand(validateCommand())
    .addCommand(migrateCommand());
}

pluginProgram().parseAsync().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

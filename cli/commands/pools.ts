// `kubectl herald pools`: each IPAddressPool's use per family (cli/status/pools.ts), from the pool statuses the
// controller writes. Pools live in Herald's namespace, so -n defaults to herald-system, not the context's namespace.
import { Command, Option } from 'commander';
import { HERALD_NAMESPACE, IPADDRESSPOOL_PLURAL, GROUP, VERSION, type IPAddressPool } from '../../crds/v1beta1/index.js';
import { pluginKubeConfig } from '../kube.js';
import { asList, formatStructured, parseOutputFormat } from '../output.js';
import { poolUses, poolsTable } from '../status/pools.js';
import { listItems } from './status.js';

interface PoolsFlags {
  namespace: string;
  output?: string;
}

export function poolsCommand(): Command {
  return new Command('pools')
    .description('each IPAddressPool\'s use per address family: a bar, and exact counts')
    .option('-n, --namespace <namespace>', 'Herald\'s namespace, where the pools are', HERALD_NAMESPACE)
    .addOption(new Option('-o, --output <format>', 'output format: wide, json or yaml'))
    .action(async (flags: PoolsFlags, command: Command) => {
      const format = parseOutputFormat(flags.output);
      const pools = await listItems<IPAddressPool>(pluginKubeConfig(command), `/apis/${GROUP}/${VERSION}/namespaces/${flags.namespace}/${IPADDRESSPOOL_PLURAL}`);
      const uses = poolUses(pools);
      if (format === 'json' || format === 'yaml') {
        process.stdout.write(formatStructured(asList(uses), format));
        return;
      }
      if (uses.length === 0) {
        process.stderr.write(`No IPAddressPools found in ${flags.namespace} namespace.\n`);
        return;
      }
      process.stdout.write(poolsTable(uses, format === 'wide'));
    });
}

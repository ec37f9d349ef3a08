import type { Argv } from 'yargs';
import type { CliIo } from '../cli.js';
import { pingCommandModule } from './ping.js';
import { runCommandModule } from './run.js';
import { scriptCommandModule } from './script.js';
import { copyCommandModule, fetchCommandModule } from './files.js';
import { inventoryCommandModule } from './inventory.js';
import { configCommandModule } from './config.js';
import { shellCommandModule } from './shell.js';
import { completionCommandModule } from './completion.js';
import { hostsCommandModule } from './hosts.js';
import { workerCommandModule } from './worker.js';

/** A command module adds itself to the parser; the list order is the order in --help. */
export type CommandModule = (parser: Argv, io: CliIo) => Argv;

export const commands: CommandModule[] = [runCommandModule, scriptCommandModule, copyCommandModule, fetchCommandModule, pingCommandModule, shellCommandModule];
commands.push(workerCommandModule, inventoryCommandModule, hostsCommandModule, configCommandModule, completionCommandModule);

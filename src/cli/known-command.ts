import { CommandMeta, SubCommandMeta } from 'nest-commander/src/constants';

type CommandClass = abstract new (...args: never[]) => unknown;

interface CommandNames {
  name: string;
  aliases?: string[];
  subCommands?: CommandClass[];
}

function namesOf(command: CommandClass, key: string): CommandNames | undefined {
  return Reflect.getMetadata(key, command) as CommandNames | undefined;
}

function answersTo(names: CommandNames | undefined, word: string): boolean {
  return names !== undefined && (names.name.split(' ')[0] === word || (names.aliases ?? []).includes(word));
}

/**
 * Whether the words of `argv` name a command that exists (`jobs list`), read from the commands'
 * decorators alone: a command that does not exist is left to commander, which answers it with a
 * suggestion ("did you mean 'list'?") without opening any database.
 */
export function namesKnownCommand(roots: CommandClass[], argv: string[]): boolean {
  const [word, next] = argv;
  const root = roots.map((c) => namesOf(c, CommandMeta)).find((names) => answersTo(names, word));
  if (!root) return false;
  if (!root.subCommands?.length || next === undefined || next.startsWith('-')) return true;
  return root.subCommands.some((c) => answersTo(namesOf(c, SubCommandMeta), next));
}

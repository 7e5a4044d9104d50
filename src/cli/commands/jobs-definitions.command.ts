import { CommandRunner, Help, Option, SubCommand } from 'nest-commander';
import { JobDefinitionsFileDto, type ApplyJobsResultDto } from '../../modules/jobs/dto/apply-jobs.dto';
import { ListJobsQuery } from '../../modules/jobs/dto/list-jobs.query';
import { JobDefinitionsService } from '../../modules/jobs/job-definitions.service';
import { cliActor } from '../cli-actor';
import { UsageError } from '../cli-errors';
import { validateDto } from '../cli-input';
import { DEFINITION_FORMATS, formatDefinitions, readDefinitions, type DefinitionFormat } from '../definitions-file';
import { CliOutput } from '../output/cli-output';
import { JsonCommand, type JsonOption } from './cli-command';

interface ExportOptions {
  tag?: string[];
  format?: DefinitionFormat;
}

interface ApplyOptions extends JsonOption {
  file: string;
  dryRun?: boolean;
  prune?: boolean;
}

/** The lists of an apply's answer, in the order they are printed. */
const OUTCOMES = ['created', 'updated', 'unchanged', 'deleted'] as const satisfies (keyof ApplyJobsResultDto)[];

const APPLY_HELP = [
  '',
  'The file is YAML or JSON, as jobs export writes it: {jobs: [definition, ...]}, each definition the',
  'body of POST /api/v1/jobs/. Jobs are matched by name; a field left out means its default; status',
  '(paused or active) changes only when given. All or nothing, in one transaction.',
].join('\n');

@SubCommand({
  name: 'export',
  description: 'Print job definitions (no ids, counters or times), sorted by name, as a file apply takes',
})
export class JobsExportCommand extends CommandRunner {
  constructor(
    private readonly definitions: JobDefinitionsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], o: ExportOptions): Promise<void> {
    const { tag } = await validateDto(ListJobsQuery, { tag: o.tag }, { tag: '--tag' });
    const file = await this.definitions.export(tag);
    this.out.line(formatDefinitions(file, o.format ?? 'yaml'));
  }

  @Option({ flags: '--tag <tag>', description: 'only jobs carrying this tag (repeat: every one given)' })
  parseTag(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({
    flags: '--format <format>',
    description: 'output format, yaml by default',
    choices: [...DEFINITION_FORMATS],
  })
  parseFormat(value: string): DefinitionFormat {
    // nest-commander's own parser replaces commander's check of the choices.
    if (!(DEFINITION_FORMATS as readonly string[]).includes(value))
      throw new UsageError(`--format must be ${DEFINITION_FORMATS.join(' or ')}, not '${value}'`);
    return value as DefinitionFormat;
  }
}

@SubCommand({
  name: 'apply',
  description: 'Create, update (and with --prune delete) jobs as a file defines them (POST /jobs/apply)',
})
export class JobsApplyCommand extends JsonCommand {
  constructor(
    private readonly definitions: JobDefinitionsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], o: ApplyOptions): Promise<void> {
    const file = await validateDto(JobDefinitionsFileDto, await readDefinitions(o.file));
    const dryRun = o.dryRun ?? false;
    const result = await this.definitions.apply({ jobs: file.jobs, dry_run: dryRun, prune: o.prune }, cliActor());
    this.print(o, result, (r) => this.describe(r, dryRun));
  }

  private describe(result: ApplyJobsResultDto, dryRun: boolean): void {
    const prefix = dryRun ? '(dry run) ' : '';
    for (const outcome of OUTCOMES)
      for (const name of result[outcome]) this.out.line(`${prefix}${outcome.padEnd(9)}  ${name}`);
    const counts = OUTCOMES.map((outcome) => `${result[outcome].length} ${outcome}`).join(', ');
    this.out.line(`${prefix}${counts}${dryRun ? ': nothing was changed' : ''}`);
  }

  @Option({
    flags: '-f, --file <file>',
    description: 'the definitions: a YAML or JSON file, - for stdin',
    required: true,
  })
  parseFile(value: string): string {
    return value;
  }

  @Option({ flags: '--dry-run', description: 'print what would change, change nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--prune', description: 'also delete every job the file does not name' })
  parsePrune(): boolean {
    return true;
  }

  @Help('after')
  fileHelp(): string {
    return APPLY_HELP;
  }
}

import { Option, SubCommand } from 'nest-commander';
import { ValidateScheduleDto } from '../../modules/schedules/dto/validate-schedule.dto';
import { SchedulesService } from '../../modules/schedules/schedules.service';
import { OperationFailedError } from '../cli-errors';
import { inCliWords, numberish, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { printSchedulePreview } from '../output/job-views';
import { JsonCommand, type JsonOption } from './cli-command';

interface ValidateOptions extends JsonOption {
  timezone?: string;
  count?: string;
  from?: string;
}

const FLAGS = { timezone: '--timezone', count: '--count', from: '--from' };

@SubCommand({
  name: 'validate-schedule',
  arguments: '<schedule_type> <schedule_expression>',
  description:
    'Check a schedule and list its next fire times (as POST /api/v1/jobs/validate-schedule); exit 1 when invalid',
})
export class JobsValidateScheduleCommand extends JsonCommand {
  constructor(
    private readonly schedules: SchedulesService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([type, expression]: string[], o: ValidateOptions): Promise<void> {
    const dto = await validateDto(
      ValidateScheduleDto,
      {
        schedule_type: type,
        schedule_expression: expression,
        timezone: o.timezone,
        count: numberish(o.count),
        from: o.from,
      },
      FLAGS,
    );
    const preview = this.schedules.preview(
      { type: dto.schedule_type, expression: dto.schedule_expression, timezone: dto.timezone },
      dto.from ? new Date(dto.from) : new Date(),
      dto.count,
    );
    if (o.json) this.out.json(preview);
    else if (preview.valid) printSchedulePreview(this.out, preview, dto.timezone);
    if (!preview.valid) throw new OperationFailedError(`invalid schedule: ${inCliWords(preview.error, FLAGS)}`);
  }

  @Option({ flags: '--timezone <iana>', description: 'IANA time zone (default UTC)' })
  parseTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--count <n>', description: 'how many fire times to list, 1–50 (default 5)' })
  parseCount(value: string): string {
    return value;
  }

  @Option({ flags: '--from <iso>', description: 'list fire times after this instant (default now)' })
  parseFrom(value: string): string {
    return value;
  }
}

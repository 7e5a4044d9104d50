import { PartialType } from '@nestjs/swagger';
import { CreateJobDto } from './create-job.dto';

/** Partial update: only the fields given change; `null` is accepted only where a field may be null. */
export class UpdateJobDto extends PartialType(CreateJobDto, { skipNullProperties: false }) {}

import { Controller, Get, Headers, Query, Sse, SseSignal, type MessageEvent } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { from, map, type Observable } from 'rxjs';
import { ApiAuth } from '../../../common/access.decorators';
import { ErrorResponseDto } from '../../../common/error-response.dto';
import { IdParam } from '../../../common/id-param.decorator';
import { RunLogPageDto, RunLogsQuery, RunLogStreamQuery } from './dto/run-logs.dto';
import { RunLogsService } from './run-logs.service';

/** A run's log lines (any signed-in user, as the runs themselves). */
@ApiTags('executions')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('executions/:id/logs')
export class RunLogsController {
  constructor(private readonly runLogs: RunLogsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listExecutionLogs',
    description:
      'The lines a run logged, oldest first: those after `after` (a seq; default 0), at most `limit` (1–1000, default 200). Pass `next_after` as `after` for more; `run_finished` says whether more can come. Any signed-in user.',
    summary: "A run's log lines, oldest first, after a sequence number",
  })
  @ApiOkResponse({ type: RunLogPageDto, description: 'A page of log lines' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  page(@IdParam() id: number, @Query() q: RunLogsQuery): Promise<RunLogPageDto> {
    return this.runLogs.page(id, q.after, q.limit);
  }

  @Sse('stream')
  @ApiOperation({
    operationId: 'streamExecutionLogs',
    summary: "A run's log, live (Server-Sent Events)",
    description:
      'The lines so far, then each new line as it is written, until the run is final: one event per line (`id`: its seq, `data`: the line as JSON), then an `end` event (`data`: `{"status": …}`) and the stream closes. `after` (or the `Last-Event-ID` header) resumes after a line.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: 'Events: `id` the seq, `data` a RunLogLineDto; last an `end` event with `{"status": …}`',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async stream(
    @IdParam() id: number,
    @Query() q: RunLogStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @SseSignal() signal: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    await this.runLogs.requireStatus(id);
    // An EventSource that reconnects sends the id of the last event it got.
    const after = lastEventId && /^\d{1,9}$/.test(lastEventId) ? Number(lastEventId) : q.after;
    let last = after;
    return from(this.runLogs.follow(id, after, signal)).pipe(
      map((event): MessageEvent => {
        if (event.type === 'end') return { type: 'end', id: String(last), data: { status: event.status } };
        last = event.line.seq;
        return { id: String(last), data: event.line };
      }),
    );
  }
}
